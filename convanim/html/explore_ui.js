// -- the explorer's controls: read them into a config, show arith(config), draw it with the player
function explorer(root, E, host) {
  var $ = function (id) { return root.querySelector("#" + id); };
  var NAMES = { input: "input size", kernel: "kernel size", stride: "stride", dilation: "dilation",
    output_padding: "output padding", pad: "padding" };
  var fields = {};
  ["input", "kernel", "stride", "dilation", "output_padding", "pad"].forEach(function (name) {
    var row = root.querySelector('.row[data-name="' + name + '"]');
    fields[name] = ["height", "width"].map(function (axis, a) {
      var box = document.createElement("input");
      box.type = "number"; box.min = 0; box.max = E.max[name]; box.step = 1; box.value = E.start[name][a];
      box.setAttribute("aria-label", NAMES[name] + ", " + axis);
      row.appendChild(box);
      return box;
    });
  });
  var sideRow = root.querySelector('.row[data-name="sides"]');
  fields.sides = ["top", "bottom", "left", "right"].map(function (side) {
    var box = document.createElement("input");
    box.type = "number"; box.min = 0; box.max = E.max.pad; box.step = 1; box.value = 0;
    box.setAttribute("aria-label", "padding, " + side);
    sideRow.appendChild(box);
    return box;
  });
  function num(box) { var v = parseInt(box.value, 10); return isFinite(v) && v >= 0 ? v : 0; }
  function config() {
    var ndim = parseInt($("ndim").value, 10), two = ndim === 2, cfg = { ndim: ndim, kind: $("kind").value };
    ["input", "kernel", "stride", "dilation", "output_padding"].forEach(function (name) {
      var v = fields[name].map(num);
      cfg[name] = two ? v : [v[1]];
    });
    var mode = $("padmode").value, sides = fields.sides.map(num);
    cfg.padding = { mode: mode, values: mode === "sides" ? (two ? sides : sides.slice(2)) :
      two ? fields.pad.map(num) : [num(fields.pad[1])] };
    if (cfg.kind === "avg") cfg.dilation = cfg.dilation.map(function () { return 1; });
    cfg.ceil_mode = $("ceil").checked;
    cfg.count_include_pad = cfg.kind !== "avg" || $("cip").checked;
    return cfg;
  }
  function visible() {  // show the controls that apply
    var two = $("ndim").value === "2", kind = $("kind").value, pool = kind === "max" || kind === "avg";
    Object.keys(fields).forEach(function (name) { fields[name][0].hidden = !two && name !== "sides"; });
    fields.sides[0].hidden = fields.sides[1].hidden = !two;
    $("sides-name").textContent = two ? "top, bottom, left, right" : "left, right";
    root.querySelector(".axes").textContent = two ? "(height, width)" : "(length)";
    root.querySelector('.row[data-name="output_padding"]').hidden = kind !== "transposed";
    root.querySelector('.row[data-name="dilation"]').hidden = kind === "avg";
    root.querySelector('.row[data-name="pad"]').hidden = $("padmode").value !== "num";
    root.querySelector('.row[data-name="sides"]').hidden = $("padmode").value !== "sides";
    root.querySelector("label.pool").hidden = !pool;
    root.querySelector("label.avg").hidden = kind !== "avg";
  }
  var player = null, box = $("player");
  function redraw() {
    visible();
    var cfg = config(), r = arith(cfg);
    $("command").textContent = r.command;
    if (player) { player.stop(); player = null; }
    box.textContent = "";
    if (r.error) {
      $("error").textContent = r.error;
      $("result").hidden = true;
      return;
    }
    $("error").textContent = "";
    $("result").hidden = false;
    $("outsize").textContent = dims(r.out) + " (from " + dims(r.input) + ", " + r.steps.length + " kernel positions)";
    $("formula-line").textContent = r.formula;
    $("call").textContent = r.pytorch;
    if (r.steps.length > E.maxSteps) return;
    var two = function (v) { return v.length === 1 ? [1, v[0]] : v; };
    var what = r.pool ? (r.pool === "max" ? "max pooling" : "average pooling") : r.transposed ? "transposed convolution" : "convolution";
    var D = { view: "grid", layout: "flat", grid: two(r.grid), out: two(r.out), kernel: two(r.kernel),
      inputShape: r.input, kernelShape: r.kernel, outShape: r.out, kinds: r.kinds, src: r.src, steps: r.steps,
      durations: r.steps.map(function () { return E.durationMs; }), labels: ["input " + dims(r.input), "output " + dims(r.out)],
      formula: r.formula, pytorch: r.pytorch, alt: dims(r.kernel) + " " + what + " over a " + dims(r.input) +
        " input, giving " + dims(r.out), values: null, theme: E.theme, pool: r.pool, divisors: r.divisors,
      kernelName: r.pool ? "window" : "kernel", still: true,
      kernelAria: r.pool ? "The pooling window" : "The kernel's weights as they lie on the input" };
    var holder = document.createElement("div");
    holder.appendChild($("player-template").content.cloneNode(true));
    box.appendChild(holder);
    holder.querySelector("#heading").textContent = D.pytorch;
    holder.querySelector("#desc").textContent = D.alt;
    holder.querySelector("#formula").textContent = D.formula;
    holder.querySelector("#code").textContent = D.pytorch;
    holder.querySelector("#slider").max = D.steps.length - 1;
    player = mount(holder, D, holder);
  }
  root.querySelector("form").addEventListener("input", redraw);
  root.querySelector("form").addEventListener("change", redraw);
  root.querySelector("form").addEventListener("submit", function (e) { e.preventDefault(); });
  redraw();
}
