// Label buttons on the scanner pages: print the page's label on a printer of the FC, chosen in
// a list that remembers the last choice on this device (localStorage, per page kind and FC).
(function () {
  "use strict";

  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";

  function newKey() {
    var cryptoApi = window.crypto;
    if (cryptoApi && typeof cryptoApi.randomUUID === "function") {
      return "label-" + cryptoApi.randomUUID();
    }
    return "label-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  function remembered(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (error) {
      return null;
    }
  }

  function remember(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (error) {
      // Private mode: the choice lasts as long as the page.
    }
  }

  function wire(box) {
    var form = box.querySelector("form.label-print");
    if (!form) {
      return;
    }
    var select = form.querySelector("select");
    var button = form.querySelector("button[type=submit]");
    var status = box.querySelector(".label-print-status");
    var storeKey = box.getAttribute("data-printer-key");
    var chosen = remembered(storeKey);
    if (chosen && select.querySelector('option[value="' + chosen + '"]')) {
      select.value = chosen;
    }
    select.addEventListener("change", function () {
      remember(storeKey, select.value);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      remember(storeKey, select.value);
      button.disabled = true;
      status.classList.remove("label-print-error");
      status.textContent = box.getAttribute("data-msg-sending");
      fetch(box.getAttribute("data-print-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "Accept": "application/json",
          "X-CSRFToken": csrf,
          "Idempotency-Key": newKey()
        },
        body: JSON.stringify({ printer_id: Number(select.value) })
      }).then(function (response) {
        return response.json().then(function (body) {
          if (response.ok) {
            status.textContent = body.message;
          } else {
            status.classList.add("label-print-error");
            status.textContent = body.error ? body.error.message : response.statusText;
          }
        });
      }).catch(function () {
        status.classList.add("label-print-error");
        status.textContent = box.getAttribute("data-msg-network");
      }).then(function () {
        button.disabled = false;
      });
    });
  }

  document.querySelectorAll(".label-actions[data-print-url]").forEach(wire);
}());
