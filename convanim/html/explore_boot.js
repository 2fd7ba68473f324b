// Start the explorer whose element comes just before this script; its arithmetic is reachable from the element
// (`element.arith(config)`), for tests and for the curious, without a global name.
var me = document.currentScript, host = me && me.previousElementSibling;
if (!host || host.localName !== "convanim-explorer" || host.shadowRoot) {
  host = null;
  var all = document.getElementsByTagName("convanim-explorer");
  for (var h = 0; h < all.length && !host; h++) if (!all[h].shadowRoot) host = all[h];
}
if (host) {
  var shadow = host.attachShadow({ mode: "open" });
  shadow.appendChild(host.querySelector("template").content.cloneNode(true));
  host.arith = arith;
  explorer(shadow, JSON.parse(host.querySelector('script[type="application/json"]').textContent), host);
}
