// convanim's interactive player: `mount` draws the grids as SVG from plain JSON and steps through the schedule.
// Everything lives in the closure this file is wrapped in and in the shadow root it is given: no global names,
// ids or styles, so several players (and the explorer) share a host page without touching it or each other.
var NS = "http://www.w3.org/2000/svg", C = 40, M = 20, LH = 22;
var MIN_TEXT_PX = 11;  // no text is shown smaller than this (the readability budget)
var SMALLEST_TEXT = { grid: 13, values: 11, curve: 15 };  // smallest font in the drawing, in drawing units (player.css)
var STACK_BELOW = 560;  // px of room under which the flat layout's grids stack vertically

function mount(root, D, host) {
  var T = D.theme;
  var n = (D.frames || D.steps).length, k = 0, timer = null, hover = null, stacked = null, scale = 1;
  var $ = function (id) { return root.querySelector("#" + id); };
  var slider = $("slider"), status = $("status"), sumEl = $("sum"), playBtn = $("play");
  var svg = $("view"), box = $("view-box"), V = D.values;

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var a in attrs) e.setAttribute(a, attrs[a]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function unflat(i, shape) {
    var out = [];
    for (var a = shape.length - 1; a >= 0; a--) { out.unshift(i % shape[a]); i = Math.floor(i / shape[a]); }
    return out;
  }
  var SUB = "₀₁₂₃₄₅₆₇₈₉";
  function sym(name, i, shape) {
    return name + unflat(i, shape).map(function (v) {
      return String(v).replace(/\d/g, function (d) { return SUB[d]; });
    }).join(",");
  }
  function apply(m, x, y) { return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]]; }

  // Per step: output cell, kernel indices, grid cells; and the reverse maps.
  var stepOf = [], readers = [];
  var S = D.steps.map(function (s, i) {
    var ks = [], cs = [];
    for (var j = 0; j < s[1].length; j += 2) {
      ks.push(s[1][j]); cs.push(s[1][j + 1]);
      (readers[s[1][j + 1]] = readers[s[1][j + 1]] || []).push(i);
    }
    stepOf[s[0]] = i;
    return { out: s[0], k: ks, c: cs };
  });

  // Numbers in the cells: the values view, and a pooling (a maximum needs them); the kernel between the grids
  // only where there are weights.
  var MX = D.product, mgrids = {};  // the matrix view
  var LY = D.layout === "layer";  // a layer with channels: input and output slices, the filter bank under the code
  var LA = D.layer, cinG = LA ? LA.in / LA.groups : 0, coutG = LA ? LA.out / LA.groups : 0;
  var CV = D.view === "continuous";  // f ⋆ g of two functions: plots, no cells (player_curve.js)
  var DP = D.layout === "depth";  // a 3-D convolution: depth slices side by side (player_depth.js)
  var SC = D.view === "scatter" || D.view === "overlap" || D.view === "both";  // a transposed convolution as PyTorch computes it: a step per input cell
  var numbers = (D.view === "values" && !LY) || D.view === "1d" || SC || !!D.pool, W8 = V && V.w, rows = D.layout === "rows";
  // The scatter schedule the hover links follow (the overlap view's single step has none of its own).
  var L = (D.links || []).map(function (s) {
    var ks = [], cs = [];
    for (var j = 0; j < s[1].length; j += 2) { ks.push(s[1][j]); cs.push(s[1][j + 1]); }
    return { out: s[0], k: ks, c: cs };
  }), feeds = [], linkOf = [];
  L.forEach(function (l, i) { linkOf[l.out] = i; l.c.forEach(function (c) { (feeds[c] = feeds[c] || []).push(i); }); });
  var grids = {}, order = numbers && !D.pool ? ["input", "kernel", "output"] : ["input", "output"];
  if (D.bands) order = D.bands[0].concat(D.bands[1]);  // the both view: the scatter above the zero insertion
  var dims = { input: D.grid, output: D.out, kernel: D.kernel, zin: D.zgrid, zk: D.kernel, zout: D.zout };
  var opBefore = {};  // the operator drawn before a grid: in its band, or in the one row of grids
  (D.bands || [order]).forEach(function (band, b) {
    band.forEach(function (g, i) { if (i) opBefore[g] = ((b ? D.zops : D.ops) || ["∗", "="])[i - 1]; });
  });
  var zreaders = [], zstepOf = [];  // the zero-insertion side: which of its outputs read a drawn cell
  (D.zsteps || []).forEach(function (st, i) {
    zstepOf[st[0]] = i;
    for (var j = 1; j < st[1].length; j += 2) (zreaders[st[1][j]] = zreaders[st[1][j]] || []).push(st[0]);
  });
  var names = D.labels || ["input", "output"];
  var heads = D.rowNames ? { input: D.rowNames[0], kernel: D.rowNames[1], output: D.rowNames[2] }
    : { input: names[0], output: names[1], kernel: D.kernelName || "kernel" };
  if (D.zNames) { heads.zin = D.zNames[0]; heads.zk = D.zNames[1]; heads.zout = D.zNames[2]; }
  var baseIn = [], overIn = [];
  for (var i = 0; i < D.kinds.length; i++) {
    var kd = D.kinds[i];
    var key = kd === "i" || (kd === "u" && (D.layout === "classic" || DP)) ? "input" : kd === "u" ? "unread" : "padding";
    baseIn.push(kd === "b" ? T.background : T[key]); overIn.push(T["over_" + key]);
  }
  var baseZ = (D.zkinds || "").split("").map(function (kd) { return kd === "i" ? T.input : T.padding; });
  var overZ = (D.zkinds || "").split("").map(function (kd) { return kd === "i" ? T.over_input : T.over_padding; });
  var W, H, texts, rays, wText;

  // -- geometry: one affine map per grid, (col, row) in cells -> drawing units
  function place(stack) {  // {grid: {m: matrix}}, and sets W and H
    var grids = {};
    if (D.layout === "classic") {
      var pts = [];
      ["input", "output"].forEach(function (g) {
        var m = D.matrix[g].map(function (v) { return v * C; });
        grids[g] = { m: m };
        var r = dims[g][0], c = dims[g][1];
        [[0, 0], [c, 0], [0, r], [c, r]].forEach(function (p) { pts.push(apply(m, p[0], p[1])); });
      });
      var xs = pts.map(function (p) { return p[0]; }), ys = pts.map(function (p) { return p[1]; });
      var x0 = Math.min.apply(0, xs), y0 = Math.min.apply(0, ys);
      W = Math.max.apply(0, xs) - x0 + 2 * M; H = Math.max.apply(0, ys) - y0 + 2 * M + 2 * LH;
      ["input", "output"].forEach(function (g) { grids[g].m[4] += M - x0; grids[g].m[5] += M + LH - y0; });
    } else if (rows) {  // 1-D: the input row, the kernel row under its window (same columns), the output row
      var gc = dims.input[1] * C;
      grids.input = { m: [C, 0, 0, C, M, M] };
      grids.kernel = { m: [C, 0, 0, C, M, M + 1.5 * C] };
      grids.output = { m: [C, 0, 0, C, M + (gc - dims.output[1] * C) / 2, M + 3.5 * C] };
      W = gc + 2 * M; H = 4.5 * C + 2 * M;
    } else if (stack) {  // one grid under another, centred, the operators between them
      var wide = Math.max.apply(0, order.map(function (g) { return dims[g][1] * C; })), y = M;
      order.forEach(function (g, i) {
        y += LH;
        grids[g] = { m: [C, 0, 0, C, M + (wide - dims[g][1] * C) / 2, y] };
        y += dims[g][0] * C + (i < order.length - 1 ? (order.length > 2 ? 1.2 * C : 0.5 * C) : 0);
      });
      W = wide + 2 * M; H = y + M;
    } else {  // each band in a row (one band but in the both view), the rows one under another
      var top = M;
      W = 0;
      (D.bands || [order]).forEach(function (band) {
        var h = Math.max.apply(0, band.map(function (g) { return dims[g][0] * C; })), x = M;
        band.forEach(function (g, i) {
          grids[g] = { m: [C, 0, 0, C, x, top + LH + (h - dims[g][0] * C) / 2] };
          x += dims[g][1] * C + (i < band.length - 1 ? 1.5 * C : 0);
        });
        W = Math.max(W, x + M); top += h + LH + M;
      });
      H = top + M;
    }
    return grids;
  }

  // -- drawing
  function build(stack) {
    stacked = stack;
    svg.textContent = "";
    if (LY || DP || CV) {  // drawings of their own: a layer's slices, a 3-D grid's depth slices, plots
      if (LY) buildLayer(stack); else if (DP) buildDepth(stack); else buildCurve();
      show(k); fitBox(); return;
    }
    var placed = place(stack);
    order.forEach(function (g) { grids[g] = placed[g]; });
    rays = null; wText = [];
    order.forEach(function (g) {
      if (g === "output" && (D.layout === "classic" || rows)) rays = el("g", { "aria-hidden": "true" }, svg);
      var grid = grids[g], r = dims[g][0], c = dims[g][1];
      grid.g = el("g", { transform: "matrix(" + grid.m.join(" ") + ")", role: "group",
        "aria-label": (D.rowNames ? g + " " : "") + heads[g] + " grid, " + r + " by " + c }, svg);
      grid.cells = [];
      grid.rows = r; grid.cols = c; grid.name = g;
      for (var j = 0; j < r * c; j++) {
        var kind = g === "input" ? D.kinds[j] : g === "zin" ? D.zkinds[j] : "o";
        var rect = el("rect", { x: j % c, y: Math.floor(j / c), width: 1, height: 1,
          "class": "cell" + (kind === "p" || kind === "z" || kind === "b" ? " pad" : ""), tabindex: j ? -1 : 0 }, grid.g);
        rect.setAttribute("fill", g === "input" ? baseIn[j] : g === "zin" ? baseZ[j]
          : g === "kernel" || g === "zk" ? T.unread : T.output);
        if (g !== "kernel" && g !== "zk") {
          rect.setAttribute("role", "button");
          rect.setAttribute("aria-label", cellLabel(g, j));
          bind(rect, grid, j);
        } else rect.removeAttribute("tabindex");
        grid.cells.push(rect);
        if ((kind === "u" && D.layout === "flat") || kind === "b" || (g === "output" && D.outKinds && D.outKinds[j] === "c")) {
          var q = j % c, p = Math.floor(j / c);
          el("path", { d: "M" + q + " " + (p + .75) + "L" + (q + .75) + " " + p + "M" + (q + .25) + " " + (p + 1) +
            "L" + (q + 1) + " " + (p + .25), "class": "hatch", "aria-hidden": "true" }, grid.g);
        }
      }
      if (g === "output" && D.kept) {  // the output PyTorch keeps, inside the scattered region
        el("rect", { x: D.kept[1], y: D.kept[0], width: D.kept[3] - D.kept[1], height: D.kept[2] - D.kept[0],
          "class": "kept", "aria-hidden": "true" }, grid.g);
      }
      grid.bold = el("g", { "aria-hidden": "true" }, grid.g);
      grid.hl = el("g", { "aria-hidden": "true" }, grid.g);
    });
    texts = el("g", { "aria-hidden": "true" }, svg);
    order.forEach(function (g, i) {
      var grid = grids[g], r = grid.rows, c = grid.cols, top = apply(grid.m, c / 2, 0), p;
      if (D.layout === "classic") {  // input label under its lowest corner, output label over its highest
        var cs = [[0, 0], [c, 0], [0, r], [c, r]].map(function (q) { return apply(grid.m, q[0], q[1]); });
        p = cs.reduce(function (a, b) { return (g === "input" ? b[1] > a[1] : b[1] < a[1]) ? b : a; });
        p = [p[0], p[1] + (g === "input" ? LH : -8)];
      } else p = [top[0], top[1] - 8];
      if (rows) {  // names left of the rows, as in the drawing
        p = apply(grid.m, 0, r / 2);
        text(p[0] - 10, p[1] + 5, heads[g], "v").setAttribute("text-anchor", "end");
      } else text(p[0], p[1], heads[g], "");
      if (g in opBefore && order.length > 2 && !rows) {
        var prev = grids[order[i - 1]], e;
        if (stack) { e = apply(prev.m, prev.cols / 2, prev.rows); text(e[0], e[1] + .75 * C - 4, opBefore[g], "v"); }
        else { e = apply(prev.m, prev.cols, prev.rows / 2); text(e[0] + .75 * C, e[1] + 6, opBefore[g], "v"); }
      }
    });
    if (numbers) {  // numbers or symbols in the cells
      grids.input.cells.forEach(function (_, j) {
        var s = D.src[j], lab = s < 0 ? (D.kinds[j] === "b" ? "" : D.padText || "0") : V ? V.x[s]
          : D.inNames ? D.inNames[s] : sym("a", s, D.inputShape);
        cellText(grids.input, j, lab, s < 0 ? "z" : V ? "v" : "");
        if (!grids.kernel || rows || SC) return;
        var q = apply(grids.input.m, j % grids.input.cols + .95, Math.floor(j / grids.input.cols) + .95);
        wText.push(text(q[0], q[1], "", "w"));
        wText[j].setAttribute("text-anchor", "end");
      });
      if (grids.kernel) grids.kernel.texts = (SC ? L[0] : S[0]).k.map(function (w, t) { return cellText(grids.kernel, t, wLabel(w), V ? "v" : ""); });
      if (D.bands) {  // the zero insertion: input names or numbers, the kernel rotated, outputs once complete
        grids.zin.cells.forEach(function (_, j) {
          var sv = D.zsrc[j];
          cellText(grids.zin, j, sv < 0 ? "" : V ? V.x[sv] : D.inNames[sv], "s");
        });
        grids.zk.cells.forEach(function (_, t) { cellText(grids.zk, t, W8 ? V.w[D.zw[t]] : D.wNames[D.zw[t]], "s"); });
        grids.zout.texts = grids.zout.cells.map(function (_, o) { return cellText(grids.zout, o, "", "s"); });
        grids.zout.texts.forEach(function (t, o) { lines(t, D.final[o]); });
      }
      grids.output.texts = grids.output.cells.map(function (_, o) {
        return SC ? cellText(grids.output, o, "", "s") : cellText(grids.output, o, V ? V.o[o] : outName(o), V ? "v" : "");
      });
    }
    show(k);
    fitBox();
  }
  function fitBox() {  // fit the drawing to everything drawn (labels can be wider than their grid)
    var b = svg.getBBox(), x0 = Math.floor(Math.min(0, b.x - 4)), y0 = Math.floor(Math.min(0, b.y - 4));
    W = Math.ceil(Math.max(W, b.x + b.width + 4) - x0); H = Math.ceil(Math.max(H, b.y + b.height + 4) - y0);
    svg.setAttribute("viewBox", x0 + " " + y0 + " " + W + " " + H);
    size();
  }
  function size() {
    svg.setAttribute("width", Math.round(W * scale)); svg.setAttribute("height", Math.round(H * scale));
  }
  // The kernel as it lies on the input (rotated 180° for a transposed convolution), under the code.
  if (LY) filterBank();
  else if (DP) depthKernel();
  else if (CV) $("kernel-box").hidden = true;
  else if (order.indexOf("kernel") < 0) {
    var ks = el("svg", { viewBox: "0 0 " + (D.kernel[1] * C + 2 * M) + " " + (D.kernel[0] * C + M + LH),
      width: D.kernel[1] * C + 2 * M, height: D.kernel[0] * C + M + LH, role: "img",
      "aria-label": D.kernelAria || "The kernel's weights as they lie on the input" });
    $("kernel-box").appendChild(ks);
    var kg = grids.kernel = { m: [C, 0, 0, C, M, LH], rows: D.kernel[0], cols: D.kernel[1], cells: [] };
    kg.g = el("g", { transform: "matrix(" + kg.m.join(" ") + ")" }, ks);
    S[0].k.forEach(function (w, t) {
      kg.cells.push(el("rect", { x: t % kg.cols, y: Math.floor(t / kg.cols), width: 1, height: 1, "class": "cell",
        fill: T.unread }, kg.g));
    });
    kg.hl = el("g", {}, kg.g);
    texts = el("g", {}, ks);
    S[0].k.forEach(function (w, t) { cellText(kg, t, wLabel(w), ""); });
    text(M + kg.cols * C / 2, LH - 8, heads.kernel, "");
  }
  // @include cells (player_cells.js: labels, texts and the written sum)
  // -- one step
  function show(s) {
    if (SC) return showScatter(s);
    if (LY) return showLayer(s);
    if (DP) return showDepth(s);
    if (CV) return showCurve(s);
    if (MX) showMatrix(s);
    k = s;
    var st = S[s], tap = {};
    st.c.forEach(function (cell, t) { tap[cell] = t; });
    grids.input.cells.forEach(function (rect, j) {
      var on = j in tap;
      rect.setAttribute("fill", on ? overIn[j] : baseIn[j]);
      rect.classList.toggle("tap", on);
      if (wText.length) wText[j].textContent = on ? wLabel(st.k[tap[j]]) : "";
      if (D.winners && D.winners[s] === j) rect.setAttribute("data-winner", ""); else rect.removeAttribute("data-winner");
    });
    grids.output.cells.forEach(function (rect, o) {
      var done = stepOf[o] < s || D.layout === "classic";
      rect.setAttribute("fill", o === st.out ? T.over_output : done ? T.output : T.background);
      if (grids.output.texts) grids.output.texts[o].style.visibility = stepOf[o] <= s ? "" : "hidden";
    });
    grids.input.bold.textContent = grids.output.bold.textContent = "";
    if (order.length > 2) grids.kernel.bold.textContent = "";
    frame(grids.input, st.c, "bold");
    if (D.winners) frame(grids.input, [D.winners[s]], "win");  // the maximum, outlined as in the drawing
    frame(grids.output, [st.out], "bold");
    placeKernel(s);
    if (rays && rows) {
      rays.textContent = "";
      var kc = st.c.map(function (j) { return j % grids.input.cols; });
      [[Math.min.apply(0, kc), 0], [Math.max.apply(0, kc) + 1, 1]].forEach(function (q) {
        var a = apply(grids.kernel.m, q[0], 1), b = apply(grids.output.m, st.out + q[1], 0);
        el("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1], "class": "ray" }, rays);
      });
    } else if (rays) {
      rays.textContent = "";
      var gi = grids.input, go_ = grids.output;
      var rs = st.c.map(function (j) { return Math.floor(j / gi.cols); }), cs = st.c.map(function (j) { return j % gi.cols; });
      var r0 = Math.min.apply(0, rs), r1 = Math.max.apply(0, rs) + 1, c0 = Math.min.apply(0, cs), c1 = Math.max.apply(0, cs) + 1;
      var orow = Math.floor(st.out / go_.cols), ocol = st.out % go_.cols;
      [[c0, r0, 0, 0], [c1, r0, 1, 0], [c0, r1, 0, 1], [c1, r1, 1, 1]].forEach(function (q) {
        var a = apply(gi.m, q[0], q[1]), b = apply(go_.m, ocol + q[2], orow + q[3]);
        el("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1], "class": "ray" }, rays);
      });
    }
    slider.value = s;
    slider.setAttribute("aria-valuetext", "Step " + (s + 1) + " of " + n);
    status.textContent = "Step " + (s + 1) + " of " + n + ": " + outName(st.out);
    if (!hover) sumEl.textContent = sumText(s);
  }

  // -- linked highlighting
  // @part matrix (player_matrix.js, in the pages that use it)
  // @part layer (player_layer.js, in the pages that use it)
  // @part scatter (player_scatter.js, in the pages that use it)
  // @part depth (player_depth.js, in the pages that use it)
  // @part curve (player_curve.js, in the pages that use it)
  function highlight(grid, j) {
    clear();
    if (SC) { hover = [grid, j]; return highlightScatter(grid, j); }
    if (LY) { hover = [grid, j]; return highlightLayer(grid, j); }
    if (DP) { hover = [grid, j]; return highlightDepth(grid, j); }
    hover = [grid, j];
    var st, outs = [];
    if (grid.name === "output") {
      st = S[stepOf[j]];
      placeKernel(stepOf[j]);
      mark(grids.output, [j]);
      mark(grids.input, st.c);
      mark(grids.kernel, st.c.map(function (_, t) { return t; }).filter(function (t) { return D.src[st.c[t]] >= 0; }));
      if (D.winners) win(grids.input, [D.winners[stepOf[j]]]);
      if (MX) markMatrix([j], []);
      sumEl.textContent = sumText(stepOf[j]);
    } else {
      (readers[j] || []).forEach(function (s) { outs.push(S[s].out); });
      mark(grids.input, [j]);
      mark(grids.output, outs);
      if (MX && D.src[j] >= 0) markMatrix([], [D.src[j]]);
      if (D.winners) win(grids.output, (readers[j] || []).filter(function (s) { return D.winners[s] === j; })
        .map(function (s) { return S[s].out; }));
    }
  }
  function win(grid, cells) {  // a pooling's maximum: the winner of a window, the outputs a cell wins
    cells.forEach(function (j) { grid.cells[j].setAttribute("data-win", ""); frame(grid, [j], "hl-win"); });
  }
  function mark(grid, cells) {
    cells.forEach(function (j) {
      if (grid.cells[j].hasAttribute("data-hl")) return;
      grid.cells[j].setAttribute("data-hl", "");
      frame(grid, [j], "hl");
    });
  }
  function clear() {
    Object.keys(grids).forEach(function (g) {
      grids[g].hl.textContent = "";
      grids[g].cells.forEach(function (r) { r.removeAttribute("data-hl"); r.removeAttribute("data-win"); });
    });
    if (!hover) return;
    hover = null;
    sumEl.textContent = SC ? D.notes[k] : LY ? layerSum(D.frames[k][0], D.frames[k][1]) : sumText(k);
    placeKernel(k);
  }
  function activate(grid, j) {
    if (LY) {
      var want = grid.kind === "out" ? stepOf[j] : readers[j] ? readers[j][0] : -1;
      for (var f = 0; f < D.frames.length; f++) {
        if (D.frames[f][1] === want && (grid.kind !== "out" || D.frames[f][0].indexOf(grid.ch) >= 0)) return go(f);
      }
      return;
    }
    if (DP) return activateDepth(grid, j);
    if (SC && grid.name === "zout") { if (D.finish[j] >= 0) go(D.finish[j]); return; }
    if (SC && grid.name === "zin") return;
    if (SC) { if (grid.name === "input" && j in stepOf) go(stepOf[j]); else if (readers[j]) go(readers[j][0]); return; }
    if (grid.name === "output") go(stepOf[j]);
    else if (readers[j]) go(readers[j][0]);
  }
  function bind(rect, grid, j) {
    rect.addEventListener("mouseenter", function () { highlight(grid, j); });
    rect.addEventListener("mouseleave", clear);
    rect.addEventListener("focus", function () { highlight(grid, j); });
    rect.addEventListener("blur", clear);
    rect.addEventListener("click", function () { pause(); activate(grid, j); });
    rect.addEventListener("keydown", function (e) {
      var r = Math.floor(j / grid.cols), c = j % grid.cols, to = null;
      if (e.key === "ArrowLeft") to = c > 0 ? j - 1 : j;
      else if (e.key === "ArrowRight") to = c < grid.cols - 1 ? j + 1 : j;
      else if (e.key === "ArrowUp") to = r > 0 ? j - grid.cols : j;
      else if (e.key === "ArrowDown") to = r < grid.rows - 1 ? j + grid.cols : j;
      else if (e.key === "Enter" || e.key === " ") { pause(); activate(grid, j); }
      else return;
      e.preventDefault(); e.stopPropagation();
      if (to !== null && to !== j) {  // roving tabindex: one cell per grid is in the tab order
        grid.cells[j].setAttribute("tabindex", -1);
        grid.cells[to].setAttribute("tabindex", 0);
        grid.cells[to].focus();
      }
    });
  }

  // @include controls (player_controls.js: playback, keys, copy, size)
}
