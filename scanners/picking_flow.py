"""The picking workflow on a handheld: what a scan means at each step of a trip, what comes next.

A trip: take it → scan a tote for each slot of the cart (one order per tote) → for each pick, in
walking order: scan the bin (its label, or its 2-digit check code typed in) → scan the item (a
GTIN, or a GS1 string whose lot must be the pick's) → confirm the units (the asked number, fewer
for a short pick, damaged ones apart) → scan the order's tote. Then the pick is confirmed and the
next one comes. A scan that does not fit the step is refused, naming the field to scan again;
the steps already done stay done.

Pure: it reads the trip and pick views the picking use cases return and scans already parsed by
`scanners.scan_parser`, and says which step is next or why a scan is refused. It sends nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from scanners.scan_parser import Scan, ScanKind


class TripStep(enum.StrEnum):
    """Where a picker is on a trip."""

    TAKE = "take"
    """Released: nobody has taken it yet."""
    TAKEN = "taken"
    """Another picker is on it."""
    SCAN_TOTES = "scan_totes"
    """A slot of the cart has no tote yet."""
    PICK = "pick"
    """Walking the picks."""
    DONE = "done"
    """Nothing left to pick."""


class PickStep(enum.StrEnum):
    """Where a picker is at one pick."""

    SCAN_BIN = "scan_bin"
    SCAN_ITEM = "scan_item"
    CONFIRM_QUANTITY = "confirm_quantity"
    SCAN_TOTE = "scan_tote"
    COMPLETE = "complete"
    """Everything is scanned: the pick can be confirmed."""


FIELD_OF_STEP = {
    PickStep.SCAN_BIN: "location_code",
    PickStep.SCAN_ITEM: "gtin",
    PickStep.CONFIRM_QUANTITY: "quantity",
    PickStep.SCAN_TOTE: "tote",
    PickStep.COMPLETE: "scan",
}
"""The field a handheld asks for at each step."""


class Problem(enum.StrEnum):
    """Why a scan or an entry was refused: a stable code the pages translate."""

    NOT_A_BIN = "not_a_bin"
    WRONG_BIN = "wrong_bin"
    NOT_AN_ITEM = "not_an_item"
    WRONG_ITEM = "wrong_item"
    WRONG_LOT = "wrong_lot"
    TOO_MANY = "too_many"
    NEGATIVE = "negative"
    NOT_A_TOTE = "not_a_tote"
    WRONG_TOTE = "wrong_tote"
    OUT_OF_STEP = "out_of_step"


class Refusal(ValueError):
    """A scan or entry that does not fit the pick: the problem, the field to redo, and the facts
    a message needs (`params`). `message` is in English; pages translate `problem`."""

    def __init__(self, problem: Problem, field: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.problem = problem
        self.field = field
        self.message = message
        self.params = params


@dataclass(frozen=True)
class PickProgress:
    """What the picker has done at the current pick so far (held by the handheld)."""

    bin_code: str | None = None
    gtin: str | None = None
    lot_number: str | None = None
    quantity: int | None = None
    damaged: int = 0
    tote_code: str | None = None

    @property
    def step(self) -> PickStep:
        """The step this progress is at."""
        if self.bin_code is None:
            return PickStep.SCAN_BIN
        if self.gtin is None:
            return PickStep.SCAN_ITEM
        if self.quantity is None:
            return PickStep.CONFIRM_QUANTITY
        if self.quantity > 0 and self.tote_code is None:
            return PickStep.SCAN_TOTE
        return PickStep.COMPLETE

    def redo(self, field_name: str | None) -> PickProgress:
        """The progress with the step of `field_name`, and every step after it, undone."""
        if field_name == "location_code":
            return PickProgress()
        if field_name in ("gtin", "lot_number"):
            return PickProgress(bin_code=self.bin_code)
        if field_name in ("quantity", "damaged"):
            return PickProgress(bin_code=self.bin_code, gtin=self.gtin, lot_number=self.lot_number)
        if field_name == "tote":
            return replace(self, tote_code=None)
        return self

    def as_dict(self) -> dict[str, Any]:
        """The progress as the handheld keeps it (and sends it back with the next scan)."""
        return {
            "bin_code": self.bin_code,
            "gtin": self.gtin,
            "lot_number": self.lot_number,
            "quantity": self.quantity,
            "damaged": self.damaged,
            "tote_code": self.tote_code,
        }


# --- the trip -------------------------------------------------------------------------------


def trip_step(trip: Mapping[str, Any], user_id: int) -> TripStep:
    """The step a trip (as `picking.get_batch` returns it) is at for the user `user_id`."""
    status = trip["status"]
    if status == "released":
        return TripStep.TAKE
    if status != "picking" or trip.get("next_pick") is None:
        return TripStep.DONE
    if trip.get("picker_id") != user_id:
        return TripStep.TAKEN
    if open_slot(trip) is not None:
        return TripStep.SCAN_TOTES
    return TripStep.PICK


def open_slot(trip: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The first slot of the cart that still needs a tote, if any."""
    return next((tote for tote in trip["totes"] if not tote.get("tote_code")), None)


def tote_code(scan: Scan) -> str:
    """The tote code in a scan of a tote label (a plain code such as `T0042`)."""
    if scan.kind is ScanKind.TEXT and scan.text:
        return scan.text.strip().upper()
    what = _what(scan)
    raise Refusal(
        Problem.NOT_A_TOTE,
        "tote",
        f"That is {what}; scan a tote's label (T…).",
        what=what,
    )


# --- one pick -------------------------------------------------------------------------------


def accept_scan(pick: Mapping[str, Any], progress: PickProgress, scan: Scan) -> PickProgress:
    """The progress after a scan at the pick's current step, or a `Refusal` saying why not."""
    step = progress.step
    if step is PickStep.SCAN_BIN:
        return replace(progress, bin_code=_bin(pick, scan))
    if step is PickStep.SCAN_ITEM:
        gtin, lot = _item(pick, scan)
        return replace(progress, gtin=gtin, lot_number=lot)
    if step is PickStep.SCAN_TOTE:
        return replace(progress, tote_code=_tote(pick, scan))
    if step is PickStep.CONFIRM_QUANTITY:
        raise Refusal(
            Problem.OUT_OF_STEP,
            "quantity",
            "Confirm the units first: press Enter, or type how many you took.",
        )
    raise Refusal(Problem.OUT_OF_STEP, "scan", "This pick is scanned already.")


def accept_units(
    pick: Mapping[str, Any], progress: PickProgress, quantity: int, damaged: int = 0
) -> PickProgress:
    """The progress after the units are confirmed: `quantity` good ones taken (fewer than asked
    is a short pick) and `damaged` ones found broken."""
    if progress.step is not PickStep.CONFIRM_QUANTITY:
        raise Refusal(
            Problem.OUT_OF_STEP,
            FIELD_OF_STEP[progress.step],
            "Scan the bin and the item before confirming the units.",
        )
    asked = int(pick["quantity"])
    if quantity < 0 or damaged < 0:
        name = "quantity" if quantity < 0 else "damaged"
        raise Refusal(Problem.NEGATIVE, name, "Units cannot be fewer than 0.")
    if quantity + damaged > asked:
        name = "damaged" if damaged and quantity <= asked else "quantity"
        raise Refusal(
            Problem.TOO_MANY,
            name,
            f"This pick is for {asked} unit(s); put the rest back.",
            asked=asked,
        )
    return replace(progress, quantity=quantity, damaged=damaged)


def accept_empty_bin(pick: Mapping[str, Any], progress: PickProgress) -> PickProgress:
    """The bin holds none of the item: nothing is taken, the whole pick is short."""
    if progress.step is not PickStep.SCAN_ITEM:
        raise Refusal(
            Problem.OUT_OF_STEP,
            FIELD_OF_STEP[progress.step],
            "Say the bin is empty after scanning it, before scanning an item.",
        )
    return replace(
        progress, gtin=str(pick["gtin"]).zfill(14), lot_number=None, quantity=0, damaged=0
    )


def units_to_pick(pick: Mapping[str, Any], progress: PickProgress) -> int:
    """The units the picker is asked to take (all of the pick's, until confirmed otherwise)."""
    return int(pick["quantity"]) if progress.quantity is None else progress.quantity


def _what(scan: Scan) -> str:
    """What a scan is, in words for a refusal."""
    if scan.kind is ScanKind.LOCATION:
        return "a bin label"
    if scan.kind is ScanKind.ITEM:
        return "an item's barcode"
    if scan.kind is ScanKind.SSCC:
        return "a carton's SSCC label"
    return f"'{(scan.text or scan.raw).strip()[:40]}'"


def _bin(pick: Mapping[str, Any], scan: Scan) -> str:
    expected = str(pick["location_code"])
    check = str(pick["location_check_code"])
    if scan.kind is ScanKind.LOCATION and scan.location_code:
        given = scan.location_code
    elif scan.kind is ScanKind.TEXT and scan.text:
        given = scan.text.strip().upper()
    else:
        what = _what(scan)
        raise Refusal(
            Problem.NOT_A_BIN,
            "location_code",
            f"That is {what}; scan the label of bin {expected} first.",
            what=what,
            bin=expected,
        )
    if given not in (expected, check):
        raise Refusal(
            Problem.WRONG_BIN,
            "location_code",
            f"Wrong bin: this pick is at {expected}.",
            bin=expected,
            given=given,
        )
    return given


def _item(pick: Mapping[str, Any], scan: Scan) -> tuple[str, str | None]:
    if scan.kind is not ScanKind.ITEM or not scan.gtin:
        what = _what(scan)
        raise Refusal(
            Problem.NOT_AN_ITEM,
            "gtin",
            f"That is {what}; scan the item's barcode.",
            what=what,
        )
    if scan.gtin != str(pick["gtin"]).zfill(14):
        raise Refusal(
            Problem.WRONG_ITEM,
            "gtin",
            f"Wrong item: this pick is {pick['sku_code']} ({pick['gtin']}).",
            sku=pick["sku_code"],
            gtin=pick["gtin"],
        )
    lot = pick.get("lot_number")
    if scan.lot and lot and scan.lot != lot:
        raise Refusal(
            Problem.WRONG_LOT,
            "lot_number",
            f"Wrong lot: this is lot {scan.lot}; pick lot {lot} (it expires first).",
            lot=lot,
            given=scan.lot,
        )
    return scan.gtin, scan.lot


def _tote(pick: Mapping[str, Any], scan: Scan) -> str:
    code = tote_code(scan)
    expected = str(pick.get("tote_code") or "")
    if code != expected:
        raise Refusal(
            Problem.WRONG_TOTE,
            "tote",
            f"Wrong tote: this order goes in {expected} (slot {pick.get('slot')}).",
            tote=expected,
            slot=pick.get("slot"),
            given=code,
        )
    return code
