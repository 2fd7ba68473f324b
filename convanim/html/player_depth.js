// A 3-D convolution, flat: the player's part for it (spliced into `mount` where player.js says `// @part depth`).
// The input's depth slices side by side (wrapping into rows where the screen is narrow), the output's below; a
// drawn cell's number is its row-major place in the 3-D grid (depth, row, column), as in the schedule's steps.
  // -- the depth slices: grids "in0", "in1" ... and "out0" ..., each cell's global number its slice's base + j
  // (Only declarations here: this part is spliced in after the kernel box is drawn.)
  var depthRows = null, depthBar = null, depthRoom = Infinity;  // depthRoom: drawing units the screen has
  function title(s, y) {  // a title in as many lines as the room needs (about 7 units a character): its height
    var most = Math.max(12, Math.floor((depthRoom - 2 * M) / 7)), lines = [""];
    s.split(" ").forEach(function (word) {
      var last = lines[lines.length - 1];
      if (last && (last + " " + word).length > most) lines.push(word);
      else lines[lines.length - 1] = last ? last + " " + word : word;
    });
    lines.forEach(function (line, i) { text(M, y + LH - 6 + i * LH, line, "").setAttribute("text-anchor", "start"); });
    return lines.length * LH;
  }
  function sliceCells(kind) {  // cells in one depth slice of the input ("in"), output ("out") or kernel ("k")
    var shape = kind === "in" ? D.grid : kind === "out" ? D.out : D.kernel;
    return shape[1] * shape[2];
  }
  function depthSlice(name, kind, d, x, y, r, c, parent) {
    var base = d * sliceCells(kind), m = kind === "k" ? [34, 0, 0, 34, x, y]
      : [C, 0, 0, C, x, y];
    var grid = grids[name] = { name: name, kind: kind, d: d, base: base, m: m, rows: r, cols: c, cells: [] };
    grid.g = el("g", { transform: "matrix(" + m.join(" ") + ")", role: kind === "k" ? "img" : "group",
      "aria-label": (kind === "in" ? "input" : kind === "out" ? "output" : "kernel") + " depth " + d + " grid, " + r +
        " by " + c }, parent);
    for (var j = 0; j < r * c; j++) {
      var kd = kind === "in" ? D.kinds[base + j] : "o";
      var rect = el("rect", { x: j % c, y: Math.floor(j / c), width: 1, height: 1, "class": "cell" +
        (kd === "p" || kd === "z" ? " pad" : ""), fill: kind === "in" ? baseIn[base + j] : kind === "k" ? T.unread
        : T.background }, grid.g);
      if (kind !== "k") {
        rect.setAttribute("tabindex", j ? -1 : 0);
        rect.setAttribute("role", "button");
        rect.setAttribute("aria-label", "depth " + d + ", " + cellLabel(kind === "in" ? "input" : "output", base + j));
        bind(rect, grid, j);
      }
      grid.cells.push(rect);
    }
    grid.bold = el("g", { "aria-hidden": "true" }, grid.g);
    grid.hl = el("g", { "aria-hidden": "true" }, grid.g);
    return grid;
  }
  function depthPerRow(room) {  // slices per row that fit ``room`` drawing units (at least one)
    var w = D.grid[2] * C + .6 * C;
    depthRoom = room;
    return Math.max(1, Math.min(D.grid[0], Math.floor((room - 2 * M + .6 * C) / w)));
  }
  function buildDepth(per) {  // ``per``: input slices per row (the output's rows wrap at the same width)
    per = per || D.grid[0];
    var gw = D.grid[2] * C, ow = D.out[2] * C, gap = .6 * C, y = M, rowW = per * (gw + gap) - gap;
    var perOut = Math.max(1, Math.floor((rowW + gap) / (ow + gap)));
    texts = el("g", { "aria-hidden": "true" }, svg);
    y += title(D.titles[0], y);
    depthRows = [];
    for (var d = 0; d < D.grid[0]; d++) {
      var col = d % per;
      if (!col) { depthRows.push({ y: y + LH - 6, bar: y + LH + 2, slices: [] }); y += 2 * LH + 8; }
      var x = M + col * (gw + gap);
      depthRows[depthRows.length - 1].slices.push(d);
      text(x + gw / 2, y - 6, "depth " + d, "");
      depthSlice("in" + d, "in", d, x, y, D.grid[1], D.grid[2], svg);
      if (col === per - 1 || d === D.grid[0] - 1) y += D.grid[1] * C + 12;
    }
    y += LH;
    y += title(D.titles[1], y);
    for (d = 0; d < D.out[0]; d++) {
      col = d % perOut;
      if (!col) y += LH;
      x = M + col * (ow + gap);
      text(x + ow / 2, y - 6, "depth " + d, "");
      depthSlice("out" + d, "out", d, x, y, D.out[1], D.out[2], svg);
      if (col === perOut - 1 || d === D.out[0] - 1) y += D.out[1] * C + 12;
    }
    W = M + Math.max(rowW, Math.min(perOut, D.out[0]) * (ow + gap) - gap) + M; H = y + M;
    depthBar = el("g", { "aria-hidden": "true" }, svg);  // the bar over the slices the kernel spans, and their names
    svg.appendChild(texts);
  }
  function depthKernel() {  // the kernel's depth slices under the code, each named as the drawing names it
    var F = 34, kd = D.kernel[0], kr = D.kernel[1], kc = D.kernel[2], gap = 12, left = 10;
    var w = left * 2 + kd * (kc * F + gap) - gap, h = LH + kr * F + 8;
    var ks = el("svg", { viewBox: "0 0 " + w + " " + h, width: w, height: h, role: "img",
      "aria-label": "The kernel's " + kd + " depth slices, " + kr + " by " + kc + " each" });
    $("kernel-box").appendChild(ks);
    var keep = texts;
    texts = el("g", {}, ks);
    for (var j = 0; j < kd; j++) {
      var x = left + j * (kc * F + gap), g = depthSlice("k" + j, "k", j, x, LH, kr, kc, ks);
      text(x + kc * F / 2, LH - 6, "w[" + j + ", :, :]", "");
      g.cells.forEach(function (_, t) { cellText(g, t, wName(g.base + t), "w"); });
    }
    ks.appendChild(texts);
    texts = keep;
  }
  function depthAt(J, kind) {  // the slice grid and local cell of global cell J
    var per = sliceCells(kind);
    return [grids[kind + Math.floor(J / per)], J % per];
  }
  function depthMark(kind, cells) {
    cells.forEach(function (J) { var at = depthAt(J, kind); mark(at[0], [at[1]]); });
  }
  function showDepth(s) {
    k = s;
    var st = S[s], tap = {}, fp = D.footprints[s], on = {};
    st.c.forEach(function (J) { tap[J] = true; });
    for (var d = 0; d < D.grid[0]; d++) {
      var gi = grids["in" + d];
      gi.cells.forEach(function (rect, j) {
        var J = gi.base + j;
        rect.setAttribute("fill", J in tap ? overIn[J] : baseIn[J]);
        rect.classList.toggle("tap", J in tap);
      });
      gi.bold.textContent = "";
      if (d >= fp[0][0] && d <= fp[0][1]) {  // the footprint, outlined on every slice it spans
        el("rect", { x: fp[2][0], y: fp[1][0], width: fp[2][1] - fp[2][0] + 1, height: fp[1][1] - fp[1][0] + 1,
          "class": "bold" }, gi.bold);
      }
    }
    for (d = 0; d < D.out[0]; d++) {
      var go_ = grids["out" + d];
      go_.cells.forEach(function (rect, j) {
        var O = go_.base + j, now = O === st.out;
        rect.setAttribute("fill", now ? T.over_output : stepOf[O] < s ? T.output : T.background);
        rect.classList.toggle("tap", now);
      });
      go_.bold.textContent = "";
    }
    var at = depthAt(st.out, "out");
    frame(at[0], [at[1]], "bold");
    // The bar over the slices the kernel spans (per row of slices), each covered slice named by its kernel slice.
    depthBar.textContent = "";
    D.depthKernel[s].forEach(function (p) { on[p[0]] = p[1]; });
    depthRows.forEach(function (row) {
      var spanned = row.slices.filter(function (d) { return d >= fp[0][0] && d <= fp[0][1]; });
      if (!spanned.length) return;
      var a = grids["in" + spanned[0]], b = grids["in" + spanned[spanned.length - 1]];
      el("rect", { x: a.m[4], y: row.bar - 2, width: b.m[4] + D.grid[2] * C - a.m[4], height: 4, fill: T.accent,
        "class": "depth-bar" }, depthBar);
      spanned.forEach(function (d) {
        if (!(d in on)) return;
        var t = el("text", { x: grids["in" + d].m[4] + D.grid[2] * C / 2, y: row.y, "text-anchor": "middle",
          "data-w": d }, depthBar);
        t.textContent = "w[" + on[d] + ", :, :]";
      });
    });
    slider.value = s;
    slider.setAttribute("aria-valuetext", "Step " + (s + 1) + " of " + n);
    status.textContent = "Step " + (s + 1) + " of " + n + ": " + outName(st.out);
    if (!hover) sumEl.textContent = sumText(s);
  }
  function highlightDepth(grid, j) {
    var J = grid.base + j, st;
    if (grid.kind === "out") {
      st = S[stepOf[J]];
      mark(grid, [j]);
      depthMark("in", st.c);
      depthMark("k", st.k.filter(function (_, t) { return D.src[st.c[t]] >= 0; }));
      sumEl.textContent = sumText(stepOf[J]);
    } else {
      mark(grid, [j]);
      depthMark("out", (readers[J] || []).map(function (s) { return S[s].out; }));
    }
  }
  function activateDepth(grid, j) {
    var J = grid.base + j;
    if (grid.kind === "out") go(stepOf[J]);
    else if (readers[J]) go(readers[J][0]);
  }
