"""The outbound scanner pages: pick a trip, pack a tote's order into a parcel, ship parcels on a
carrier's manifest.

The same conventions as scanners/ui.py (whose blueprint they share): pages are rendered on the
server, scans post JSON (session login, `X-CSRFToken`, an `Idempotency-Key` on every change) and
get the page's next state back, and bad input gets a 4xx JSON error naming the field. Picking
keeps the steps of the current pick on the handheld: each scan is checked against the pick
(scanners/picking_flow.py), and the last one confirms it through the picking use case.
"""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from scanners import picking_flow
from scanners.picking_flow import PickProgress, PickStep, Problem, Refusal, TripStep
from scanners.receiving_flow import read_scan
from scanners.scan_parser import ScanKind
from scanners.ui import (
    MAX_UNITS,
    blueprint,
    fc_ids,
    flag_of,
    idempotency_key,
    json_answer,
    json_body,
    json_roles_required,
    record_id,
    scan_of,
    sku_name,
)
from wms.bootstrap import new_uow
from wms.domain.actors import Actor
from wms.domain.errors import Conflict, InvalidInput, NotFound
from wms.domain.packing import CARTON_SIZES, MAX_PARCEL_WEIGHT_G, ManifestStatus
from wms.domain.waves import BatchStatus
from wms.services import carriers, labels, packing, picking, shipping
from wms.services.facilities import list_fcs
from wms.services.labels import Output
from wms.services.picking import PickConfirmation
from wms.web.messages import state_word
from wms.web.security import WAREHOUSE_ROLES, actor_of_request, roles_required

MAX_CODE_LENGTH = 40
PROGRESS_TEXTS = {"bin_code": 40, "gtin": 14, "lot_number": 20, "tote_code": 20}


def _int_of(
    body: dict[str, Any], name: str, low: int, high: int, default: int | None = None
) -> int:
    """A whole number between `low` and `high` from the body (`default` when absent)."""
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(_("Type a whole number."), name)
    if not low <= value <= high:
        raise InvalidInput(_("Between %(low)d and %(high)d.", low=low, high=high), name)
    return value


# --- picking: what the pages show ------------------------------------------------------------


def refusal_message(refusal: Refusal) -> str:
    """A refused pick scan, in the user's language."""
    params = refusal.params
    problem = refusal.problem
    if problem is Problem.NOT_A_BIN:
        return _("That is not bin %(bin)s; scan the bin's label first.", bin=params["bin"])
    if problem is Problem.WRONG_BIN:
        return _("Wrong bin: this pick is at %(bin)s.", bin=params["bin"])
    if problem is Problem.NOT_AN_ITEM:
        return _("That is not an item's barcode; scan the item.")
    if problem is Problem.WRONG_ITEM:
        return _(
            "Wrong item: this pick is %(sku)s (%(gtin)s).", sku=params["sku"], gtin=params["gtin"]
        )
    if problem is Problem.WRONG_LOT:
        return _(
            "Wrong lot %(given)s: pick lot %(lot)s, it expires first.",
            given=params["given"],
            lot=params["lot"],
        )
    if problem is Problem.TOO_MANY:
        return _("This pick is for %(n)d unit(s); put the rest back.", n=params["asked"])
    if problem is Problem.NEGATIVE:
        return _("Units cannot be fewer than 0.")
    if problem is Problem.NOT_A_TOTE:
        return _("That is not a tote's label; scan a tote (T…).")
    if problem is Problem.WRONG_TOTE:
        return _(
            "Wrong tote: this order goes in %(tote)s (slot %(slot)s).",
            tote=params["tote"],
            slot=params["slot"],
        )
    return _("That does not fit this step of the pick.")


def pick_prompt(pick: dict[str, Any], progress: PickProgress) -> str:
    """What the handheld asks for next at a pick, in the user's language."""
    step = progress.step
    if step is PickStep.SCAN_BIN:
        return _("Go to bin %(bin)s and scan its label.", bin=pick["location_code"])
    if step is PickStep.SCAN_ITEM:
        return _("Scan the item %(sku)s.", sku=pick["sku_code"])
    if step is PickStep.CONFIRM_QUANTITY:
        return _("Take %(n)d. Press Enter, or type how many you took.", n=int(pick["quantity"]))
    if step is PickStep.SCAN_TOTE:
        return _(
            "Put %(n)d in tote %(tote)s (slot %(slot)s) and scan the tote.",
            n=picking_flow.units_to_pick(pick, progress),
            tote=pick["tote_code"] or "",
            slot=pick["slot"],
        )
    return _("Sending the pick…")


def trip_prompt(step: TripStep, trip: dict[str, Any], progress: PickProgress) -> str:
    """What the handheld asks for next on a trip, in the user's language."""
    if step is TripStep.TAKE:
        return _("Press F2 to take this trip.")
    if step is TripStep.TAKEN:
        return _("Another picker is on this trip.")
    if step is TripStep.SCAN_TOTES:
        slot = picking_flow.open_slot(trip)
        assert slot is not None
        return _(
            "Scan an empty tote for slot %(slot)d (order %(order)s).",
            slot=int(slot["slot"]),
            order=slot["order_reference"],
        )
    if step is TripStep.PICK and trip["next_pick"]:
        return pick_prompt(trip["next_pick"], progress)
    return _("Trip done: every pick is confirmed.")


def _pick_for_page(pick: dict[str, Any], batch_id: int) -> dict[str, Any]:
    return {
        **pick,
        "sku_name": sku_name(pick),
        "status_label": "" if pick["status"] == "reserved" else state_word(pick["status"]),
        "url": url_for("scanner.pick_scan", batch_id=batch_id, pick_id=pick["id"]),
    }


def trip_for_page(
    trip: dict[str, Any],
    actor: Actor,
    *,
    progress: PickProgress | None = None,
    message: str = "",
    replayed: bool = False,
) -> dict[str, Any]:
    """The trip as the picking page shows it (and its endpoints answer it)."""
    progress = progress or PickProgress()
    step = picking_flow.trip_step(trip, actor.user_id)
    view = dict(trip)
    view["picks"] = [_pick_for_page(pick, trip["id"]) for pick in trip["picks"]]
    view["next_pick"] = _pick_for_page(trip["next_pick"], trip["id"]) if trip["next_pick"] else None
    view["step"] = str(step)
    view["pick_step"] = str(progress.step) if step is TripStep.PICK else None
    view["progress"] = progress.as_dict()
    view["open_slot"] = picking_flow.open_slot(trip)
    view["prompt"] = trip_prompt(step, view, progress)
    view["message"] = message
    view["replayed"] = replayed
    view["url"] = url_for("scanner.pick_trip", batch_id=trip["id"])
    view["start_url"] = url_for("scanner.start_trip", batch_id=trip["id"])
    view["totes_url"] = url_for("scanner.pick_tote", batch_id=trip["id"])
    return view


def pick_result_message(pick: dict[str, Any], result: dict[str, Any]) -> str:
    """What a confirmed pick did: units into the tote, damaged ones, and what became of a
    shortfall (re-allocated from another bin, or an exception for the manager)."""
    parts: list[str] = []
    if result["picked"]:
        parts.append(
            _(
                "Picked %(n)d × %(sku)s into tote %(tote)s.",
                n=int(result["picked"]),
                sku=pick["sku_code"],
                tote=pick["tote_code"] or "",
            )
        )
    else:
        parts.append(_("Nothing picked from %(bin)s.", bin=pick["location_code"]))
    if result["damaged"]:
        parts.append(_("%(n)d damaged, to quarantine.", n=int(result["damaged"])))
    shortfall = int(result["short"]) + int(result["damaged"])
    reallocated = int(result["reallocated"])
    if shortfall and reallocated:
        parts.append(_("%(n)d re-allocated from another bin.", n=reallocated))
    if shortfall > reallocated:
        parts.append(
            _(
                "%(n)d missing: exception raised for the manager.",
                n=shortfall - reallocated,
            )
        )
    return " ".join(parts)


def _my_trips(actor: Actor) -> list[dict[str, Any]]:
    """Trips the user can pick: their own in progress first, then the released ones."""
    found: list[dict[str, Any]] = []
    for fc_id in fc_ids(actor):
        found.extend(
            trip
            for trip in picking.list_batches(
                new_uow(), actor, fc_id, (BatchStatus.RELEASED, BatchStatus.PICKING)
            )
            if trip["status"] == BatchStatus.RELEASED or trip["picker_id"] == actor.user_id
        )
    found.sort(key=lambda trip: trip["status"] != BatchStatus.PICKING)
    return [{**trip, "url": url_for("scanner.pick_trip", batch_id=trip["id"])} for trip in found]


def _progress_of(body: dict[str, Any]) -> PickProgress:
    """The steps of the pick the handheld has done (as the last answer gave them)."""
    raw = body.get("progress")
    if raw is None:
        return PickProgress()
    if not isinstance(raw, dict):
        raise InvalidInput(_("Send the pick's progress as an object."), "progress")
    texts: dict[str, str | None] = {}
    for name, length in PROGRESS_TEXTS.items():
        value = raw.get(name)
        if value is not None and (
            not isinstance(value, str)
            or not value
            or len(value) > length
            or not value.isprintable()
        ):
            raise InvalidInput(
                _("The pick's progress is damaged; scan the pick again."), "progress"
            )
        texts[name] = value
    numbers: dict[str, int | None] = {}
    for name in ("quantity", "damaged"):
        value = raw.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_UNITS
        ):
            raise InvalidInput(
                _("The pick's progress is damaged; scan the pick again."), "progress"
            )
        numbers[name] = value
    return PickProgress(
        bin_code=texts["bin_code"],
        gtin=texts["gtin"],
        lot_number=texts["lot_number"],
        quantity=numbers["quantity"],
        damaged=numbers["damaged"] or 0,
        tote_code=texts["tote_code"],
    )


# --- picking: pages and endpoints -------------------------------------------------------------


@blueprint.get("/pick")
@roles_required(*WAREHOUSE_ROLES)
def pick_trips() -> str:
    """The trips to take (released) and the user's own in progress; F2 takes the next one."""
    trips = _my_trips(actor_of_request())
    return render_template("scanner_pick.html", trip=None, trips=trips)


@blueprint.post("/pick/take")
@json_roles_required
def take_trip() -> tuple[Response, int]:
    """Take a trip: the scanned trip reference ({scan}), or the next one ({})."""
    actor = actor_of_request()
    body = json_body()
    trips = _my_trips(actor)
    if "scan" in body:
        reference = scan_of(body).strip().upper()
        trips = [trip for trip in trips if trip["reference"].upper() == reference]
        if not trips:
            raise NotFound(_("No trip %(reference)s to take.", reference=reference), "scan")
    if not trips:
        raise NotFound(_("No trip is waiting to be picked."), "scan")
    trip, replayed = picking.start_batch(new_uow(), actor, int(trips[0]["id"]), idempotency_key())
    view = trip_for_page(trip, actor, replayed=replayed)
    return json_answer(view, replayed, 201)


@blueprint.get("/pick/<int:batch_id>")
@roles_required(*WAREHOUSE_ROLES)
def pick_trip(batch_id: int) -> str:
    """One trip: the totes of its slots, then the next pick in walking order."""
    actor = actor_of_request()
    trip = picking.get_batch(new_uow(), actor, record_id(batch_id, "batch_id"))
    return render_template("scanner_pick.html", trip=trip_for_page(trip, actor), trips=[])


@blueprint.post("/pick/<int:batch_id>/start")
@json_roles_required
def start_trip(batch_id: int) -> tuple[Response, int]:
    """Take this (released) trip, or resume one's own."""
    json_body()
    actor = actor_of_request()
    trip, replayed = picking.start_batch(
        new_uow(), actor, record_id(batch_id, "batch_id"), idempotency_key()
    )
    message = _("Trip %(reference)s is yours.", reference=trip["reference"])
    return json_answer(trip_for_page(trip, actor, message=message, replayed=replayed), replayed)


@blueprint.post("/pick/<int:batch_id>/totes")
@json_roles_required
def pick_tote(batch_id: int) -> tuple[Response, int]:
    """Put the scanned tote on the cart for a slot: {slot, scan}."""
    body = json_body()
    slot = _int_of(body, "slot", 1, 1000)
    scan = read_scan(scan_of(body))
    try:
        code = picking_flow.tote_code(scan)
    except Refusal as refusal:
        raise InvalidInput(refusal_message(refusal), "scan") from refusal
    actor = actor_of_request()
    trip, replayed = picking.assign_tote(
        new_uow(), actor, record_id(batch_id, "batch_id"), slot, code, idempotency_key()
    )
    message = _("Tote %(tote)s is on slot %(slot)d.", tote=code, slot=slot)
    return json_answer(trip_for_page(trip, actor, message=message, replayed=replayed), replayed)


@blueprint.post("/pick/<int:batch_id>/picks/<int:pick_id>")
@json_roles_required
def pick_scan(batch_id: int, pick_id: int) -> tuple[Response, int]:
    """One step of a pick: {progress, scan} for the bin, item and tote scans, {progress,
    quantity, damaged} for the units, {progress, bin_empty: true} for an empty bin. The answer
    is the next step; after the last one the pick is confirmed and the answer is the trip."""
    body = json_body()
    progress = _progress_of(body)
    actor = actor_of_request()
    trip = picking.get_batch(new_uow(), actor, record_id(batch_id, "batch_id"))
    pick = next((item for item in trip["picks"] if item["id"] == pick_id), None)
    if pick is None:
        raise NotFound(_("This trip has no such pick."), "pick_id")
    try:
        if "scan" in body:
            progress = picking_flow.accept_scan(pick, progress, read_scan(scan_of(body)))
        elif flag_of(body, "bin_empty"):
            progress = picking_flow.accept_empty_bin(pick, progress)
        else:
            quantity = _int_of(body, "quantity", 0, MAX_UNITS)
            damaged = _int_of(body, "damaged", 0, MAX_UNITS, default=0)
            progress = picking_flow.accept_units(pick, progress, quantity, damaged)
    except Refusal as refusal:
        raise InvalidInput(refusal_message(refusal), refusal.field) from refusal
    if progress.step is not PickStep.COMPLETE:
        if pick["status"] != "reserved":
            raise Conflict(_("This pick is done already."), "pick_id")
        view = {
            "done": False,
            "step": str(progress.step),
            "progress": progress.as_dict(),
            "prompt": pick_prompt(pick, progress),
        }
        return json_answer(view, False)
    confirmation = PickConfirmation(
        location_code=progress.bin_code or "",
        gtin=progress.gtin or "",
        quantity=progress.quantity or 0,
        tote_code=progress.tote_code or "",
        lot_number=progress.lot_number,
        damaged=progress.damaged,
    )
    confirmed, replayed = picking.confirm_pick(
        new_uow(), actor, pick_id, confirmation, idempotency_key()
    )
    message = pick_result_message(pick, confirmed["result"])
    if replayed:
        message = _("Already recorded: %(what)s", what=message)
    view = trip_for_page(confirmed, actor, message=message, replayed=replayed)
    view["done"] = True
    view["result"] = confirmed["result"]
    return json_answer(view, replayed)


# --- packing ----------------------------------------------------------------------------------


def package_prompt(package: dict[str, Any]) -> str:
    """What the packing bench asks for next, in the user's language."""
    if package["status"] != "open":
        return _("Print the label and stick it on the parcel.")
    if not package["complete"]:
        return _("Scan each unit into the parcel.")
    return _("Every unit is in. Choose the carton, weigh the parcel and close it.")


def package_for_page(
    package: dict[str, Any], *, message: str = "", replayed: bool = False
) -> dict[str, Any]:
    """The parcel as the packing page shows it (and its endpoints answer it)."""
    view = dict(package)
    view["items"] = [{**item, "sku_name": sku_name(item)} for item in package["items"]]
    view["units_expected"] = sum(int(item["expected"]) for item in package["items"])
    view["units_verified"] = sum(int(item["verified"]) for item in package["items"])
    view["prompt"] = package_prompt(package)
    view["message"] = message
    view["replayed"] = replayed
    view["url"] = url_for("scanner.pack_parcel", package_id=package["id"])
    view["items_url"] = url_for("scanner.pack_item", package_id=package["id"])
    view["close_url"] = url_for("scanner.close_parcel", package_id=package["id"])
    view["label_url"] = (
        url_for("scanner.parcel_label", package_id=package["id"])
        if package["tracking_number"]
        else None
    )
    return view


def carton_choices() -> list[dict[str, Any]]:
    """The carton sizes the bench stocks, smallest first."""
    return [
        {
            "code": size.code,
            "dimensions": f"{size.length_mm // 10}×{size.width_mm // 10}×{size.height_mm // 10} cm",
        }
        for size in CARTON_SIZES
    ]


@blueprint.get("/pack")
@roles_required(*WAREHOUSE_ROLES)
def pack() -> str:
    """The packing bench: scan a tote to open its order's parcel; the totes waiting are listed."""
    actor = actor_of_request()
    waiting = [
        tote for fc_id in fc_ids(actor) for tote in packing.totes_to_pack(new_uow(), actor, fc_id)
    ]
    return render_template("scanner_pack.html", package=None, cartons=[], waiting=waiting)


@blueprint.post("/pack/start")
@json_roles_required
def start_parcel() -> tuple[Response, int]:
    """Open (or resume) the parcel of the order in the scanned tote: {scan}."""
    scan = read_scan(scan_of(json_body()))
    try:
        code = picking_flow.tote_code(scan)
    except Refusal as refusal:
        raise InvalidInput(refusal_message(refusal), "scan") from refusal
    package, replayed = packing.start_packing(
        new_uow(), actor_of_request(), None, code, idempotency_key()
    )
    message = _("Packing order %(order)s.", order=package["order_reference"])
    view = package_for_page(package, message=message, replayed=replayed)
    return json_answer(view, replayed, 201)


@blueprint.get("/pack/<int:package_id>")
@roles_required(*WAREHOUSE_ROLES)
def pack_parcel(package_id: int) -> str:
    """One parcel: its items (expected and scanned), then carton, weight and close."""
    found = packing.get_package(new_uow(), actor_of_request(), record_id(package_id, "package_id"))
    printers = labels.printers_of(new_uow(), actor_of_request(), int(found["fc_id"]))
    return render_template(
        "scanner_pack.html",
        package=package_for_page(found),
        cartons=carton_choices(),
        printers=printers,
    )


@blueprint.post("/pack/<int:package_id>/items")
@json_roles_required
def pack_item(package_id: int) -> tuple[Response, int]:
    """One unit scanned into the parcel: {scan} (a GTIN, or GS1 with the lot)."""
    scan = read_scan(scan_of(json_body()))
    if scan.kind is not ScanKind.ITEM or not scan.gtin:
        raise InvalidInput(_("That is not an item's barcode; scan the item."), "scan")
    package, replayed = packing.verify_item(
        new_uow(),
        actor_of_request(),
        record_id(package_id, "package_id"),
        scan.gtin,
        scan.lot,
        idempotency_key(),
    )
    item = package["last_item"]
    message = _(
        "+1 × %(sku)s (%(verified)d of %(expected)d).",
        sku=item["sku_code"],
        verified=int(item["verified"]),
        expected=int(item["expected"]),
    )
    if replayed:
        message = _("Already recorded: %(what)s", what=message)
    view = package_for_page(package, message=message, replayed=replayed)
    view["last_sku"] = item["sku_code"]
    view["last_lot"] = item["lot_number"]
    return json_answer(view, replayed)


@blueprint.post("/pack/<int:package_id>/close")
@json_roles_required
def close_parcel(package_id: int) -> tuple[Response, int]:
    """Seal the parcel: {carton, weight_g}; it gets its tracking number and label."""
    body = json_body()
    carton = body.get("carton")
    if not isinstance(carton, str) or not carton.strip() or len(carton) > MAX_CODE_LENGTH:
        raise InvalidInput(_("Choose a carton size."), "carton")
    weight = _int_of(body, "weight_g", 1, MAX_PARCEL_WEIGHT_G)
    package, replayed = packing.close_package(
        new_uow(),
        actor_of_request(),
        record_id(package_id, "package_id"),
        carton,
        weight,
        idempotency_key(),
    )
    message = _("Parcel closed: tracking number %(tracking)s.", tracking=package["tracking_number"])
    return json_answer(package_for_page(package, message=message, replayed=replayed), replayed)


@blueprint.get("/pack/<int:package_id>/label.pdf")
@roles_required(*WAREHOUSE_ROLES)
def parcel_label(package_id: int) -> Response:
    """The closed parcel's label as a PDF to print: the carrier's stored waybill, or our own
    100 × 150 mm shipping label."""
    document = labels.package_label(
        new_uow(), actor_of_request(), record_id(package_id, "package_id"), Output()
    )
    response = Response(document.content, mimetype=document.content_type)
    response.headers["Content-Disposition"] = f'inline; filename="{document.filename}"'
    return response


# --- shipping ---------------------------------------------------------------------------------


def manifest_prompt(manifest: dict[str, Any]) -> str:
    """What the dock asks for next, in the user's language."""
    if manifest["status"] != "open":
        return _("Manifest closed: the parcels are handed over.")
    return _(
        "Scan the label of each %(carrier)s parcel, then close the manifest.",
        carrier=manifest["carrier_name"],
    )


def manifest_for_page(
    manifest: dict[str, Any], *, message: str = "", replayed: bool = False
) -> dict[str, Any]:
    """The manifest as the shipping page shows it (and its endpoints answer it)."""
    view = dict(manifest)
    view["prompt"] = manifest_prompt(manifest)
    view["message"] = message
    view["replayed"] = replayed
    view["count_text"] = ngettext("%(num)d parcel", "%(num)d parcels", len(manifest["parcels"]))
    view["url"] = url_for("scanner.ship_manifest", manifest_id=manifest["id"])
    view["parcels_url"] = url_for("scanner.ship_parcel", manifest_id=manifest["id"])
    view["close_url"] = url_for("scanner.close_manifest", manifest_id=manifest["id"])
    return view


@blueprint.get("/ship")
@roles_required(*WAREHOUSE_ROLES)
def ship() -> str:
    """The dock: choose the carrier whose parcels go out now, or continue an open manifest."""
    actor = actor_of_request()
    choices: list[dict[str, Any]] = []
    manifests: list[dict[str, Any]] = []
    for fc in list_fcs(new_uow(), actor):
        fc_id = int(fc["id"])
        choices.extend(
            {**carrier, "fc_code": fc["code"]}
            for carrier in carriers.list_carriers(new_uow(), actor, fc_id)
        )
        manifests.extend(
            manifest_for_page(manifest)
            for manifest in shipping.list_manifests(new_uow(), actor, fc_id, ManifestStatus.OPEN)
        )
    return render_template(
        "scanner_ship.html", manifest=None, carriers=choices, manifests=manifests
    )


@blueprint.post("/ship/open")
@json_roles_required
def open_manifest() -> tuple[Response, int]:
    """The carrier's open manifest at the FC, started now if there is none: {fc_id,
    carrier_id}."""
    body = json_body()
    fc_id = _int_of(body, "fc_id", 1, 2**31 - 1)
    carrier_id = _int_of(body, "carrier_id", 1, 2**31 - 1)
    manifest, replayed = shipping.open_manifest(
        new_uow(), actor_of_request(), fc_id, carrier_id, idempotency_key()
    )
    message = _("Manifest %(reference)s is open.", reference=manifest["reference"])
    return json_answer(
        manifest_for_page(manifest, message=message, replayed=replayed), replayed, 201
    )


@blueprint.get("/ship/<int:manifest_id>")
@roles_required(*WAREHOUSE_ROLES)
def ship_manifest(manifest_id: int) -> str:
    """One manifest: scan parcels onto it, see them listed, close it."""
    found = shipping.get_manifest(
        new_uow(), actor_of_request(), record_id(manifest_id, "manifest_id")
    )
    return render_template(
        "scanner_ship.html", manifest=manifest_for_page(found), carriers=[], manifests=[]
    )


@blueprint.post("/ship/<int:manifest_id>/parcels")
@json_roles_required
def ship_parcel(manifest_id: int) -> tuple[Response, int]:
    """A parcel scanned onto the manifest: {scan} (its tracking number or SSCC label); another
    carrier's parcel is refused."""
    scan = read_scan(scan_of(json_body()))
    if scan.kind is ScanKind.SSCC and scan.sscc:
        parcel = scan.sscc
    elif scan.kind is ScanKind.TEXT and scan.text:
        parcel = scan.text
    else:
        raise InvalidInput(_("That is not a parcel's label; scan its tracking barcode."), "scan")
    manifest, replayed = shipping.add_parcel(
        new_uow(),
        actor_of_request(),
        record_id(manifest_id, "manifest_id"),
        parcel,
        idempotency_key(),
    )
    message = _("Parcel %(parcel)s is on the manifest.", parcel=parcel.upper())
    if replayed:
        message = _("Already recorded: %(what)s", what=message)
    view = manifest_for_page(manifest, message=message, replayed=replayed)
    view["last_parcel"] = parcel.upper()
    return json_answer(view, replayed)


@blueprint.post("/ship/<int:manifest_id>/close")
@json_roles_required
def close_manifest(manifest_id: int) -> tuple[Response, int]:
    """Hand the manifest's parcels to the carrier: the orders are shipped."""
    json_body()
    manifest, replayed = shipping.close_manifest(
        new_uow(), actor_of_request(), record_id(manifest_id, "manifest_id"), idempotency_key()
    )
    message = ngettext(
        "Manifest closed: %(num)d parcel handed to %(carrier)s.",
        "Manifest closed: %(num)d parcels handed to %(carrier)s.",
        len(manifest["parcels"]),
        carrier=manifest["carrier_name"],
    )
    return json_answer(manifest_for_page(manifest, message=message, replayed=replayed), replayed)
