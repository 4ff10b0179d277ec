"""The picking workflow's steps: which step a trip and a pick are at, what each scan is checked
against, and what a refused scan undoes."""

from __future__ import annotations

from typing import Any

import pytest

from scanners.picking_flow import (
    PickProgress,
    PickStep,
    Problem,
    Refusal,
    TripStep,
    accept_empty_bin,
    accept_scan,
    accept_units,
    open_slot,
    tote_code,
    trip_step,
    units_to_pick,
)
from scanners.scan_parser import parse_scan
from wms.domain.identifiers import location_check_code, with_check_digit

GTIN = with_check_digit("885196100001")  # 13 digits, as SKUs store it
OTHER_GTIN = with_check_digit("885196100002")
BIN = "KUL1-A-03-02-B"
PICKER = 7


def a_pick(**changes: Any) -> dict[str, Any]:
    """A pick as `picking.get_batch` returns it."""
    pick = {
        "id": 11,
        "status": "reserved",
        "location_code": BIN,
        "location_check_code": location_check_code(BIN),
        "sku_code": "SF-MANGO-200",
        "gtin": GTIN,
        "lot_number": "L250101A",
        "expiry_date": "2026-12-31",
        "quantity": 3,
        "slot": 2,
        "tote_code": "T0042",
    }
    pick.update(changes)
    return pick


def a_trip(
    status: str = "picking", picker_id: int | None = PICKER, **changes: Any
) -> dict[str, Any]:
    trip = {
        "status": status,
        "picker_id": picker_id,
        "totes": [
            {"slot": 1, "order_reference": "ORD-1", "tote_code": "T0041"},
            {"slot": 2, "order_reference": "ORD-2", "tote_code": "T0042"},
        ],
        "next_pick": a_pick(),
    }
    trip.update(changes)
    return trip


def refusal(call: Any, *args: Any) -> Refusal:
    with pytest.raises(Refusal) as raised:
        call(*args)
    return raised.value


# --- the trip -----------------------------------------------------------------------------------


def test_a_trip_is_taken_then_totes_go_on_the_cart_then_picks_are_walked():
    assert trip_step(a_trip("released", None), PICKER) is TripStep.TAKE
    assert trip_step(a_trip(picker_id=PICKER + 1), PICKER) is TripStep.TAKEN
    no_tote = a_trip()
    no_tote["totes"][1] = {**no_tote["totes"][1], "tote_code": None}
    assert trip_step(no_tote, PICKER) is TripStep.SCAN_TOTES
    assert open_slot(no_tote) == no_tote["totes"][1]
    assert trip_step(a_trip(), PICKER) is TripStep.PICK
    assert open_slot(a_trip()) is None
    assert trip_step(a_trip("picked"), PICKER) is TripStep.DONE
    assert trip_step(a_trip(next_pick=None), PICKER) is TripStep.DONE


def test_a_tote_is_a_plain_code_not_an_item_or_a_bin():
    assert tote_code(parse_scan("t0042")) == "T0042"
    for raw, what in ((GTIN, "an item's barcode"), (BIN, "a bin label")):
        refused = refusal(tote_code, parse_scan(raw))
        assert refused.problem is Problem.NOT_A_TOTE and refused.field == "tote"
        assert refused.params["what"] == what


# --- one pick -----------------------------------------------------------------------------------


def test_the_steps_of_a_pick_follow_bin_item_units_tote():
    pick = a_pick()
    progress = PickProgress()
    assert progress.step is PickStep.SCAN_BIN
    progress = accept_scan(pick, progress, parse_scan(BIN))
    assert (progress.step, progress.bin_code) == (PickStep.SCAN_ITEM, BIN)
    progress = accept_scan(pick, progress, parse_scan(GTIN))
    assert progress.step is PickStep.CONFIRM_QUANTITY
    assert (progress.gtin, progress.lot_number) == (GTIN.zfill(14), None)
    assert units_to_pick(pick, progress) == 3
    progress = accept_units(pick, progress, 3)
    assert progress.step is PickStep.SCAN_TOTE
    progress = accept_scan(pick, progress, parse_scan("T0042"))
    assert progress.step is PickStep.COMPLETE
    assert progress.as_dict() == {
        "bin_code": BIN,
        "gtin": GTIN.zfill(14),
        "lot_number": None,
        "quantity": 3,
        "damaged": 0,
        "tote_code": "T0042",
    }
    done = refusal(accept_scan, pick, progress, parse_scan("T0042"))
    assert done.problem is Problem.OUT_OF_STEP


def test_the_bin_is_its_label_or_its_check_code_typed_in():
    pick = a_pick()
    typed = accept_scan(pick, PickProgress(), parse_scan(location_check_code(BIN)))
    assert typed.step is PickStep.SCAN_ITEM
    lower = accept_scan(pick, PickProgress(), parse_scan(BIN.lower()))
    assert lower.bin_code == BIN
    wrong = refusal(accept_scan, pick, PickProgress(), parse_scan("KUL1-A-03-02-C"))
    assert (wrong.problem, wrong.field, wrong.params["bin"]) == (
        Problem.WRONG_BIN,
        "location_code",
        BIN,
    )
    assert wrong.message == f"Wrong bin: this pick is at {BIN}."
    item_first = refusal(accept_scan, pick, PickProgress(), parse_scan(GTIN))
    assert (item_first.problem, item_first.field) == (Problem.NOT_A_BIN, "location_code")


def test_the_item_is_checked_and_so_is_the_lot_of_a_gs1_scan():
    pick = a_pick()
    at_bin = PickProgress(bin_code=BIN)
    gs1 = f"]C101{GTIN.zfill(14)}17261231~10L250101A"
    scanned = accept_scan(pick, at_bin, parse_scan(gs1, separators=("~",)))
    assert (scanned.gtin, scanned.lot_number) == (GTIN.zfill(14), "L250101A")

    wrong_item = refusal(accept_scan, pick, at_bin, parse_scan(OTHER_GTIN))
    assert (wrong_item.problem, wrong_item.field) == (Problem.WRONG_ITEM, "gtin")
    assert wrong_item.params == {"sku": "SF-MANGO-200", "gtin": GTIN}
    other_lot = f"]C101{GTIN.zfill(14)}17270630~10L250601A"
    wrong_lot = refusal(accept_scan, pick, at_bin, parse_scan(other_lot, separators=("~",)))
    assert (wrong_lot.problem, wrong_lot.field) == (Problem.WRONG_LOT, "lot_number")
    assert wrong_lot.params == {"lot": "L250101A", "given": "L250601A"}
    a_bin = refusal(accept_scan, pick, at_bin, parse_scan(BIN))
    assert (a_bin.problem, a_bin.field) == (Problem.NOT_AN_ITEM, "gtin")
    # An item without lots takes any GS1 lot; a plain GTIN never says which lot it is.
    loose = accept_scan(a_pick(lot_number=None), at_bin, parse_scan(other_lot, separators=("~",)))
    assert loose.step is PickStep.CONFIRM_QUANTITY


def test_units_fewer_than_asked_are_a_short_pick_and_damaged_ones_count_apart():
    pick = a_pick(quantity=5)
    at_units = PickProgress(bin_code=BIN, gtin=GTIN.zfill(14))
    short = accept_units(pick, at_units, 3, 1)
    assert (short.quantity, short.damaged, short.step) == (3, 1, PickStep.SCAN_TOTE)
    assert units_to_pick(pick, short) == 3
    nothing = accept_units(pick, at_units, 0)
    assert nothing.step is PickStep.COMPLETE  # nothing to put in a tote
    too_many = refusal(accept_units, pick, at_units, 6)
    assert (too_many.problem, too_many.field, too_many.params) == (
        Problem.TOO_MANY,
        "quantity",
        {"asked": 5},
    )
    too_many_damaged = refusal(accept_units, pick, at_units, 4, 2)
    assert too_many_damaged.field == "damaged"
    negative = refusal(accept_units, pick, at_units, -1)
    assert (negative.problem, negative.field) == (Problem.NEGATIVE, "quantity")
    early = refusal(accept_units, pick, PickProgress(bin_code=BIN), 5)
    assert (early.problem, early.field) == (Problem.OUT_OF_STEP, "gtin")
    scan_now = refusal(accept_scan, pick, at_units, parse_scan("T0042"))
    assert scan_now.field == "quantity"


def test_the_tote_must_be_the_orders_tote():
    pick = a_pick()
    at_tote = PickProgress(bin_code=BIN, gtin=GTIN.zfill(14), quantity=3)
    wrong = refusal(accept_scan, pick, at_tote, parse_scan("T0041"))
    assert (wrong.problem, wrong.field) == (Problem.WRONG_TOTE, "tote")
    assert wrong.params == {"tote": "T0042", "slot": 2, "given": "T0041"}
    not_a_tote = refusal(accept_scan, pick, at_tote, parse_scan(GTIN))
    assert not_a_tote.problem is Problem.NOT_A_TOTE


def test_an_empty_bin_is_said_after_its_scan_and_shorts_the_whole_pick():
    pick = a_pick()
    empty = accept_empty_bin(pick, PickProgress(bin_code=BIN))
    assert (empty.quantity, empty.damaged, empty.gtin) == (0, 0, GTIN.zfill(14))
    assert empty.step is PickStep.COMPLETE
    before_the_bin = refusal(accept_empty_bin, pick, PickProgress())
    assert before_the_bin.field == "location_code"


def test_a_refused_field_undoes_its_step_and_those_after_it():
    full = PickProgress(
        bin_code=BIN, gtin=GTIN.zfill(14), lot_number="L1", quantity=2, damaged=1, tote_code="T1"
    )
    assert full.redo("location_code") == PickProgress()
    assert full.redo("lot_number") == PickProgress(bin_code=BIN)
    assert full.redo("quantity") == PickProgress(bin_code=BIN, gtin=GTIN.zfill(14), lot_number="L1")
    assert full.redo("tote").step is PickStep.SCAN_TOTE
    assert full.redo("tote").damaged == 1
    assert full.redo("scan") == full
