// convanim's explorer: parameter controls, the arithmetic of convanim.spec / convanim.pool / convanim.schedule
// ported to JavaScript (tests/test_explore.py checks it against Python on thousands of configs), and the player.

// -- Python's ways of writing values, for sentences that must read exactly as the command line's
function pyTuple(v) { return v.length === 1 ? "(" + v[0] + ",)" : "(" + v.join(", ") + ")"; }
function pyRepr(v) {
  if (typeof v === "string") return "'" + v + "'";
  if (typeof v === "number") return String(v);
  return v.length === 1 ? "(" + pyRepr(v[0]) + ",)" : "(" + v.map(pyRepr).join(", ") + ")";
}
function same(v) { return v.every(function (x) { return x === v[0]; }); }
function py(v) { return same(v) ? String(v[0]) : pyTuple(v); }  // explanation._py: the bare int when all agree
function dims(v) { return v.join("×"); }
function fdiv(a, b) { return Math.floor(a / b); }
function cdiv(a, b) { return -Math.floor(-a / b); }
function sizeText(v) { return same(v) ? String(v[0]) : v.join("x"); }

// The values a command line hands to ConvSpec / PoolSpec: what `parse_size` and `spec_from_args` make of the text.
function given(cfg, v) { return cfg.ndim === 1 ? [v[0]] : same(v) ? v[0] : v.slice(); }
function fmtGiven(x) { return typeof x === "number" ? String(x) : pyTuple(x); }

function Fail(message) { this.message = message; }

function isPool(cfg) { return cfg.kind === "max" || cfg.kind === "avg"; }

// -- the command line and the PyTorch call
function command(cfg) {
  var p = cfg.padding, parts = ["convanim render"], n = cfg.ndim;
  var out = { conv: "conv", transposed: "conv_transpose", max: "max_pool", avg: "avg_pool" }[cfg.kind] + ".gif";
  if (isPool(cfg) && n === 1) {
    var args = ["kernel_size=" + cfg.kernel[0], "stride=" + cfg.stride[0]];
    if (p.mode === "num") { if (p.values[0]) args.push("padding=" + p.values[0]); }
    else args.push("padding=" + (p.mode === "sides" ? pyRepr(p.values.slice(0, 2)) : "'" + p.mode + "'"));
    if (cfg.kind === "max" && cfg.dilation[0] !== 1) args.push("dilation=" + cfg.dilation[0]);
    if (cfg.ceil_mode) args.push("ceil_mode=True");
    if (cfg.kind === "avg" && !cfg.count_include_pad) args.push("count_include_pad=False");
    parts.push('--layer "nn.' + (cfg.kind === "max" ? "MaxPool1d" : "AvgPool1d") + "(" + args.join(", ") + ')"');
    parts.push("-i " + cfg.input[0], "--layout flat", "-o " + out);
    return parts.join(" ");
  }
  if (isPool(cfg)) parts.push("--pool " + cfg.kind);
  if (n === 1) parts.push("--view 1d");
  parts.push("-i " + sizeText(cfg.input), "-k " + sizeText(cfg.kernel));
  if (isPool(cfg) || !same(cfg.stride) || cfg.stride[0] !== 1) parts.push("-s " + sizeText(cfg.stride));
  var pad = padText(cfg);
  if (pad !== null) parts.push("-p " + pad);
  if (!(cfg.kind === "avg") && (!same(cfg.dilation) || cfg.dilation[0] !== 1)) parts.push("-d " + sizeText(cfg.dilation));
  if (cfg.kind === "transposed") {
    parts.push("--transposed");
    if (cfg.output_padding.some(Boolean)) parts.push("--output-padding " + sizeText(cfg.output_padding));
  }
  if (cfg.ceil_mode && isPool(cfg)) parts.push("--ceil-mode");
  if (cfg.kind === "avg" && !cfg.count_include_pad) parts.push("--no-count-include-pad");
  if (n === 2) parts.push("--layout flat");
  parts.push("-o " + out);
  return parts.join(" ");
}
function padText(cfg) {
  var p = cfg.padding, v = p.values;
  if (p.mode === "num") {
    var nums = v.slice(0, cfg.ndim);
    if (nums.every(function (x) { return x === 0; })) return null;
    return same(nums) ? String(nums[0]) : nums.join(",");
  }
  if (p.mode === "sides") return v.slice(0, 2 * cfg.ndim).join(",");
  return p.mode;
}
// The padding as `spec_from_args` passes it on: an int, a tuple, pairs per axis or a word.
function givenPadding(cfg) {
  var p = cfg.padding, n = cfg.ndim;
  if (p.mode === "num") {
    var nums = p.values.slice(0, n);
    if (n === 1) return [nums[0]];
    return same(nums) ? nums[0] : nums;
  }
  if (p.mode === "sides") {
    var pairs = [];
    for (var a = 0; a < n; a++) pairs.push([p.values[2 * a], p.values[2 * a + 1]]);
    return pairs;
  }
  return p.mode;
}

// -- a convolution: convanim.spec.ConvSpec's checks, in its order, and its axes
function convSpec(cfg) {
  var n = cfg.ndim, tr = cfg.kind === "transposed";
  var raw = { input_size: given(cfg, cfg.input), kernel_size: given(cfg, cfg.kernel), stride: given(cfg, cfg.stride),
    dilation: given(cfg, cfg.dilation) };
  ["input_size", "kernel_size", "stride", "dilation"].forEach(function (name) {
    var v = raw[name];
    if (Math.min.apply(0, typeof v === "number" ? [v] : v) < 1) throw new Fail(name + " must be >= 1, got " + fmtGiven(v));
  });
  var i = cfg.input.slice(0, n), k = cfg.kernel.slice(0, n), s = cfg.stride.slice(0, n), d = cfg.dilation.slice(0, n);
  var op = tr ? cfg.output_padding.slice(0, n) : [0, 0].slice(0, n);
  var padding = givenPadding(cfg), norm;  // norm: the normalised padding (a word, or ints / pairs per axis)
  if (typeof padding === "string") {
    if (tr && padding === "same") throw new Fail("padding='same' is not supported with transposed=True; give the padding as numbers");
    norm = padding;
  } else if (typeof padding === "number") {
    norm = [];
    for (var a = 0; a < n; a++) norm.push(padding);
  } else {
    var entries = padding.map(function (e) { return typeof e === "number" ? e : e[0] === e[1] ? e[0] : e; });
    if (entries.some(function (e) { return typeof e !== "number"; })) {
      if (tr) throw new Fail("padding must be the same on both sides with transposed=True (PyTorch's ConvTranspose pads " +
        "both ends equally), got " + pyRepr(padding));
      norm = entries.map(function (e) { return typeof e === "number" ? [e, e] : e; });
    } else norm = entries;
  }
  var pads = [];
  for (a = 0; a < n; a++) {
    if (norm === "valid") pads.push([0, 0]);
    else if (norm === "full") pads.push([d[a] * (k[a] - 1), d[a] * (k[a] - 1)]);
    else if (norm === "same") {
      var total = Math.max((cdiv(i[a], s[a]) - 1) * s[a] + d[a] * (k[a] - 1) + 1 - i[a], 0);
      pads.push([fdiv(total, 2), total - fdiv(total, 2)]);
    } else pads.push(typeof norm[a] === "number" ? [norm[a], norm[a]] : norm[a]);
  }
  var axes = [];
  for (a = 0; a < n; a++) {
    var lo = pads[a][0], hi = pads[a][1];
    if (tr) { lo = d[a] * (k[a] - 1) - pads[a][0]; hi = lo + op[a]; }
    var step = tr ? s[a] : 1, ws = tr ? 1 : s[a], extent = d[a] * (k[a] - 1) + 1;
    var grid = (i[a] - 1) * step + 1 + lo + hi;
    axes.push({ i: i[a], k: k[a], s: s[a], d: d[a], lo: lo, hi: hi, step: step, ws: ws, extent: extent, grid: grid,
      out: fdiv(grid - extent, ws) + 1, pad: pads[a], op: op[a], tr: tr });
  }
  if (tr) {
    if (op.some(function (x, a) { return x >= Math.max(s[a], d[a]); })) {
      throw new Fail("output_padding must be smaller than max(stride, dilation) on every axis, got output_padding=" +
        pyTuple(op) + " with stride=" + pyTuple(s) + " and dilation=" + pyTuple(d));
    }
    axes.forEach(function (ax, a) {
      if (ax.out < 1) {
        throw new Fail("padding=" + pyRepr(norm) + " leaves the transposed output empty on axis " + a + ": (" + ax.i +
          "-1)*" + ax.s + " - 2*" + ax.pad[0] + " + " + ax.d + "*(" + ax.k + "-1) + " + ax.op + " + 1 = " + ax.out);
      }
    });
  } else if (axes.some(function (ax) { return ax.extent > ax.grid; })) {
    throw new Fail("kernel_size=" + pyTuple(k) + (d.some(function (x) { return x > 1; }) ? " with dilation=" + pyTuple(d) : "") +
      " spans " + axes.map(function (ax) { return ax.extent; }).join("x") + " cells but the padded input is " +
      axes.map(function (ax) { return ax.grid; }).join("x"));
  }
  axes.forEach(function (ax) {
    ax.source = function (c) {
      var q = c - ax.lo;
      if (q < 0 || q % ax.step) return -1;
      q = q / ax.step;
      return q < ax.i ? q : -1;
    };
    ax.kind = function (c) {
      var q = c - ax.lo;
      if (q < 0 || q > (ax.i - 1) * ax.step) return "p";
      return q % ax.step ? "z" : "i";
    };
    ax.window = function (o) {
      var out = [];
      for (var j = 0; j < ax.k; j++) out.push([ax.tr ? ax.k - 1 - j : j, o * ax.ws + j * ax.d]);
      return out;
    };
  });
  return { axes: axes, pads: pads, norm: norm, tr: tr };
}

function convFormula(spec) {
  var lines = spec.axes.map(function (ax) {
    if (ax.tr) {
      var kern = ax.d === 1 ? String(ax.k) : ax.d + "*(" + ax.k + "-1) + 1";
      return "o = (" + ax.i + " - 1)*" + ax.s + " - 2*" + ax.pad[0] + " + " + kern + (ax.op ? " + " + ax.op : "") + " = " + ax.out;
    }
    var pad = ax.pad[0] === ax.pad[1] ? "2*" + ax.pad[0] : ax.pad[0] + " + " + ax.pad[1];
    var k = ax.d === 1 ? String(ax.k) : ax.k + " - (" + ax.k + "-1)*(" + ax.d + "-1)";
    return "o = floor((" + ax.i + " + " + pad + " - " + k + ") / " + ax.s + ") + 1 = " + ax.out;
  });
  var text;
  if (lines.length > 1 && lines[0] !== lines[1]) text = "height: " + lines[0] + "; width: " + lines[1];
  else text = lines[0];
  return spec.tr ? text + " (kernel rotated 180°)" : text;
}

function convCall(cfg, spec) {  // layers.pytorch_layer: bias=False, as the layer drawn has no bias
  var ax = spec.axes, n = cfg.ndim, args = ["kernel_size=" + py(ax.map(function (a) { return a.k; }))], pad = null;
  var s = ax.map(function (a) { return a.s; });
  if (s.some(function (x) { return x !== 1; })) args.push("stride=" + py(s));
  var pads = spec.pads;
  if (spec.norm === "same" && s.every(function (x) { return x === 1; })) args.push("padding='same'");
  else if (pads.every(function (p) { return p[0] === p[1]; })) {
    if (pads.some(function (p) { return p[0]; })) args.push("padding=" + py(pads.map(function (p) { return p[0]; })));
  } else {
    var order = [];
    pads.slice().reverse().forEach(function (p) { order.push(p[0], p[1]); });
    pad = "torch.nn.ZeroPad" + n + "d(" + pyTuple(order) + ")";
  }
  if (spec.tr && ax.some(function (a) { return a.op; })) args.push("output_padding=" + py(ax.map(function (a) { return a.op; })));
  var d = ax.map(function (a) { return a.d; });
  if (d.some(function (x) { return x !== 1; })) args.push("dilation=" + py(d));
  args.push("bias=False");
  var layer = "torch.nn." + (spec.tr ? "ConvTranspose" : "Conv") + n + "d(1, 1, " + args.join(", ") + ")";
  return pad ? "torch.nn.Sequential(" + pad + ", " + layer + ")" : layer;
}

// -- a pooling: convanim.pool.PoolSpec's checks (behind the command line's), in their order, and its axes
function poolSpec(cfg) {
  var n = cfg.ndim, max = cfg.kind === "max", p = cfg.padding, prefix = "";
  var d = max ? cfg.dilation.slice(0, n) : [1, 1].slice(0, n);
  var raw;
  if (n === 1) {  // --layer "nn.MaxPool1d(...)": ints as written, the input size as a tuple
    prefix = "nn." + (max ? "MaxPool1d" : "AvgPool1d") + ": ";
    if (p.mode === "sides") throw new Fail(prefix + "padding must be an int or 1 int, got " + pyRepr(p.values.slice(0, 2)));
    if (p.mode !== "num") throw new Fail(prefix + "padding must be an int or 1 ints, got '" + p.mode + "'");
    raw = { input_size: [cfg.input[0]], kernel_size: cfg.kernel[0], stride: cfg.stride[0], padding: p.values[0],
      dilation: d[0] };
  } else {
    var padding = givenPadding(cfg);
    if (typeof padding === "string" || (p.mode === "sides")) {
      throw new Fail("a pooling's padding is one number or one per axis (both sides alike), got " + pyRepr(padding));
    }
    raw = { input_size: given(cfg, cfg.input), kernel_size: given(cfg, cfg.kernel), stride: given(cfg, cfg.stride),
      padding: padding, dilation: given(cfg, d) };
  }
  var fail = function (text) { throw new Fail(prefix + text); };
  ["input_size", "kernel_size", "stride", "dilation"].forEach(function (name) {
    var v = raw[name];
    if (Math.min.apply(0, typeof v === "number" ? [v] : v) < 1) fail(name + " must be >= 1, got " + fmtGiven(v));
  });
  var i = cfg.input.slice(0, n), k = cfg.kernel.slice(0, n), s = cfg.stride.slice(0, n);
  var pp = typeof raw.padding === "number" ? [raw.padding, raw.padding].slice(0, n) : raw.padding;
  if (pp.some(function (x, a) { return x > fdiv(k[a], 2); })) {
    fail("padding must be at most half the kernel size (padding <= kernel_size // 2, as PyTorch checks), got padding=" +
      fmtGiven(raw.padding) + " with kernel_size=" + fmtGiven(raw.kernel_size));
  }
  var axes = [];
  for (var a = 0; a < n; a++) {
    var ax = { i: i[a], k: k[a], s: s[a], p: pp[a], d: d[a], extent: d[a] * (k[a] - 1) + 1, padded: i[a] + 2 * pp[a] };
    var span = ax.padded - ax.extent;
    ax.raw = cfg.ceil_mode ? cdiv(span, ax.s) + 1 : fdiv(span, ax.s) + 1;
    ax.out = ax.raw;
    if (cfg.ceil_mode && (ax.out - 1) * ax.s >= ax.i + ax.p) ax.out -= 1;
    ax.grid = Math.max(ax.padded, (ax.out - 1) * ax.s + ax.extent);
    ax.lo = ax.p;
    axes.push(ax);
  }
  axes.forEach(function (ax, a) {
    ax.source = function (c) { var q = c - ax.p; return q >= 0 && q < ax.i ? q : -1; };
    ax.kind = function (c) { return c >= ax.padded ? "b" : ax.source(c) >= 0 ? "i" : "p"; };
    ax.window = function (o) {
      var out = [];
      for (var j = 0; j < ax.k; j++) out.push([j, o * ax.s + j * ax.d]);
      return out;
    };
    ax.divisor = function (o) {
      var start = o * ax.s - ax.p, end = Math.min(start + ax.k, ax.i + ax.p);
      return cfg.count_include_pad ? end - start : Math.min(end, ax.i) - Math.max(start, 0);
    };
  });
  axes.forEach(function (ax, a) {
    if (ax.out < 1) {
      var kern = ax.d === 1 ? String(ax.k) : ax.d + "*(" + ax.k + "-1) + 1";
      fail("input_size=" + pyTuple(i) + " is too small for kernel_size=" + pyTuple(k) +
        (ax.d === 1 ? "" : " with dilation=" + pyTuple(d)) + " on axis " + a + ": o = " +
        (cfg.ceil_mode ? "ceil" : "floor") + "((" + ax.i + " + 2*" + ax.p + " - " + kern + ") / " + ax.s + ") + 1 = " + ax.out);
    }
    for (var o = 0; o < ax.out; o++) {
      if (ax.window(o).every(function (t) { return ax.source(t[1]) < 0; })) {
        fail("dilation=" + pyTuple(d) + " with padding=" + pyTuple(pp) + " gives a window that reads no input cell on axis " +
          a + " (window " + o + " sees only padding; PyTorch returns -inf and an index outside the input there)");
      }
    }
  });
  return { axes: axes, pool: cfg.kind };
}

function poolFormula(cfg, spec) {
  var parts = spec.axes.map(function (ax) {
    var kern = ax.d === 1 ? String(ax.k) : "(" + ax.d + "*(" + ax.k + "-1) + 1)";
    var text = "o = " + (cfg.ceil_mode ? "ceil" : "floor") + "((" + ax.i + " + 2*" + ax.p + " - " + kern + ") / " + ax.s +
      ") + 1 = " + ax.raw;
    return ax.raw !== ax.out ? text + ", minus the window that would start in the right padding = " + ax.out : text;
  });
  return parts.length > 1 && parts[0] === parts[1] ? parts[0] : parts.join("; ");
}

function poolCall(cfg, spec) {  // PoolSpec.pytorch_layer
  var ax = spec.axes, f = function (name) { return ax.map(function (a) { return a[name]; }); };
  var args = ["kernel_size=" + py(f("k"))];
  if (f("s").join() !== f("k").join()) args.push("stride=" + py(f("s")));
  if (f("p").some(Boolean)) args.push("padding=" + py(f("p")));
  if (f("d").some(function (x) { return x !== 1; })) args.push("dilation=" + py(f("d")));
  if (cfg.ceil_mode) args.push("ceil_mode=True");
  if (cfg.kind === "avg" && !cfg.count_include_pad) args.push("count_include_pad=False");
  return "torch.nn." + (cfg.kind === "max" ? "MaxPool" : "AvgPool") + cfg.ndim + "d(" + args.join(", ") + ")";
}

// -- everything the page shows for one config, as plain values (the test compares these with Python)
function arith(cfg) {
  var spec;
  try {
    spec = isPool(cfg) ? poolSpec(cfg) : convSpec(cfg);
  } catch (e) {
    if (e instanceof Fail) return { error: e.message, command: command(cfg) };
    throw e;
  }
  var axes = spec.axes, grid = axes.map(function (ax) { return ax.grid; }), out = axes.map(function (ax) { return ax.out; });
  var kshape = axes.map(function (ax) { return ax.k; }), ishape = axes.map(function (ax) { return ax.i; });
  var kinds = [], src = [], read = {};
  function each(shape, f) {  // row-major over 1 or 2 axes
    if (shape.length === 1) for (var x = 0; x < shape[0]; x++) f([x]);
    else for (var r = 0; r < shape[0]; r++) for (var c = 0; c < shape[1]; c++) f([r, c]);
  }
  function flat(idx, shape) { return idx.length === 1 ? idx[0] : idx[0] * shape[1] + idx[1]; }
  var steps = [], divisors = [];
  each(out, function (o) {
    var per = axes.map(function (ax, a) { return ax.window(o[a]); }), taps = [];
    each(per.map(function (w) { return w.length; }), function (t) {
      var kidx = t.map(function (j, a) { return per[a][j][0]; }), cell = t.map(function (j, a) { return per[a][j][1]; });
      taps.push(flat(kidx, kshape), flat(cell, grid));
      var sources = cell.map(function (c, a) { return axes[a].source(c); });
      if (sources.every(function (x) { return x >= 0; })) read[flat(sources, ishape)] = true;
    });
    steps.push([flat(o, out), taps]);
    if (spec.pool === "avg") divisors.push(axes.reduce(function (m, ax, a) { return m * ax.divisor(o[a]); }, 1));
  });
  each(grid, function (cell) {
    var sources = cell.map(function (c, a) { return axes[a].source(c); });
    var kind = "i";
    cell.forEach(function (c, a) {
      var kd = axes[a].kind(c);
      if (kd === "b" || (kd === "p" && kind !== "b") || (kd === "z" && kind === "i")) kind = kd;
    });
    var s = sources.every(function (x) { return x >= 0; }) ? flat(sources, ishape) : -1;
    kinds.push(s >= 0 && !read[s] ? "u" : kind);
    src.push(s);
  });
  return {
    command: command(cfg),
    pytorch: spec.pool ? poolCall(cfg, spec) : convCall(cfg, spec),
    formula: spec.pool ? poolFormula(cfg, spec) : convFormula(spec),
    grid: grid, out: out, kernel: kshape, input: ishape, kinds: kinds.join(""), src: src, steps: steps,
    divisors: spec.pool === "avg" ? divisors : null, pool: spec.pool || null, transposed: !!spec.tr
  };
}
