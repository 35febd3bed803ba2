// Passkeys (WebAuthn) on the second-factor pages: adding one (accounts/two_factor_passkey_add.html)
// and verifying a session with one (accounts/two_factor_verify.html).
//
// No inline script anywhere (the Content-Security-Policy allows scripts from 'self' only): the page
// gives the ceremony's URLs and the CSRF token in a JSON block (#passkey-config, json_script), and
// the messages to show, already translated, in data-msg-* attributes of the [data-passkey]
// element. The server side is django-otp-webauthn's views (humas/accounts/views.py); this script
// only turns their options into the browser's navigator.credentials call and its answer back into
// JSON. Without WebAuthn the button stays hidden and the page's own text says so.
(function () {
  "use strict";

  var root = document.querySelector("[data-passkey]");
  var configElement = document.getElementById("passkey-config");
  if (!root || !configElement) { return; }
  var config = JSON.parse(configElement.textContent);
  var ceremony = root.getAttribute("data-passkey");
  var button = root.querySelector("[data-passkey-start]");
  var status = root.querySelector("[data-passkey-status]");
  var unsupported = root.querySelector("[data-passkey-unsupported]");

  if (typeof window.PublicKeyCredential !== "function" || !navigator.credentials || !window.isSecureContext) {
    return;
  }
  if (unsupported) { unsupported.hidden = true; }
  button.hidden = false;

  function message(name) { return root.getAttribute("data-msg-" + name) || ""; }

  function say(text) { status.textContent = text; }

  function toBuffer(value) {
    var base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    base64 += "===".slice((base64.length + 3) % 4);
    var binary = window.atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return window.btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptor(item) {
    var out = { type: item.type, id: toBuffer(item.id) };
    if (item.transports) { out.transports = item.transports; }
    return out;
  }

  function post(url, body) {
    return window.fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "Content-Type": "application/json", "X-CSRFToken": config.csrfToken },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = new Error(data.detail || "");
          error.server = data;
          throw error;
        }
        return data;
      });
    });
  }

  function common(credential) {
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {}
    };
  }

  function create(options) {
    var publicKey = Object.assign({}, options, {
      challenge: toBuffer(options.challenge),
      user: Object.assign({}, options.user, { id: toBuffer(options.user.id) }),
      excludeCredentials: (options.excludeCredentials || []).map(descriptor)
    });
    return navigator.credentials.create({ publicKey: publicKey }).then(function (credential) {
      var answer = common(credential);
      answer.response = {
        clientDataJSON: toBase64url(credential.response.clientDataJSON),
        attestationObject: toBase64url(credential.response.attestationObject),
        transports: typeof credential.response.getTransports === "function" ? credential.response.getTransports() : []
      };
      return answer;
    });
  }

  function get(options) {
    var publicKey = Object.assign({}, options, {
      challenge: toBuffer(options.challenge),
      allowCredentials: (options.allowCredentials || []).map(descriptor)
    });
    return navigator.credentials.get({ publicKey: publicKey }).then(function (credential) {
      var answer = common(credential);
      answer.response = {
        clientDataJSON: toBase64url(credential.response.clientDataJSON),
        authenticatorData: toBase64url(credential.response.authenticatorData),
        signature: toBase64url(credential.response.signature),
        userHandle: credential.response.userHandle ? toBase64url(credential.response.userHandle) : undefined
      };
      return answer;
    });
  }

  function failed(error) {
    button.disabled = false;
    var server = error && error.server;
    if (server && server.redirect_url) {
      window.location.assign(server.redirect_url);
      return;
    }
    var name = error && error.name;
    if (server && server.detail) {
      say(server.detail);
    } else if (name === "NotAllowedError" || name === "AbortError") {
      say(message("cancelled"));
    } else if (name === "InvalidStateError" && ceremony === "register") {
      say(message("exists"));
    } else if (name === "SecurityError") {
      say(message("security"));
    } else {
      say(message("failed"));
    }
  }

  function start(event) {
    if (event) { event.preventDefault(); }
    var name = root.querySelector("input[name=name]");
    if (name && !name.reportValidity()) { return; }
    button.disabled = true;
    say(message("busy"));
    post(config.beginUrl)
      .then(ceremony === "register" ? create : get)
      .then(function (answer) {
        var body = ceremony === "register" ? { name: name ? name.value : "", credential: answer } : answer;
        return post(config.completeUrl, body);
      })
      .then(function (data) { window.location.assign(data.redirect_url); })
      .catch(failed);
  }

  if (root.tagName === "FORM") {
    root.addEventListener("submit", start);
  } else {
    button.addEventListener("click", start);
  }
})();
