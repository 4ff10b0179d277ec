"""The outbound scanner pages (pick, pack, ship) and their JSON endpoints, through Flask's test
client logged in as floor staff, on orders placed and a wave released through the use cases."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests import outbound
from tests.api import (
    HERBSIAM,
    MANAGER_KUL1,
    SIAMFRUIT,
    STAFF_CGK1,
    STAFF_KUL1,
    Api,
    fc_ids,
    new_key,
    sku_by_code,
)
from tests.integration.test_scanner_pages import Scanner, error_of
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.identifiers import with_check_digit
from wms.services import facilities, orders
from wms.services.ledger import audit_ledger
from wms.services.paging import PageRequest

DONE_OR_GONE = ("shipped", "cancelled")
WRONG_BIN = "KUL1-Z-99-99"
STRANGER_GTIN = with_check_digit("885196199999")  # a valid GTIN of no SKU here


# --- set-up -------------------------------------------------------------------------------------


def clear_waiting_orders(uow: UnitOfWork, manager: Actor, fc_id: int) -> None:
    """Cancel the demo's waiting orders, so a wave holds the test's orders only."""
    listed = orders.list_orders(uow, manager, PageRequest(1, 500), fc_id=fc_id)["items"]
    for order in listed:
        if order["status"] not in DONE_OR_GONE:
            orders.cancel_order(uow, manager, int(order["id"]), new_key())


def stock_of(api: Api, sku_id: int) -> tuple[int, int]:
    """(on hand, reserved) of a SKU over every bin of KUL1."""
    rows = api.items("/stock", fc_id=fc_ids(api)["KUL1"], sku_id=sku_id)
    return sum(row["on_hand"] for row in rows), sum(row["reserved"] for row in rows)


@pytest.fixture
def released(uow: UnitOfWork, api_as: Callable[[str], Api]) -> dict[str, Any]:
    """Three orders at KUL1 in a released wave: two for J&T (one of them will be short with
    nothing to re-allocate: every other durian is reserved by an order placed after the
    wave), one for Ninja Van."""
    manager = outbound.actor(uow, MANAGER_KUL1)
    merchant = outbound.actor(uow, SIAMFRUIT)
    fc_id, _, _ = outbound.ids(uow, "KUL1", "JNT", "SIAMFRUIT")
    clear_waiting_orders(uow, manager, fc_id)
    placed = {
        "short": outbound.place_order(uow, merchant, {"SF-DURIAN-100": 3, "SF-MANGO-200": 2}),
        "jnt": outbound.place_order(uow, merchant, {"SF-TAMARIND-250": 2, "SF-BANANA-150": 2}),
        "ninja": outbound.place_order(uow, merchant, {"SF-COCONUT-120": 1}, carrier_code="NINJA"),
    }
    assert all(order["status"] == "allocated" for order in placed.values()), placed
    wave = outbound.planned_wave(uow, manager)
    api = api_as(MANAGER_KUL1)
    durian = sku_by_code(api_as(SIAMFRUIT), "SF-DURIAN-100")
    on_hand, reserved = stock_of(api, durian["id"])
    blocker = outbound.place_order(uow, merchant, {"SF-DURIAN-100": on_hand - reserved})
    assert blocker["status"] == "allocated", blocker
    return {"orders": placed, "wave": wave, "fc_id": fc_id}


@pytest.fixture
def staff(client: FlaskClient) -> Scanner:
    return Scanner(client, STAFF_KUL1, home="/scan/pick")


def item_scan(pick: dict[str, Any], lot: str | None = None) -> str:
    """The GS1-128 label of the pick's item: AIM id, GTIN-14, expiry, then the lot."""
    expiry = (pick["expiry_date"] or "2030-01-01").replace("-", "")[2:]
    return f"]C101{pick['gtin'].zfill(14)}17{expiry}10{lot or pick['lot_number']}"


def ok(response: TestResponse, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.get_json())
    body: dict[str, Any] = response.get_json()
    return body


class Picker:
    """Walks a trip's picks over the scanner endpoints, one step per post, as the page does."""

    def __init__(self, staff: Scanner, trip: dict[str, Any]) -> None:
        self.staff = staff
        self.trip = trip

    def step(self, pick: dict[str, Any], progress: dict[str, Any], **body: Any) -> TestResponse:
        return self.staff.post(pick["url"], {"progress": progress, **body}, key=new_key())

    def to_units(self, pick: dict[str, Any], bin_scan: str | None = None) -> dict[str, Any]:
        """Scan the bin and the item; the answer's progress is at the units."""
        at_bin = ok(self.step(pick, {}, scan=bin_scan or pick["location_code"]))
        assert at_bin["step"] == "scan_item" and not at_bin["done"]
        at_item = ok(self.step(pick, at_bin["progress"], scan=item_scan(pick)))
        assert at_item["step"] == "confirm_quantity"
        assert (
            at_item["prompt"] == f"Take {pick['quantity']}. Press Enter, or type how many you took."
        )
        progress: dict[str, Any] = at_item["progress"]
        return progress


# --- the home page ------------------------------------------------------------------------------


def test_home_links_pick_pack_and_ship(staff: Scanner):
    home = staff.page("/scan")
    for task in ("receive", "putaway", "pick", "pack", "ship"):
        assert re.search(rf'<a class="task task-{task}" href="/scan/{task}">', home), task
    for task in ("move", "count"):
        assert re.search(rf'<button type="button" class="task task-{task}" disabled', home), task


# --- picking ------------------------------------------------------------------------------------


def test_a_trip_is_picked_scan_by_scan_with_short_and_damaged_picks(
    staff: Scanner, released: dict[str, Any], api_as: Callable[[str], Api], uow: UnitOfWork
):
    manager = api_as(MANAGER_KUL1)
    short_order, jnt_order = released["orders"]["short"], released["orders"]["jnt"]
    listing = staff.page("/scan/pick")
    trip_ids = [int(found) for found in re.findall(r'data-trip-id="(\d+)"', listing)]
    assert trip_ids, listing
    assert 'data-flow="pick-list"' in listing

    # The first trip is taken by scanning its reference, the others with "next trip".
    reference = re.search(
        rf'data-trip-id="{trip_ids[0]}">\s*<span class="task-link-main"><span class="code">'
        r"([^<]+)<",
        listing,
    )
    assert reference, listing
    unknown = staff.post("/scan/pick/take", {"scan": "W-NOPE-001"}, key=new_key())
    assert error_of(unknown, 404)["field"] == "scan"

    taken: set[int] = set()
    shorted: dict[str, str] = {}
    scanned: dict[str, Any] = {"scan": reference.group(1).lower()}
    while True:
        answer = staff.post("/scan/pick/take", scanned, key=new_key())
        scanned = {}
        if answer.status_code == 404:
            assert "No trip is waiting" in error_of(answer, 404)["message"]
            break
        trip = ok(answer, 201)
        assert trip["id"] not in taken
        taken.add(trip["id"])
        assert trip["status"] == "picking" and trip["step"] == "scan_totes"
        assert trip["url"] == f"/scan/pick/{trip['id']}"
        page = staff.page(trip["url"])
        assert 'data-flow="pick-trip"' in page and "Scan an empty tote for slot 1" in page
        trip = put_totes_on(staff, trip)
        assert trip["step"] == "pick" and trip["pick_step"] == "scan_bin"
        page = staff.page(trip["url"])
        first = trip["next_pick"]
        assert f'<span id="pick-bin">{first["location_code"]}</span>' in page
        assert f'id="pick-check">{first["location_check_code"]}</span>' in page
        trip = walk(staff, trip, manager, shorted)
        assert trip["step"] == "done" and trip["status"] == "picked"
        assert "Trip done" in trip["prompt"]
    assert taken == set(trip_ids)
    assert set(shorted) == {"SF-TAMARIND-250", "SF-BANANA-150", "SF-DURIAN-100"}
    assert "1 re-allocated from another bin." in shorted["SF-TAMARIND-250"]
    assert "1 damaged, to quarantine." in shorted["SF-BANANA-150"]
    assert "1 re-allocated from another bin." in shorted["SF-BANANA-150"]
    assert "3 missing: exception raised for the manager." in shorted["SF-DURIAN-100"]
    assert "Nothing picked from" in shorted["SF-DURIAN-100"]
    assert audit_ledger(uow) == []

    exceptions = manager.get("/pick-exceptions", fc_id=released["fc_id"]).get_json()
    kinds = sorted((item["kind"], item["quantity"], item["reallocated"]) for item in exceptions)
    assert kinds == [("damaged", 1, 1), ("short", 1, 1), ("short", 3, 0)]
    statuses = {
        order["reference"]: api_as(SIAMFRUIT).get(f"/orders/{order['id']}").get_json()["status"]
        for order in (short_order, jnt_order)
    }
    assert set(statuses.values()) == {"picked"}


def put_totes_on(staff: Scanner, trip: dict[str, Any]) -> dict[str, Any]:
    """Scan a tote for every slot of the cart; wrong scans are refused first."""
    path = trip["totes_url"]
    slot = trip["open_slot"]["slot"]
    not_a_tote = staff.post(path, {"slot": slot, "scan": STRANGER_GTIN}, key=new_key())
    assert "tote" in error_of(not_a_tote, 422)["message"]
    bad_code = staff.post(path, {"slot": slot, "scan": "X-1"}, key=new_key())
    assert error_of(bad_code, 422)["field"] == "tote"
    no_slot = staff.post(path, {"slot": 99, "scan": "T0099"}, key=new_key())
    assert error_of(no_slot, 404)["field"] == "slot"
    while trip["step"] == "scan_totes":
        slot = trip["open_slot"]["slot"]
        code = f"T{trip['id']:04d}{slot:02d}"
        trip = ok(staff.post(path, {"slot": slot, "scan": code}, key=new_key()))
        assert trip["message"] == f"Tote {code} is on slot {slot}."
        if trip["step"] == "scan_totes":
            # A tote holds one order at a time.
            busy = staff.post(
                path, {"slot": trip["open_slot"]["slot"], "scan": code}, key=new_key()
            )
            holder = next(tote for tote in trip["totes"] if tote["tote_code"] == code)
            assert error_of(busy, 409)["message"] == (
                f"Tote {code} still holds order {holder['order_reference']}."
            )
    return trip


def walk(
    staff: Scanner, trip: dict[str, Any], manager: Api, shorted: dict[str, str]
) -> dict[str, Any]:
    """Pick every pick of the trip; the first pick of each kind is also scanned wrong once."""
    picker = Picker(staff, trip)
    wrong_scans_done = False
    while trip["next_pick"] is not None:
        pick = trip["next_pick"]
        sku = pick["sku_code"]
        if not wrong_scans_done:
            check_refusals(picker, pick)
            wrong_scans_done = True
        if sku == "SF-DURIAN-100" and sku not in shorted:
            # The bin is empty and every other durian is reserved: an exception is raised.
            at_bin = ok(picker.step(pick, {}, scan=pick["location_code"]))
            too_early = picker.step(pick, {}, bin_empty=True)
            assert error_of(too_early, 422)["field"] == "location_code"
            key = new_key()
            body = {"progress": at_bin["progress"], "bin_empty": True}
            done = ok(staff.post(pick["url"], body, key=key))
            shorted[sku] = done["message"]
            assert done["result"]["short"] == pick["quantity"]
            trip = done
            continue
        progress = picker.to_units(pick, bin_scan=pick["location_check_code"])
        quantity, damaged = pick["quantity"], 0
        if sku == "SF-TAMARIND-250" and sku not in shorted:
            quantity -= 1  # a short pick: one unit is not there
        if sku == "SF-BANANA-150" and sku not in shorted:
            quantity, damaged = quantity - 1, 1  # one unit is broken
        at_tote = ok(picker.step(pick, progress, quantity=quantity, damaged=damaged))
        assert at_tote["step"] == "scan_tote"
        assert at_tote["prompt"] == (
            f"Put {quantity} in tote {pick['tote_code']} (slot {pick['slot']}) and scan the tote."
        )
        key = new_key()
        body = {"progress": at_tote["progress"], "scan": pick["tote_code"]}
        done = ok(staff.post(pick["url"], body, key=key))
        assert done["done"] is True and done["replayed"] is False
        assert done["result"]["picked"] == quantity
        assert done["picks_done"] == trip["picks_done"] + 1
        if quantity < pick["quantity"] and sku not in shorted:
            shorted[sku] = done["message"]
            # The missing unit is re-allocated from another bin into this trip.
            extra = [
                item
                for item in done["picks"]
                if item["status"] == "reserved"
                and item["sku_code"] == sku
                and item["order_id"] == pick["order_id"]
            ]
            assert extra and all(item["location_code"] != pick["location_code"] for item in extra)
            # A replayed confirm answers as the first time and picks nothing twice.
            sku_id = pick["sku_id"]
            before = stock_of(manager, sku_id)
            replay = staff.post(pick["url"], body, key=key)
            again = ok(replay)
            assert replay.headers["Idempotent-Replayed"] == "true"
            assert again["replayed"] is True and again["message"].startswith("Already recorded")
            assert again["result"] == done["result"]
            assert again["picks_done"] == done["picks_done"]
            assert stock_of(manager, sku_id) == before
            twice = staff.post(pick["url"], body, key=new_key())
            assert error_of(twice, 409)["field"] == "pick_id"
        else:
            assert done["message"] == (f"Picked {quantity} × {sku} into tote {pick['tote_code']}.")
        trip = done
    return trip


def check_refusals(picker: Picker, pick: dict[str, Any]) -> None:
    """Wrong bin, item, lot, units and tote are refused naming the field; the steps already
    done stay done (the same progress is sent again)."""
    wrong_bin = picker.step(pick, {}, scan=WRONG_BIN)
    error = error_of(wrong_bin, 422)
    assert error["field"] == "location_code"
    assert error["message"] == f"Wrong bin: this pick is at {pick['location_code']}."
    an_item_first = picker.step(pick, {}, scan=item_scan(pick))
    assert error_of(an_item_first, 422)["field"] == "location_code"
    at_bin = ok(picker.step(pick, {}, scan=pick["location_code"]))["progress"]

    wrong_item = picker.step(pick, at_bin, scan=STRANGER_GTIN)
    assert error_of(wrong_item, 422)["message"].startswith("Wrong item: this pick is")
    wrong_lot = picker.step(pick, at_bin, scan=item_scan(pick, lot="NOTTHISLOT"))
    error = error_of(wrong_lot, 422)
    assert error["field"] == "lot_number" and pick["lot_number"] in error["message"]
    a_bin_again = picker.step(pick, at_bin, scan=pick["location_code"])
    assert error_of(a_bin_again, 422)["field"] == "gtin"
    at_item = ok(picker.step(pick, at_bin, scan=pick["gtin"]))["progress"]
    assert at_item["bin_code"] == pick["location_code"]

    too_many = picker.step(pick, at_item, quantity=pick["quantity"] + 1)
    assert error_of(too_many, 422)["field"] == "quantity"
    a_scan_now = picker.step(pick, at_item, scan=pick["tote_code"])
    assert error_of(a_scan_now, 422)["field"] == "quantity"
    at_tote = ok(picker.step(pick, at_item, quantity=pick["quantity"]))["progress"]

    wrong_tote = picker.step(pick, at_tote, scan="T9999")
    error = error_of(wrong_tote, 422)
    assert error["field"] == "tote" and pick["tote_code"] in error["message"]
    # Nothing was confirmed by any of them.
    page = picker.staff.page(picker.trip["url"])
    assert f'data-pick-id="{pick["id"]}"' in page
    assert re.search(
        rf'class="trip-pick pick-reserved pick-next" data-pick-id="{pick["id"]}"', page
    )


# --- packing and shipping -----------------------------------------------------------------------


def pick_everything(staff: Scanner, empty: str = "SF-DURIAN-100") -> dict[int, str]:
    """Pick every released trip, in full but for the SKU `empty` whose bins are found empty;
    returns each order's tote."""
    totes: dict[int, str] = {}
    while True:
        answer = staff.post("/scan/pick/take", {}, key=new_key())
        if answer.status_code == 404:
            return totes
        trip = put_totes_on_quietly(staff, ok(answer, 201))
        totes.update({tote["order_id"]: tote["tote_code"] for tote in trip["totes"]})
        picker = Picker(staff, trip)
        while trip["next_pick"] is not None:
            pick = trip["next_pick"]
            if pick["sku_code"] == empty:
                at_bin = ok(picker.step(pick, {}, scan=pick["location_code"]))
                trip = ok(picker.step(pick, at_bin["progress"], bin_empty=True))
                continue
            progress = picker.to_units(pick)
            at_tote = ok(picker.step(pick, progress, quantity=pick["quantity"]))
            trip = ok(picker.step(pick, at_tote["progress"], scan=pick["tote_code"]))


def put_totes_on_quietly(staff: Scanner, trip: dict[str, Any]) -> dict[str, Any]:
    while trip["step"] == "scan_totes":
        slot = trip["open_slot"]["slot"]
        body = {"slot": slot, "scan": f"T{trip['id']:04d}{slot:02d}"}
        trip = ok(staff.post(trip["totes_url"], body, key=new_key()))
    return trip


def pack(staff: Scanner, tote: str) -> dict[str, Any]:
    """Open the tote's parcel and scan every unit in (one scan per unit)."""
    parcel = ok(staff.post("/scan/pack/start", {"scan": tote}, key=new_key()), 201)
    assert parcel["url"] == f"/scan/pack/{parcel['id']}"
    for item in parcel["items"]:
        for _ in range(item["expected"] - item["verified"]):
            parcel = ok(staff.post(parcel["items_url"], {"scan": item["gtin"]}, key=new_key()))
    assert parcel["complete"]
    return parcel


def close(staff: Scanner, parcel: dict[str, Any]) -> dict[str, Any]:
    body = {"carton": parcel["suggested_carton"], "weight_g": parcel["content_weight_g"] + 300}
    return ok(staff.post(parcel["close_url"], body, key=new_key()))


def test_a_tote_is_packed_unit_by_unit_and_shipped_on_its_carriers_manifest(
    staff: Scanner, released: dict[str, Any], api_as: Callable[[str], Api], uow: UnitOfWork
):
    totes = pick_everything(staff)
    placed = released["orders"]
    short_tote = totes[placed["short"]["id"]]
    jnt_tote, ninja_tote = totes[placed["jnt"]["id"]], totes[placed["ninja"]["id"]]
    bench = staff.page("/scan/pack")
    assert bench.count('data-flow="pack-start"') == 1
    # The totes waiting at the bench: picked orders not yet packed (the short one is not
    # picked complete until a manager decides, so it is not listed).
    listed = re.findall(r'<tr data-tote="([^"]+)">', bench)
    assert jnt_tote in listed and ninja_tote in listed and short_tote not in listed

    # Orders still short wait for the manager; unknown totes and non-totes are refused.
    still_short = staff.post("/scan/pack/start", {"scan": short_tote}, key=new_key())
    assert error_of(still_short, 409)["message"] == (
        f"Order {placed['short']['reference']} is short; a manager decides to ship it short or "
        "cancel it."
    )
    nowhere = staff.post("/scan/pack/start", {"scan": "T4040404"}, key=new_key())
    assert error_of(nowhere, 404)["field"] == "tote"
    a_bin = staff.post("/scan/pack/start", {"scan": "KUL1-A-01-01"}, key=new_key())
    assert error_of(a_bin, 422)["field"] == "scan"

    parcel = ok(staff.post("/scan/pack/start", {"scan": jnt_tote}, key=new_key()), 201)
    assert parcel["order_reference"] == placed["jnt"]["reference"]
    assert parcel["prompt"] == "Scan each unit into the parcel."
    page = staff.page(parcel["url"])
    assert 'data-flow="pack-parcel"' in page and 'id="close-form"' in page
    item = parcel["items"][0]
    assert f'<tr data-sku="{item["sku_code"]}"' in page

    wrong = staff.post(parcel["items_url"], {"scan": STRANGER_GTIN}, key=new_key())
    assert error_of(wrong, 422)["field"] == "gtin"
    bin_label = staff.post(parcel["items_url"], {"scan": "KUL1-A-01-01"}, key=new_key())
    assert error_of(bin_label, 422)["field"] == "scan"
    early = staff.post(parcel["close_url"], {"carton": "S", "weight_g": 900}, key=new_key())
    assert error_of(early, 409)["field"] == "items"

    key = new_key()
    first = ok(staff.post(parcel["items_url"], {"scan": item["gtin"]}, key=key))
    row = next(entry for entry in first["items"] if entry["sku_code"] == item["sku_code"])
    assert row["verified"] == 1
    assert first["message"] == f"+1 × {item['sku_code']} (1 of {item['expected']})."
    replay = ok(staff.post(parcel["items_url"], {"scan": item["gtin"]}, key=key))
    assert replay["replayed"] is True
    assert next(e for e in replay["items"] if e["sku_code"] == item["sku_code"])["verified"] == 1
    parcel = pack(staff, jnt_tote)  # resumes the open parcel
    assert parcel["id"] == first["id"] and parcel["units_verified"] == parcel["units_expected"]
    over = staff.post(parcel["items_url"], {"scan": item["gtin"]}, key=new_key())
    assert "in the parcel already" in error_of(over, 409)["message"]
    assert parcel["prompt"].startswith("Every unit is in.")

    light = {"carton": parcel["suggested_carton"], "weight_g": 10}
    assert error_of(staff.post(parcel["close_url"], light, key=new_key()), 422)["field"] == (
        "weight_g"
    )
    odd_box = {"carton": "XXL", "weight_g": 2000}
    assert error_of(staff.post(parcel["close_url"], odd_box, key=new_key()), 422)["field"] == (
        "carton"
    )
    # A US-style GS1 prefix: the parcel's SSCC starts with "00", like the AI in front of it.
    manager = outbound.actor(uow, MANAGER_KUL1)
    policy = {"gs1_company_prefix": "0614141", "sscc_extension_digit": 0}
    facilities.set_receiving_policy(uow, manager, released["fc_id"], policy)
    not_yet = staff.client.get(f"/scan/pack/{parcel['id']}/label.pdf")
    assert not_yet.status_code == 409
    closed = close(staff, parcel)
    assert closed["status"] == "packed" and closed["tracking_number"].startswith("JTM")
    assert closed["message"] == f"Parcel closed: tracking number {closed['tracking_number']}."
    assert closed["label_url"] == f"/scan/pack/{parcel['id']}/label.pdf"
    label = staff.client.get(closed["label_url"])
    assert label.status_code == 200 and label.mimetype == "application/pdf"
    assert label.data.startswith(b"%PDF")
    assert closed["tracking_number"] in staff.page(closed["url"])
    ninja = close(staff, pack(staff, ninja_tote))
    assert ninja["tracking_number"].startswith("NVM")

    # --- the dock ---------------------------------------------------------------------------
    dock = staff.page("/scan/ship")
    assert 'data-flow="ship-start"' in dock
    choices = dict(
        re.findall(
            r'data-carrier-id="(\d+)"[^>]*>\s*<span class="task-link-main">'
            r"(?:<kbd>\d</kbd> )?([^<]+)<",
            dock,
        )
    )
    jnt_id = next(int(carrier) for carrier, name in choices.items() if name.startswith("J&amp;T"))
    opening = {"fc_id": released["fc_id"], "carrier_id": jnt_id}
    manifest = ok(staff.post("/scan/ship/open", opening, key=new_key()), 201)
    assert manifest["status"] == "open" and manifest["parcels"] == []
    again = ok(staff.post("/scan/ship/open", opening, key=new_key()), 201)
    assert again["id"] == manifest["id"]  # the carrier's open manifest, not a second one
    assert manifest["url"] in staff.page("/scan/ship")

    wrong_carrier = staff.post(
        manifest["parcels_url"], {"scan": ninja["tracking_number"]}, key=new_key()
    )
    error = error_of(wrong_carrier, 409)
    assert error["field"] == "parcel" and error["message"] == (
        f"Parcel {ninja['tracking_number']} goes with Ninja Van Malaysia, "
        f"not {manifest['carrier_name']}."
    )
    unknown = staff.post(manifest["parcels_url"], {"scan": "JTM9999999999"}, key=new_key())
    assert error_of(unknown, 404)["field"] == "parcel"
    an_item = staff.post(manifest["parcels_url"], {"scan": STRANGER_GTIN}, key=new_key())
    assert error_of(an_item, 422)["field"] == "scan"
    nothing_yet = staff.post(manifest["close_url"], {}, key=new_key())
    assert error_of(nothing_yet, 409)["field"] == "manifest_id"

    assert closed["sscc"].startswith("00")
    by_sscc = f"]C100{closed['sscc']}"
    on = ok(staff.post(manifest["parcels_url"], {"scan": by_sscc}, key=new_key()))
    assert [parcel["tracking_number"] for parcel in on["parcels"]] == [closed["tracking_number"]]
    assert on["count_text"] == "1 parcel"
    by_tracking = {"scan": closed["tracking_number"]}
    again = ok(staff.post(manifest["parcels_url"], by_tracking, key=new_key()))
    assert len(again["parcels"]) == 1
    page = staff.page(manifest["url"])
    assert f'<tr data-tracking="{closed["tracking_number"]}">' in page

    key = new_key()
    shipped = ok(staff.post(manifest["close_url"], {}, key=key))
    assert shipped["status"] == "closed"
    assert shipped["message"] == "Manifest closed: 1 parcel handed to J&T Express Malaysia."
    replay = ok(staff.post(manifest["close_url"], {}, key=key))
    assert replay["replayed"] is True and replay["status"] == "closed"
    twice = staff.post(manifest["close_url"], {}, key=new_key())
    assert error_of(twice, 409)["field"] == "manifest_id"
    merchant = api_as(SIAMFRUIT)
    assert merchant.get(f"/orders/{placed['jnt']['id']}").get_json()["status"] == "shipped"
    assert merchant.get(f"/orders/{placed['ninja']['id']}").get_json()["status"] == "packed"
    assert audit_ledger(uow) == []


# --- bad input and access -----------------------------------------------------------------------


def test_malformed_requests_get_4xx_json_errors_never_a_500(
    staff: Scanner, released: dict[str, Any]
):
    trip = ok(staff.post("/scan/pick/take", {}, key=new_key()), 201)
    trip = put_totes_on_quietly(staff, trip)
    pick = trip["next_pick"]
    cases: list[tuple[str, Any, str | None]] = [
        (pick["url"], {"progress": [], "scan": "x"}, "progress"),
        (pick["url"], {"progress": {"bin_code": 5}, "scan": "x"}, "progress"),
        (pick["url"], {"progress": {"bin_code": "B" * 41}, "scan": "x"}, "progress"),
        (pick["url"], {"progress": {"gtin": ""}, "scan": "x"}, "progress"),
        (pick["url"], {"progress": {"quantity": -1}}, "progress"),
        (pick["url"], {"progress": {"quantity": True}}, "progress"),
        (pick["url"], {"progress": {"lot_number": "L\x00"}}, "progress"),
        (pick["url"], {"scan": 5}, "scan"),
        (pick["url"], {"scan": ""}, "scan"),
        (pick["url"], {"scan": "1" * 201}, "scan"),
        (pick["url"], {"scan": "]C101" + "1" * 14}, "scan"),
        (pick["url"], {"bin_empty": "yes"}, "bin_empty"),
        (pick["url"], {}, "quantity"),
        (pick["url"], {"quantity": "3"}, "quantity"),
        (pick["url"], {"quantity": 1.5}, "quantity"),
        (pick["url"], {"quantity": 10**40}, "quantity"),
        (pick["url"], {"quantity": 1, "damaged": None}, "damaged"),
        (f"/scan/pick/{trip['id']}/picks/999999", {"scan": "x"}, "pick_id"),
        (f"/scan/pick/{2**40}/picks/1", {"scan": "x"}, "batch_id"),
        ("/scan/pick/999999/start", {}, "batch_id"),
        ("/scan/pick/take", {"scan": ["W-1"]}, "scan"),
        (trip["totes_url"], {"slot": "1", "scan": "T0001"}, "slot"),
        (trip["totes_url"], {"slot": 1}, "scan"),
        ("/scan/pack/start", {}, "scan"),
        ("/scan/pack/start", {"scan": {"tote": "T1"}}, "scan"),
        ("/scan/pack/999999/items", {"scan": STRANGER_GTIN}, "package_id"),
        ("/scan/pack/999999/close", {"carton": "S", "weight_g": 100}, "package_id"),
        ("/scan/pack/1/close", {"carton": 5, "weight_g": 100}, "carton"),
        ("/scan/pack/1/close", {"carton": "S", "weight_g": "heavy"}, "weight_g"),
        ("/scan/pack/1/close", {"carton": "S", "weight_g": 0}, "weight_g"),
        ("/scan/ship/open", {"fc_id": "KUL1", "carrier_id": 1}, "fc_id"),
        ("/scan/ship/open", {"fc_id": released["fc_id"]}, "carrier_id"),
        ("/scan/ship/open", {"fc_id": released["fc_id"], "carrier_id": 999999}, "carrier_id"),
        ("/scan/ship/999999/parcels", {"scan": "JTM0000000001"}, "manifest_id"),
        ("/scan/ship/999999/close", {}, "manifest_id"),
    ]
    for path, body, field in cases:
        refused = staff.post(path, body, key=new_key())
        assert 400 <= refused.status_code < 500, (path, body, refused.get_data(as_text=True))
        error = error_of(refused, refused.status_code)
        assert error["field"] == field, (path, body, error)

    headers = {"X-CSRFToken": staff.token, "Idempotency-Key": new_key()}
    for path in (pick["url"], "/scan/pack/start", "/scan/ship/open", trip["totes_url"]):
        as_form = staff.client.post(path, data={"scan": "x"}, headers=headers)
        assert error_of(as_form, 415)["field"] == "body"
        broken = staff.client.post(
            path, data="{scan:", headers={**headers, "Content-Type": "application/json"}
        )
        assert error_of(broken, 400)["field"] == "body"
        listed = staff.client.post(
            path, data="[1]", headers={**headers, "Content-Type": "application/json"}
        )
        assert error_of(listed, 400)["field"] == "body"
        no_csrf = staff.client.post(path, json={}, headers={"Idempotency-Key": new_key()})
        assert error_of(no_csrf, 400)["code"] == "csrf_failed"
    # A confirming step without a key changes nothing and says why.
    progress = Picker(staff, trip).to_units(pick)
    at_tote = ok(staff.post(pick["url"], {"progress": progress, "quantity": pick["quantity"]}))
    keyless = staff.post(pick["url"], {"progress": at_tote["progress"], "scan": pick["tote_code"]})
    assert error_of(keyless, 422)["field"] == "Idempotency-Key"
    assert staff.client.get(f"/scan/pick/{trip['id']}").status_code == 200
    assert staff.client.get("/scan/pack/999999").status_code == 404
    assert staff.client.get("/scan/ship/999999").status_code == 404
    assert staff.client.get("/scan/pack/999999/label.pdf").status_code == 404


def test_only_the_fcs_floor_staff_use_the_outbound_pages(
    client: FlaskClient, released: dict[str, Any]
):
    for path in ("/scan/pick", "/scan/pack", "/scan/ship", "/scan/pick/1"):
        assert client.get(path).headers["Location"].startswith("/login")
    merchant = Scanner(client, HERBSIAM, home="/stock")
    assert client.get("/scan/pick").status_code == 403
    refused = merchant.post("/scan/pick/take", {}, key=new_key())
    assert error_of(refused, 403)
    client.post("/logout", data={"csrf_token": merchant.token})

    kul1 = Scanner(client, STAFF_KUL1, home="/scan/pick")
    trip = ok(kul1.post("/scan/pick/take", {}, key=new_key()), 201)
    client.post("/logout", data={"csrf_token": kul1.token})

    cgk1 = Scanner(client, STAFF_CGK1, home="/scan/pick")
    assert 'data-trip-id="' not in cgk1.page("/scan/pick")
    assert client.get(trip["url"]).status_code == 404
    other = cgk1.post(trip["start_url"], {}, key=new_key())
    assert error_of(other, 404)["field"] == "batch_id"
    assert error_of(cgk1.post("/scan/pick/take", {}, key=new_key()), 404)["field"] == "scan"


def test_a_thai_picker_reads_the_item_and_the_refusals_in_thai(
    staff: Scanner, released: dict[str, Any]
):
    switched = staff.client.post(
        "/language", data={"locale": "th", "csrf_token": staff.token, "next": "/scan/pick"}
    )
    assert switched.status_code == 302
    trip = put_totes_on_quietly(staff, ok(staff.post("/scan/pick/take", {}, key=new_key()), 201))
    pick = trip["next_pick"]
    assert pick["sku_name"] == pick["sku_name_th"] != pick["sku_name_en"]
    assert trip["prompt"] == f"ไปที่ช่องเก็บ {pick['location_code']} แล้วสแกนป้าย"
    page = staff.page(trip["url"])
    assert f'<span class="sku-name" id="pick-name" lang="th">{pick["sku_name_th"]}</span>' in page
    assert "หยิบสินค้า" in page  # the crumbs' "Pick"
    wrong = staff.post(pick["url"], {"progress": {}, "scan": WRONG_BIN}, key=new_key())
    assert error_of(wrong, 422)["message"] == (f"ช่องเก็บผิด: รายการนี้ต้องหยิบที่ {pick['location_code']}")


def speak(staff: Scanner, locale: str) -> None:
    """Switch the user's language, as the language menu does."""
    switched = staff.client.post(
        "/language", data={"locale": locale, "csrf_token": staff.token, "next": "/scan/pick"}
    )
    assert switched.status_code == 302


def test_the_use_cases_refusals_reach_a_thai_user_in_thai(
    staff: Scanner, released: dict[str, Any], uow: UnitOfWork
):
    """The use cases refuse in English with codes and references in the text; the scanner pages
    answer a Thai user in Thai all the same (English users: the tests above)."""
    speak(staff, "th")
    placed = released["orders"]

    # A tote still holding an order is refused for another slot.
    trip_ids = [
        int(found) for found in re.findall(r'data-trip-id="(\d+)"', staff.page("/scan/pick"))
    ]
    trip = ok(staff.post(f"/scan/pick/{trip_ids[0]}/start", {}, key=new_key()))
    slot = trip["open_slot"]["slot"]
    code = f"T{trip['id']:04d}{slot:02d}"
    trip = ok(staff.post(trip["totes_url"], {"slot": slot, "scan": code}, key=new_key()))
    holder = next(tote for tote in trip["totes"] if tote["tote_code"] == code)
    other = trip
    if trip["step"] != "scan_totes":  # a one-order trip: try the tote on the next trip
        other = ok(staff.post(f"/scan/pick/{trip_ids[1]}/start", {}, key=new_key()))
    busy = staff.post(
        other["totes_url"], {"slot": other["open_slot"]["slot"], "scan": code}, key=new_key()
    )
    error = error_of(busy, 409)
    assert error["field"] == "tote"
    assert error["message"] == f"กล่องหยิบ {code} ยังมีคำสั่งซื้อ {holder['order_reference']} อยู่"

    # An order still short waits for the manager; an unknown tote holds nothing to pack.
    speak(staff, "en")  # the picking helper reads the prompts in English
    totes = pick_everything(staff)
    speak(staff, "th")
    still_short = staff.post(
        "/scan/pack/start", {"scan": totes[placed["short"]["id"]]}, key=new_key()
    )
    assert error_of(still_short, 409)["message"] == (
        f"คำสั่งซื้อ {placed['short']['reference']} หยิบได้ไม่ครบ ผู้จัดการจะตัดสินใจว่าจะส่งไม่ครบหรือยกเลิกคำสั่งซื้อ"
    )
    nowhere = staff.post("/scan/pack/start", {"scan": "T4040404"}, key=new_key())
    assert error_of(nowhere, 404)["message"] == "กล่องหยิบ T4040404 ไม่มีคำสั่งซื้อที่รอแพ็ก"
    parcel = pack(staff, totes[placed["ninja"]["id"]])
    item = parcel["items"][0]
    over = staff.post(parcel["items_url"], {"scan": item["gtin"]}, key=new_key())
    assert error_of(over, 409)["message"] == "สินค้านี้ใส่ลงพัสดุครบทุกชิ้นแล้ว"
    ninja = close(staff, parcel)

    # Another carrier's parcel is refused at the dock.
    _fc, jnt_id, _merchant = outbound.ids(uow, "KUL1", "JNT", "SIAMFRUIT")
    opening = {"fc_id": released["fc_id"], "carrier_id": jnt_id}
    manifest = ok(staff.post("/scan/ship/open", opening, key=new_key()), 201)
    wrong_carrier = staff.post(
        manifest["parcels_url"], {"scan": ninja["tracking_number"]}, key=new_key()
    )
    error = error_of(wrong_carrier, 409)
    assert error["field"] == "parcel"
    assert error["message"] == (
        f"พัสดุ {ninja['tracking_number']} ต้องส่งกับ Ninja Van Malaysia ไม่ใช่ {manifest['carrier_name']}"
    )
    unknown = staff.post(manifest["parcels_url"], {"scan": "JTM9999999999"}, key=new_key())
    assert error_of(unknown, 404)["message"] == "ไม่พบพัสดุ JTM9999999999 ที่ศูนย์นี้"
    nothing_yet = staff.post(manifest["close_url"], {}, key=new_key())
    assert error_of(nothing_yet, 409)["message"] == "สแกนพัสดุเข้าใบส่งมอบอย่างน้อยหนึ่งกล่องก่อน"
