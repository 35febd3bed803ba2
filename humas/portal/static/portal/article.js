// Article page behaviour that works on a page served from the cache: copy-link button and the
// view counter's beacon (humas/portal/counter.py counts it; the page itself may be a stored file).
(function () {
  "use strict";
  var button = document.querySelector(".copy-link");
  if (button && navigator.clipboard) {
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-url")).then(function () {
        button.setAttribute("data-copied", "true");
        button.textContent = button.getAttribute("data-done") || button.textContent;
      });
    });
  }

  var views = document.querySelector(".views[data-beacon]");
  if (!views) {
    return;
  }
  var sent = false;

  function show(count) {
    var template = (count === 1 && views.getAttribute("data-template-one")) || views.getAttribute("data-template");
    if (template && template.indexOf("__N__") !== -1) {
      views.textContent = template.replace("__N__", String(count));
    }
  }

  function referrer() {
    try {
      var from = new URL(document.referrer);
      return (from.origin + from.pathname).slice(0, 300);
    } catch (error) {
      return "";
    }
  }

  function countView() {
    // Once per page view; a page restored from the back/forward cache is the same view.
    if (sent || document.prerendering || document.visibilityState === "hidden") {
      return;
    }
    sent = true;
    var url = views.getAttribute("data-beacon");
    // Where the reader came from (address without its query) tells the server when staff
    // came from the back office.
    var body = new URLSearchParams();
    body.set("r", referrer());
    if (window.fetch) {
      fetch(url, { method: "POST", body: body, keepalive: true, credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (data && typeof data.views === "number") {
            show(data.views);
          }
        })
        .catch(function () {});
    } else if (navigator.sendBeacon) {
      navigator.sendBeacon(url, body);
    }
  }

  // A prerendered or background page is not (yet) seen: wait until it is shown.
  if (document.prerendering) {
    document.addEventListener("prerenderingchange", countView, { once: true });
  }
  document.addEventListener("visibilitychange", countView);
  countView();
})();
