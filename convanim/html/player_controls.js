// The player's controls: playback, keys, the copy button and the size (spliced into `mount` where player.js
// says `// @include controls`).
  // -- playback
  function go(s) { show(Math.max(0, Math.min(n - 1, s))); }
  function speed() { return parseFloat($("speed").value) || 1; }
  function tick() {
    if (k < n - 1) go(k + 1);
    else if ($("loop").checked) go(0);
    else return pause();
    timer = setTimeout(tick, D.durations[k] / speed());
  }
  function play() {
    if (timer) return;
    if (k === n - 1 && !$("loop").checked) go(0);
    timer = setTimeout(tick, D.durations[k] / speed());
    playBtn.textContent = "❙❙ Pause"; playBtn.setAttribute("aria-label", "Pause");
    status.setAttribute("aria-live", "off");
  }
  function pause() {
    clearTimeout(timer); timer = null;
    playBtn.textContent = "▶ Play"; playBtn.setAttribute("aria-label", "Play");
    status.setAttribute("aria-live", "polite");
  }
  function toggle() { if (timer) pause(); else play(); }
  playBtn.addEventListener("click", toggle);
  $("first").addEventListener("click", function () { pause(); go(0); });
  $("last").addEventListener("click", function () { pause(); go(n - 1); });
  $("prev").addEventListener("click", function () { pause(); go(k - 1); });
  $("next").addEventListener("click", function () { pause(); go(k + 1); });
  slider.addEventListener("input", function () { pause(); go(parseInt(slider.value, 10)); });
  // Keys reach this player when focus is inside it, or anywhere when it is the whole page.
  function alone() {
    var p = host.parentNode;
    if (p !== document.body) return false;
    for (var c = p.firstElementChild; c; c = c.nextElementSibling) {
      if (c !== host && !/^(SCRIPT|TITLE|META|NOSCRIPT|TEMPLATE|STYLE|LINK)$/.test(c.tagName)) return false;
    }
    return true;
  }
  function onKey(e) {
    if (!host.isConnected) return document.removeEventListener("keydown", onKey);
    var path = e.composedPath ? e.composedPath() : [e.target], target = path[0] || e.target;
    var inside = path.indexOf(host) >= 0;
    if (!inside && !(alone() && (target === document.body || target === document.documentElement))) return;
    var tag = target.tagName, type = target.type;
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || tag === "SELECT" || tag === "TEXTAREA" ||
        (tag === "INPUT" && (type === "range" || type === "number" || type === "text" || e.key === " "))) return;
    if (e.key === " " && tag !== "BUTTON") toggle();
    else if (e.key === "ArrowRight") { pause(); go(k + 1); }
    else if (e.key === "ArrowLeft") { pause(); go(k - 1); }
    else if (e.key === "Home") { pause(); go(0); }
    else if (e.key === "End") { pause(); go(n - 1); }
    else return;
    e.preventDefault();
  }
  document.addEventListener("keydown", onKey);

  // -- copy the PyTorch call
  if ($("copy")) $("copy").addEventListener("click", function () {  // a drawing without a layer has none
    var code = D.pytorch;
    function done(ok) { $("copied").textContent = ok ? "Copied " + code : "Select the code and copy it"; }
    function fallback() {
      var ta = document.createElement("textarea");
      ta.value = code; ta.setAttribute("readonly", ""); ta.style.position = "fixed"; ta.style.opacity = "0";
      root.appendChild(ta); ta.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (err) { ok = false; }
      root.removeChild(ta);
      done(ok);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(code).then(function () { done(true); }, fallback);
    } else fallback();
  });

  // -- size: never below the smallest readable text; stack the flat layout's grids when there is no room
  var minScale = Math.min(1, MIN_TEXT_PX / SMALLEST_TEXT[CV ? "curve" : numbers && !D.pool ? "values" : "grid"]);
  var rowW = null;
  function fit() {
    var room = box.clientWidth;
    if (!room) return;
    if (D.layout === "flat" && order.length > 1) {
      if (rowW === null) { var w0 = W, h0 = H; place(false); rowW = W; W = w0; H = h0; }
      var stack = room < STACK_BELOW || rowW * minScale > room;
      if (stack !== stacked) build(stack);
    } else if (DP) {
      var per = depthPerRow(room / minScale);
      if (per !== stacked) build(per);
    } else if (LY) {
      var narrow = layerWidth() * minScale > room;
      if (narrow !== stacked) build(narrow);
    } else if (stacked === null) build(false);
    scale = Math.max(minScale, Math.min(CV ? 1.5 : 1, room / W));  // plots may grow on a wide screen
    size();
  }
  if (MX) buildMatrix();
  build(false);
  fit();
  var watched = box.clientWidth;
  if (window.ResizeObserver) {
    new ResizeObserver(function () {
      if (box.clientWidth !== watched) { watched = box.clientWidth; fit(); }
    }).observe(box);
  }
  if (!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) && !D.still) play();
  return { stop: pause, go: go, step: function () { return k; } };
