// L'atelier : suit les fabrications en direct (server-sent events) et recharge la page
// quand une fabrication se termine ou quand l'aperçu a été refait. Aucune bibliothèque.
(function () {
  "use strict";
  var body = document.body;
  var page = body.getAttribute("data-page");
  var since = body.getAttribute("data-evenement") || "0";
  if (!window.EventSource) { return; }
  var source = new EventSource("/evenements?depuis=" + encodeURIComponent(since));

  source.addEventListener("etape", function (event) {
    var zone = document.getElementById("progression");
    if (!zone) { return; }
    var stage = event.data;
    var done = true;
    var items = zone.querySelectorAll("[data-etape]");
    if (!items.length) { location.reload(); return; }
    items.forEach(function (item) {
      if (item.getAttribute("data-etape") === stage) {
        item.setAttribute("aria-current", "step");
        done = false;
      } else {
        item.removeAttribute("aria-current");
        if (done) { item.classList.add("faite"); }
      }
    });
    var current = document.getElementById("etape");
    if (current) { current.textContent = stage; }
  });

  source.addEventListener("fin", function () {
    if (page === "annee") { source.close(); location.reload(); }
  });

  source.addEventListener("apercu", function () {
    if (page === "apercu") { source.close(); location.reload(); }
  });
})();
