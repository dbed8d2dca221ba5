/* Explorable figures (rnngrad_book.explorable, data from rnngrad.explorable).
 * Each div.explorable holds its data as JSON and the static figure; this script adds, above
 * the caption, native controls, one SVG that is redrawn, a live sentence and a table of the
 * current view. Every number read out was formatted by the library (or is its digits, with
 * the page's decimal separator): the script looks up and draws, it does not compute.
 * Plain script, no modules, no library: it runs from file:// as from a server. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var W = 560, H = 300, L = 64, R = 12, T = 12, B = 40;
  var SUP = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };
  var COLORS = ["#1f5fa8", "#c0392b", "#2a7f3f", "#8e44ad", "#b35900", "#333333"];
  var count = 0;

  function make(tag, attrs, parent, text) {
    var node = document.createElement(tag);
    return finish(node, attrs, parent, text);
  }
  function draw(tag, attrs, parent, text) {
    return finish(document.createElementNS(SVG, tag), attrs, parent, text);
  }
  function finish(node, attrs, parent, text) {
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, key) { return values[key]; });
  }
  function power(exponent) {
    return "10" + String(exponent).split("").map(function (c) { return SUP[c]; }).join("");
  }
  // log10 in tenths, as a number with the page's decimal separator and a true minus sign.
  function decades(tenths, decimal) {
    if (isNaN(tenths)) return "—";
    return (tenths / 10).toFixed(1).replace("-", "−").replace(".", decimal);
  }

  // The frame every figure shares: a row of controls, the SVG, the sentence, the table.
  function frame(box, words, id) {
    var f = { controls: make("div", { class: "explorable-controls" }, box) };
    f.svg = draw("svg", {
      viewBox: "0 0 " + W + " " + H, role: "img",
      "aria-labelledby": id + "-title " + id + "-desc", class: "explorable-plot"
    }, box);
    draw("title", { id: id + "-title" }, f.svg, words.title);
    draw("desc", { id: id + "-desc" }, f.svg, words.description);
    f.plot = draw("g", {}, f.svg);
    f.live = make("p", { "aria-live": "polite", class: "explorable-sentence" }, box);
    var details = make("details", { class: "explorable-table" }, box);
    make("summary", {}, details, words.table);
    f.table = make("table", {}, details);
    return f;
  }
  // A slider over the positions of values; it says "name = value" to a screen reader.
  function range(f, id, name, values, start) {
    var label = make("label", { for: id }, f.controls, name + " ");
    var input = make("input", { type: "range", id: id, min: 0, max: values.length - 1, step: 1, value: start }, label);
    var shown = make("output", { for: id }, label);
    input.values = values;
    input.sync = function () {
      var v = input.values[+input.value];
      input.setAttribute("aria-valuetext", name + " = " + v);
      shown.textContent = v;
    };
    input.sync();
    return input;
  }
  function choice(f, id, name, options, start) {
    var label = make("label", { for: id }, f.controls, name + " ");
    var select = make("select", { id: id }, label);
    options.forEach(function (o, i) { make("option", { value: i }, select, o); });
    select.value = String(start || 0);
    return select;
  }
  function table(f, head, rows) {
    f.table.textContent = "";
    var tr = make("tr", {}, make("thead", {}, f.table));
    head.forEach(function (h) { make("th", { scope: "col" }, tr, h); });
    var body = make("tbody", {}, f.table);
    rows.forEach(function (row) {
      var r = make("tr", {}, body);
      row.forEach(function (v, i) { make(i ? "td" : "th", i ? {} : { scope: "row" }, r, v); });
    });
  }
  function react(inputs, redraw) {
    inputs.forEach(function (input) {
      input.addEventListener("input", function () { if (input.sync) input.sync(); redraw(); });
    });
    redraw();
  }

  // A log axis in tenths of a decade from lo to hi, x from 0 to xmax.
  function axes(f, xmax, lo, hi, xlabel, ylabel) {
    var plot = f.plot;
    plot.textContent = "";
    var sx = function (x) { return L + (x / xmax) * (W - L - R); };
    var sy = function (v) { return T + ((hi - Math.max(lo, Math.min(hi, v))) / (hi - lo)) * (H - T - B); };
    var step = Math.max(1, Math.ceil((hi - lo) / 10 / 6));
    for (var d = Math.ceil(lo / 10 / step) * step; d * 10 <= hi; d += step) {
      draw("line", { x1: L, x2: W - R, y1: sy(d * 10), y2: sy(d * 10), class: "explorable-grid" }, plot);
      draw("text", { x: L - 4, y: sy(d * 10) + 4, "text-anchor": "end" }, plot, power(d));
    }
    for (var x = 0; x <= xmax; x += xmax / 6) {
      draw("text", { x: sx(x), y: H - B + 16, "text-anchor": "middle" }, plot, Math.round(x));
    }
    draw("rect", { x: L, y: T, width: W - L - R, height: H - T - B, class: "explorable-frame" }, plot);
    draw("text", { x: (L + W - R) / 2, y: H - 4, "text-anchor": "middle" }, plot, xlabel);
    draw("text", { x: 12, y: T + (H - T - B) / 2, transform: "rotate(-90 12 " + (T + (H - T - B) / 2) + ")", "text-anchor": "middle" }, plot, ylabel);
    return { x: sx, y: sy };
  }
  function line(f, s, xs, ys, cls, color) {
    var points = xs.map(function (x, i) { return s.x(x).toFixed(1) + "," + s.y(ys[i]).toFixed(1); });
    draw("polyline", { points: points.join(" "), class: cls, stroke: color }, f.plot);
  }
  function extent(arrays) {
    var all = [].concat.apply([], arrays);
    return [Math.floor(Math.min.apply(null, all) / 10) * 10, Math.ceil(Math.max.apply(null, all) / 10) * 10 || 10];
  }

  var KINDS = {};

  // 1. The norm against the lag, the gain on a slider, the activation chosen.
  KINDS.gain = function (box, d, id) {
    var w = d.words, f = frame(box, { title: w["gain title"], description: w["gain description"], table: w.table }, id);
    var gain = range(f, id + "-gain", w.gain, d.gains, d.start);
    var which = choice(f, id + "-activation", w.activation, d.order.map(function (a) { return d.curves[a].name; }));
    var lagMax = d.lags[d.lags.length - 1];
    var limits = {};
    d.order.forEach(function (a) { limits[a] = extent(d.curves[a].norm); });
    react([gain, which], function () {
      var a = d.order[+which.value], c = d.curves[a], i = +gain.value, lim = limits[a];
      var s = axes(f, lagMax, lim[0], lim[1], w.lag, w.norm);
      var bound = d.lags.map(function (l) { return 10 * l * c.bound[i]; });
      var mean = d.lags.map(function (l) { return c.meanfield[i] === null ? NaN : 10 * l * c.meanfield[i]; });
      line(f, s, d.lags, bound, "explorable-bound", COLORS[1]);
      if (c.meanfield[i] !== null) line(f, s, d.lags, mean, "explorable-meanfield", COLORS[2]);
      line(f, s, d.lags, c.norm[i], "explorable-measured", COLORS[0]);
      draw("rect", { x: W - R - 176, y: T + 2, width: 172, height: 52, class: "explorable-legend" }, f.plot);
      [[w.measured, "explorable-measured", COLORS[0]], [w.bound, "explorable-bound", COLORS[1]], [w["mean field"], "explorable-meanfield", COLORS[2]]]
        .forEach(function (e, k) {
          var y = T + 14 + 16 * k;
          draw("line", { x1: W - R - 170, x2: W - R - 140, y1: y - 4, y2: y - 4, class: e[1], stroke: e[2] }, f.plot);
          draw("text", { x: W - R - 134, y: y }, f.plot, e[0]);
        });
      f.live.textContent = fill(w["gain sentence"], {
        activation: c.name, gain: d.gains[i], lag: lagMax, value: c.last[i],
        trend: c.grows[i] ? w.grows : w.decays
      });
      table(f, [w.lag, "log₁₀ " + w.measured, "log₁₀ " + w.bound, "log₁₀ " + w["mean field"]],
        d.lags.map(function (l, k) {
          return [l, decades(c.norm[i][k], d.decimal), decades(bound[k], d.decimal), decades(mean[k], d.decimal)];
        }));
    });
  };

  // 2. The (t, k) map: a cursor cell moved by the arrow keys or the pointer.
  KINDS.heatmap = function (box, d, id) {
    var w = d.words, n = d.size, f = frame(box, { title: w["heatmap title"], description: w["heatmap description"], table: w.table }, id);
    var which = choice(f, id + "-gain", w.gain, d.gains.map(function (g) { return "g = " + g; }));
    var maps = d.cells.map(function (s) { return s.split(" "); });
    var at = { t: n - 1, k: 0 };
    var map = make("div", { class: "explorable-map", tabindex: 0, role: "group", "aria-label": w["heatmap help"] }, box);
    map.appendChild(f.svg);
    box.insertBefore(map, f.live);
    var cell = (H - T - B) / n, x0 = L, y0 = T;
    function value(token) {
      var m = token.slice(0, 2), e = +token.slice(2);
      var text = m[0] + d.decimal + m[1];
      return { text: e ? text + "·" + power(e) : text, log: Math.log10(+m / 10) + e };
    }
    function colour(v, top) {
      var u = Math.min(1, Math.abs(v) / top), c = v < 0 ? [31, 95, 168] : [192, 57, 43];
      return "rgb(" + c.map(function (x) { return Math.round(255 + (x - 255) * u); }).join(",") + ")";
    }
    function redraw() {
      var cells = maps[+which.value], plot = f.plot, k, t;
      plot.textContent = "";
      var logs = cells.map(function (s) { return value(s).log; });
      var top = Math.max.apply(null, logs.map(Math.abs)) || 1;
      for (t = 0; t < n; t++) {
        for (k = 0; k <= t; k++) {
          draw("rect", { x: x0 + k * cell, y: y0 + t * cell, width: cell + 0.3, height: cell + 0.3, fill: colour(logs[t * (t + 1) / 2 + k], top) }, plot);
        }
      }
      draw("rect", { x: x0, y: y0 + at.t * cell, width: (at.t + 1) * cell, height: cell, class: "explorable-band" }, plot);
      draw("rect", { x: x0 + at.k * cell, y: y0 + at.k * cell, width: cell, height: (n - at.k) * cell, class: "explorable-band" }, plot);
      draw("rect", { x: x0 + at.k * cell, y: y0 + at.t * cell, width: cell, height: cell, class: "explorable-cursor" }, plot);
      draw("text", { x: x0 + (n * cell) / 2, y: H - 8, "text-anchor": "middle" }, plot, "k");
      draw("text", { x: x0 - 10, y: y0 + (n * cell) / 2, "text-anchor": "end" }, plot, "t");
      draw("text", { x: x0 - 4, y: y0 + cell, "text-anchor": "end" }, plot, "0");
      draw("text", { x: x0 - 4, y: y0 + n * cell, "text-anchor": "end" }, plot, n - 1);
      draw("text", { x: x0, y: y0 + n * cell + 14, "text-anchor": "middle" }, plot, "0");
      draw("text", { x: x0 + n * cell, y: y0 + n * cell + 14, "text-anchor": "middle" }, plot, n - 1);
      var row = at.t;
      f.live.textContent = fill(w["heatmap sentence"], { t: at.t, k: at.k, value: value(cells[row * (row + 1) / 2 + at.k]).text, gain: d.gains[+which.value] });
      var rows = [];
      for (k = 0; k <= row; k++) rows.push([k, value(cells[row * (row + 1) / 2 + k]).text]);
      table(f, ["k (t = " + row + ")", "‖∂sₜ/∂sₖ‖₂"], rows);
    }
    var MOVES = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    map.addEventListener("keydown", function (e) {
      var m = MOVES[e.key];
      if (e.key === "Home") m = [0, -at.k];
      if (e.key === "End") m = [0, at.t - at.k];
      if (!m) return;
      e.preventDefault();
      at.t = Math.max(0, Math.min(n - 1, at.t + m[0]));
      at.k = Math.max(0, Math.min(at.t, at.k + m[1]));
      redraw();
    });
    f.svg.addEventListener("pointermove", function (e) {
      var r = f.svg.getBoundingClientRect(), scale = W / r.width;
      var k = Math.floor(((e.clientX - r.left) * scale - x0) / cell), t = Math.floor(((e.clientY - r.top) * scale - y0) / cell);
      if (t >= 0 && t < n && k >= 0 && k <= t && (t !== at.t || k !== at.k)) { at.t = t; at.k = k; redraw(); }
    });
    react([which], redraw);
  };

  // 3. Training, scrubbed: the share over k of every model at one lag and training step.
  KINDS.training = function (box, d, id) {
    var w = d.words, f = frame(box, { title: w["training title"], description: w["training description"], table: w.table }, id);
    var lag = choice(f, id + "-lag", w["training lag"], d.lags.map(function (l) { return "T = " + l; }));
    var step = range(f, id + "-step", w.step, d.byLag[0].steps, 0);
    react([lag, step], function () {
      var g = d.byLag[+lag.value], n = d.lags[+lag.value];
      if (step.values !== g.steps) {
        step.values = g.steps;
        step.max = g.steps.length - 1;
        step.sync();
      }
      var i = +step.value, last = [], shown = [];
      var e = extent(g.runs.map(function (r) { return [].concat.apply([], r.share); }));
      var s = axes(f, n, e[0], e[1], w.position, w.share);
      g.runs.forEach(function (r) {
        var j = Math.min(i, r.share.length - 1), name = d.models[r.model];
        line(f, s, g.k, r.share[j], "explorable-measured", COLORS[r.model % COLORS.length]);
        last.push(name + " " + r.first[j] + (j < i ? " (" + fill(w["last evaluated"], { step: g.steps[j] }) + ")" : ""));
        shown.push(r.share[j]);
        draw("text", { x: W - R - 8, y: H - B - 8 - 15 * (g.runs.length - shown.length), "text-anchor": "end", style: "fill:" + COLORS[r.model % COLORS.length] }, f.plot, name);
      });
      f.live.textContent = fill(w["training sentence"], { lag: n, step: g.steps[i], values: last.join(d.list) });
      table(f, ["k"].concat(g.runs.map(function (r) { return "log₁₀ " + d.models[r.model]; })), g.k.map(function (k, m) {
        return [k].concat(shown.map(function (v) { return decades(v[m], d.decimal); }));
      }));
    });
  };

  function start() {
    [].forEach.call(document.querySelectorAll("div.explorable"), function (root) {
      var spec = JSON.parse(root.querySelector("script.explorable-data").textContent);
      var figure = root.querySelector("figure"), box = make("div", { class: "explorable-ui" });
      figure.insertBefore(box, figure.querySelector("figcaption"));
      count += 1;
      KINDS[spec.kind](box, spec.data, "explorable-" + count);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
