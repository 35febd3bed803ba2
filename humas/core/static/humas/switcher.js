// Office switcher: picking a searched office from the list opens it. Without this script the
// <select> and its "Buka" button still work for the offices a person belongs to.
(function () {
  "use strict";
  var input = document.getElementById("office-switch");
  if (!input) { return; }
  var form = input.form;
  var list = document.getElementById("office-options");
  var select = form.querySelector("select[name=office]");
  input.addEventListener("change", function () {
    var value = input.value.trim();
    var options = list.querySelectorAll("option");
    for (var i = 0; i < options.length; i++) {
      if (options[i].value === value) {
        var slug = options[i].getAttribute("data-slug");
        var existing = select.querySelector('option[value="' + CSS.escape(slug) + '"]');
        if (!existing) {
          existing = document.createElement("option");
          existing.value = slug;
          existing.textContent = value;
          select.appendChild(existing);
        }
        select.value = slug;
        form.submit();
        return;
      }
    }
  });
})();
