// MathJax typesets after reveal.js has laid the slides out: lay them out again.
document.addEventListener("DOMContentLoaded", () => {
  if (window.MathJax && MathJax.startup) {
    MathJax.startup.promise.then(() => Reveal.layout());
  }
});
