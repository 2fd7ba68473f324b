// Start the player whose element comes just before this script (or, where the script was re-inserted elsewhere,
// as some notebooks do, the first one not started yet).
var me = document.currentScript, host = me && me.previousElementSibling;
if (!host || host.localName !== "convanim-player" || host.shadowRoot) {
  host = null;
  var all = document.getElementsByTagName("convanim-player");
  for (var h = 0; h < all.length && !host; h++) if (!all[h].shadowRoot) host = all[h];
}
if (host) {
  var shadow = host.attachShadow({ mode: "open" });
  shadow.appendChild(host.querySelector("template").content.cloneNode(true));
  mount(shadow, JSON.parse(host.querySelector('script[type="application/json"]').textContent), host);
}
