// Show the clarification and announcement fields only for their content type. Without this
// script every field stays visible and the server still validates them by type.
(function () {
  "use strict";
  var type = document.getElementById("id_type");
  if (!type) { return; }
  var dependent = document.querySelectorAll("[data-only-type]");
  function update() {
    for (var i = 0; i < dependent.length; i++) {
      var row = dependent[i].closest(".form-row");
      if (row) { row.hidden = dependent[i].getAttribute("data-only-type") !== type.value; }
    }
  }
  type.addEventListener("change", update);
  update();
})();
