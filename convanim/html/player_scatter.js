// The scatter, overlap and both views: the player's part for them (spliced into `mount` where player.js says
// `// @part scatter`): a transposed convolution as PyTorch computes it, a step per input cell.
  // -- the scatter view: step s adds x[input cell] times the kernel into the region cells it writes
  function showScatter(s) {
    k = s;
    var st = S[s], now = {}, said = {};
    st.c.forEach(function (cell) { now[cell] = true; });
    for (var i = 0; i <= s; i++) S[i].c.forEach(function (cell, t) { said[cell] = D.after[i][t]; });
    if (D.said) D.said.forEach(function (v, o) { said[o] = v; });
    grids.input.cells.forEach(function (rect, j) {
      rect.setAttribute("fill", j === st.out ? overIn[j] : baseIn[j]);
      rect.classList.toggle("tap", j === st.out);
    });
    grids.output.cells.forEach(function (rect, o) {
      var kept = D.outKinds[o] === "k", on = o in now;
      rect.setAttribute("fill", !(o in said) ? T.background : kept ? (on ? T.over_output : T.output)
        : (on ? T.over_padding : T.padding));
      rect.classList.toggle("tap", on);
      lines(grids.output.texts[o], o in said ? said[o] : "");
    });
    ["input", "output", "kernel"].forEach(function (g) { grids[g].bold.textContent = ""; });
    if (st.c.length) {
      frame(grids.input, [st.out], "bold");
      frame(grids.output, st.c, "bold");
      frame(grids.kernel, st.k, "bold");
    }
    slider.value = s;
    slider.setAttribute("aria-valuetext", "Step " + (s + 1) + " of " + n);
    status.textContent = "Step " + (s + 1) + " of " + n + (st.out >= 0 ? ": " + D.inNames[st.out] : "");
    if (D.bands) showZeros(s);
    if (!hover) sumEl.textContent = D.notes[s] + (D.bands ? ". " + D.zstatus[s] : "");
  }
  function showZeros(s) {
    var f = D.featured[s], win = {};
    if (f >= 0) D.zsteps[zstepOf[f]][1].forEach(function (v, i) { if (i % 2) win[v] = true; });
    grids.zin.cells.forEach(function (rect, j) {
      rect.setAttribute("fill", j in win ? overZ[j] : baseZ[j]);
      rect.classList.toggle("tap", j in win);
    });
    grids.zout.cells.forEach(function (rect, o) {
      var done = D.finish[o] >= 0 && D.finish[o] <= s;
      rect.setAttribute("fill", o === f ? T.over_output : done ? T.output : T.background);
      rect.classList.toggle("tap", o === f);
      grids.zout.texts[o].style.visibility = done ? "" : "hidden";
    });
    ["zin", "zk", "zout"].forEach(function (g) { grids[g].bold.textContent = ""; });
    if (f >= 0) { frame(grids.zin, Object.keys(win).map(Number), "bold"); frame(grids.zout, [f], "bold"); }
    if (D.zcurrent[s] >= 0) frame(grids.zin, [D.zcurrent[s]], "win");  // the input cell scattering now
  }
  function lines(t, said) {  // one or two lines in a cell, centred on it
    var parts = said ? said.split("\n") : [], y = +t.getAttribute("data-y") || +t.getAttribute("y");
    t.setAttribute("data-y", y);
    t.textContent = "";
    parts.forEach(function (line, i) {
      var span = document.createElementNS(NS, "tspan");
      span.setAttribute("x", t.getAttribute("x"));
      span.setAttribute("y", y + (i - (parts.length - 1) / 2) * 13);
      span.textContent = line;
      t.appendChild(span);
    });
  }
  function keptOf(j) {  // the output cell a region cell is, or -1
    if (D.outKinds[j] !== "k") return -1;
    var kr = D.kept, cols = D.out[1], r = Math.floor(j / cols) - kr[0], c = j % cols - kr[1];
    return r * (kr[3] - kr[1]) + c;
  }
  function highlightScatter(grid, j) {
    if (grid.name === "zout" || grid.name === "zin") {
      var outs = grid.name === "zout" ? [j] : zreaders[j] || [], ins = [], taps = [];
      outs.forEach(function (o) {
        var st = D.zsteps[zstepOf[o]][1];
        for (var t = 0; t < st.length; t += 2) if (grid.name === "zout" || st[t + 1] === j) { ins.push(st[t + 1]); taps.push(t / 2); }
      });
      mark(grids.zout, outs); mark(grids.zin, grid.name === "zin" ? [j] : ins); mark(grids.zk, taps);
      return;
    }
    if (grid.name === "output" && D.bands && keptOf(j) >= 0) mark(grids.zout, [keptOf(j)]);
    if (grid.name === "input") {
      var st = L[linkOf[j]];
      mark(grids.input, [j]); mark(grids.output, st.c); mark(grids.kernel, st.k);
      if (D.view !== "overlap") sumEl.textContent = D.notes[stepOf[j]];
    } else {
      var ins = [], taps = [];
      (feeds[j] || []).forEach(function (i) {
        ins.push(L[i].out);
        L[i].c.forEach(function (cell, t) { if (cell === j) taps.push(L[i].k[t]); });
      });
      mark(grids.output, [j]); mark(grids.input, ins); mark(grids.kernel, taps);
    }
  }
