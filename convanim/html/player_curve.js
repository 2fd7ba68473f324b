// The continuous view: the player's part for it (spliced into `mount` where player.js says `// @part curve`).
// f(τ) and g(t − τ) with their product shaded above, (f⋆g)(t) traced below, all from the samples in D.curve and
// D.frames (`convanim.html.continuous`); each plot is a group whose own units are the data's (τ or t, and y).
  var cv = null;  // the drawn plots and the elements a step moves
  function points(flat, end) {  // [x0, y0, x1, y1 ...] -> "x0,y0 x1,y1 ...", the first ``end`` points
    var out = [], m = end === undefined ? flat.length / 2 : end;
    for (var i = 0; i < m; i++) out.push(flat[2 * i] + "," + flat[2 * i + 1]);
    return out.join(" ");
  }
  function tickText(v) { return String(+v.toFixed(2)).replace("-", "−"); }
  function plot(x, y, w, h, ymax, ticks, name) {  // axes of ``w`` x ``h`` units at (x, y): a group in data units
    var P = D.curve, sx = w / (P.x[1] - P.x[0]), sy = h / ymax;
    el("path", { d: "M" + x + " " + y + "V" + (y + h) + "H" + (x + w), "class": "axis" }, svg);
    P.xticks.forEach(function (v) {
      var px = x + (v - P.x[0]) * sx;
      el("path", { d: "M" + px + " " + (y + h) + "v5", "class": "axis" }, svg);
      text(px, y + h + 20, tickText(v), "c");
    });
    ticks.forEach(function (v) {
      var py = y + h - v * sy;
      el("path", { d: "M" + x + " " + py + "h-5", "class": "axis" }, svg);
      text(x - 8, py + 5, tickText(v), "c").setAttribute("text-anchor", "end");
    });
    text(x + w + 6, y + h + 5, name, "c").setAttribute("text-anchor", "start");
    return el("g", { transform: "matrix(" + [sx, 0, 0, -sy, x - P.x[0] * sx, y + h].join(" ") + ")",
      "class": "plot" }, svg);
  }
  function buildCurve() {
    var P = D.curve, left = 56, room = 392, span = P.x[1] - P.x[0];
    var th = Math.min(180, room * P.top / span), aw = th * span / P.top, x = left + (room - aw) / 2, y = M + 40;
    texts = el("g", { "aria-hidden": "true" }, svg);
    var lx = x;  // the legend: f, g and their product's shade
    [["f(τ)", T.input, "line"], ["g(t − τ)", T.output, "line"], ["f(τ) g(t − τ)", T.shade, "patch"]].forEach(function (l) {
      if (l[2] === "line") el("path", { d: "M" + lx + " " + (M + 9) + "h22", stroke: l[1], "class": "line" }, svg);
      else el("rect", { x: lx, y: M + 2, width: 22, height: 14, fill: l[1] }, svg);
      var t = text(lx + 28, M + 15, l[0], "c");
      t.setAttribute("text-anchor", "start");
      lx += 28 + 8 * l[0].length + 18;
    });
    var top = plot(x, y, aw, th, P.top, P.topTicks, "τ");
    cv = { top: top };
    cv.shade = el("polygon", { fill: T.shade, "class": "shade" }, top);
    el("polyline", { points: points(P.f), stroke: T.input, "class": "line", "data-of": "f" }, top);
    cv.g = el("g", {}, top);
    el("polyline", { points: points(P.g), stroke: T.output, "class": "line", "data-of": "g" }, cv.g);
    cv.topMark = el("line", { y1: 0, y2: P.top, "class": "mark" }, top);
    var y2 = y + th + 64, bh = 140;
    text(x, y2 - 10, "(f⋆g)(t)", "c").setAttribute("text-anchor", "start");
    var bottom = plot(x, y2, aw, bh, P.bottom, P.bottomTicks, "t");
    cv.bottomMark = el("line", { y1: 0, y2: P.bottom, "class": "mark" }, bottom);
    cv.trace = el("polyline", { stroke: T.line, "class": "line", "data-of": "trace" }, bottom);
    cv.dot = el("polyline", { stroke: T.accent, "class": "dot" }, bottom);
    svg.setAttribute("aria-label", "f and g above, their convolution traced below");
    svg.appendChild(texts);
    W = left + room + 36; H = y2 + bh + 40;
  }
  function showCurve(s) {
    k = s;
    var fr = D.frames[s];
    cv.g.setAttribute("transform", "translate(" + fr.t + " 0)");
    cv.shade.setAttribute("points", points(fr.shade));
    [cv.topMark, cv.bottomMark].forEach(function (m) { m.setAttribute("x1", fr.t); m.setAttribute("x2", fr.t); });
    cv.trace.setAttribute("points", points(D.curve.fine, fr.end));
    cv.dot.setAttribute("points", fr.t + "," + fr.v + " " + fr.t + "," + fr.v);
    slider.value = s;
    slider.setAttribute("aria-valuetext", "Step " + (s + 1) + " of " + n + ", " + fr.say);
    status.textContent = "Step " + (s + 1) + " of " + n + ": " + fr.say.split(", ")[0];
    sumEl.textContent = fr.say;
  }
