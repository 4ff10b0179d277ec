"""The outbound pages through Flask's test client: the backlog against cut-offs, planning,
previewing, releasing and discarding waves, trips with their route drawn, the pick-exception
queue, and orders for managers and merchants."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests import outbound
from tests.api import CHABATEA, MANAGER_CGK1, MANAGER_KUL1, SIAMFRUIT, STAFF_KUL1
from tests.conftest import settings_for
from tests.integration.test_web_pages import all_rows, log_in, switch_language, table_rows
from wms.app import create_app
from wms.bootstrap import EXTENSION
from wms.db.unit_of_work import UnitOfWork
from wms.services import orders, picking, waves
from wms.services.paging import PageRequest
from wms.services.picking import PickConfirmation
from wms.web.outbound import route_figure

FIELD_ERROR = re.compile(r'<p class="field-error" id="([^"]+)-error">([^<]*)</p>')
FORM = re.compile(r'<form[^>]*action="(?P<action>[^"]+)"[^>]*>(?P<body>.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
H1 = re.compile(r"<h1>(.*?)</h1>", re.S)


@pytest.fixture
def web_app(demo_database_url: str) -> Iterator[Flask]:
    """The whole app on its own demo database (its work commits), with CSRF protection on."""
    app = create_app(settings_for(demo_database_url))
    yield app
    engine = app.extensions[EXTENSION].engine
    if engine is not None:
        engine.dispose()


@pytest.fixture
def uow(web_app: Flask) -> UnitOfWork:
    """Units of work on the app's database, to set up orders through the use cases."""
    return web_app.extensions[EXTENSION].uow()


@pytest.fixture
def kul1(uow: UnitOfWork) -> dict[str, Any]:
    """Allocated orders at KUL1: two multi-line ambient orders, two single-item orders, a
    chilled one of another merchant, and one whose cut-off has passed."""
    manager = outbound.actor(uow, MANAGER_KUL1)
    # A day and an hour ahead: the last daily cut-off before it is at least an hour away at any
    # hour of the day (20 hours ahead made J&T's orders late after its 15:00 cut-off).
    ahead = datetime.now(UTC) + timedelta(hours=25)
    placed = [
        outbound.place_order(uow, manager, {"SF-MANGO-200": 3, "SF-DURIAN-100": 2}, ship_by=ahead),
        outbound.place_order(
            uow, manager, {"SF-TAMARIND-250": 2, "SF-BANANA-150": 1}, ship_by=ahead
        ),
        outbound.place_order(uow, manager, {"SF-MANGO-200": 1}, ship_by=ahead),
        outbound.place_order(
            uow, manager, {"SF-DURIAN-100": 1}, carrier_code="NINJA", ship_by=ahead
        ),
        outbound.place_order(
            uow,
            manager,
            {"CB-MILKTEA-RTD": 2},
            merchant_code="CHABATEA",
            carrier_code="NINJA",
            ship_by=ahead,
        ),
        outbound.place_order(
            uow, manager, {"SF-TAMARIND-250": 1}, ship_by=datetime.now(UTC) - timedelta(hours=30)
        ),
    ]
    assert {order["status"] for order in placed} == {"allocated"}, placed
    fc_id = placed[0]["fc_id"]
    waiting = sum(group["by_status"].get("allocated", 0) for group in backlog(uow, fc_id))
    return {"fc_id": fc_id, "orders": placed, "manager": manager, "waiting": waiting}


def backlog(uow: UnitOfWork, fc_id: int) -> list[dict[str, Any]]:
    """The backlog as the use case sees it (the demo may have orders of its own)."""
    return orders.backlog(uow, outbound.actor(uow, MANAGER_KUL1), fc_id)


def field_errors(page: TestResponse) -> dict[str, str]:
    """The messages shown next to fields, by the field's id."""
    found = FIELD_ERROR.findall(page.get_data(as_text=True))
    return {name: html.unescape(message) for name, message in found}


def hidden_fields(page: TestResponse, action: str) -> dict[str, str]:
    """The hidden inputs (CSRF token, idempotency key) of the page's form posting to `action`."""
    for found in FORM.finditer(page.get_data(as_text=True)):
        if html.unescape(found.group("action")).split("?")[0] == action:
            return dict(HIDDEN.findall(found.group("body")))
    raise AssertionError(f"the page has no form posting to {action}")


def submit(client: FlaskClient, page: TestResponse, to: str, **fields: str) -> TestResponse:
    """Send the page's form that posts to `to`, with its hidden fields and `fields`."""
    return client.post(to, data={**hidden_fields(page, to), **fields})


def h1_text(page: TestResponse) -> str:
    found = H1.search(page.get_data(as_text=True))
    assert found, "the page has no h1"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def manager(web_app: Flask, email: str = MANAGER_KUL1) -> FlaskClient:
    client = web_app.test_client()
    assert log_in(client, email).status_code == 200
    return client


def plan(client: FlaskClient, fc_id: int, **fields: str) -> TestResponse:
    """Fill in the plan-a-wave form (every waiting order unless told) and send it."""
    form = client.get(f"/fcs/{fc_id}/waves/new")
    assert form.status_code == 200
    values = {"cutoff": "all", "time_limit_s": "1", **fields}
    return submit(client, form, f"/fcs/{fc_id}/waves/new", **values)


def planned(client: FlaskClient, fc_id: int, **fields: str) -> int:
    """Plan a wave through the form; its id."""
    answer = plan(client, fc_id, **fields)
    assert answer.status_code == 302, field_errors(answer)
    location = urlsplit(answer.headers["Location"])
    found = re.fullmatch(r"/waves/(\d+)", location.path)
    assert found, location
    return int(found.group(1))


def svg_of(page: TestResponse) -> str:
    found = re.search(r"<svg[^>]*>.*?</svg>", page.get_data(as_text=True), re.S)
    assert found, "the page has no inline SVG"
    return found.group(0)


# --- backlog ---------------------------------------------------------------------------------


def test_backlog_groups_open_orders_by_carrier_and_cutoff_and_flags_late_ones(web_app, kul1, uow):
    client = manager(web_app)
    page = client.get(f"/fcs/{kul1['fc_id']}/outbound")
    assert page.status_code == 200
    assert h1_text(page) == "Outbound backlog at KUL1"
    groups = all_rows(page, "cutoff")
    expected = backlog(uow, kul1["fc_id"])
    assert [(row.attrs["data-carrier"], row.attrs["data-cutoff"]) for row in groups] == [
        (group["carrier_code"], group["cutoff"]) for group in expected
    ]
    assert [int(row.figures["orders"]) for row in groups] == [g["orders"] for g in expected]
    assert [int(row.figures["units"]) for row in groups] == [g["units"] for g in expected]
    assert sum(int(row.figures["allocated"]) for row in groups) == kul1["waiting"]
    late = [row for row in groups if "late" in (row.attrs.get("class") or "")]
    assert [row.attrs["data-cutoff"] for row in late] == [
        g["cutoff"] for g in expected if g["late"]
    ]
    assert late[0].attrs["data-carrier"] == "JNT"
    assert "Late" in late[0].figures["time_left"]
    assert "past the cut-off" in late[0].figures["time_left"]
    on_time = [row for row in groups if row not in late]
    assert {"JNT", "NINJA"} <= {row.attrs["data-carrier"] for row in on_time}
    assert all(re.search(r"\d+ (h \d\d )?min", row.figures["time_left"]) for row in on_time)
    text = page.get_data(as_text=True)
    assert "Plan a wave for this cut-off" in text
    assert f'action="/fcs/{kul1["fc_id"]}/outbound/allocate"' in text

    thai = switch_language(client, page, "th")
    assert thai.status_code == 200
    assert h1_text(thai) == "งานขาออกค้างที่ KUL1"
    assert "เลยเวลาตัดรอบ" in thai.get_data(as_text=True)


def test_rerunning_allocation_of_backorders_reports_what_it_did(web_app, kul1, uow):
    manager_actor = kul1["manager"]
    backordered = outbound.place_order(uow, manager_actor, {"SF-MANGO-200": 100_000})
    assert backordered["status"] == "backordered"
    client = manager(web_app)
    page = client.get(f"/fcs/{kul1['fc_id']}/outbound")
    waiting = sum(g["by_status"].get("backordered", 0) for g in backlog(uow, kul1["fc_id"]))
    assert sum(int(row.figures["backordered"]) for row in all_rows(page, "cutoff")) == waiting
    action = f"/fcs/{kul1['fc_id']}/outbound/allocate"
    answer = submit(client, page, action)
    assert answer.status_code == 302
    after = client.get(answer.headers["Location"])
    assert (
        f"Allocation re-run for {waiting} order{'s' if waiting > 1 else ''}; 0 now fully allocated."
        in after.get_data(as_text=True)
    )
    # The same form sent twice (the same key) answers as the first time.
    again = submit(client, page, action)
    assert again.status_code == 302


# --- planning, preview, release, discard -----------------------------------------------------


def test_manager_plans_a_wave_previews_it_and_releases_it(web_app, kul1, uow):
    client = manager(web_app)
    fc_id = kul1["fc_id"]
    form = client.get(f"/fcs/{fc_id}/waves/new")
    assert form.status_code == 200
    text = form.get_data(as_text=True)
    assert '<option value="all"' in text
    # Each carrier's next cut-off is offered, and the late one the orders wait for.
    cutoffs = re.findall(r'<option value="(\d{4}-\d\d-\d\dT[^"]+)"', text)
    assert len(cutoffs) >= 4
    assert "J&amp;T Express Malaysia" in text and "Late" in text

    answer = submit(
        client,
        form,
        f"/fcs/{fc_id}/waves/new",
        cutoff="all",
        max_orders="2",
        max_volume_l="60",
        max_weight_kg="40",
        pickers="3",
        time_limit_s="1",
    )
    assert answer.status_code == 302, field_errors(answer)
    location = urlsplit(answer.headers["Location"])
    assert parse_qs(location.query) == {"pickers": ["3"]}
    wave_id = int(location.path.rsplit("/", 1)[1])

    preview = client.get(answer.headers["Location"])
    assert preview.status_code == 200
    assert h1_text(preview).startswith("Wave WV-KUL1-")
    assert "Planned (preview)" in h1_text(preview)
    trips = all_rows(preview, "trip")
    assert len(trips) >= 3  # carts of 2 totes; chilled apart from ambient
    assert {row.attrs["data-temperature"] for row in trips} == {"ambient", "chilled"}
    assert {row.attrs["data-status"] for row in trips} == {"planned"}
    assert sum(int(row.figures["orders"]) for row in trips) == kul1["waiting"]
    assert any("Single-item orders" in " ".join(row.cells) for row in trips)
    planned_trips = {
        str(batch["id"]): batch
        for batch in waves.get_wave(uow, kul1["manager"], wave_id)["batches"]
    }
    assert {row.attrs["data-trip"] for row in trips} == set(planned_trips)
    for row in trips:
        batch = planned_trips[str(row.attrs["data-trip"])]
        assert row.figures["picks"] == f"0 of {batch['picks']}"
        walked = float(row.figures["walking"].replace(",", ""))
        assert walked == pytest.approx(batch["walking_m"], abs=0.05)
    figures = re.findall(r'<dd data-figure="(\w+)">([^<]*)</dd>', preview.get_data(as_text=True))
    shown = dict(figures)
    walking = float(shown["walking"].replace(",", ""))
    fcfs = float(shown["fcfs"].replace(",", ""))
    assert 0 < walking <= fcfs
    assert shown["saving"].endswith("%")
    # One order is past its cut-off already: the wave cannot make it.
    verdict = re.search(r'id="cutoff-verdict" data-meets="(\w+)"', preview.get_data(as_text=True))
    assert verdict and verdict.group(1) == "false"
    assert "Will miss the cut-off." in preview.get_data(as_text=True)
    assert "With 3 pickers" in preview.get_data(as_text=True)

    released = submit(client, preview, f"/waves/{wave_id}/release")
    assert released.status_code == 302
    page = client.get(released.headers["Location"])
    text = page.get_data(as_text=True)
    assert "Released" in h1_text(page)
    assert "trips for the pickers" in text
    assert {row.attrs["data-status"] for row in all_rows(page, "trip")} == {"released"}
    assert f'action="/waves/{wave_id}/release' not in text


def test_releasing_twice_is_refused_and_the_same_form_twice_is_one_release(web_app, kul1):
    client = manager(web_app)
    wave_id = planned(client, kul1["fc_id"])
    preview = client.get(f"/waves/{wave_id}")
    first = submit(client, preview, f"/waves/{wave_id}/release")
    replay = submit(client, preview, f"/waves/{wave_id}/release")
    assert first.status_code == replay.status_code == 302
    # Another release (a fresh key, e.g. a second tab) is a conflict shown on the page.
    fresh = {**hidden_fields(preview, f"/waves/{wave_id}/release")}
    fresh["idempotency_key"] = "web-second-tab-0001"
    refused = client.post(f"/waves/{wave_id}/release", data=fresh)
    assert refused.status_code == 409
    assert "Only a planned wave can be released or discarded; this one is Released." in (
        html.unescape(refused.get_data(as_text=True))
    )


def test_discarding_a_wave_returns_its_orders_to_the_backlog(web_app, kul1):
    client = manager(web_app)
    fc_id = kul1["fc_id"]
    wave_id = planned(client, fc_id)
    board = client.get(f"/fcs/{fc_id}/outbound")
    assert sum(int(row.figures["waved"]) for row in all_rows(board, "cutoff")) == kul1["waiting"]
    preview = client.get(f"/waves/{wave_id}")
    answer = submit(client, preview, f"/waves/{wave_id}/discard")
    assert answer.status_code == 302
    page = client.get(answer.headers["Location"])
    assert "Discarded" in h1_text(page)
    assert "its orders wait for the next plan" in page.get_data(as_text=True)
    assert 'id="wave-decision"' not in page.get_data(as_text=True)
    board = client.get(f"/fcs/{fc_id}/outbound")
    assert (
        sum(int(row.figures["allocated"]) for row in all_rows(board, "cutoff")) == kul1["waiting"]
    )
    listed = client.get(f"/fcs/{fc_id}/waves")
    assert table_rows(listed, "wave")[str(wave_id)].attrs["data-status"] == "discarded"


def test_a_cutoff_plans_only_the_orders_due_by_it(web_app, kul1, uow):
    client = manager(web_app)
    fc_id = kul1["fc_id"]
    board = client.get(f"/fcs/{fc_id}/outbound")
    late = next(r for r in all_rows(board, "cutoff") if "late" in (r.attrs.get("class") or ""))
    cutoff = str(late.attrs["data-cutoff"])
    due = sum(
        group["by_status"].get("allocated", 0)
        for group in backlog(uow, fc_id)
        if datetime.fromisoformat(group["cutoff"]) <= datetime.fromisoformat(cutoff)
    )
    assert 0 < due < kul1["waiting"]
    wave_id = planned(client, fc_id, cutoff=cutoff)
    preview = client.get(f"/waves/{wave_id}")
    assert sum(int(row.figures["orders"]) for row in all_rows(preview, "trip")) == due


def test_bad_wave_form_input_is_refused_with_the_field_named_and_plans_nothing(web_app, kul1):
    client = manager(web_app)
    fc_id = kul1["fc_id"]
    answer = plan(
        client,
        fc_id,
        cutoff="yesterday",
        max_orders="0",
        max_volume_l="lots",
        max_weight_kg="-3",
        pickers="999",
        time_limit_s="600",
    )
    assert answer.status_code == 400
    errors = field_errors(answer)
    assert errors == {
        "cutoff": "Choose one of the options.",
        "max_orders": "From 1 to 48.",
        "max_volume_l": "A number above 0 and at most 5000.",
        "max_weight_kg": "A number above 0 and at most 2000.",
        "pickers": "From 1 to 200.",
        "time_limit_s": "From 0.5 to 120 seconds.",
    }
    assert 'id="form-problems"' in answer.get_data(as_text=True)
    assert 'aria-invalid="true"' in answer.get_data(as_text=True)
    # A cut-off without a timezone or years away, a carrier of another FC: refused alike.
    for cutoff in ("2026-01-01T15:00:00", "9999-12-31T23:59:59+14:00", "1999-01-01T00:00Z"):
        refused = plan(client, fc_id, cutoff=cutoff)
        assert refused.status_code == 400, cutoff
        assert field_errors(refused) == {"cutoff": "Choose one of the options."}
    other_carrier = plan(client, fc_id, carrier_id="999999")
    assert other_carrier.status_code == 400
    assert field_errors(other_carrier) == {"carrier_id": "This FC has no such carrier."}
    # No wave was planned (the demo's own-fleet parcels left in a released wave).
    listed = all_rows(client.get(f"/fcs/{fc_id}/waves"), "wave")
    assert [row for row in listed if row.attrs["data-status"] == "planned"] == []
    # Nothing waits for a cut-off long gone: a conflict, said next to the cut-off.
    gone = (datetime.now(UTC) - timedelta(days=30)).replace(microsecond=0)
    empty = plan(client, fc_id, cutoff=gone.isoformat())
    assert empty.status_code == 409
    assert field_errors(empty) == {"cutoff": "No allocated orders are waiting for this cut-off."}


# --- trips -----------------------------------------------------------------------------------


def test_trip_page_lists_picks_in_walking_order_and_draws_the_route(web_app, kul1, uow):
    client = manager(web_app)
    wave_id = planned(client, kul1["fc_id"], max_orders="8")
    wave = waves.get_wave(uow, kul1["manager"], wave_id)
    batch = max(wave["batches"], key=lambda item: item["stops"])
    page = client.get(f"/trips/{batch['id']}")
    assert page.status_code == 200
    assert h1_text(page).startswith(f"Trip {batch['reference']}")
    picks = all_rows(page, "pick")
    assert len(picks) == batch["picks"]
    sequence = [int(row.cells[0]) for row in picks]
    assert sequence == sorted(sequence)

    svg = svg_of(page)
    route = picking.get_batch(uow, kul1["manager"], batch["id"])["route"]
    stops = re.findall(r'<g class="stop" data-stop="(\d+)" data-bin="([^"]+)">', svg)
    assert [int(number) for number, _ in stops] == list(range(1, len(route) + 1))
    assert [code for _, code in stops] == route
    assert f"<title>Route of trip {batch['reference']}</title>" in svg
    assert f'aria-label="Route of trip {batch["reference"]}"' in svg
    assert 'role="img"' in svg
    assert svg.count('class="rack"') >= 2
    assert 'class="segment segment-aisle"' in svg and 'class="segment segment-cross"' in svg
    view_box = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    assert view_box
    width, height = float(view_box.group(1)), float(view_box.group(2))
    for x, y in re.findall(r'<circle cx="([\d.-]+)" cy="([\d.-]+)"', svg):
        assert 0 <= float(x) <= width and 0 <= float(y) <= height
    # The route is walked along the walkways, from the dispatch point and back to it, through
    # every stop, and is as long as the planner said.
    points = re.search(r'class="route-line" points="([^"]+)"', svg)
    assert points
    corners = points.group(1).split()
    assert corners[0] == corners[-1]
    for x, y in re.findall(r'<circle cx="([\d.-]+)" cy="([\d.-]+)"', svg):
        assert f"{x},{y}" in corners
    assert route_figure(picking.batch_drawing(uow, kul1["manager"], batch["id"])).path_m == (
        pytest.approx(batch["walking_m"], abs=0.2)
    )


def test_route_figure_puts_the_front_at_the_bottom_and_draws_the_walk_given():
    drawing = {
        "bounds": [0.0, 0.0, 20.0, 30.0],
        "segments": [
            {"start": [10.0, 4.0], "end": [10.0, 30.0], "kind": "aisle"},
            {"start": [0.0, 4.0], "end": [20.0, 4.0], "kind": "cross"},
            {"start": [0.0, 0.0], "end": [0.0, 4.0], "kind": "link"},
        ],
        "racks": [{"key": "AMB-A", "x": 10.0, "y_start": 5.0, "y_end": 29.0}],
        "depot": [0.0, 0.0],
        "stops": [{"code": "B1", "x": 10.0, "y": 6.0}, {"code": "B2", "x": 10.0, "y": 28.0}],
        "walking_m": 76.0,
        # The walk along the walkways, as the aisle graph gives it.
        "path": [[0, 0], [0, 4], [10, 4], [10, 6], [10, 28], [10, 4], [0, 4], [0, 0]],
    }
    figure = route_figure(drawing)
    near, far = figure.stops
    assert near["y"] > far["y"]  # the farther from the front, the higher up
    assert figure.depot[1] > near["y"]
    assert far["y"] == pytest.approx(4 * 10)  # (30 + 2 margin - 28) m × 10
    assert near["y"] - far["y"] == pytest.approx(22 * 10)
    assert figure.height == pytest.approx((30 + 2 * 2) * 10)
    left, right = figure.racks
    assert left["x"] + left["width"] < near["x"] < right["x"]
    assert left["height"] == pytest.approx(24 * 10)
    # Out along the link and the cross aisle, up the aisle to both stops, and back.
    assert figure.path_m == pytest.approx(76.0)
    corners = figure.path.split()
    assert corners[0] == corners[-1] == "{},{}".format(*figure.depot)
    assert corners[3] == "{},{}".format(near["x"], near["y"])
    assert len(corners) == 8


# --- exceptions ------------------------------------------------------------------------------


def short_pick(uow: UnitOfWork, wave: dict[str, Any]) -> dict[str, Any]:
    """A picker takes the wave's first trip and finds one unit fewer at its first pick."""
    staff = outbound.actor(uow, STAFF_KUL1)
    batch = next(b for b in wave["batches"] if b["units"] > b["picks"])
    trip, _ = picking.start_batch(uow, staff, batch["id"], outbound.key())
    for number, tote in enumerate(trip["totes"], start=1):
        code = f"T-TEST{batch['id']}-{number}"
        trip, _ = picking.assign_tote(uow, staff, batch["id"], tote["slot"], code, outbound.key())
    pick = next(p for p in trip["picks"] if p["quantity"] > 1)
    tote = next(t for t in trip["totes"] if t["order_id"] == pick["order_id"])
    scan = PickConfirmation(
        location_code=pick["location_code"],
        gtin=pick["gtin"],
        quantity=pick["quantity"] - 1,
        tote_code=tote["tote_code"],
        lot_number=pick["lot_number"],
    )
    picking.confirm_pick(uow, staff, pick["id"], scan, outbound.key())
    return pick


def test_manager_resolves_a_short_pick_from_the_exception_queue(web_app, kul1, uow):
    client = manager(web_app)
    fc_id = kul1["fc_id"]
    wave = outbound.planned_wave(uow, kul1["manager"])
    pick = short_pick(uow, wave)

    queue = client.get(f"/fcs/{fc_id}/exceptions")
    assert queue.status_code == 200
    assert h1_text(queue) == "Pick exceptions at KUL1"
    rows = all_rows(queue, "exception")
    assert len(rows) == 1
    row = rows[0]
    assert row.attrs["data-kind"] == "short"
    assert pick["order_reference"] in " ".join(row.cells)
    assert pick["location_code"] in row.cells
    assert row.figures["units"] == "1"
    assert int(row.figures["reallocated"]) + int(row.figures["unfilled"]) == 1
    exception_id = row.attrs["data-exception"]
    resolve = f"/fcs/{fc_id}/exceptions/{exception_id}/resolve"

    bad = submit(client, queue, resolve, action="shrug", note="")
    assert bad.status_code == 400
    assert field_errors(bad) == {f"action-{exception_id}": "Choose one of the options."}
    assert len(all_rows(client.get(f"/fcs/{fc_id}/exceptions"), "exception")) == 1

    done = submit(client, queue, resolve, action="ship_short", note="Customer agreed by chat")
    assert done.status_code == 302
    after = client.get(done.headers["Location"])
    assert "Short pick of" in after.get_data(as_text=True)
    assert all_rows(after, "exception") == []
    assert "No open pick exceptions" in after.get_data(as_text=True)
    everything = client.get(f"/fcs/{fc_id}/exceptions?show=all")
    (resolved,) = all_rows(everything, "exception")
    assert "Ship short · Customer agreed by chat" in " ".join(resolved.cells)

    # Resolving it again (a fresh form key) is refused and changes nothing.
    fields = hidden_fields(queue, resolve)
    fields["idempotency_key"] = "web-again-000001"
    again = client.post(resolve, data={**fields, "action": "cancel_order", "note": ""})
    assert again.status_code == 409
    assert "This exception is resolved already." in again.get_data(as_text=True)
    order = client.get(f"/orders/{pick['order_id']}")
    assert "Cancelled" not in h1_text(order)


# --- orders ----------------------------------------------------------------------------------


def test_manager_lists_opens_and_cancels_an_order(web_app, kul1):
    client = manager(web_app)
    fc_id = kul1["fc_id"]
    listed = client.get(f"/fcs/{fc_id}/orders?status=allocated")
    assert listed.status_code == 200
    rows = table_rows(listed, "order")
    assert {str(order["id"]) for order in kul1["orders"]} <= set(rows)
    assert {row.attrs["data-status"] for row in rows.values()} == {"allocated"}
    # The filter shows the shipped orders only (the demo's own-fleet parcels), none of these.
    shipped = table_rows(client.get(f"/fcs/{fc_id}/orders?status=shipped"), "order")
    assert {row.attrs["data-status"] for row in shipped.values()} == {"shipped"}
    assert not set(shipped) & {str(order["id"]) for order in kul1["orders"]}

    order = kul1["orders"][0]
    page = client.get(f"/orders/{order['id']}")
    assert page.status_code == 200
    assert h1_text(page).startswith(f"Order {order['reference']}")
    lines = table_rows(page, "sku")
    assert lines["SF-MANGO-200"].figures == {"quantity": "3", "allocated": "3", "picked": "0"}
    allocations = all_rows(page, "allocation")
    assert allocations and all(row.attrs["data-bin"].startswith("KUL1-") for row in allocations)
    first = order["allocations"][0]
    assert first["lot_number"] in " ".join(allocations[0].cells)
    assert first["expiry_date"] in " ".join(allocations[0].cells)

    cancelled = submit(client, page, f"/orders/{order['id']}/cancel")
    assert cancelled.status_code == 302
    after = client.get(cancelled.headers["Location"])
    assert "Cancelled" in h1_text(after)
    assert f"Order {order['reference']} is cancelled." in after.get_data(as_text=True)
    assert 'id="cancel-form"' not in after.get_data(as_text=True)
    fields = hidden_fields(page, f"/orders/{order['id']}/cancel")
    fields["idempotency_key"] = "web-cancel-again-01"
    again = client.post(f"/orders/{order['id']}/cancel", data=fields)
    assert again.status_code == 409
    assert "An order that is Cancelled cannot be cancelled." in again.get_data(as_text=True)


def merchant_order_ids(uow: UnitOfWork, email: str) -> set[str]:
    """The first page of the merchant's orders as the use case lists them."""
    found = orders.list_orders(uow, outbound.actor(uow, email), PageRequest(1, 50))
    return {str(order["id"]) for order in found["items"]}


def test_merchant_sees_only_their_own_orders_in_thai(web_app, kul1, uow):
    client = web_app.test_client()
    log_in(client, SIAMFRUIT)
    page = client.get("/orders")
    assert page.status_code == 200
    assert 'lang="th"' in page.get_data(as_text=True)
    assert h1_text(page) == "คำสั่งซื้อของฉัน"
    mine = {str(order["id"]) for order in kul1["orders"] if order["merchant_code"] == "SIAMFRUIT"}
    theirs = next(order for order in kul1["orders"] if order["merchant_code"] == "CHABATEA")
    shown = set(table_rows(page, "order"))
    assert shown == merchant_order_ids(uow, SIAMFRUIT)
    # The list is by ship-by time, paged: the late order comes first; every one opens.
    late = str(kul1["orders"][-1]["id"])
    assert late in shown and str(theirs["id"]) not in shown
    for order_id in mine:
        detail = client.get(f"/orders/{order_id}")
        assert detail.status_code == 200
        assert "ยกเลิกคำสั่งซื้อ" in detail.get_data(as_text=True)
    assert client.get(f"/orders/{theirs['id']}").status_code == 404
    assert client.get(f"/fcs/{kul1['fc_id']}/outbound").status_code == 403
    other = web_app.test_client()
    log_in(other, CHABATEA)
    shown = set(table_rows(other.get("/orders"), "order"))
    assert shown == merchant_order_ids(uow, CHABATEA)
    assert str(theirs["id"]) in shown and not mine & shown


# --- every page in English and Thai; who may see and do what ---------------------------------


def test_every_page_renders_for_a_manager_in_english_and_thai(web_app, kul1, uow):
    client = manager(web_app)
    fc_id = kul1["fc_id"]
    wave = outbound.planned_wave(uow, kul1["manager"])
    short_pick(uow, wave)
    pages = {
        f"/fcs/{fc_id}/outbound": ("Outbound backlog at KUL1", "งานขาออกค้างที่ KUL1"),
        f"/fcs/{fc_id}/waves/new": ("Plan a wave at KUL1", "วางแผนเวฟที่ KUL1"),
        f"/fcs/{fc_id}/waves": ("Waves at KUL1", "เวฟที่ KUL1"),
        f"/waves/{wave['id']}": (f"Wave {wave['reference']}", f"เวฟ {wave['reference']}"),
        f"/trips/{wave['batches'][0]['id']}": (
            f"Trip {wave['batches'][0]['reference']}",
            f"รอบหยิบ {wave['batches'][0]['reference']}",
        ),
        f"/fcs/{fc_id}/exceptions": ("Pick exceptions at KUL1", "ข้อยกเว้นการหยิบที่ KUL1"),
        f"/fcs/{fc_id}/orders": ("Orders at KUL1", "คำสั่งซื้อที่ KUL1"),
        f"/orders/{kul1['orders'][0]['id']}": (
            f"Order {kul1['orders'][0]['reference']}",
            f"คำสั่งซื้อ {kul1['orders'][0]['reference']}",
        ),
    }
    for path, (english, _thai) in pages.items():
        page = client.get(path)
        assert page.status_code == 200, path
        assert h1_text(page).startswith(english), (path, h1_text(page))
    switch_language(client, client.get(f"/fcs/{fc_id}/outbound"), "th")
    for path, (_english, thai) in pages.items():
        page = client.get(path)
        assert page.status_code == 200, path
        assert 'lang="th"' in page.get_data(as_text=True)
        assert h1_text(page).startswith(thai), (path, h1_text(page))
    nav = client.get(f"/fcs/{fc_id}/outbound").get_data(as_text=True)
    assert "ขาออก" in nav and "ข้อยกเว้นการหยิบ" in nav


def test_staff_see_the_pages_but_only_managers_plan_release_and_resolve(web_app, kul1, uow):
    wave = outbound.planned_wave(uow, kul1["manager"], release=False)
    fc_id = kul1["fc_id"]
    staff = web_app.test_client()
    log_in(staff, STAFF_KUL1)
    for path in (
        f"/fcs/{fc_id}/outbound",
        f"/fcs/{fc_id}/waves",
        f"/waves/{wave['id']}",
        f"/trips/{wave['batches'][0]['id']}",
        f"/fcs/{fc_id}/exceptions",
        f"/fcs/{fc_id}/orders",
        f"/orders/{kul1['orders'][0]['id']}",
    ):
        page = staff.get(path)
        assert page.status_code == 200, path
        text = page.get_data(as_text=True)
        assert "/release" not in text and "/allocate" not in text and "/cancel" not in text
    assert staff.get(f"/fcs/{fc_id}/waves/new").status_code == 403
    token = hidden_fields(staff.get(f"/fcs/{fc_id}/outbound"), "/language")["csrf_token"]
    for action in (
        f"/waves/{wave['id']}/release",
        f"/waves/{wave['id']}/discard",
        f"/fcs/{fc_id}/waves/new",
        f"/fcs/{fc_id}/outbound/allocate",
        f"/orders/{kul1['orders'][0]['id']}/cancel",
    ):
        answer = staff.post(action, data={"csrf_token": token, "idempotency_key": "web-staff-01"})
        assert answer.status_code == 403, action
    assert waves.get_wave(uow, kul1["manager"], wave["id"])["status"] == "planned"

    merchant = web_app.test_client()
    log_in(merchant, SIAMFRUIT)
    for path in (f"/fcs/{fc_id}/outbound", f"/waves/{wave['id']}", f"/fcs/{fc_id}/exceptions"):
        assert merchant.get(path).status_code == 403, path

    visitor = web_app.test_client()
    assert visitor.get(f"/fcs/{fc_id}/outbound").headers["Location"].startswith("/login")


def test_another_fcs_manager_finds_nothing_of_kul1(web_app, kul1, uow):
    wave = outbound.planned_wave(uow, kul1["manager"], release=False)
    fc_id = kul1["fc_id"]
    other = manager(web_app, MANAGER_CGK1)
    for path in (
        f"/fcs/{fc_id}/outbound",
        f"/fcs/{fc_id}/waves/new",
        f"/fcs/{fc_id}/waves",
        f"/waves/{wave['id']}",
        f"/trips/{wave['batches'][0]['id']}",
        f"/fcs/{fc_id}/exceptions",
        f"/fcs/{fc_id}/orders",
        f"/orders/{kul1['orders'][0]['id']}",
        "/waves/999999",
        "/trips/999999",
        "/waves/99999999999999999999",
        "/trips/99999999999999999999",
        "/orders/99999999999999999999",
        "/fcs/99999999999999999999/exceptions",
    ):
        assert other.get(path).status_code == 404, path
    own = other.get("/fcs/outbound")
    assert own.status_code == 302
    home = other.get(own.headers["Location"])
    token = hidden_fields(home, "/language")["csrf_token"]
    for action in (f"/waves/{wave['id']}/release", f"/orders/{kul1['orders'][0]['id']}/cancel"):
        answer = other.post(action, data={"csrf_token": token, "idempotency_key": "web-cgk1-0001"})
        assert answer.status_code == 404, action
    assert waves.get_wave(uow, kul1["manager"], wave["id"])["status"] == "planned"


def test_forms_without_a_csrf_token_or_a_request_key_are_refused(web_app, kul1, uow):
    wave = outbound.planned_wave(uow, kul1["manager"], release=False)
    client = manager(web_app)
    release = f"/waves/{wave['id']}/release"
    answer = client.post(release, data={"idempotency_key": "web-nocsrf-1"})
    assert answer.status_code == 400
    fields = hidden_fields(client.get(f"/waves/{wave['id']}"), release)
    for key in ("", "short", "has spaces in it"):
        answer = client.post(release, data={**fields, "idempotency_key": key})
        assert answer.status_code == 400, key
    assert waves.get_wave(uow, kul1["manager"], wave["id"])["status"] == "planned"
