"""The delivery pages through Flask's test client: what waits at dispatch, planning the day with
the form, the plan with its map and route tables, moving stops, choosing drivers, dispatching
and discarding, route sheets; refusals shown next to what caused them; other roles kept out."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pypdfium2 as pdfium
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.api import MANAGER_CGK1, MANAGER_KUL1, SIAMFRUIT, STAFF_KUL1
from tests.conftest import settings_for
from tests.deliveries import tomorrow
from tests.fake_osrm import closed_port
from tests.integration.test_outbound_pages import (
    FORM,
    HIDDEN,
    field_errors,
    h1_text,
    manager,
    submit,
    svg_of,
)
from tests.integration.test_web_pages import all_rows, switch_language, table_rows
from wms.app import create_app
from wms.bootstrap import EXTENSION, road_setup

FC = 1  # KUL1 in the demo


@pytest.fixture
def web_app(demo_database_url: str) -> Iterator[Flask]:
    """The whole app on its own demo database (its work commits), with CSRF protection on."""
    app = create_app(settings_for(demo_database_url))
    yield app
    engine = app.extensions[EXTENSION].engine
    if engine is not None:
        engine.dispose()


def form_fields(page: TestResponse, form_id: str) -> dict[str, str]:
    """The hidden inputs of the page's form with that id."""
    for found in FORM.finditer(page.get_data(as_text=True)):
        if f'id="{form_id}"' in found.group(0)[: found.group(0).index(">")]:
            return dict(HIDDEN.findall(found.group("body")))
    raise AssertionError(f"the page has no form {form_id}")


def plan_form(client: FlaskClient, **fields: str | list[str]) -> TestResponse:
    """Send the plan-the-day form as it stands (every vehicle ticked) with `fields`."""
    page = client.get(f"/fcs/{FC}/deliveries")
    assert page.status_code == 200
    vehicles = re.findall(r'name="vehicles" value="(\d+)" checked', page.get_data(as_text=True))
    values: dict[str, str | list[str]] = {
        "delivery_date": tomorrow().isoformat(),
        "objective": "vehicles",
        "time_limit_s": "1",
        "vehicles": vehicles,
        **fields,
    }
    return client.post(f"/fcs/{FC}/deliveries", data={**form_fields(page, "plan-form"), **values})


def planned(client: FlaskClient, **fields: str | list[str]) -> int:
    answer = plan_form(client, **fields)
    assert answer.status_code == 302, field_errors(answer)
    found = re.fullmatch(r"/delivery-plans/(\d+)", urlsplit(answer.headers["Location"]).path)
    assert found
    return int(found.group(1))


def plan_error(page: TestResponse) -> str:
    found = re.search(
        r'<p class="alert alert-error" role="alert" id="plan-error">(.*?)</p>',
        page.get_data(as_text=True),
        re.S,
    )
    assert found, "the page shows no error"
    return html.unescape(found.group(1))


def stop_rows(page: TestResponse) -> list:  # type: ignore[type-arg]
    return [row for row in all_rows(page, "stop-id") if "data-reason" not in row.attrs]


def test_the_deliveries_page_shows_what_waits_and_offers_the_fleet(web_app: Flask):
    client = manager(web_app)
    home = client.get("/fcs/deliveries")
    assert home.status_code == 302 and home.headers["Location"] == f"/fcs/{FC}/deliveries"
    page = client.get(f"/fcs/{FC}/deliveries")
    assert h1_text(page) == "Deliveries from KUL1"
    text = page.get_data(as_text=True)
    figures = dict(re.findall(r'data-figure="([\w-]+)">([^<]*)<', text))
    assert (figures["orders"], figures["parcels"], figures["without-location"]) == ("40", "40", "0")
    fleet = table_rows(page, "vehicle")
    assert len(fleet) == 5
    assert "Van 1 · Toyota Hiace" in text
    assert text.count('name="vehicles"') == 5 and text.count(" checked") >= 5
    assert "Ahmad Faizal bin Osman" in text  # drivers offered
    assert 'aria-current="page">Deliveries</a>' in text  # the main nav and the FC's tabs
    assert "No plans for this day yet." in text


def test_a_manager_plans_the_day_and_reads_the_plan_on_the_map_and_in_the_tables(web_app: Flask):
    client = manager(web_app)
    plan_id = planned(client)
    page = client.get(f"/delivery-plans/{plan_id}")
    assert page.status_code == 200
    assert h1_text(page).startswith("Delivery plan DP-KUL1-")
    assert "Draft (preview)" in h1_text(page)
    text = page.get_data(as_text=True)
    assert "Planned 40 stops on" in text  # the flash after planning
    figures = dict(re.findall(r'<dd data-figure="([\w-]+)">([^<]*)</dd>', text))
    assert figures["stops"] == "40" and figures["left-out"] == "0"
    svg = svg_of(client.get(f"/delivery-plans/{plan_id}"))
    routes = re.findall(r'<g class="route" data-route="(\d+)"', svg)
    assert routes and len(re.findall(r'<g class="stop" data-stop-id', svg)) == 40
    assert len(re.findall(r'<polyline class="route-line"', svg)) == len(routes)
    assert '<g class="depot">' in svg and "km</text>" in svg
    assert int(figures["vehicles"]) == len(routes)
    legend = re.search(r'<ul class="legend" id="map-legend">(.*?)</ul>', text, re.S)
    assert legend and len(re.findall(r'data-route="\d+"', legend.group(1))) == len(routes)
    rows = stop_rows(page)
    assert len(rows) == 40
    for row in rows:
        assert re.fullmatch(r"\d\d:\d\d", row.figures["arrival"])
        assert row.figures["window"] == "any time" or re.fullmatch(
            r"\d\d:\d\d–\d\d:\d\d", row.figures["window"]
        )
    sheets = re.findall(r'href="(/delivery-routes/\d+/route-sheet\.pdf)"', text)
    assert len(sheets) == len(routes)
    listed = client.get(f"/fcs/{FC}/deliveries?date={tomorrow().isoformat()}")
    assert list(table_rows(listed, "plan")) == [str(plan_id)]


def test_a_plan_form_with_bad_values_is_refused_naming_them_and_plans_nothing(web_app: Flask):
    client = manager(web_app)
    answer = plan_form(
        client, delivery_date="soon", time_limit_s="999", objective="cheap", vehicles=[]
    )
    assert answer.status_code == 400
    assert field_errors(answer) == {
        "delivery_date": "A date such as 2026-12-31.",
        "time_limit_s": "From 1 to 300 seconds.",
        "objective": "Choose one of the options.",
        "vehicles": "Choose at least one vehicle.",
    }
    past = plan_form(client, delivery_date="2020-01-01")
    assert past.status_code == 400
    assert field_errors(past) == {"delivery_date": "Plan deliveries for today or a later day."}
    assert all_rows(client.get(f"/fcs/{FC}/deliveries?date=2020-01-01"), "plan") == []


def test_a_road_network_that_is_down_is_said_on_the_form(web_app: Flask):
    url = f"http://127.0.0.1:{closed_port()}"
    wiring = web_app.extensions[EXTENSION]
    wiring.roads = road_setup(
        wiring.settings.replace(road_network="osrm", osrm_url=url, osrm_timeout_s=2.0)
    )
    answer = plan_form(manager(web_app))
    assert answer.status_code == 502
    assert url in field_errors(answer)["delivery_date"]
    assert "Road distances: OSRM " in answer.get_data(as_text=True)


def test_stops_are_moved_on_the_page_and_a_move_that_breaks_a_rule_is_shown_refused(web_app: Flask):
    client = manager(web_app)
    plan_id = planned(client)
    page = client.get(f"/delivery-plans/{plan_id}")
    action = f"/delivery-plans/{plan_id}/moves"
    first = stop_rows(page)[0]
    moved = submit(client, page, action, stop_id=str(first.attrs["data-stop-id"]), route_id="off")
    assert moved.status_code == 302 and moved.headers["Location"].endswith("#left-out")
    page = client.get(f"/delivery-plans/{plan_id}")
    assert "The stop is moved and the routes are timed again." in page.get_data(as_text=True)
    left = table_rows(page, "reason")
    assert [row.attrs["data-reason"] for row in left.values()] == ["removed"]
    assert "Taken off the plan by a manager" in next(iter(left.values())).figures["reason"]
    # Onto an idle motorbike, one stop after another, until it is full: refused, naming it.
    bike = re.search(
        r'<option value="(\d+)" >Route \d+ \(Bike 1 · Honda Wave 125\)', page.get_data(as_text=True)
    )
    assert bike, "the idle bike is offered as a route"
    refusal = None
    for row in stop_rows(page):
        if row.figures["window"] != "any time":
            continue
        answer = submit(
            client,
            client.get(f"/delivery-plans/{plan_id}"),
            action,
            stop_id=str(row.attrs["data-stop-id"]),
            route_id=bike.group(1),
            position="",
        )
        if answer.status_code != 302:
            refusal = answer
            break
    assert refusal is not None and refusal.status_code == 409
    assert "Bike 1 · Honda Wave 125 would carry" in plan_error(refusal)
    assert 'class="has-error"' in refusal.get_data(as_text=True)
    bad = submit(client, page, action, stop_id="x", route_id="1")
    assert bad.status_code == 400


def test_drivers_are_chosen_then_the_plan_is_dispatched_and_sheets_print(web_app: Flask):
    client = manager(web_app)
    plan_id = planned(client)
    page = client.get(f"/delivery-plans/{plan_id}")
    early = submit(client, page, f"/delivery-plans/{plan_id}/dispatch")
    assert early.status_code == 409 and "has no driver; choose one first." in plan_error(early)
    text = page.get_data(as_text=True)
    selects = re.findall(r'<select id="driver-(\d+)" name="driver-\d+">', text)
    drivers = re.findall(r'<option value="(\d+)" >[^<]+ · \+', text)
    assert selects and len(drivers) >= len(selects)
    chosen = {f"driver-{route}": drivers[index] for index, route in enumerate(selects)}
    saved = submit(client, page, f"/delivery-plans/{plan_id}/drivers", **chosen)
    assert saved.status_code == 302
    page = client.get(f"/delivery-plans/{plan_id}")
    assert "The drivers are saved." in page.get_data(as_text=True)
    sent = submit(client, page, f"/delivery-plans/{plan_id}/dispatch")
    assert sent.status_code == 302
    page = client.get(f"/delivery-plans/{plan_id}")
    assert "Dispatched" in h1_text(page)
    assert "is dispatched:" in page.get_data(as_text=True)
    assert f"/delivery-plans/{plan_id}/moves" not in page.get_data(as_text=True)
    sheet_url = re.search(
        r'href="(/delivery-routes/\d+/route-sheet\.pdf)"', page.get_data(as_text=True)
    )
    sheet = client.get(sheet_url.group(1))
    assert sheet.status_code == 200 and sheet.mimetype == "application/pdf"
    document = pdfium.PdfDocument(sheet.data)
    assert "Route sheet" in document[0].get_textpage().get_text_range()
    document.close()
    waiting = client.get(f"/fcs/{FC}/deliveries").get_data(as_text=True)
    assert 'data-figure="parcels">0<' in waiting


def test_a_discarded_plan_leaves_the_parcels_waiting(web_app: Flask):
    client = manager(web_app)
    plan_id = planned(client)
    page = client.get(f"/delivery-plans/{plan_id}")
    gone = submit(client, page, f"/delivery-plans/{plan_id}/discard")
    assert gone.status_code == 302
    page = client.get(f"/delivery-plans/{plan_id}")
    assert "Discarded" in h1_text(page) and "is discarded" in page.get_data(as_text=True)
    again = client.post(
        f"/delivery-plans/{plan_id}/discard",
        data=form_fields(client.get(f"/fcs/{FC}/deliveries"), "plan-form"),
    )
    assert again.status_code == 409


def test_only_managers_of_the_fc_and_admins_see_delivery_pages(web_app: Flask):
    plan_id = planned(manager(web_app))
    for email, status in ((STAFF_KUL1, 403), (SIAMFRUIT, 403), (MANAGER_CGK1, 404)):
        client = manager(web_app, email)
        assert client.get(f"/delivery-plans/{plan_id}").status_code == status, email
        assert client.get(f"/fcs/{FC}/deliveries").status_code == status, email
    staff = manager(web_app, STAFF_KUL1)
    assert ">Deliveries</a>" not in staff.get("/fcs/1").get_data(as_text=True)


def test_the_pages_speak_thai(web_app: Flask):
    client = manager(web_app, MANAGER_KUL1)
    plan_id = planned(client)
    page = switch_language(client, client.get(f"/delivery-plans/{plan_id}"), "th")
    assert "แผนการจัดส่ง" in h1_text(page)
    text = page.get_data(as_text=True)
    assert "จัดส่งให้คนขับ" in text  # the dispatch button
    day = client.get(f"/fcs/{FC}/deliveries")
    assert "วางแผนเส้นทาง" in day.get_data(as_text=True)
