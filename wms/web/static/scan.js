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

// The scanner flows (receiving, putaway; pick, pack and ship in scan_outbound.js): every scan is
// sent as JSON to the page's endpoint with a fresh idempotency key, one after the other; the
// answer updates the page in place. A refused scan is shown big and red and must be acknowledged
// with Enter or Escape; a lost connection is retried with the same key, so a scan is never
// counted twice.
(function () {
  "use strict";

  var flow = document.getElementById("flow");
  if (!flow || !flow.dataset.flow) {
    return;
  }
  var kind = flow.dataset.flow;
  var form = document.getElementById("flow-form");
  var input = document.getElementById("scan-input");
  var prompt = document.getElementById("prompt");
  var statusBox = document.getElementById("scan-status");
  var errorBox = document.getElementById("scan-error");
  var errorMessage = document.getElementById("scan-error-message");
  var errorHint = document.getElementById("scan-error-hint");
  var errorOk = document.getElementById("scan-error-ok");
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var messages = flow.dataset;
  var defaultHint = errorHint ? errorHint.textContent : "";
  var MAX_SCAN = 200;
  var RETRY_DELAYS = [0, 400, 1500];
  var FLASH_MS = 700;

  var queue = []; // scans waiting to be sent, oldest first
  var busy = false; // a scan is on its way
  var modal = null; // {container, onEnter, onEscape, blockTyping} while a message or question is up
  var audio = null;
  var jobFor = null; // the flow's job for one scan: {url, body, key, ok(body), refused(result)}

  // --- sending ---------------------------------------------------------------------------

  function newKey() {
    var cryptoApi = window.crypto;
    if (cryptoApi && typeof cryptoApi.randomUUID === "function") {
      return "scan-" + cryptoApi.randomUUID();
    }
    var bytes = new Uint8Array(16);
    if (cryptoApi && typeof cryptoApi.getRandomValues === "function") {
      cryptoApi.getRandomValues(bytes);
    } else {
      for (var i = 0; i < bytes.length; i += 1) {
        bytes[i] = Math.floor(Math.random() * 256);
      }
    }
    var hex = "";
    for (var j = 0; j < bytes.length; j += 1) {
      hex += (bytes[j] + 256).toString(16).slice(1);
    }
    return "scan-" + hex + "-" + Date.now().toString(36);
  }

  function wait(ms) {
    return new Promise(function (resolve) {
      window.setTimeout(resolve, ms);
    });
  }

  function post(url, body, key) {
    var headers = {
      "Content-Type": "application/json",
      "Accept": "application/json",
      "X-CSRFToken": csrf
    };
    if (key) {
      headers["Idempotency-Key"] = key;
    }
    return fetch(url, {
      method: "POST",
      headers: headers,
      body: JSON.stringify(body || {}),
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().catch(function () {
        return null;
      }).then(function (data) {
        return { status: response.status, ok: response.ok, body: data };
      });
    });
  }

  // Network failures and server errors are retried with the same key: a replay changes nothing.
  function deliver(url, body, key) {
    function attempt(index) {
      return wait(RETRY_DELAYS[index]).then(function () {
        return post(url, body, key);
      }).then(function (result) {
        if (result.status >= 500 && index + 1 < RETRY_DELAYS.length) {
          return attempt(index + 1);
        }
        return result;
      }, function () {
        if (index + 1 < RETRY_DELAYS.length) {
          return attempt(index + 1);
        }
        return { status: 0, ok: false, body: null };
      });
    }
    return attempt(0);
  }

  function errorOf(result) {
    return (result.body && result.body.error) || {};
  }

  function run(job) {
    busy = true;
    return deliver(job.url, job.body, job.key).then(function (result) {
      busy = false;
      if (result.ok) {
        job.ok(result.body || {});
      } else if (result.status === 0 || result.status >= 500) {
        showError(errorOf(result).message || messages.msgNetwork, {
          retry: function () {
            run(job);
          }
        });
      } else if (!(job.refused && job.refused(result))) {
        var error = errorOf(result);
        showError(error.message || String(result.status), { field: error.field });
      }
      pump();
    });
  }

  function pump() {
    if (busy || modal || !queue.length || !jobFor) {
      return;
    }
    run(jobFor(queue.shift()));
  }

  // --- feedback --------------------------------------------------------------------------

  function beep(frequency, ms) {
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) {
        return;
      }
      audio = audio || new Context();
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.value = 0.08;
      oscillator.connect(gain);
      gain.connect(audio.destination);
      oscillator.start();
      oscillator.stop(audio.currentTime + ms / 1000);
    } catch (ignored) {
      // No sound on this device; the colours still tell.
    }
  }

  function vibrate(pattern) {
    if (typeof navigator.vibrate === "function") {
      navigator.vibrate(pattern);
    }
  }

  function flashOk(message) {
    if (statusBox) {
      statusBox.textContent = message || "";
    }
    flow.classList.add("flash-ok");
    window.setTimeout(function () {
      flow.classList.remove("flash-ok");
    }, FLASH_MS);
    beep(1320, 90);
    vibrate(40);
  }

  function openModal(container, handlers) {
    modal = {
      container: container,
      onEnter: handlers.onEnter,
      onEscape: handlers.onEscape || handlers.onEnter,
      blockTyping: handlers.blockTyping !== false
    };
  }

  function closeModal() {
    modal = null;
  }

  // A refused scan blocks the screen until Enter or Escape; scans queued behind it are not
  // sent (they may depend on it) and are listed so they can be scanned again.
  function showError(message, options) {
    options = options || {};
    var text = message;
    if (queue.length) {
      text += " " + messages.msgDropped + " " + queue.join(", ");
      queue = [];
    }
    if (statusBox) {
      statusBox.textContent = "";
    }
    errorMessage.textContent = text;
    errorHint.textContent = options.retry ? messages.msgRetry : defaultHint;
    errorBox.hidden = false;
    errorOk.focus();
    beep(220, 350);
    vibrate([120, 60, 120]);
    function dismiss(retry) {
      errorBox.hidden = true;
      closeModal();
      if (retry && options.retry) {
        options.retry();
      } else if (options.field && fieldHandlers[options.field]) {
        fieldHandlers[options.field]();
      } else {
        focusScan();
      }
      pump();
    }
    openModal(errorBox, {
      onEnter: function () {
        dismiss(true);
      },
      onEscape: function () {
        dismiss(false);
      }
    });
  }

  if (errorOk) {
    errorOk.addEventListener("click", function () {
      if (modal && modal.container === errorBox) {
        modal.onEscape();
      }
    });
  }

  // What to focus after an error about one of the fields beside the scan.
  var fieldHandlers = {};

  // --- focus and keys ----------------------------------------------------------------------

  function focusScan() {
    if (input && !(form && form.hidden)) {
      input.focus();
    }
  }

  function editable(element) {
    if (!element) {
      return false;
    }
    var tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable) {
      return true;
    }
    return tag === "INPUT" && !/^(checkbox|radio|button|submit|reset)$/.test(element.type);
  }

  document.addEventListener("keydown", function (event) {
    if (modal) {
      if (event.key === "Enter" || event.key === "Escape") {
        var onButton = event.target && event.target.tagName === "BUTTON" &&
          modal.container.contains(event.target) && event.target !== errorOk;
        if (event.key === "Enter" && onButton) {
          return; // the button's own action
        }
        event.preventDefault();
        event.stopPropagation();
        if (event.key === "Enter") {
          modal.onEnter();
        } else {
          modal.onEscape();
        }
      } else if (modal.blockTyping && event.key !== "Tab" && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
      }
      return;
    }
    if (shortcuts[event.key]) {
      event.preventDefault();
      shortcuts[event.key]();
      return;
    }
    // A scan typed while the focus is elsewhere (a tapped link, the page) goes to the scan field.
    var printable = event.key && event.key.length === 1 && event.key !== " ";
    if (printable && input && !editable(event.target) && !event.ctrlKey && !event.metaKey &&
        !event.altKey && !(form && form.hidden)) {
      event.preventDefault();
      input.focus();
      input.value += event.key;
    }
  }, true);

  var shortcuts = {};

  if (input) {
    input.addEventListener("blur", function () {
      window.setTimeout(function () {
        if (!modal && (document.activeElement === document.body || document.activeElement === null)) {
          focusScan();
        }
      }, 0);
    });
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && !modal && !editable(document.activeElement)) {
      focusScan();
    }
  });

  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var raw = input.value.slice(0, MAX_SCAN);
      input.value = "";
      focusScan();
      if (raw.trim()) {
        queue.push(raw);
        pump();
      }
    });
  }

  // --- receiving ---------------------------------------------------------------------------

  function element(tag, className, text) {
    var made = document.createElement(tag);
    if (className) {
      made.className = className;
    }
    if (text !== undefined && text !== null) {
      made.textContent = String(text);
    }
    return made;
  }

  function nameSpan(name) {
    var span = element("span", "sku-name", name || "");
    span.lang = messages.locale === "th" ? "th" : "en";
    return span;
  }

  function progressRow(row, fresh) {
    var tr = document.createElement("tr");
    tr.dataset.sku = row.sku_code;
    tr.dataset.lot = row.lot_number || "";
    if (row.counted > row.expected) {
      tr.classList.add("row-over");
    } else if (row.expected && !row.remaining) {
      tr.classList.add("row-done");
    }
    if (fresh) {
      tr.classList.add("row-fresh");
    }
    var item = element("th");
    item.scope = "row";
    item.append(element("span", "code", row.sku_code), " ", nameSpan(row.sku_name));
    if (row.lot_number) {
      var lot = element("span", "lot", messages.msgLot + " ");
      lot.append(element("span", "code", row.lot_number));
      item.append(lot);
    }
    tr.append(item);
    var expected = element("td", "num", row.expected);
    expected.dataset.figure = "expected";
    var counted = element("td", "num");
    var figure = element("span", null, row.counted);
    figure.dataset.figure = "counted";
    counted.append(figure);
    if (row.damaged) {
      counted.append(" ", element("span", "badge badge-damaged",
        messages.msgDamaged.replace("{n}", row.damaged)));
    }
    var remaining = element("td", "num", row.remaining);
    remaining.dataset.figure = "remaining";
    tr.append(expected, counted, remaining);
    return tr;
  }

  function setupReceiveStart() {
    jobFor = function (raw) {
      return {
        url: flow.dataset.startUrl,
        body: { scan: raw },
        key: newKey(),
        ok: function (receipt) {
          flashOk(receipt.message);
          queue = [];
          busy = true; // the receipt's page takes the next scans
          window.location.assign(receipt.url);
        }
      };
    };
  }

  function setupReceive() {
    var quantity = document.getElementById("quantity");
    var damaged = document.getElementById("damaged");
    var lotEntry = document.getElementById("lot-entry");
    var lot = document.getElementById("lot-number");
    var expiry = document.getElementById("expiry-date");
    var carton = document.getElementById("current-carton");
    var table = document.querySelector("#receipt-progress tbody");
    var closeActions = document.getElementById("close-actions");
    var closeButton = document.getElementById("close-receipt");
    var confirmBox = document.getElementById("close-confirm");
    var summary = document.getElementById("receipt-summary");
    var closeKey = null;

    function entryNow() {
      return {
        quantity: quantity ? quantity.value : "",
        damaged: Boolean(damaged && damaged.checked),
        lot: lot ? lot.value : "",
        expiry: expiry ? expiry.value : ""
      };
    }

    // After a count, the fields beside the scan go back to 1 unit, not damaged, no lot, unless
    // the worker changed them while the scan was on its way (they are for the next scan then).
    function resetEntry(sent) {
      var now = entryNow();
      if (quantity && now.quantity === sent.quantity) {
        quantity.value = "1";
      }
      if (damaged && now.damaged === sent.damaged) {
        damaged.checked = false;
      }
      if (lot && now.lot === sent.lot && now.expiry === sent.expiry) {
        lot.value = "";
        expiry.value = "";
        lotEntry.hidden = true;
      }
    }

    function units() {
      var text = quantity ? quantity.value.trim() : "";
      if (!text) {
        return 1;
      }
      var number = Number(text);
      return Number.isInteger(number) ? number : text;
    }

    function focusField(field) {
      return function () {
        if (field === lot || field === expiry) {
          lotEntry.hidden = false;
        }
        field.focus();
        if (typeof field.select === "function") {
          field.select();
        }
      };
    }
    fieldHandlers.quantity = focusField(quantity);
    fieldHandlers.lot_number = focusField(lot);
    fieldHandlers.expiry_date = focusField(expiry);

    // Enter in a field beside the scan goes back to the scan field (the value is kept).
    [quantity, damaged, lot, expiry].forEach(function (field) {
      if (!field) {
        return;
      }
      field.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
          focusScan();
        }
      });
    });

    function render(receipt) {
      if (prompt) {
        prompt.textContent = receipt.prompt;
      }
      if (carton) {
        carton.textContent = receipt.current_carton || messages.msgNone;
      }
      var last = receipt.last_count;
      var rows = (receipt.progress || []).map(function (row) {
        var fresh = Boolean(last) && last.sku_code === row.sku_code &&
          (last.lot_number || "") === (row.lot_number || "");
        return progressRow(row, fresh);
      });
      table.replaceChildren.apply(table, rows);
      flow.dataset.status = receipt.status;
    }

    function renderSummary(receipt) {
      var discrepancies = receipt.discrepancies || [];
      var body = document.querySelector("#discrepancies tbody");
      body.replaceChildren.apply(body, discrepancies.map(function (item) {
        var tr = document.createElement("tr");
        tr.dataset.kind = item.kind;
        var sku = element("td");
        sku.append(element("span", "code", item.sku_code), " ", nameSpan(item.sku_name));
        tr.append(element("td", null, item.kind_label), sku,
          element("td", "code", item.lot_number || "–"),
          element("td", "num", item.expected), element("td", "num", item.received));
        return tr;
      }));
      document.getElementById("no-discrepancies").hidden = discrepancies.length > 0;
      document.getElementById("discrepancies-wrap").hidden = discrepancies.length === 0;
      var tasks = receipt.putaway_tasks || [];
      var list = document.getElementById("putaway-tasks");
      list.replaceChildren.apply(list, tasks.map(function (task) {
        var link = element("a", "task-link");
        link.href = task.url;
        link.dataset.taskId = task.id;
        var main = element("span", "task-link-main");
        main.append(element("span", "code", task.sku_code), " × " + task.quantity);
        var where = element("span", "task-link-detail",
          (task.lot_number ? task.lot_number + " · " : "") + "→ " +
          (task.suggested_location_code || "?"));
        link.append(main, nameSpan(task.sku_name), where);
        var li = document.createElement("li");
        li.append(link);
        return li;
      }));
      document.getElementById("no-putaway-tasks").hidden = tasks.length > 0;
      summary.hidden = false;
    }

    function closed(receipt) {
      render(receipt);
      if (receipt.discrepancies || receipt.putaway_tasks) {
        renderSummary(receipt);
      }
      form.hidden = true;
      closeActions.hidden = true;
      flashOk(""); // the prompt and the summary say it
      var next = document.getElementById("go-putaway");
      if (next) {
        next.focus();
      }
    }

    function askClose() {
      if (modal || busy || flow.dataset.status === "closed") {
        return;
      }
      confirmBox.hidden = false;
      confirmBox.focus();
      openModal(confirmBox, { onEnter: confirmClose, onEscape: cancelClose });
    }

    function cancelClose() {
      confirmBox.hidden = true;
      closeModal();
      focusScan();
      pump();
    }

    function confirmClose() {
      confirmBox.hidden = true;
      closeModal();
      closeKey = closeKey || newKey();
      run({
        url: flow.dataset.closeUrl,
        body: {},
        key: closeKey,
        ok: closed,
        refused: function () {
          closeKey = null; // refused: nothing changed, a later close is a new request
          return false;
        }
      });
    }

    if (closeButton) {
      closeButton.addEventListener("click", askClose);
      document.getElementById("close-confirm-yes").addEventListener("click", function () {
        if (modal && modal.container === confirmBox) {
          confirmClose();
        }
      });
      document.getElementById("close-confirm-no").addEventListener("click", function () {
        if (modal && modal.container === confirmBox) {
          cancelClose();
        }
      });
      shortcuts.F2 = askClose;
    }

    jobFor = function (raw) {
      var sent = entryNow();
      var body = { scan: raw, quantity: units(), damaged: sent.damaged };
      if (lot && lot.value.trim()) {
        body.lot_number = lot.value.trim();
      }
      if (expiry && expiry.value.trim()) {
        body.expiry_date = expiry.value.trim();
      }
      return {
        url: flow.dataset.scanUrl,
        body: body,
        key: newKey(),
        ok: function (receipt) {
          render(receipt);
          if (receipt.last_count) {
            resetEntry(sent);
          }
          flashOk(receipt.message);
        }
      };
    };
  }

  // --- putaway -----------------------------------------------------------------------------

  function findJob(raw) {
    return {
      url: flow.dataset.findUrl,
      body: { scan: raw },
      key: null,
      ok: function (found) {
        flashOk("");
        queue = [];
        busy = true; // the task's page takes the next scans
        window.location.assign(found.url);
      }
    };
  }

  function setupPutawayList() {
    jobFor = findJob;
  }

  function setupPutawayTask() {
    var mode = flow.dataset.status === "open" ? "bin" : "find";
    var override = document.getElementById("override");
    var overrideMessage = document.getElementById("override-message");
    var reason = document.getElementById("override-reason");
    var done = document.getElementById("task-done");
    var doneMessage = document.getElementById("task-done-message");

    function finished(answer) {
      mode = "find";
      flow.dataset.status = answer.task.status;
      doneMessage.textContent = answer.message;
      done.hidden = false;
      if (prompt) {
        prompt.textContent = messages.msgNext;
      }
      flashOk(""); // the done panel says it
    }

    function completeJob(raw, because) {
      return {
        url: flow.dataset.completeUrl,
        body: { scan: raw, override_reason: because || null },
        key: newKey(),
        ok: finished,
        refused: function (result) {
          var error = errorOf(result);
          if (error.field === "override_reason" && !because) {
            askReason(raw, error.message);
            return true;
          }
          return false;
        }
      };
    }

    function hideOverride() {
      override.hidden = true;
      closeModal();
    }

    function submitReason(raw) {
      var text = reason.value.trim();
      if (!text) {
        reason.focus();
        return;
      }
      hideOverride();
      focusScan();
      run(completeJob(raw, text));
    }

    // Another good bin than the suggested one: the worker says why before the units go there.
    function askReason(raw, message) {
      overrideMessage.textContent = message;
      reason.value = "";
      override.hidden = false;
      reason.focus();
      beep(660, 120);
      openModal(override, {
        blockTyping: false,
        onEnter: function () {
          submitReason(raw);
        },
        onEscape: function () {
          hideOverride();
          focusScan();
          pump();
        }
      });
      override.onsubmit = function (event) {
        event.preventDefault();
        submitReason(raw);
      };
    }

    document.getElementById("override-cancel").addEventListener("click", function () {
      if (modal && modal.container === override) {
        modal.onEscape();
      }
    });

    jobFor = function (raw) {
      return mode === "bin" ? completeJob(raw, null) : findJob(raw);
    };
  }

  // On a handheld the scanner types, so the on-screen keyboard only hides the screen: it can be
  // switched off (inputmode="none"), per device. It stays on by default, for typing codes.
  var softKeyboard = document.getElementById("soft-keyboard");
  var SOFT_KEYBOARD_OFF = "pavilion.scanner.softKeyboardOff";
  function storedFlag() {
    try {
      return window.localStorage.getItem(SOFT_KEYBOARD_OFF) === "1";
    } catch (ignored) {
      return false;
    }
  }
  function applySoftKeyboard(off) {
    if (input) {
      if (off) {
        input.setAttribute("inputmode", "none");
      } else {
        input.removeAttribute("inputmode");
      }
    }
    if (softKeyboard) {
      softKeyboard.setAttribute("aria-pressed", off ? "true" : "false");
    }
  }
  if (softKeyboard) {
    softKeyboard.addEventListener("click", function () {
      var off = softKeyboard.getAttribute("aria-pressed") !== "true";
      try {
        window.localStorage.setItem(SOFT_KEYBOARD_OFF, off ? "1" : "0");
      } catch (ignored) {
        // Private mode: the choice lasts as long as the page.
      }
      applySoftKeyboard(off);
      focusScan();
    });
  }
  applySoftKeyboard(storedFlag());

  var setups = {
    "receive-start": setupReceiveStart,
    "receive": setupReceive,
    "putaway-list": setupPutawayList,
    "putaway-task": setupPutawayTask
  };
  // Other flows (pick, pack, ship: scan_outbound.js, loaded before this file) register their
  // set-up in window.PavilionScanFlows and get the same sending, errors, keys and focus.
  var extraFlows = window.PavilionScanFlows || {};
  if (setups[kind]) {
    setups[kind]();
  } else if (typeof extraFlows[kind] === "function") {
    extraFlows[kind]({
      flow: flow,
      form: form,
      input: input,
      prompt: prompt,
      messages: messages,
      newKey: newKey,
      run: run,
      errorOf: errorOf,
      showError: showError,
      flashOk: flashOk,
      beep: beep,
      openModal: openModal,
      closeModal: closeModal,
      isBusy: function () {
        return busy || modal !== null;
      },
      modalOf: function () {
        return modal ? modal.container : null;
      },
      focusScan: focusScan,
      pump: pump,
      setJob: function (made) {
        jobFor = made;
      },
      leave: function (url) {
        queue = [];
        busy = true; // the next page takes the next scans
        window.location.assign(url);
      },
      fieldHandlers: fieldHandlers,
      shortcuts: shortcuts,
      element: element,
      nameSpan: nameSpan
    });
  }
  if (form) {
    var send = form.querySelector('button[type="submit"]');
    if (send) {
      send.disabled = false;
    }
  }
  focusScan();
  flow.dataset.ready = "true";
})();
