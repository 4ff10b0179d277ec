"""The scanner pages for receiving and putaway, and their JSON endpoints, through Flask's test
client logged in with the login form (session cookie, CSRF token) on the demo database."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.api import HERBSIAM, MANAGER_KUL1, STAFF_CGK1, STAFF_KUL1, Api, new_key
from wms.domain.identifiers import with_check_digit
from wms.services.demo import DEMO_PASSWORD

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
UNKNOWN_SSCC = with_check_digit("0" * 17)


class Scanner:
    """A handheld's browser: logged in to the pages, posting JSON with the page's CSRF token."""

    def __init__(self, client: FlaskClient, email: str, home: str = "/scan/receive") -> None:
        self.client = client
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        form = client.get("/login")
        found = CSRF_FIELD.search(form.get_data(as_text=True))
        assert found
        landed = client.post(
            "/login",
            data={"email": email, "password": DEMO_PASSWORD, "csrf_token": found.group(1)},
        )
        assert landed.status_code == 302, landed.get_data(as_text=True)
        # The login starts a new session, with a new CSRF token: read it from a page.
        page = client.get(home).get_data(as_text=True)
        token = CSRF_META.search(page) or CSRF_FIELD.search(page)
        assert token, page[:500]
        self.token = token.group(1)

    def post(
        self, path: str, body: Any = None, *, key: str | None = None, **headers: str
    ) -> TestResponse:
        sent = {"X-CSRFToken": self.token, **headers}
        if key:
            sent["Idempotency-Key"] = key
        return self.client.post(path, json=body, headers=sent)

    def page(self, path: str) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)


def error_of(response: TestResponse, status: int) -> dict[str, Any]:
    """The JSON error of a refused request, checked for shape and status."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.is_json, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["status"] == status and error["message"], error
    return error


@pytest.fixture
def staff(client: FlaskClient) -> Scanner:
    return Scanner(client, STAFF_KUL1)


@pytest.fixture
def arrived(api_as) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The demo's consignment that arrived at KUL1, with its lines and cartons."""
    manager: Api = api_as(MANAGER_KUL1)
    (found,) = manager.items("/consignments", status="arrived")
    detail = manager.get(f"/consignments/{found['id']}").get_json()
    assert detail["cartons"] and detail["lines"]
    return detail


def item_scan(line: dict[str, Any]) -> str:
    """The GS1-128 label of an ASN line's item: AIM id, GTIN-14, expiry, lot last."""
    expiry = line["expiry_date"].replace("-", "")[2:]
    return f"]C101{line['gtin'].zfill(14)}17{expiry}10{line['lot_number']}"


def row_of(receipt: dict[str, Any], sku_code: str) -> dict[str, Any]:
    return next(row for row in receipt["progress"] if row["sku_code"] == sku_code)


def start(staff: Scanner, arrived: dict[str, Any], carton: int = 0) -> dict[str, Any]:
    sscc = arrived["cartons"][carton]["sscc"]
    opened = staff.post("/scan/receive/start", {"scan": f"]C100{sscc}"}, key=new_key())
    assert opened.status_code == 201, opened.get_json()
    return opened.get_json()


def test_home_links_receiving_and_putaway(staff: Scanner):
    home = staff.page("/scan")
    assert re.search(r'<a class="task task-receive" href="/scan/receive">', home)
    assert re.search(r'<a class="task task-putaway" href="/scan/putaway">', home)
    assert re.search(r'<a class="task task-pick" href="/scan/pick">', home)
    assert re.search(r'<button type="button" class="task task-move" disabled', home)


def test_receiving_a_carton_shows_the_prompt_and_counts_in_place(
    staff: Scanner, arrived: dict[str, Any]
):
    start_page = staff.page("/scan/receive")
    assert 'data-flow="receive-start"' in start_page
    assert re.search(r'<input id="scan-input"[^>]*autofocus', start_page)

    receipt = start(staff, arrived)
    first = arrived["cartons"][0]
    assert receipt["current_carton"] == first["sscc"]
    assert receipt["step"] == "count_items"
    assert first["sscc"] in receipt["prompt"]
    assert receipt["url"] == f"/scan/receive/{receipt['id']}"

    page = staff.page(receipt["url"])
    assert f"Receiving {arrived['reference']}" in page
    assert f'id="current-carton">{first["sscc"]}</output>' in page
    line = next(item for item in arrived["lines"] if item["line_number"] == 1)
    assert re.search(
        rf'<tr data-sku="{line["sku_code"]}"[^>]*>.*?data-figure="expected">{line["quantity"]}<',
        page,
        re.S,
    )

    counted = staff.post(
        f"/scan/receive/{receipt['id']}/scans",
        {"scan": item_scan(line), "quantity": 5, "damaged": False},
        key=new_key(),
    )
    assert counted.status_code == 200, counted.get_json()
    body = counted.get_json()
    row = row_of(body, line["sku_code"])
    assert (row["expected"], row["counted"], row["remaining"]) == (
        line["quantity"],
        5,
        line["quantity"] - 5,
    )
    assert row["sku_name"] == row["sku_name_en"]
    assert body["message"].startswith(f"+5 × {line['sku_code']}")
    assert body["replayed"] is False

    # A keyboard wedge types the GS1 separator as '~': the scan is passed on as typed.
    expiry = line["expiry_date"].replace("-", "")[2:]
    tilde = f"]C101{line['gtin'].zfill(14)}10{line['lot_number']}~17{expiry}"
    wedge = staff.post(f"/scan/receive/{receipt['id']}/scans", {"scan": tilde}, key=new_key())
    assert wedge.status_code == 200, wedge.get_json()
    assert row_of(wedge.get_json(), line["sku_code"])["counted"] == 6

    # The page shown again (a reload) has the same figures; the first page offers to continue.
    page = staff.page(receipt["url"])
    assert '<span data-figure="counted">6</span>' in page
    assert f'href="{receipt["url"]}"' in staff.page("/scan/receive")


def test_a_replayed_key_changes_nothing(staff: Scanner, arrived: dict[str, Any]):
    receipt = start(staff, arrived)
    line = next(item for item in arrived["lines"] if item["line_number"] == 1)
    path = f"/scan/receive/{receipt['id']}/scans"
    key = new_key()
    first = staff.post(path, {"scan": item_scan(line), "quantity": 3}, key=key)
    again = staff.post(path, {"scan": item_scan(line), "quantity": 3}, key=key)
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["replayed"] is True
    assert again.get_json()["progress"] == first.get_json()["progress"]
    assert row_of(again.get_json(), line["sku_code"])["counted"] == 3
    # The same key for another scan is refused, not counted.
    other = staff.post(path, {"scan": item_scan(line), "quantity": 4}, key=key)
    assert error_of(other, 409)["field"] == "Idempotency-Key"
    page = staff.page(receipt["url"])
    assert '<span data-figure="counted">3</span>' in page


def test_unknown_carton_and_wrong_scans_say_why(staff: Scanner, arrived: dict[str, Any]):
    unknown = staff.post("/scan/receive/start", {"scan": f"]C100{UNKNOWN_SSCC}"}, key=new_key())
    error = error_of(unknown, 404)
    assert error["field"] == "scan"
    assert f"No carton with SSCC {UNKNOWN_SSCC} is announced" in error["message"]
    assert error["fields"] == {"scan": [error["message"]]}

    bin_label = staff.post("/scan/receive/start", {"scan": "KUL1-A-01-01"}, key=new_key())
    assert "consignment's reference" in error_of(bin_label, 422)["message"]
    nobody = staff.post("/scan/receive/start", {"scan": "CN-KUL1-999999"}, key=new_key())
    assert "No consignment CN-KUL1-999999" in error_of(nobody, 404)["message"]

    receipt = start(staff, arrived)
    path = f"/scan/receive/{receipt['id']}/scans"
    for raw, status in (
        (f"]C100{UNKNOWN_SSCC}", 404),
        ("]C101" + "1" * 14, 422),
        ("KUL1-A-01-01", 422),
        ("]C100" + arrived["cartons"][0]["sscc"] + "\x00", 422),
    ):
        refused = staff.post(path, {"scan": raw}, key=new_key())
        assert error_of(refused, status)["field"] == "scan", raw
    after = staff.client.get(receipt["url"])
    assert after.status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "scan"),
        ({"scan": ""}, "scan"),
        ({"scan": "   "}, "scan"),
        ({"scan": 8851961000014}, "scan"),
        ({"scan": ["a"]}, "scan"),
        ({"scan": "1" * 201}, "scan"),
        ({"scan": "8851961000014", "quantity": "5"}, "quantity"),
        ({"scan": "8851961000014", "quantity": 0}, "quantity"),
        ({"scan": "8851961000014", "quantity": 10_001}, "quantity"),
        ({"scan": "8851961000014", "quantity": 10**40}, "quantity"),
        ({"scan": "8851961000014", "quantity": 1.5}, "quantity"),
        ({"scan": "8851961000014", "quantity": True}, "quantity"),
        ({"scan": "8851961000014", "quantity": None}, "quantity"),
        ({"scan": "8851961000014", "damaged": "yes"}, "damaged"),
        ({"scan": "8851961000014", "damaged": 1}, "damaged"),
        ({"scan": "8851961000014", "lot_number": 12}, "lot_number"),
        ({"scan": "8851961000014", "lot_number": "L" * 21}, "lot_number"),
        ({"scan": "8851961000014", "lot_number": "L\x001"}, "lot_number"),
        ({"scan": "8851961000014", "expiry_date": "31/12/2027"}, "expiry_date"),
        ({"scan": "8851961000014", "expiry_date": "2027-02-30"}, "expiry_date"),
    ],
)
def test_a_scan_with_bad_fields_is_a_422_naming_the_field(
    staff: Scanner, arrived: dict[str, Any], body: dict[str, Any], field: str
):
    receipt = start(staff, arrived)
    refused = staff.post(f"/scan/receive/{receipt['id']}/scans", body, key=new_key())
    assert error_of(refused, 422)["field"] == field


def test_endpoints_refuse_malformed_requests_with_json_errors(
    staff: Scanner, arrived: dict[str, Any]
):
    receipt = start(staff, arrived)
    path = f"/scan/receive/{receipt['id']}/scans"
    scan = {"scan": item_scan(arrived["lines"][0])}

    no_csrf = staff.client.post(path, json=scan, headers={"Idempotency-Key": new_key()})
    assert error_of(no_csrf, 400)["code"] == "csrf_failed"
    wrong_csrf = staff.post(path, scan, key=new_key(), **{"X-CSRFToken": "forged"})
    assert error_of(wrong_csrf, 400)["code"] == "csrf_failed"

    headers = {"X-CSRFToken": staff.token, "Idempotency-Key": new_key()}
    as_form = staff.client.post(path, data={"scan": "x"}, headers=headers)
    assert error_of(as_form, 415)["field"] == "body"
    broken = staff.client.post(
        path, data="{scan:", headers={**headers, "Content-Type": "application/json"}
    )
    assert error_of(broken, 400)["field"] == "body"
    deep = staff.client.post(
        path,
        data="[" * 100_000 + "]" * 100_000,
        headers={**headers, "Content-Type": "application/json"},
    )
    assert error_of(deep, 400)["field"] == "body"
    for not_an_object in ([scan], "scan", 5, None):
        refused = staff.client.post(
            path,
            data=json.dumps(not_an_object),
            headers={**headers, "Content-Type": "application/json"},
        )
        assert error_of(refused, 400)["field"] == "body", not_an_object

    assert error_of(staff.post(path, scan), 422)["field"] == "Idempotency-Key"
    assert error_of(staff.post(path, scan, key="short"), 422)["field"] == "Idempotency-Key"
    assert error_of(staff.post(path, scan, key="x" * 101), 422)["field"] == "Idempotency-Key"

    for missing in ("/scan/receive/999999/scans", f"/scan/receive/{2**40}/scans"):
        assert error_of(staff.post(missing, scan, key=new_key()), 404)["field"] == "receipt_id"
    a_bin = {"scan": "KUL1-A-01-01"}
    unknown_task = staff.post("/scan/putaway/999999/complete", a_bin, key=new_key())
    assert error_of(unknown_task, 404)["field"] == "task_id"
    assert staff.client.put(path, json=scan, headers=headers).status_code == 405
    # Nothing was counted by any of them.
    page = staff.page(receipt["url"])
    assert set(re.findall(r'<span data-figure="counted">(\d+)</span>', page)) == {"0"}


def test_only_logged_in_warehouse_people_use_the_endpoints(client: FlaskClient):
    assert client.get("/scan/receive").headers["Location"].startswith("/login")
    assert client.get("/scan/putaway/1").headers["Location"].startswith("/login")
    anonymous = client.post("/scan/receive/start", json={"scan": "x"})
    assert error_of(anonymous, 400)["code"] == "csrf_failed"

    merchant = Scanner(client, HERBSIAM, home="/stock")
    assert client.get("/scan/receive").status_code == 403
    refused = merchant.post("/scan/receive/start", {"scan": "CN-KUL1-000001"}, key=new_key())
    assert error_of(refused, 403)
    assert error_of(merchant.post("/scan/putaway/find", {"scan": "8851961000014"}), 403)

    client.post("/logout", data={"csrf_token": merchant.token})
    ended = merchant.post("/scan/receive/start", {"scan": "CN-KUL1-000001"}, key=new_key())
    assert error_of(ended, 400)["code"] == "csrf_failed"  # the session, and its token, are gone


def receive_and_close(staff: Scanner, arrived: dict[str, Any]) -> dict[str, Any]:
    """Count the first carton's units in full and close the receipt; returns the close answer."""
    receipt = start(staff, arrived)
    line = next(item for item in arrived["lines"] if item["line_number"] == 1)
    counted = staff.post(
        f"/scan/receive/{receipt['id']}/scans",
        {"scan": item_scan(line), "quantity": line["quantity"]},
        key=new_key(),
    )
    assert counted.status_code == 200, counted.get_json()
    key = new_key()
    closed = staff.post(f"/scan/receive/{receipt['id']}/close", key=key)
    assert closed.status_code == 200, closed.get_json()
    again = staff.post(f"/scan/receive/{receipt['id']}/close", key=key)
    assert again.get_json()["putaway_tasks"] == closed.get_json()["putaway_tasks"]
    return closed.get_json()


def test_closing_shows_discrepancies_and_putaway_tasks(staff: Scanner, arrived: dict[str, Any]):
    closed = receive_and_close(staff, arrived)
    assert closed["status"] == "closed" and closed["step"] == "closed"
    assert closed["prompt"] == "Receipt closed."
    kinds = {(item["kind"], item["kind_label"]) for item in closed["discrepancies"]}
    assert ("short", "Short") in kinds  # the other cartons were never scanned
    (task,) = closed["putaway_tasks"]
    assert task["url"] == f"/scan/putaway/{task['id']}"
    scan = {"scan": item_scan(arrived["lines"][0])}
    refused = staff.post(f"/scan/receive/{closed['id']}/scans", scan, key=new_key())
    assert "closed" in error_of(refused, 409)["message"]
    page = staff.page(closed["url"])
    assert 'data-status="closed"' in page and 'id="scan-input"' not in page


def test_putaway_finds_the_task_refuses_a_wrong_bin_and_asks_why_for_another(
    staff: Scanner, arrived: dict[str, Any]
):
    closed = receive_and_close(staff, arrived)
    (task,) = closed["putaway_tasks"]
    line = next(item for item in arrived["lines"] if item["line_number"] == 1)

    listing = staff.page("/scan/putaway")
    assert f'data-task-id="{task["id"]}"' in listing
    found = staff.post("/scan/putaway/find", {"scan": item_scan(line)})
    assert found.status_code == 200, found.get_json()
    assert found.get_json()["url"] == task["url"]
    by_gtin = staff.post("/scan/putaway/find", {"scan": line["gtin"]})
    assert by_gtin.get_json()["task"]["id"] == task["id"]
    other_lot = staff.post("/scan/putaway/find", {"scan": item_scan({**line, "lot_number": "X9"})})
    assert "lot X9" in error_of(other_lot, 404)["message"]
    a_bin = staff.post("/scan/putaway/find", {"scan": "KUL1-A-01-01"})
    assert error_of(a_bin, 422)["field"] == "scan"

    page = staff.page(task["url"])
    suggested = task["suggested_location_code"]
    assert suggested and f'<p class="bin-code" id="suggested-bin">{suggested}</p>' in page
    assert 'id="bin-reasons"' in page

    path = f"/scan/putaway/{task['id']}/complete"
    chilled = staff.post(path, {"scan": "KUL1-R-01-01"}, key=new_key())
    refusal = error_of(chilled, 422)
    assert refusal["field"] == "scan" and "chilled" in refusal["message"]
    nowhere = staff.post(path, {"scan": "KUL1-Z-99-99"}, key=new_key())
    assert "no bin KUL1-Z-99-99" in error_of(nowhere, 404)["message"]
    not_a_bin = staff.post(path, {"scan": "]C101" + line["gtin"].zfill(14)}, key=new_key())
    assert error_of(not_a_bin, 422)["field"] == "scan"
    long_reason = staff.post(path, {"scan": suggested, "override_reason": "x" * 501}, key=new_key())
    assert error_of(long_reason, 422)["field"] == "override_reason"
    bad_reason = staff.post(path, {"scan": suggested, "override_reason": 5}, key=new_key())
    assert error_of(bad_reason, 422)["field"] == "override_reason"

    options = staff_options(staff, task["url"])
    other = next(code for code in options if code != suggested)
    no_reason = staff.post(path, {"scan": other}, key=new_key())
    ask = error_of(no_reason, 422)
    assert ask["field"] == "override_reason" and suggested in ask["message"]

    key = new_key()
    body = {"scan": other, "override_reason": "suggested bin blocked by a pallet"}
    done = staff.post(path, body, key=key)
    assert done.status_code == 200, done.get_json()
    answer = done.get_json()
    assert answer["task"]["status"] == "done"
    assert answer["task"]["to_location_code"] == other
    assert answer["message"] == f"Put away {task['quantity']} × {task['sku_code']} in {other}."
    replay = staff.post(path, body, key=key)
    assert replay.get_json()["replayed"] is True
    twice = staff.post(path, body, key=new_key())
    assert error_of(twice, 409)["field"] == "task_id"
    assert f'data-task-id="{task["id"]}"' not in staff.page("/scan/putaway")


def staff_options(staff: Scanner, url: str) -> list[str]:
    """The bins the task's page offers: the suggested one, then the others that fit."""
    page = staff.page(url)
    suggested = re.findall(r'id="suggested-bin">([^<]+)<', page)
    others = re.findall(r'<span class="code">(KUL1-[^<]+)</span>', page)
    return suggested + [code for code in others if code not in suggested]


def test_staff_of_another_fc_neither_sees_nor_changes_the_receipt(
    client: FlaskClient, arrived: dict[str, Any]
):
    kul1 = Scanner(client, STAFF_KUL1)
    receipt = start(kul1, arrived)
    client.post("/logout", data={"csrf_token": kul1.token})

    cgk1 = Scanner(client, STAFF_CGK1)
    sscc = arrived["cartons"][1]["sscc"]
    carton = cgk1.post("/scan/receive/start", {"scan": f"]C100{sscc}"}, key=new_key())
    assert "is announced" in error_of(carton, 404)["message"]
    reference = cgk1.post("/scan/receive/start", {"scan": arrived["reference"]}, key=new_key())
    assert error_of(reference, 404)["field"] == "scan"
    path = f"/scan/receive/{receipt['id']}"
    scanned = cgk1.post(f"{path}/scans", {"scan": f"]C100{sscc}"}, key=new_key())
    assert error_of(scanned, 404)["field"] == "receipt_id"
    assert error_of(cgk1.post(f"{path}/close", key=new_key()), 404)["field"] == "receipt_id"
    page = client.get(path)
    assert page.status_code == 404 and arrived["reference"] not in page.get_data(as_text=True)
    assert client.get("/scan/putaway/999999").status_code == 404
    assert arrived["reference"] not in cgk1.page("/scan/receive")
