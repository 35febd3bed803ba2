// The Konten editor: a live character counter per platform and previews of the images chosen.
// (The counters are <span>s: Chromium does not open a <details> whose <summary> is clicked on a
// form control such as <output>.)
// Without this script the page still works: the counts are rendered by the server and every
// limit is checked again on saving, with the limit named.
(function () {
  "use strict";
  var form = document.querySelector("[data-post-form]");
  if (!form) { return; }
  var mainText = form.querySelector("#id_text");
  var link = form.querySelector("#id_link");
  var fileInput = form.querySelector("input[type=file][name=images]");

  // X counts like twitter-text v3 (humas/channels/connectors/x.py weighted_length): these code
  // points weigh 1, every other 2, a URL 23, and emoji sequences count once.
  var LIGHT = [[0, 4351], [8192, 8205], [8208, 8223], [8242, 8247]];
  var URL_RE = /(?:https?:\/\/|www\.)\S+|\b(?:[a-z0-9-]+\.)+(?:id|com|org|net|info|io|co|gov|edu|me|ly|tv)\b(?:\/\S*)?/gi;
  var HASHTAG_RE = /(^|[^\p{L}\p{N}_])#[\p{L}\p{N}_]+/gu;
  function isTail(cp) {
    return cp === 0x200D || (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0x1F3FB && cp <= 0x1F3FF) || (cp >= 0xE0020 && cp <= 0xE007F);
  }
  function weigh(text) {
    var total = 0, previousHeavy = false, joined = false;
    for (var ch of text) {
      var cp = ch.codePointAt(0);
      if (isTail(cp) && previousHeavy) { joined = cp === 0x200D; continue; }
      if (joined) { joined = false; continue; }
      var light = LIGHT.some(function (r) { return cp >= r[0] && cp <= r[1]; });
      total += light ? 1 : 2;
      previousHeavy = !light;
    }
    return total;
  }
  function weighted(text) {
    text = text.normalize("NFC");
    var total = 0, position = 0, match;
    URL_RE.lastIndex = 0;
    while ((match = URL_RE.exec(text)) !== null) {
      total += weigh(text.slice(position, match.index)) + 23;
      position = match.index + match[0].length;
    }
    return total + weigh(text.slice(position));
  }
  function withLink(text) {
    var url = link ? link.value.trim() : "";
    if (url && text.indexOf(url) === -1) { return (text + "\n\n" + url).trim(); }
    return text;
  }
  function imageCount() {
    var kept = 0;
    form.querySelectorAll("input[type=checkbox][name^=remove_]").forEach(function (box) { if (!box.checked) { kept += 1; } });
    return kept + (fileInput && fileInput.files ? fileInput.files.length : 0);
  }
  function update() {
    var images = imageCount();
    form.querySelectorAll("[data-counter]").forEach(function (out) {
      var platform = out.getAttribute("data-counter");
      var own = form.querySelector("textarea[data-variant='" + platform + "']");
      var text = withLink((own && own.value.trim()) || (mainText ? mainText.value.trim() : ""));
      var length = out.hasAttribute("data-weighted") ? weighted(text) : Array.from(text).length;
      var limitAttr = out.getAttribute(images ? "data-limit-images" : "data-limit");
      var unit = out.getAttribute("data-unit") || "";
      var label = limitAttr ? length + " / " + limitAttr + " " + unit : length + " " + unit;
      var over = limitAttr ? length > parseInt(limitAttr, 10) : false;
      var hashtagLimit = out.getAttribute("data-hashtags");
      if (hashtagLimit) {
        var tags = (text.match(HASHTAG_RE) || []).length;
        label += " · " + tags + " / " + hashtagLimit + " " + (out.getAttribute("data-hashtag-word") || "#");
        over = over || tags > parseInt(hashtagLimit, 10);
      }
      out.textContent = label;
      out.classList.toggle("over", over);
    });
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);

  // Previews of the chosen files, each with its own alt text field (the one-line-per-image
  // field is the fallback without this script).
  var previews = form.querySelector("[data-previews]");
  var altLines = form.querySelector("[data-alt-lines]");
  if (fileInput && previews && altLines) {
    fileInput.addEventListener("change", function () {
      previews.textContent = "";
      var files = Array.from(fileInput.files || []);
      previews.hidden = files.length === 0;
      altLines.hidden = files.length > 0;
      var altLabel = altLines.querySelector("label").textContent;
      files.forEach(function (file, index) {
        var item = document.createElement("div");
        item.className = "post-image";
        var img = document.createElement("img");
        img.src = URL.createObjectURL(file);
        img.alt = "";
        img.onload = function () { URL.revokeObjectURL(img.src); };
        var label = document.createElement("label");
        label.htmlFor = "new-alt-" + index;
        label.textContent = altLabel + " (" + file.name + ")";
        var input = document.createElement("input");
        input.type = "text";
        input.name = "new_alt_each";
        input.id = "new-alt-" + index;
        input.required = true;
        input.maxLength = 250;
        item.appendChild(img);
        item.appendChild(label);
        item.appendChild(input);
        previews.appendChild(item);
      });
    });
  }
  update();
})();
