// A layer with channels: the player's part for it (spliced into `mount` where player.js says `// @part layer`).
  // -- a layer with channels: slices of one grid, a group's input slices feeding its output channels
  function slice(name, kind, ch, m, r, c, label, parent) {
    var grid = grids[name] = { name: name, kind: kind, ch: ch, m: m, rows: r, cols: c, cells: [] };
    grid.g = el("g", { transform: "matrix(" + m.join(" ") + ")", role: kind === "f" ? "img" : "group",
      "aria-label": label }, parent);
    for (var j = 0; j < r * c; j++) {
      var kd = kind === "in" ? D.kinds[j] : "o";
      var rect = el("rect", { x: j % c, y: Math.floor(j / c), width: 1, height: 1, "class": "cell" +
        (kd === "p" || kd === "z" || kd === "b" ? " pad" : ""), fill: kind === "in" ? baseIn[j] : T.unread }, grid.g);
      if (kind !== "f") {
        rect.setAttribute("tabindex", j ? -1 : 0);
        rect.setAttribute("role", "button");
        rect.setAttribute("aria-label", (kind === "in" ? "input channel " : "output channel ") + ch + ", " +
          (kind === "in" ? (D.src[j] < 0 ? "padding" : "input " + sym("a", D.src[j], D.inputShape) +
            (V ? " = " + V.x[ch][D.src[j]] : "")) : "output " + sym("o", j, D.outShape) + (V ? " = " + V.y[ch][j] : "") +
            ", step " + (stepOf[j] + 1)));
        bind(rect, grid, j);
      }
      grid.cells.push(rect);
    }
    grid.bold = el("g", { "aria-hidden": "true" }, grid.g);
    grid.hl = el("g", { "aria-hidden": "true" }, grid.g);
    order.push(name);
    if (V) {  // the values view: inputs (zeros on padding), weights, outputs once written
      grid.texts = grid.cells.map(function (_, j) {
        var lab = kind === "in" ? (D.src[j] < 0 ? "0" : V.x[ch][D.src[j]]) : kind === "out" ? V.y[ch][j]
          : V.w[ch][+name.split("_")[1]][j];
        var t = cellText(grid, j, lab, kind === "f" ? "s" : "v");
        if (kind === "f") t.setAttribute("y", +t.getAttribute("y") - 1);
        return t;
      });
    }
    return grid;
  }
  function layerWidth() { return (D.grid[1] + D.out[1] + 3) * C + 2 * M; }
  function buildLayer(stack) {  // stacked (a narrow screen): every group's output slices under its input slices
    order = [];
    var r = D.grid[0], c = D.grid[1], orr = D.out[0], oc = D.out[1], y = M, xOut = stack ? M : M + c * C + 3 * C;
    texts = el("g", { "aria-hidden": "true" }, svg);
    for (var g = 0; g < LA.groups; g++) {
      var top = y;
      for (var i = 0; i < cinG; i++) {
        var ch = g * cinG + i, yy = top + LH + i * (r * C + LH + 8);
        slice("in" + ch, "in", ch, [C, 0, 0, C, M, yy], r, c, "input channel " + ch + " grid, " + r + " by " + c, svg);
        text(M + c * C / 2, yy - 8, "in " + ch, "");
      }
      for (i = 0; i < coutG; i++) {
        var o = g * coutG + i, yo = top + LH + i * (orr * C + LH + 8) + (stack ? cinG * (r * C + LH + 8) : 0);
        slice("out" + o, "out", o, [C, 0, 0, C, xOut, yo], orr, oc, "output channel " + o + " grid, " + orr + " by " + oc, svg);
        text(xOut + oc * C / 2, yo - 8, "out " + o, "");
      }
      y = top + (stack ? cinG * (r * C + LH + 8) + coutG * (orr * C + LH + 8)
        : Math.max(cinG * (r * C + LH + 8), coutG * (orr * C + LH + 8))) + (LA.groups > 1 ? C / 2 : 0);
      if (LA.groups > 1) text(stack ? M + c * C / 2 : M + c * C + 1.5 * C, stack ? top + 8 : top + LH + 4, "group " + g, "");
    }
    svg.appendChild(texts);  // the numbers over the cells
    W = stack ? Math.max(c, oc) * C + 2 * M : xOut + oc * C + M; H = y + M;
  }
  function filterBank() {  // one row of filter slices per output channel: weight[o, i] for its group's inputs
    var F = V ? 28 : 20, kr = D.kernel[0], kc = D.kernel[1], rowH = kr * F + 10, colW = kc * F + 10, left = 60;
    var fw = Math.max(left + cinG * colW + M, 240);
    var ks = el("svg", { viewBox: "0 0 " + fw + " " + (LH + LA.out * rowH + M),
      width: fw, height: LH + LA.out * rowH + M, role: "img",
      "aria-label": "The filter bank: " + LA.out + " filters of " + cinG + " kernel slices" });
    $("kernel-box").appendChild(ks);
    texts = el("g", {}, ks);
    text(left, LH - 8, "filters (weight[o, i])", "").setAttribute("text-anchor", "start");
    for (var o = 0; o < LA.out; o++) {
      text(left - 8, LH + o * rowH + kr * F / 2 + 5, "out " + o, "").setAttribute("text-anchor", "end");
      for (var i = 0; i < cinG; i++) {
        slice("f" + o + "_" + i, "f", o, [F, 0, 0, F, left + i * colW, LH + o * rowH], kr, kc,
          "filter slice " + o + ", " + i, ks);
      }
    }
    ks.appendChild(texts);
  }
  function groupOfOut(o) { return Math.floor(o / coutG); }
  function showLayer(s) {
    k = s;
    var fr = D.frames[s], outs = fr[0], st = S[fr[1]], last = outs[outs.length - 1], tap = {}, groups = {};
    st.c.forEach(function (cell) { tap[cell] = true; });
    outs.forEach(function (o) { groups[groupOfOut(o)] = true; });
    for (var ch = 0; ch < LA.in; ch++) {
      var gi = grids["in" + ch], on = Math.floor(ch / cinG) in groups;
      gi.cells.forEach(function (rect, j) {
        rect.setAttribute("fill", !on ? T.unread : j in tap ? overIn[j] : baseIn[j]);
        rect.classList.toggle("tap", on && j in tap);
      });
      gi.bold.textContent = "";
      if (on) frame(gi, st.c, "bold");
    }
    for (var o = 0; o < LA.out; o++) {
      var go_ = grids["out" + o], cur = outs.indexOf(o) >= 0;
      go_.cells.forEach(function (rect, f) {
        var written = LA.order === "channel" ? o < last || (o === last && f <= fr[1]) : f <= fr[1];
        var now = cur && f === st.out;
        rect.setAttribute("fill", now ? T.over_output : written ? T.output : T.background);
        rect.classList.toggle("tap", now);
        if (go_.texts) go_.texts[f].style.visibility = written ? "" : "hidden";
      });
      go_.bold.textContent = "";
      if (cur) frame(go_, [st.out], "bold");
      for (var i = 0; i < cinG; i++) {
        grids["f" + o + "_" + i].cells.forEach(function (rect) {
          rect.setAttribute("fill", cur ? T.over_unread : T.unread);
          rect.classList.toggle("tap", cur);
        });
      }
    }
    slider.value = s;
    slider.setAttribute("aria-valuetext", "Step " + (s + 1) + " of " + n);
    status.textContent = "Step " + (s + 1) + " of " + n + ": " + outs.map(function (o) {
      return "out " + o + " " + sym("o", st.out, D.outShape); }).join(", ");
    if (!hover) sumEl.textContent = layerSum(outs, fr[1]);
  }
  function layerSum(outs, si) {
    return outs.map(function (o) {
      var g = groupOfOut(o), ins = [];
      for (var i = 0; i < cinG; i++) ins.push(g * cinG + i);
      return "out " + o + " " + sym("o", S[si].out, D.outShape) + " = Σ over input channel" + (ins.length > 1 ? "s " : " ") +
        ins.join(", ") + " of weight[" + o + ", i] · input window" + (LA.bias ? " + bias[" + o + "]" : "") +
        (V ? (V.b ? " (" + V.b[o] + ")" : "") + " = " + V.y[o][S[si].out] : "");
    }).join("; ");
  }
  function highlightLayer(grid, j) {
    var g, i;
    if (grid.kind === "out") {
      var st = S[stepOf[j]];
      g = groupOfOut(grid.ch);
      mark(grid, [j]);
      for (i = 0; i < cinG; i++) {
        mark(grids["in" + (g * cinG + i)], st.c);
        var fs = grids["f" + grid.ch + "_" + i];
        mark(fs, st.k.filter(function (_, t) { return D.src[st.c[t]] >= 0; }));
      }
      sumEl.textContent = layerSum([grid.ch], stepOf[j]);
    } else if (grid.kind === "in") {
      g = Math.floor(grid.ch / cinG);
      var outs = [], taps = [];
      (readers[j] || []).forEach(function (si) {
        outs.push(S[si].out);
        S[si].c.forEach(function (cell, t) { if (cell === j) taps.push(S[si].k[t]); });
      });
      mark(grid, [j]);
      for (var o = g * coutG; o < (g + 1) * coutG; o++) {
        mark(grids["out" + o], outs);
        mark(grids["f" + o + "_" + (grid.ch - g * cinG)], D.src[j] >= 0 ? taps : []);
      }
    }
  }
