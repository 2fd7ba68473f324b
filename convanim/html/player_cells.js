// What the cells, the grids and the sum say: the player's labels (`convanim.html.player_script` splices
// this file into `mount` where player.js says `// @include cells`).
  function wLabel(w) { return W8 ? V.w[w] : D.pool ? "" : wName(w); }
  function wName(w) { return D.wNames ? D.wNames[w] : sym("w", w, D.kernelShape); }
  function outName(o) { return D.outNames ? D.outNames[o] : sym("o", o, D.outShape); }
  // The kernel row of the 1-D view lies under the window of step s (its taps' columns: dilation leaves gaps).
  function placeKernel(s) {
    if (!rows) return;
    var kg = grids.kernel;
    S[s].c.forEach(function (cell, t) {
      var x = cell % grids.input.cols;
      kg.cells[t].setAttribute("x", x);
      if (kg.texts) kg.texts[t].setAttribute("x", apply(kg.m, x + .5, 0)[0]);
    });
  }  // a window has no weights
  function text(x, y, s, cls) {
    var t = el("text", { x: x, y: y, "text-anchor": "middle", "class": cls }, texts);
    t.textContent = s;
    return t;
  }
  function cellText(grid, j, s, cls) {
    var p = apply(grid.m, j % grid.cols + .5, Math.floor(j / grid.cols) + .5), t = text(p[0], p[1] + 5, s, cls);
    t.setAttribute("data-of", grid.name + " " + j);  // which cell it labels (tests and tools read it)
    return t;
  }
  function cellLabel(g, j) {
    if (g === "zin") return D.zsrc[j] < 0 ? (D.zkinds[j] === "z" ? "inserted zero" : "border zero") : "input " + D.inNames[D.zsrc[j]];
    if (g === "zout") return "output " + sym("o", j, D.keptShape) + ", complete after step " + (D.finish[j] + 1);
    if (SC && g === "output") {
      var rc = unflat(j, D.outShape), kr = D.kept, row = D.outShape.length === 1 ? 0 : rc[0], col = rc[rc.length - 1];
      return "scattered cell " + rc.join(", ") + (D.outKinds[j] === "k" ? ", output " +
        sym("o", (row - kr[0]) * (kr[3] - kr[1]) + col - kr[1], D.keptShape) : ", cropped by the padding");
    }
    if (SC) return "input " + D.inNames[j] + (V ? " = " + V.x[j] : "") + (j in stepOf ? ", step " + (stepOf[j] + 1) : "");
    if (g === "output") {
      return "output " + outName(j) + (V ? " = " + V.o[j] : "") + ", step " + (stepOf[j] + 1);
    }
    var s = D.src[j], kd = D.kinds[j];
    if (s < 0) return kd === "z" ? "inserted zero" : kd === "b" ? "beyond the padded input" : "padding";
    return "input " + sym("a", s, D.inputShape) + (V ? " = " + V.x[s] : "") + (kd === "u" ? ", never read" : "");
  }

  function frame(grid, cells, cls) {
    var rs = cells.map(function (j) { return +grid.cells[j].getAttribute("y"); });
    var cs = cells.map(function (j) { return +grid.cells[j].getAttribute("x"); });
    var r0 = Math.min.apply(0, rs), c0 = Math.min.apply(0, cs);
    return el("rect", { x: c0, y: r0, width: Math.max.apply(0, cs) - c0 + 1,
      height: Math.max.apply(0, rs) - r0 + 1, "class": cls }, /^hl/.test(cls) ? grid.hl : grid.bold);
  }
  function sumText(s) {
    var st = S[s], terms = [];
    st.c.forEach(function (cell, t) {
      var sv = D.src[cell];
      if (sv < 0) return;
      if (D.pool) terms.push(V ? V.x[sv] : sym("a", sv, D.inputShape));
      else if (V) terms.push(paren(V.x[sv]) + "·" + paren(V.w[st.k[t]]));
      else terms.push(sym("a", sv, D.inputShape) + "·" + wName(st.k[t]));
    });
    var o = D.sumNames ? D.sumNames[st.out] : sym("o", st.out, D.outShape);
    var is = V ? " = " + V.o[st.out] : "";
    if (D.pool === "max") return o + " = max(" + terms.join(", ") + ")" + is;
    if (D.pool === "avg") return o + " = (" + (terms.join(" + ") || "0") + ") / " + D.divisors[s] + is;
    var sum = o + " = " + (terms.join(" + ") || "0");
    return V ? sum + " = " + V.o[st.out] : sum;
  }
  function paren(v) { return v.charAt(0) === "−" || v.charAt(0) === "-" ? "(" + v + ")" : v; }
