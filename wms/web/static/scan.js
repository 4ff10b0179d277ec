// The scan field of the scanner pages: a keyboard-wedge scanner types the code and presses
// Enter. The page shows what was scanned and keeps the field focused for the next scan.
// Without JavaScript the form still works: it reloads the page with ?code=...
(function () {
  "use strict";

  var form = document.getElementById("scan-form");
  var input = document.getElementById("scan-input");
  var result = document.getElementById("scan-result");
  var history = document.getElementById("scan-history");
  var template = document.getElementById("scanned-template");
  if (!form || !input || !result || !template) {
    return;
  }
  var HISTORY_LENGTH = 10;

  function printable(raw) {
    // Wedges may send control characters (GS as Ctrl+]); show only what can be printed.
    return raw.replace(/[\u0000-\u001f\u007f]/g, "").trim().slice(0, 200);
  }

  function show(code) {
    var shown = template.content.cloneNode(true);
    shown.querySelector("output").textContent = code;
    result.replaceChildren(shown);
    if (history) {
      var item = document.createElement("li");
      item.textContent = code;
      history.prepend(item);
      while (history.children.length > HISTORY_LENGTH) {
        history.lastElementChild.remove();
      }
    }
  }

  function refocus() {
    if (document.activeElement === document.body || document.activeElement === null) {
      input.focus();
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = printable(input.value);
    input.value = "";
    if (code) {
      show(code);
    }
    input.focus();
  });

  // Keep the field ready for the next scan when a tap lands on empty space.
  input.addEventListener("blur", function () {
    window.setTimeout(refocus, 0);
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      refocus();
    }
  });
  input.focus();
})();
