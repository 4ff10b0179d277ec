// The outbound scanner flows: pick a trip, pack a tote's order, ship parcels on a manifest.
// Loaded before scan.js, which owns sending (JSON, CSRF, a fresh Idempotency-Key per request,
// retries with the same key), the blocking error box, the keys and the focus; each flow here
// says what one scan does and how the answer updates the page.
(function () {
  "use strict";

  var flows = window.PavilionScanFlows = window.PavilionScanFlows || {};

  function show(node, visible) {
    if (node) {
      node.hidden = !visible;
    }
  }

  function byId(id) {
    return document.getElementById(id);
  }

  function text(id, value) {
    var node = byId(id);
    if (node) {
      node.textContent = value === null || value === undefined ? "" : String(value);
    }
  }

  function wholeNumber(field) {
    var typed = field.value.trim();
    var number = Number(typed);
    return typed !== "" && Number.isInteger(number) ? number : typed;
  }

  // A yes/no question in the way of the scans: Enter (or its yes button) says yes, Escape (or
  // its no button) says no.
  function ask(api, box, yes, no) {
    function answer(handler) {
      return function () {
        box.hidden = true;
        api.closeModal();
        handler();
      };
    }
    box.answerYes = answer(yes);
    box.answerNo = answer(no);
    box.hidden = false;
    box.focus();
    api.openModal(box, { onEnter: box.answerYes, onEscape: box.answerNo });
  }

  function wireQuestion(api, box, yesId, noId) {
    byId(yesId).addEventListener("click", function () {
      if (api.modalOf() === box) {
        box.answerYes();
      }
    });
    byId(noId).addEventListener("click", function () {
      if (api.modalOf() === box) {
        box.answerNo();
      }
    });
  }

  // --- pick ----------------------------------------------------------------------------------

  function takeJob(api, url, body) {
    return {
      url: url,
      body: body,
      key: api.newKey(),
      ok: function (trip) {
        api.flashOk(trip.message);
        api.leave(trip.url);
      }
    };
  }

  flows["pick-list"] = function (api) {
    var url = api.flow.dataset.takeUrl;
    var next = byId("next-trip");
    function takeNext() {
      if (!api.isBusy() && next && !next.disabled) {
        api.run(takeJob(api, url, {}));
      }
    }
    if (next) {
      next.addEventListener("click", takeNext);
    }
    api.shortcuts.F2 = takeNext;
    api.setJob(function (raw) {
      return takeJob(api, url, { scan: raw });
    });
  };

  flows["pick-trip"] = function (api) {
    var trip = JSON.parse(byId("trip-data").textContent);
    var progress = trip.progress || {};
    var unitsForm = byId("units-form");
    var quantity = byId("pick-quantity");
    var damaged = byId("pick-damaged");
    var emptyBox = byId("empty-confirm");
    var STEPS = ["scan_bin", "scan_item", "confirm_quantity", "scan_tote"];

    function pickStep() {
      if (!progress.bin_code) {
        return "scan_bin";
      }
      if (!progress.gtin) {
        return "scan_item";
      }
      if (progress.quantity === null || progress.quantity === undefined) {
        return "confirm_quantity";
      }
      return "scan_tote";
    }

    // A refusal names the field to do again: that step and the ones after it are undone.
    function redo(field) {
      if (field === "location_code" || field === "progress") {
        progress = {};
      } else if (field === "gtin" || field === "lot_number") {
        progress = { bin_code: progress.bin_code };
      } else if (field === "quantity" || field === "damaged") {
        progress = { bin_code: progress.bin_code, gtin: progress.gtin,
          lot_number: progress.lot_number };
      } else if (field === "tote") {
        progress.tote_code = null;
      }
    }

    function renderTotes() {
      var open = trip.open_slot ? trip.open_slot.slot : null;
      (trip.totes || []).forEach(function (tote) {
        var row = document.querySelector('#totes tr[data-slot="' + tote.slot + '"]');
        if (row) {
          row.querySelector('[data-figure="tote"]').textContent = tote.tote_code || "–";
          row.classList.toggle("row-next", tote.slot === open);
        }
      });
    }

    function renderPicks() {
      var list = byId("trip-picks");
      var nextId = trip.next_pick ? trip.next_pick.id : null;
      list.replaceChildren.apply(list, (trip.picks || []).map(function (pick) {
        var item = api.element("li", "trip-pick pick-" + pick.status);
        if (pick.id === nextId) {
          item.classList.add("pick-next");
        }
        item.dataset.pickId = pick.id;
        var what = api.element("span");
        what.append(api.element("span", "code", pick.sku_code), " × " + pick.quantity);
        var where = pick.status === "reserved" ?
          api.element("span", "code", pick.location_code) :
          api.element("span", "pick-status", pick.status_label);
        item.append(where, " ", what, " ",
          api.element("span", "note", api.messages.msgSlot.replace("{slot}", pick.slot)));
        return item;
      }));
    }

    function renderPick() {
      var pick = trip.next_pick;
      if (!pick) {
        return;
      }
      text("pick-bin", pick.location_code);
      text("pick-check", pick.location_check_code);
      text("pick-sku", pick.sku_code);
      text("pick-name", pick.sku_name);
      text("pick-lot", pick.lot_number || "–");
      text("pick-expiry", pick.expiry_date || "–");
      text("pick-quantity-asked", pick.quantity);
      text("pick-slot", pick.slot);
      text("pick-tote", pick.tote_code || "");
      var current = STEPS.indexOf(pickStep());
      document.querySelectorAll("#pick-steps li").forEach(function (item) {
        var index = STEPS.indexOf(item.dataset.step);
        item.classList.toggle("step-done", index < current);
        item.classList.toggle("step-current", index === current);
      });
    }

    function render() {
      var step = trip.step;
      var picking = step === "pick";
      var counting = picking && pickStep() === "confirm_quantity";
      api.flow.dataset.step = step;
      api.flow.dataset.pickStep = picking ? pickStep() : "";
      if (api.prompt) {
        api.prompt.textContent = trip.prompt;
      }
      text("picks-done", trip.picks_done);
      text("picks-total", trip.picks_total);
      show(byId("take-actions"), step === "take");
      show(byId("pick-card"), picking);
      show(byId("trip-done"), step === "done");
      show(api.form, (step === "scan_totes" || picking) && !counting);
      show(unitsForm, counting);
      show(byId("empty-hint"), picking && pickStep() === "scan_item");
      renderTotes();
      renderPick();
      renderPicks();
      if (counting) {
        quantity.value = String(trip.next_pick.quantity);
        damaged.value = "0";
        quantity.focus();
        quantity.select();
      } else if (step === "done") {
        byId("next-trip").focus();
      } else if (step === "take") {
        byId("take-trip").focus();
      } else {
        api.focusScan();
      }
    }

    function tripAnswer(answer) {
      trip = answer;
      progress = answer.progress || {};
      render();
      api.flashOk(answer.message);
    }

    function pickJob(extra) {
      var body = { progress: progress };
      Object.keys(extra).forEach(function (name) {
        body[name] = extra[name];
      });
      return {
        url: trip.next_pick.url,
        body: body,
        key: api.newKey(),
        ok: function (answer) {
          if (answer.done) {
            tripAnswer(answer);
            return;
          }
          progress = answer.progress;
          trip.prompt = answer.prompt;
          render();
          api.flashOk("");
        },
        refused: function (result) {
          var error = api.errorOf(result);
          if (error.field === "pick_id" || error.field === "batch_id") {
            api.fieldHandlers[error.field] = function () {
              window.location.reload();
            };
          }
          var before = pickStep();
          redo(error.field);
          if (pickStep() !== before) {
            render();
          }
          return false;
        }
      };
    }

    function toteJob(raw) {
      return {
        url: trip.totes_url,
        body: { slot: trip.open_slot ? trip.open_slot.slot : null, scan: raw },
        key: api.newKey(),
        ok: tripAnswer
      };
    }

    function take() {
      if (trip.step !== "take" || api.isBusy()) {
        return;
      }
      api.run({ url: trip.start_url, body: {}, key: api.newKey(), ok: tripAnswer });
    }

    function nextTrip() {
      if (trip.step === "done" && !api.isBusy()) {
        api.run(takeJob(api, api.flow.dataset.takeUrl, {}));
      }
    }

    function emptyBin() {
      if (trip.step !== "pick" || pickStep() !== "scan_item" || api.isBusy()) {
        return;
      }
      ask(api, emptyBox, function () {
        api.run(pickJob({ bin_empty: true }));
      }, function () {
        api.focusScan();
        api.pump();
      });
    }

    function focusUnits(field) {
      return function () {
        field.focus();
        field.select();
      };
    }
    api.fieldHandlers.quantity = focusUnits(quantity);
    api.fieldHandlers.damaged = focusUnits(damaged);

    unitsForm.addEventListener("submit", function (event) {
      event.preventDefault();
      if (api.isBusy() || pickStep() !== "confirm_quantity") {
        return;
      }
      var typed = quantity.value.trim() === "" ? trip.next_pick.quantity : wholeNumber(quantity);
      var broken = damaged.value.trim() === "" ? 0 : wholeNumber(damaged);
      api.run(pickJob({ quantity: typed, damaged: broken }));
    });

    byId("take-trip").addEventListener("click", take);
    wireQuestion(api, emptyBox, "empty-confirm-yes", "empty-confirm-no");
    api.shortcuts.F2 = function () {
      if (trip.step === "take") {
        take();
      } else {
        nextTrip();
      }
    };
    api.shortcuts.F4 = emptyBin;
    api.setJob(function (raw) {
      if (trip.step === "scan_totes") {
        return toteJob(raw);
      }
      return pickJob({ scan: raw });
    });
    render();
  };

  // --- pack ----------------------------------------------------------------------------------

  flows["pack-start"] = function (api) {
    api.setJob(function (raw) {
      return {
        url: api.flow.dataset.startUrl,
        body: { scan: raw },
        key: api.newKey(),
        ok: function (parcel) {
          api.flashOk(parcel.message);
          api.leave(parcel.url);
        }
      };
    });
  };

  flows["pack-parcel"] = function (api) {
    var parcel = JSON.parse(byId("parcel-data").textContent);
    var closeForm = byId("close-form");
    var weight = byId("parcel-weight");
    var closeKey = null;

    function cartons() {
      return Array.prototype.slice.call(document.querySelectorAll('input[name="carton"]'));
    }

    function chosenCarton() {
      var chosen = cartons().filter(function (radio) {
        return radio.checked;
      })[0];
      return chosen || null;
    }

    function renderItems(lastSku, lastLot) {
      (parcel.items || []).forEach(function (item) {
        var row = document.querySelector('#parcel-items tr[data-sku="' + item.sku_code +
          '"][data-lot="' + (item.lot_number || "") + '"]');
        if (!row) {
          return;
        }
        row.querySelector('[data-figure="verified"]').textContent = item.verified;
        row.classList.toggle("row-done", item.verified >= item.expected);
        row.classList.toggle("row-fresh", item.sku_code === lastSku &&
          (item.lot_number || "") === (lastLot || ""));
      });
      text("units-verified", parcel.units_verified);
      text("units-expected", parcel.units_expected);
    }

    function render(lastSku, lastLot) {
      var open = parcel.status === "open";
      var closing = open && parcel.complete;
      api.flow.dataset.status = parcel.status;
      if (api.prompt) {
        api.prompt.textContent = parcel.prompt;
      }
      renderItems(lastSku, lastLot);
      show(api.form, open && !closing);
      show(closeForm, closing);
      show(byId("parcel-done"), !open);
      if (!open) {
        text("tracking-number", parcel.tracking_number);
        text("parcel-sscc", parcel.sscc || "–");
        var label = byId("label-link");
        if (parcel.label_url) {
          label.href = parcel.label_url;
        }
        label.focus();
      } else if (closing) {
        var chosen = chosenCarton();
        if (!chosen) {
          chosen = cartons().filter(function (radio) {
            return radio.value === parcel.suggested_carton;
          })[0] || cartons()[0];
          chosen.checked = true;
        }
        chosen.focus();
      } else {
        api.focusScan();
      }
    }

    function closeParcel() {
      if (api.isBusy() || parcel.status !== "open" || !parcel.complete) {
        return;
      }
      var carton = chosenCarton();
      closeKey = closeKey || api.newKey();
      api.run({
        url: parcel.close_url,
        body: { carton: carton ? carton.value : "", weight_g: wholeNumber(weight) },
        key: closeKey,
        ok: function (answer) {
          parcel = answer;
          render();
          api.flashOk(answer.message);
        },
        refused: function () {
          closeKey = null; // refused: nothing changed, the next try is a new request
          return false;
        }
      });
    }

    // Enter on a carton size goes on to the weight; arrow keys choose among the sizes.
    cartons().forEach(function (radio) {
      radio.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
          weight.focus();
          weight.select();
        }
      });
    });
    closeForm.addEventListener("submit", function (event) {
      event.preventDefault();
      closeParcel();
    });
    api.fieldHandlers.weight_g = function () {
      weight.focus();
      weight.select();
    };
    api.fieldHandlers.carton = function () {
      (chosenCarton() || cartons()[0]).focus();
    };
    api.shortcuts.F2 = closeParcel;
    api.setJob(function (raw) {
      return {
        url: parcel.items_url,
        body: { scan: raw },
        key: api.newKey(),
        ok: function (answer) {
          parcel = answer;
          render(answer.last_sku, answer.last_lot);
          api.flashOk(answer.message);
        }
      };
    });
    render();
  };

  // --- ship ----------------------------------------------------------------------------------

  flows["ship-start"] = function (api) {
    var buttons = Array.prototype.slice.call(document.querySelectorAll(".carrier-choice"));

    function open(button) {
      if (api.isBusy()) {
        return;
      }
      api.run({
        url: api.flow.dataset.openUrl,
        body: {
          fc_id: Number(button.dataset.fcId),
          carrier_id: Number(button.dataset.carrierId)
        },
        key: api.newKey(),
        ok: function (manifest) {
          api.flashOk(manifest.message);
          api.leave(manifest.url);
        }
      });
    }

    buttons.forEach(function (button, index) {
      button.addEventListener("click", function () {
        open(button);
      });
      // Up and down move among the carriers; a digit chooses one directly.
      button.addEventListener("keydown", function (event) {
        var step = { ArrowDown: 1, ArrowUp: -1 }[event.key];
        if (step) {
          event.preventDefault();
          buttons[(index + step + buttons.length) % buttons.length].focus();
        }
      });
      if (index < 9) {
        api.shortcuts[String(index + 1)] = function () {
          open(button);
        };
      }
    });
    if (buttons.length) {
      buttons[0].focus();
    }
  };

  flows["ship-manifest"] = function (api) {
    var manifest = JSON.parse(byId("manifest-data").textContent);
    var confirmBox = byId("close-confirm");
    var closeKey = null;

    function renderParcels(last) {
      var body = document.querySelector("#parcels tbody");
      body.replaceChildren.apply(body, (manifest.parcels || []).map(function (parcel) {
        var row = document.createElement("tr");
        row.dataset.tracking = parcel.tracking_number;
        if (parcel.tracking_number === last || parcel.sscc === last) {
          row.classList.add("row-fresh");
        }
        row.append(api.element("td", "code", parcel.tracking_number),
          api.element("td", "code", parcel.order_reference),
          api.element("td", "num", parcel.weight_g));
        return row;
      }));
      text("parcel-count", manifest.count_text);
      text("manifest-weight", manifest.weight_g);
      show(byId("no-parcels"), !(manifest.parcels || []).length);
    }

    function render(last) {
      var open = manifest.status === "open";
      api.flow.dataset.status = manifest.status;
      if (api.prompt) {
        api.prompt.textContent = manifest.prompt;
      }
      renderParcels(last);
      show(api.form, open);
      show(byId("close-actions"), open);
      show(byId("manifest-done"), !open);
      if (!open) {
        text("manifest-done-message", manifest.message);
        byId("back-to-dock").focus();
      }
    }

    function askClose() {
      if (api.isBusy() || manifest.status !== "open") {
        return;
      }
      ask(api, confirmBox, function () {
        closeKey = closeKey || api.newKey();
        api.run({
          url: manifest.close_url,
          body: {},
          key: closeKey,
          ok: function (answer) {
            manifest = answer;
            render();
            api.flashOk(""); // the done panel says it
          },
          refused: function () {
            closeKey = null;
            return false;
          }
        });
      }, function () {
        api.focusScan();
        api.pump();
      });
    }

    byId("close-manifest").addEventListener("click", askClose);
    wireQuestion(api, confirmBox, "close-confirm-yes", "close-confirm-no");
    api.shortcuts.F2 = askClose;
    api.setJob(function (raw) {
      return {
        url: manifest.parcels_url,
        body: { scan: raw },
        key: api.newKey(),
        ok: function (answer) {
          manifest = answer;
          render(answer.last_parcel);
          api.flashOk(answer.message);
        }
      };
    });
    render();
  };
})();
