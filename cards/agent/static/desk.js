// Draws the page again when the desk changes (a card put in or taken out). Not once a
// form is sent: the act changes the desk while it runs, and a reload then would race the
// form's own answer, and the act's message, shown once, could go to the page replaced.
(function () {
  var shown = document.body.dataset.generation, sent = false;
  document.addEventListener("submit", function () { sent = true; });
  function poll() {
    if (sent) { return; }
    fetch("/tillstand", {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (s) { if (!sent && String(s.generation) !== shown) { location.replace("/"); } })
      .catch(function () {})
      .finally(function () { setTimeout(poll, 500); });
  }
  setTimeout(poll, 500);
})();
