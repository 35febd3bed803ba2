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

// The rich-text editor (django-prose-editor) replaces the body's textarea with an editable
// element that has no accessible name: give it the field's label, once the editor exists.
(function () {
  "use strict";
  var textarea = document.getElementById("id_body");
  var label = document.querySelector('label[for="id_body"]');
  if (!textarea || !label) { return; }
  var row = textarea.closest(".form-row") || textarea.parentElement;
  if (!label.id) { label.id = "id_body_label"; }
  function name() {
    var editable = row.querySelector('[contenteditable="true"]');
    if (!editable) { return false; }
    editable.setAttribute("aria-labelledby", label.id);
    return true;
  }
  if (name()) { return; }
  var observer = new MutationObserver(function () { if (name()) { observer.disconnect(); } });
  observer.observe(row, { childList: true, subtree: true });
})();
