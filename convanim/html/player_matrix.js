// The matrix view's part of the player (`convanim.html.player_script` splices it into `mount` where player.js
// says `// @part matrix`): y = Cx above the grids, one matrix row per output cell.
  // -- the matrix view: y = Cx above the grids, one matrix row per output cell
  function mgrid(name, m, r, c, parent) {
    var grid = mgrids[name] = grids[name] = { name: name, m: m, rows: r, cols: c, cells: [] };
    grid.g = el("g", { transform: "matrix(" + m.join(" ") + ")", role: "img", "aria-label": name }, parent);
    for (var j = 0; j < r * c; j++) {
      grid.cells.push(el("rect", { x: j % c, y: Math.floor(j / c), width: 1, height: 1, "class": "cell",
        fill: T.background }, grid.g));
    }
    grid.bold = el("g", { "aria-hidden": "true" }, grid.g);
    grid.hl = el("g", { "aria-hidden": "true" }, grid.g);
    return grid;
  }
  function buildMatrix() {
    var R = MX.rows, Cn = MX.cols, cw = 36, rh = 26, x0 = 30, y0 = LH + 4;
    var w = x0 + Cn * cw + 12 + cw + M, h = y0 + rh + 10 + R * rh + M;
    var ms = el("svg", { viewBox: "0 0 " + w + " " + h, width: w, height: h, role: "group",
      "aria-label": "y = Cx: the convolution as a matrix product, " + R + " by " + Cn });
    box.insertBefore(ms, svg);
    var keep = texts;
    texts = el("g", { "aria-hidden": "true" }, ms);
    text(x0, LH - 6, "y = Cx: C is " + R + "×" + Cn + ", x the input flattened row by row, y the output", "")
      .setAttribute("text-anchor", "start");
    var mx = mgrid("x", [cw, 0, 0, rh, x0, y0], 1, Cn, ms), mc = mgrid("C", [cw, 0, 0, rh, x0, y0 + rh + 10], R, Cn, ms);
    var my = mgrid("y", [cw, 0, 0, rh, x0 + Cn * cw + 12, y0 + rh + 10], R, 1, ms);
    ms.appendChild(texts);
    mx.texts = mx.cells.map(function (_, i) { return cellText(mx, i, V ? V.x[i] : sym("a", i, D.inputShape), "s"); });
    mc.texts = mc.cells.map(function (_, e) { return MX.index[e] < 0 ? null : cellText(mc, e, wLabel(MX.index[e]), "s"); });
    my.texts = my.cells.map(function (_, o) { return cellText(my, o, V ? V.o[o] : sym("o", o, D.outShape), "s"); });
    mx.cells.forEach(function (r) { r.setAttribute("fill", T.input); });
    texts = keep;
  }
  function matrixRow(o) {  // the input columns matrix row o multiplies
    var cols = [];
    for (var i = 0; i < MX.cols; i++) if (MX.index[o * MX.cols + i] >= 0) cols.push(i);
    return cols;
  }
  function showMatrix(s) {
    var o = S[s].out, cols = matrixRow(o), mc = mgrids.C;
    mc.cells.forEach(function (rect, e) {
      var on = Math.floor(e / MX.cols) === o && MX.index[e] >= 0;
      rect.setAttribute("fill", on ? T.over_unread : MX.index[e] >= 0 ? T.unread : T.background);
      rect.classList.toggle("tap", on);
    });
    mgrids.x.cells.forEach(function (rect, i) {
      var on = cols.indexOf(i) >= 0;
      rect.setAttribute("fill", on ? T.over_input : T.input);
      rect.classList.toggle("tap", on);
    });
    mgrids.y.cells.forEach(function (rect, r) {
      rect.setAttribute("fill", r === o ? T.over_output : stepOf[r] <= s ? T.output : T.background);
      rect.classList.toggle("tap", r === o);
      mgrids.y.texts[r].style.visibility = stepOf[r] <= s ? "" : "hidden";
    });
    ["x", "C", "y"].forEach(function (g) { mgrids[g].bold.textContent = ""; });
    frame(mc, [o * MX.cols, o * MX.cols + MX.cols - 1], "bold");
    frame(mgrids.y, [o], "bold");
  }
  function markMatrix(outs, inputs) {  // outputs' rows, and the inputs' columns
    outs.forEach(function (o) {
      var cols = matrixRow(o);
      mark(mgrids.y, [o]); mark(mgrids.x, cols);
      mark(mgrids.C, cols.map(function (i) { return o * MX.cols + i; }));
    });
    inputs.forEach(function (i) {
      mark(mgrids.x, [i]);
      for (var r = 0; r < MX.rows; r++) if (MX.index[r * MX.cols + i] >= 0) { mark(mgrids.C, [r * MX.cols + i]); mark(mgrids.y, [r]); }
    });
  }
