// "Copy" buttons of the manual-upload panels (publishing/_assisted.html): copy the text of the
// field named by data-copy and say so in its status line. The buttons stay hidden without JS.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) { return; }
  var source = document.getElementById(button.getAttribute("data-copy"));
  var status = document.getElementById(button.getAttribute("data-copy") + "-status");
  function done() { if (status) { status.textContent = button.getAttribute("data-copied"); } }
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(source.value).then(done, function () { source.select(); });
  } else {
    source.select();
    if (document.execCommand("copy")) { done(); }
  }
});
document.querySelectorAll("[data-copy]").forEach(function (button) { button.hidden = false; });
