// Article page behaviour that works on a page served from the cache: copy-link button.
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
})();
