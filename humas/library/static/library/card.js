// The card maker: only the fields the chosen template uses are shown, and the preview follows
// what is typed (a moment after typing stops). What is saved is what the form holds when the
// save button is pressed. Without this script the page still works: every field is shown and
// "Pratinjau" reloads the page with the preview and the problems found by the server.
(function () {
  "use strict";
  var form = document.querySelector("[data-card-form]");
  if (!form) { return; }
  var image = document.querySelector("[data-card-image]");
  var save = document.querySelector("[data-card-save]");
  var values = document.querySelector("[data-card-values]");
  var failed = document.querySelector("[data-card-failed]");
  var placeholder = document.querySelector("[data-card-placeholder]");
  var problems = document.querySelector("[data-card-problems]");
  var USES = {
    "pengumuman": ["body"],
    "kutipan": ["body", "attribution"],
    "fakta-angka": ["body", "figure"],
    "jadwal": ["schedule"],
    "klarifikasi": ["body", "verdict"]
  };
  var OPTIONAL = ["body", "attribution", "figure", "schedule", "verdict"];

  function rowOf(name) {
    var field = form.elements.namedItem(name);
    return field && field.closest ? field.closest(".form-row") : null;
  }
  function showFields() {
    var template = form.elements.namedItem("template").value;
    var used = USES[template] || OPTIONAL;
    OPTIONAL.forEach(function (name) {
      var row = rowOf(name);
      if (row) { row.hidden = used.indexOf(name) < 0; }
    });
  }
  function query() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      var row = rowOf(name);
      if (value && !(row && row.hidden)) { params.append(name, value); }
    });
    return params;
  }
  var timer = null;
  function refresh() {
    var params = query();
    if (!params.get("title")) { return; }
    image.src = form.dataset.previewUrl + "?" + params.toString();
  }
  image.addEventListener("load", function () {
    image.hidden = false;
    failed.hidden = true;
    if (placeholder) { placeholder.hidden = true; }
    if (problems) { problems.hidden = true; }
    save.hidden = false;
  });
  image.addEventListener("error", function () {
    image.hidden = true;
    failed.hidden = false;
    save.hidden = true;
  });
  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 700);
  });
  form.addEventListener("change", function (event) {
    if (event.target.name === "template") { showFields(); }
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 200);
  });
  save.addEventListener("submit", function () {
    values.textContent = "";
    query().forEach(function (value, name) {
      var field = document.createElement("textarea");
      field.name = name;
      field.hidden = true;
      field.value = value;
      values.appendChild(field);
    });
  });
  showFields();
}());
