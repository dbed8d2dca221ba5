// Keep the reader's place when they switch language in the middle of a page.
// Both editions have the same sections in the same order (tests/test_parity.py compares the
// headings), so the n-th section of a page is the n-th section of its twin, whatever the
// headings' ids: the link carries "#section-n" and the page it opens scrolls there.
(() => {
  const sections = () => Array.from(document.querySelectorAll("article.bd-article section"));
  const place = /^#section-(\d+)$/;

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a.language-switch__link");
    if (!link) return;
    // The reader is in the last section that starts above the upper quarter of the window
    // (below the theme's sticky header, which scroll-padding-top measures).
    const header = parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop) || 0;
    const line = header + window.innerHeight / 4;
    let current = 0;
    sections().forEach((section, n) => {
      if (section.getBoundingClientRect().top <= line) current = n;
    });
    // Section 0 is the page itself: its top needs no hash.
    link.hash = current > 0 ? `section-${current}` : "";
  });

  const wanted = place.exec(window.location.hash);
  if (!wanted) return;
  window.addEventListener("load", () => {
    // Typeset math changes the height of what comes before the section: scroll after it.
    const typeset = window.MathJax?.startup?.promise ?? Promise.resolve();
    typeset.then(() => {
      const section = sections()[Number(wanted[1])];
      if (!section) return;
      history.replaceState(null, "", `#${section.id}`);
      section.scrollIntoView();
    });
  });
})();
