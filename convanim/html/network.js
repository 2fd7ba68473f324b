// The network page: every node's grid on a canvas; a hovered, tapped or focused cell lights the cells it depends
// on in every earlier node. Fed by convanim/html/network.py: per node its shape (rows, columns), its inputs and
// per axis a table (or -1: each cell reads itself) of the input cells each of its cells reads.
var MAX_PX = 4096;  // a canvas is at most this many pixels along an axis: past that a pixel holds several cells

function network(root, data, host) {
  var nodes = data.nodes, tables = data.tables, theme = data.theme, count = nodes.length;
  var status = root.querySelector(".status"), box = root.querySelector(".layers");
  var cursor = nodes.map(function (nd) { return [nd.shape[0] >> 1, nd.shape[1] >> 1]; });
  cursor[count - 1] = data.cell.slice();
  var masks = null, here = null, views = [];
  var rgb = function (hex) { return [1, 3, 5].map(function (i) { return parseInt(hex.slice(i, i + 2), 16); }); };
  var colours = [rgb(theme.cell), rgb(theme.lit), rgb(theme.here)];

  // The cells along one axis that cell o reads: a table holds three numbers a cell (first, step, count) or lists.
  function reads(table, o) {
    if (!table) return [o];
    if (table.lists) return table.lists[o];
    var first = table.ap[3 * o], step = table.ap[3 * o + 1], n = table.ap[3 * o + 2], out = new Array(n);
    for (var k = 0; k < n; k++) out[k] = first + k * step;
    return out;
  }

  // The cells of node ``src``'s first input that the lit cells ``mask`` of node ``nd`` read: rows, then columns.
  function back(nd, mask, shape) {
    var rows = nd.shape[0], cols = nd.shape[1], inRows = shape[0], inCols = shape[1];
    var tr = nd.axes[0] < 0 ? null : tables[nd.axes[0]], tc = nd.axes[1] < 0 ? null : tables[nd.axes[1]];
    var half = new Uint8Array(inRows * cols), out = new Uint8Array(inRows * inCols), r, c, k, list;
    for (r = 0; r < rows; r++) {
      list = reads(tr, r);
      for (c = 0; c < cols; c++) {
        if (mask[r * cols + c]) for (k = 0; k < list.length; k++) half[list[k] * cols + c] = 1;
      }
    }
    for (r = 0; r < inRows; r++) {
      for (c = 0; c < cols; c++) {
        if (!half[r * cols + c]) continue;
        list = reads(tc, c);
        for (k = 0; k < list.length; k++) out[r * inCols + list[k]] = 1;
      }
    }
    return out;
  }

  // Per node, 1 where a cell reaches cell (r, c) of node n along some path.
  function field(n, r, c) {
    var out = nodes.map(function (nd) { return new Uint8Array(nd.shape[0] * nd.shape[1]); });
    var touched = nodes.map(function () { return false; });
    out[n][r * nodes[n].shape[1] + c] = 1;
    touched[n] = true;
    for (var m = n; m > 0; m--) {
      if (!touched[m]) continue;
      var nd = nodes[m], mask = out[m], k;
      // a join or a pass-through layer reads each cell itself
      var read = nd.axes[0] < 0 && nd.axes[1] < 0 ? mask : back(nd, mask, nodes[nd.inputs[0]].shape);
      for (var q = 0; q < nd.inputs.length; q++) {
        var i = nd.inputs[q], into = out[i];
        if (!touched[i]) into.set(read);
        else for (k = 0; k < into.length; k++) into[k] |= read[k];
        touched[i] = true;
      }
    }
    return out;
  }

  function cellName(n, r, c) {
    return nodes[n].shape[0] === 1 ? "cell " + c : "cell (" + r + ", " + c + ")";
  }

  function nodeName(n) {
    if (n === 0) return "the input";
    return data.chain ? "layer " + n : nodes[n].name;
  }

  // How many cells of a mask are lit, and the first and last row and column lit.
  function bounds(mask, shape) {
    var lo = [Infinity, Infinity], hi = [-1, -1], total = 0;
    for (var k = 0; k < mask.length; k++) {
      if (!mask[k]) continue;
      var r = Math.floor(k / shape[1]), c = k % shape[1];
      total++;
      if (r < lo[0]) lo[0] = r;
      if (r > hi[0]) hi[0] = r;
      if (c < lo[1]) lo[1] = c;
      if (c > hi[1]) hi[1] = c;
    }
    return { total: total, lo: lo, hi: hi };
  }

  function span(b, shape) {
    var lo = b.lo, hi = b.hi;
    if (!b.total) return "no cells of the input (its windows read only padding)";
    var cells = (b.total === 1 ? "1 input cell" : b.total.toLocaleString("en-US") + " input cells") + ": ";
    if (shape[0] === 1) return cells + (lo[1] === hi[1] ? "cell " + lo[1] : "cells " + lo[1] + ".." + hi[1]);
    return cells + "rows " + lo[0] + ".." + hi[0] + ", columns " + lo[1] + ".." + hi[1];
  }

  // A grid wider or taller than its box scrolls, inside the box, to show its lit cells (not the hovered grid).
  function reveal(m, b) {
    var box = views[m].canvas.parentNode, shape = nodes[m].shape;
    if (!b.total || (box.scrollWidth <= box.clientWidth && box.scrollHeight <= box.clientHeight)) return;
    var w = views[m].canvas.offsetWidth / shape[1], h = views[m].canvas.offsetHeight / shape[0];
    var x0 = b.lo[1] * w, x1 = (b.hi[1] + 1) * w, y0 = b.lo[0] * h, y1 = (b.hi[0] + 1) * h;
    if (x0 < box.scrollLeft || x1 > box.scrollLeft + box.clientWidth) box.scrollLeft = (x0 + x1 - box.clientWidth) / 2;
    if (y0 < box.scrollTop || y1 > box.scrollTop + box.clientHeight) box.scrollTop = (y0 + y1 - box.clientHeight) / 2;
  }

  // Light cell (r, c) of node n and what it reads; ``pointer``: the pointer chose it (its grid does not scroll).
  function light(n, r, c, pointer) {
    cursor[n] = [r, c];
    here = [n, r, c];
    masks = field(n, r, c);
    var input = null;
    for (var m = 0; m < count; m++) {
      var lit = views[m].lit, b = m <= n ? bounds(masks[m], nodes[m].shape) : null;
      lit.textContent = m === n ? " · the chosen cell" : m > n ? "" : " · " + b.total.toLocaleString("en-US") + " lit";
      draw(m);
      if (m < n || (m === n && !pointer)) reveal(m, m < n ? b : { total: 1, lo: [r, c], hi: [r, c] });
      if (m === 0) input = b;
    }
    var who = nodeName(n);
    status.textContent = n === 0 ? "Input " + cellName(0, r, c) :
      who.charAt(0).toUpperCase() + who.slice(1) + ", " + cellName(n, r, c) + ", depends on " +
      span(input, nodes[0].shape);
  }

  function layout(m) {
    var v = views[m], rows = nodes[m].shape[0], cols = nodes[m].shape[1];
    var room = Math.max(box.clientWidth - 12, 100);  // the grid's box pads it for the focus ring
    v.bin = [Math.max(1, Math.ceil(rows / MAX_PX)), Math.max(1, Math.ceil(cols / MAX_PX))];
    v.image = [Math.ceil(rows / v.bin[0]), Math.ceil(cols / v.bin[1])];
    // CSS pixels per drawn cell: the grid fits the width and three quarters of the window's height, at most 24
    var fit = Math.max(1, Math.min(24, room / v.image[1], rows > 1 ? 0.75 * (window.innerHeight || 800) / v.image[0] : 24));
    v.px = Math.floor(fit);  // the canvas's own pixels per cell: whole, so cells and lines stay crisp
    if (v.image[1] * v.px > MAX_PX || (rows > 1 && v.image[0] * v.px > MAX_PX)) {
      v.px = Math.max(1, Math.floor(MAX_PX / Math.max(v.image[1], rows > 1 ? v.image[0] : 1)));
    }
    v.height = rows === 1 ? Math.max(v.px, 16) : v.px;
    v.canvas.width = v.image[1] * v.px;
    v.canvas.height = (rows === 1 ? 1 : v.image[0]) * v.height;
    var shown = v.px < 2 ? fit : v.px;  // a small grid is scaled up to the room it has (pixelated)
    v.canvas.style.width = v.image[1] * shown + "px";
    v.canvas.style.height = (rows === 1 ? v.canvas.height : v.image[0] * shown) + "px";
    if (rows > 1) v.section.style.width = Math.max(v.image[1] * shown, Math.min(room, 320)) + "px";
    else v.section.style.flexBasis = "100%";  // 1-D rows: one per line, cell above cell
    v.note.textContent = v.bin[0] > 1 || v.bin[1] > 1 ?
      "Drawn " + v.bin[0] + "×" + v.bin[1] + " cells to a pixel (lit where any of them is)." : "";
  }

  function draw(m) {
    var v = views[m], rows = nodes[m].shape[0], cols = nodes[m].shape[1], mask = masks ? masks[m] : null;
    var h = v.image[0], w = v.image[1], state = new Uint8Array(h * w), r, c, k;
    if (mask) {
      for (k = 0; k < mask.length; k++) {
        if (!mask[k]) continue;
        r = Math.floor(Math.floor(k / cols) / v.bin[0]);
        c = Math.floor((k % cols) / v.bin[1]);
        state[r * w + c] = 1;
      }
    }
    if (here && here[0] === m) state[Math.floor(here[1] / v.bin[0]) * w + Math.floor(here[2] / v.bin[1])] = 2;
    var img = v.scratch.createImageData(w, h);
    for (k = 0; k < state.length; k++) {
      var col = colours[state[k]];
      img.data[4 * k] = col[0]; img.data[4 * k + 1] = col[1]; img.data[4 * k + 2] = col[2]; img.data[4 * k + 3] = 255;
    }
    v.scratch.canvas.width = w;
    v.scratch.canvas.height = h;
    v.scratch.putImageData(img, 0, 0);
    var ctx = v.canvas.getContext("2d");
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(v.scratch.canvas, 0, 0, v.canvas.width, v.canvas.height);
    if (v.px >= 6) {  // grid lines between cells
      ctx.strokeStyle = theme.background;
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (c = 1; c < w; c++) { ctx.moveTo(c * v.px + 0.5, 0); ctx.lineTo(c * v.px + 0.5, v.canvas.height); }
      for (r = 1; r < h; r++) { ctx.moveTo(0, r * v.height + 0.5); ctx.lineTo(v.canvas.width, r * v.height + 0.5); }
      ctx.stroke();
    }
  }

  function at(m, event) {
    var rect = views[m].canvas.getBoundingClientRect(), shape = nodes[m].shape;
    var r = Math.floor((event.clientY - rect.top) / rect.height * shape[0]);
    var c = Math.floor((event.clientX - rect.left) / rect.width * shape[1]);
    return [Math.min(Math.max(r, 0), shape[0] - 1), Math.min(Math.max(c, 0), shape[1] - 1)];
  }

  var KEYS = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1],
               PageUp: [-10, 0], PageDown: [10, 0] };

  nodes.forEach(function (nd, m) {
    var section = document.createElement("section"), head = document.createElement("h2");
    section.className = "layer";
    head.textContent = m === 0 ? "input" : data.chain ? "layer " + m + ": " : m + ". " + nd.name + ": ";
    if (m > 0) {
      var code = document.createElement("code");
      code.textContent = nd.call;
      head.appendChild(code);
    }
    var meta = document.createElement("p"), lit = document.createElement("span"), note = document.createElement("p");
    meta.className = "meta";
    meta.textContent = nd.size + (m > 0 ? " · receptive field " + nd.rf : "");
    lit.className = "lit";
    meta.appendChild(lit);
    note.className = "meta";
    var gridBox = document.createElement("div"), canvas = document.createElement("canvas");
    gridBox.className = "grid-box";
    canvas.tabIndex = 0;
    canvas.setAttribute("role", "application");
    canvas.setAttribute("aria-roledescription", "grid of cells");
    canvas.setAttribute("aria-label", (m === 0 ? "The input" : "Output of " + nodeName(m)) + ": " +
      (nd.shape[0] === 1 ? nd.shape[1] + " cells" : nd.shape[0] + " by " + nd.shape[1] + " cells") +
      ". Arrow keys choose a cell; the cells it depends on light up in the grids above.");
    gridBox.appendChild(canvas);
    section.append(head, meta, note, gridBox);
    box.appendChild(section);
    views.push({ section: section, canvas: canvas, lit: lit, note: note,
                 scratch: document.createElement("canvas").getContext("2d") });
    var point = function (e) {
      var p = at(m, e);
      if (!here || here[0] !== m || here[1] !== p[0] || here[2] !== p[1]) light(m, p[0], p[1], true);
    };
    canvas.addEventListener("pointermove", point);
    canvas.addEventListener("pointerdown", point);
    canvas.addEventListener("focus", function () { light(m, cursor[m][0], cursor[m][1]); });
    canvas.addEventListener("keydown", function (e) {
      var p = cursor[m].slice(), d = KEYS[e.key];
      if (d) { p[0] += d[0]; p[1] += d[1]; } else if (e.key === "Home") p[1] = 0;
      else if (e.key === "End") p[1] = nd.shape[1] - 1;
      else return;
      e.preventDefault();
      p = [Math.min(Math.max(p[0], 0), nd.shape[0] - 1), Math.min(Math.max(p[1], 0), nd.shape[1] - 1)];
      light(m, p[0], p[1]);
    });
  });

  var passes = root.querySelector(".passes");
  function drawPasses() {
    views.forEach(function (v, m) { if (nodes[m].pass) v.section.hidden = !passes.checked; });
  }
  if (passes) passes.addEventListener("change", drawPasses);

  function show(n) {
    if (nodes[n].pass && !passes.checked) { passes.checked = true; drawPasses(); }
    root.querySelectorAll("tbody tr").forEach(function (tr) {
      var on = +tr.getAttribute("data-node") === n;
      tr.classList.toggle("current", on);
      if (on) tr.setAttribute("aria-current", "true"); else tr.removeAttribute("aria-current");
    });
    views.forEach(function (v, m) { v.section.classList.toggle("current", m === n); });
    views[n].section.scrollIntoView({ block: "start" });
    views[n].canvas.focus({ preventScroll: true });
  }
  root.querySelectorAll("tbody tr").forEach(function (tr) {
    tr.addEventListener("click", function () { show(+tr.getAttribute("data-node")); });
  });

  function relayout() {
    for (var m = 0; m < count; m++) { layout(m); draw(m); }
  }
  relayout();
  light(count - 1, cursor[count - 1][0], cursor[count - 1][1]);
  if (typeof ResizeObserver === "function") {
    var width = box.clientWidth;
    new ResizeObserver(function () { if (box.clientWidth !== width) { width = box.clientWidth; relayout(); } }).observe(box);
  }

  // For tests and the curious, on the element (no global name): the cells lit now, and any cell's field.
  var cells = function (all) {
    return all.map(function (mask, m) {
      var out = [];
      for (var k = 0; k < mask.length; k++) if (mask[k]) out.push([Math.floor(k / nodes[m].shape[1]), k % nodes[m].shape[1]]);
      return out;
    });
  };
  host.litCells = function () { return cells(masks); };
  host.field = function (n, r, c) { return cells(field(n, r, c)); };
  host.chosen = function () { return here.slice(); };
}

// Start the page whose element comes just before this script (or the first one not started yet).
var me = document.currentScript, host = me && me.previousElementSibling;
if (!host || host.localName !== "convanim-network" || host.shadowRoot) {
  host = null;
  var all = document.getElementsByTagName("convanim-network");
  for (var h = 0; h < all.length && !host; h++) if (!all[h].shadowRoot) host = all[h];
}
if (host) {
  var shadow = host.attachShadow({ mode: "open" });
  shadow.appendChild(host.querySelector("template").content.cloneNode(true));
  network(shadow, JSON.parse(host.querySelector('script[type="application/json"]').textContent), host);
}
