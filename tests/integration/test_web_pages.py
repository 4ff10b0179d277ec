"""The server-rendered pages, through Flask's test client, on a database with the demo loaded."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.api import (
    ADMIN,
    CHABATEA,
    HERBSIAM,
    MANAGER_KUL1,
    SIAMFRUIT,
    STAFF_KUL1,
    Api,
    new_key,
)
from tests.conftest import settings_for
from wms.app import create_app
from wms.bootstrap import EXTENSION
from wms.services.demo import DEMO_PASSWORD

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def web_app(demo_database_url: str) -> Iterator[Flask]:
    """The whole app (pages and API) on its own demo database, with CSRF protection on."""
    app = create_app(settings_for(demo_database_url))
    assert app.config["WTF_CSRF_ENABLED"] is True
    yield app
    engine = app.extensions[EXTENSION].engine
    if engine is not None:
        engine.dispose()


@pytest.fixture
def visitor(web_app: Flask) -> FlaskClient:
    """A visitor whose browser prefers English."""
    client = web_app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def csrf_token(page: TestResponse) -> str:
    found = CSRF_FIELD.search(page.get_data(as_text=True))
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def log_in(client: FlaskClient, email: str, password: str = DEMO_PASSWORD) -> TestResponse:
    """Fill in and send the login form; returns the answer, redirects followed."""
    form = client.get("/login")
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_token(form)},
        follow_redirects=True,
    )


def switch_language(client: FlaskClient, page: TestResponse, locale: str) -> TestResponse:
    """Press a language button of the page's top bar."""
    text = page.get_data(as_text=True)
    next_page = re.search(r'name="next" value="([^"]*)"', text)
    assert next_page, "the page has no language switch"
    return client.post(
        "/language",
        data={"locale": locale, "next": next_page.group(1), "csrf_token": csrf_token(page)},
        follow_redirects=True,
    )


def api_for(client: FlaskClient, email: str) -> Api:
    """The JSON API as `email`, logged in with a bearer token (no cookie, no CSRF token)."""
    response = client.post("/api/v1/auth/tokens", json={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 201, response.get_json()
    return Api(client, response.get_json()["token"])


@dataclass
class Row:
    """A table row as a reader sees it: its attributes and the text of its cells."""

    attrs: dict[str, str | None]
    cells: list[str] = field(default_factory=list)
    figures: dict[str, str] = field(default_factory=dict)  # by the cells' data-figure


class Tables(HTMLParser):
    """The rows of a page's tables."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Row] = []
        self._row: Row | None = None
        self._cell: list[str] | None = None
        self._figure: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self._row = Row(dict(attrs))
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            self._figure = dict(attrs).get("data-figure")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            self._row.cells.append(text)
            if self._figure:
                self._row.figures[self._figure] = text
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def all_rows(page: TestResponse, key: str) -> list[Row]:
    """The rows that carry a `data-<key>` attribute, in page order."""
    parser = Tables()
    parser.feed(page.get_data(as_text=True))
    return [row for row in parser.rows if f"data-{key}" in row.attrs]


def table_rows(page: TestResponse, key: str) -> dict[str, Row]:
    """The rows that carry `data-<key>`, by its value."""
    return {str(row.attrs[f"data-{key}"]): row for row in all_rows(page, key)}


def number(text: object) -> int:
    """A figure as the page shows it in English ('1,794')."""
    return int(str(text).replace(",", ""))


def test_login_page_is_a_form_for_email_and_password(visitor: FlaskClient):
    page = visitor.get("/login")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<h1>Log in</h1>" in text
    assert 'name="email"' in text and 'type="password"' in text
    assert csrf_token(page)
    # Every language is offered in its own name.
    for name in ("ไทย", "English", "Bahasa Melayu", "Bahasa Indonesia", "Tiếng Việt"):
        assert name in text
    assert visitor.get("/").headers["Location"] == "/login"


def test_wrong_password_is_refused_with_401_and_logs_nobody_in(visitor: FlaskClient):
    form = visitor.get("/login")
    for email, password in ((MANAGER_KUL1, "not-the-password"), ("ghost@pavilion.test", "x" * 9)):
        answer = visitor.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": csrf_token(form)},
        )
        assert answer.status_code == 401
        assert "Wrong email or password." in answer.get_data(as_text=True)
        with visitor.session_transaction() as session:
            assert "user_id" not in session
    # Still a visitor: pages send to the login form.
    assert visitor.get("/fcs").headers["Location"].startswith("/login")


def test_wrong_password_message_is_in_the_visitors_language(web_app: Flask):
    thai = web_app.test_client()
    form = thai.get("/login", headers={"Accept-Language": "th-TH,th;q=0.9,en;q=0.5"})
    assert "เข้าสู่ระบบ" in form.get_data(as_text=True)
    answer = thai.post(
        "/login",
        data={"email": ADMIN, "password": "wrong-password", "csrf_token": csrf_token(form)},
        headers={"Accept-Language": "th"},
    )
    assert answer.status_code == 401
    assert "อีเมลหรือรหัสผ่านไม่ถูกต้อง" in answer.get_data(as_text=True)


def test_manager_lands_on_the_fc_overview_whose_figures_match_the_api(visitor: FlaskClient):
    api = api_for(visitor, MANAGER_KUL1)
    (kul1,) = api.get("/fcs").get_json()
    # A count finds one bin empty: the overview shows live figures, so that bin is free again.
    emptied = next(
        b for b in api.items("/stock", fc_id=kul1["id"]) if b["lot_number"] and not b["reserved"]
    )
    counted = api.post(
        "/stock/adjustments",
        {
            "location_id": emptied["location_id"],
            "sku_id": emptied["sku_id"],
            "lot_number": emptied["lot_number"],
            "reason": "count_correction",
            "counted_quantity": 0,
        },
        key=new_key(),
    )
    assert counted.status_code == 201, counted.get_json()
    left = api.items("/stock", location_id=emptied["location_id"], sku_id=emptied["sku_id"])
    assert [b for b in left if b["lot_number"] == emptied["lot_number"]] == []

    home = log_in(visitor, MANAGER_KUL1)
    assert home.status_code == 200
    assert home.request.path == f"/fcs/{kul1['id']}"
    text = home.get_data(as_text=True)
    assert "Aisyah Rahman" in text and "FC manager" in text
    assert "Pavilion KUL1 Shah Alam" in text

    rows = table_rows(home, "zone")
    zones = {zone["code"]: zone["id"] for zone in api.get(f"/fcs/{kul1['id']}/zones").get_json()}
    assert set(zones) <= set(rows)
    everything = api.items("/stock", fc_id=kul1["id"])
    for code, zone_id in zones.items():
        figures = rows[code].figures
        bins = api.get(f"/fcs/{kul1['id']}/locations", zone_id=zone_id, page_size=1).get_json()
        held = [b for b in api.items("/stock", fc_id=kul1["id"], zone_id=zone_id) if b["on_hand"]]
        expected = {
            "bins_total": bins["total"],
            "bins_used": len({b["location_id"] for b in held}),
            "bins_free": bins["total"] - len({b["location_id"] for b in held}),
            "on_hand": sum(b["on_hand"] for b in held),
            "reserved": sum(b["reserved"] for b in held),
            "skus": len({b["sku_id"] for b in held}),
        }
        assert {name: number(value) for name, value in figures.items()} == expected, code
    # The ambient racking holds stock: the check above compared real, non-zero figures.
    assert number(rows["AMB"].figures["on_hand"]) > 0
    totals = {name: number(value) for name, value in rows["total"].figures.items()}
    assert totals["on_hand"] == sum(b["on_hand"] for b in everything)
    assert totals["skus"] == len({b["sku_id"] for b in everything if b["on_hand"]})
    assert totals["bins_used"] + totals["bins_free"] == totals["bins_total"] >= 300


def test_admin_sees_every_fc_and_a_missing_fc_is_404(visitor: FlaskClient):
    home = log_in(visitor, ADMIN)
    text = home.get_data(as_text=True)
    assert "CGK1 · Cikarang" in text and "KUL1 · Shah Alam" in text
    assert "Administrator" in text
    missing = visitor.get("/fcs/999999")
    assert missing.status_code == 404
    assert "Not found" in missing.get_data(as_text=True)


def test_merchant_sees_its_own_stock_by_sku_lot_and_expiry(visitor: FlaskClient):
    page = log_in(visitor, SIAMFRUIT)
    assert page.request.path == "/stock"
    # The demo's merchants read Thai: the page is in Thai until they switch.
    text = page.get_data(as_text=True)
    assert "<h1>สต็อก</h1>" in text and "วันหมดอายุ" in text and "ล็อต" in text
    assert "มะม่วงอบแห้ง 200 กรัม" in text and "Dried mango slices 200 g" in text
    assert "Somchai Jaidee" in text

    api = api_for(visitor, SIAMFRUIT)
    balances = api.items("/stock")
    first, second = page, visitor.get("/stock?page=2")
    shown = all_rows(first, "sku") + all_rows(second, "sku")
    assert len(shown) == len(balances) > 20  # two pages of 20
    assert {row.attrs["data-sku"] for row in shown} == {b["sku_code"] for b in balances}
    assert all(str(row.attrs["data-sku"]).startswith("SF-") for row in shown)
    for other in ("CB-THAITEA-400", "HS-BALM-50", "ชาไทยปรุงสำเร็จ"):
        assert other not in first.get_data(as_text=True) + second.get_data(as_text=True)


def test_merchant_filters_by_fc_and_sees_near_expiry_lots_highlighted(visitor: FlaskClient):
    log_in(visitor, CHABATEA)
    api = api_for(visitor, CHABATEA)
    fcs = {fc["code"]: fc for fc in api.get("/fcs").get_json()}
    kul1 = fcs["KUL1"]
    in_kul1 = api.items("/stock", fc_id=kul1["id"])
    page = visitor.get(f"/stock?fc_id={kul1['id']}")
    rows = all_rows(page, "sku")
    assert len(rows) == len(in_kul1) > 0
    assert {row.cells[5] for row in rows} == {"KUL1"}

    today = datetime.now(ZoneInfo(kul1["timezone"])).date()
    soon = [r for r in rows if "expiry-near" in str(r.attrs.get("class"))]
    assert soon, "the demo has lots close to expiry"
    for row in rows:
        expiry = date.fromisoformat(row.cells[4].split()[0])
        near = "expiry-near" in str(row.attrs.get("class"))
        assert near == (today <= expiry <= today + timedelta(days=30)), row.cells
    assert "หมดอายุในอีก" in page.get_data(as_text=True)


def test_staff_lands_on_the_scanner_home_of_their_fc(visitor: FlaskClient):
    home = log_in(visitor, STAFF_KUL1)
    assert home.request.path == "/scan"
    text = home.get_data(as_text=True)
    assert "Hafiz Ismail" in text and "Warehouse staff" in text
    assert "KUL1 · Shah Alam" in text and "CGK1" not in text
    assert re.search(r"<input[^>]*id=\"scan-input\"[^>]*autofocus", text)
    for task in ("Receive", "Put away", "Pick", "Pack", "Ship", "Move", "Count"):
        assert f'<span class="task-label">{task}</span>' in text
    scanned = visitor.get("/scan", query_string={"code": "KUL1-A-01-01\x1d"})
    assert '<output class="scanned" id="last-scan">KUL1-A-01-01</output>' in scanned.get_data(
        as_text=True
    )


def test_pages_of_another_role_are_403_and_another_fc_is_404(web_app: Flask):
    api = api_for(web_app.test_client(), ADMIN)
    fc_id = {fc["code"]: fc["id"] for fc in api.get("/fcs").get_json()}

    staff = web_app.test_client()
    staff.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    log_in(staff, STAFF_KUL1)
    assert staff.get(f"/fcs/{fc_id['KUL1']}").status_code == 200
    other_fc = staff.get(f"/fcs/{fc_id['CGK1']}")
    assert other_fc.status_code == 404
    assert "CGK1" not in other_fc.get_data(as_text=True)
    assert staff.get("/stock").status_code == 403

    manager = web_app.test_client()
    manager.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    log_in(manager, MANAGER_KUL1)
    assert manager.get(f"/fcs/{fc_id['CGK1']}").status_code == 404
    forbidden = manager.get("/stock")
    assert forbidden.status_code == 403
    assert "You do not have access to this page" in forbidden.get_data(as_text=True)

    merchant = web_app.test_client()
    log_in(merchant, HERBSIAM)  # reads Thai
    for path in ("/scan", f"/fcs/{fc_id['KUL1']}", "/fcs"):
        refused = merchant.get(path)
        assert refused.status_code == 403, path
        assert "คุณไม่มีสิทธิ์เข้าถึงหน้านี้" in refused.get_data(as_text=True)


def test_visitor_is_sent_to_login_and_back_to_the_page_asked_for(visitor: FlaskClient):
    asked = visitor.get("/stock")
    assert asked.status_code == 302
    assert asked.headers["Location"] == "/login?next=/stock"
    form = visitor.get(asked.headers["Location"])
    answer = visitor.post(
        "/login",
        data={
            "email": SIAMFRUIT,
            "password": DEMO_PASSWORD,
            "next": "/stock",
            "csrf_token": csrf_token(form),
        },
    )
    assert answer.headers["Location"] == "/stock"
    # A `next` pointing at another site is ignored.
    visitor.post("/logout", data={"csrf_token": csrf_token(visitor.get("/stock"))})
    form = visitor.get("/login")
    answer = visitor.post(
        "/login",
        data={
            "email": SIAMFRUIT,
            "password": DEMO_PASSWORD,
            "next": "//evil.example/stock",
            "csrf_token": csrf_token(form),
        },
    )
    assert answer.headers["Location"] == "/"


def test_language_switch_shows_thai_and_is_kept_for_the_next_login(visitor: FlaskClient):
    home = log_in(visitor, MANAGER_KUL1)
    assert "FC overview" in home.get_data(as_text=True)
    thai = switch_language(visitor, home, "th")
    assert thai.request.path == home.request.path
    text = thai.get_data(as_text=True)
    assert '<html lang="th">' in text
    for words in ("ภาพรวม FC", "ช่องเก็บว่าง", "ออกจากระบบ", "ผู้จัดการ FC", "โซน"):
        assert words in text
    assert api_for(visitor, MANAGER_KUL1).get("/auth/me").get_json()["locale"] == "th"

    visitor.post("/logout", data={"csrf_token": csrf_token(thai)})
    again = log_in(visitor, MANAGER_KUL1)  # the browser still prefers English
    assert "ภาพรวม FC" in again.get_data(as_text=True)

    english = switch_language(visitor, again, "en")
    assert "FC overview" in english.get_data(as_text=True)
    unknown = switch_language(visitor, english, "xx")
    assert unknown.status_code == 422


def test_visitor_can_switch_language_on_the_login_page(visitor: FlaskClient):
    form = visitor.get("/login")
    malay = switch_language(visitor, form, "ms")
    assert malay.request.path == "/login"
    assert "Log masuk" in malay.get_data(as_text=True)


def test_forms_without_a_csrf_token_are_refused_but_the_api_needs_none(visitor: FlaskClient):
    refused = visitor.post("/login", data={"email": ADMIN, "password": DEMO_PASSWORD})
    assert refused.status_code == 400
    assert "This form has expired" in refused.get_data(as_text=True)
    with visitor.session_transaction() as session:
        assert "user_id" not in session

    home = log_in(visitor, ADMIN)
    assert visitor.post("/language", data={"locale": "th"}).status_code == 400
    assert visitor.post("/logout").status_code == 400
    still = visitor.get(home.request.path)
    assert still.status_code == 200 and "Ploy Admin" in still.get_data(as_text=True)
    assert "FC overview" in still.get_data(as_text=True)  # the language did not change

    # The JSON API authenticates with bearer tokens and takes no CSRF token.
    api = api_for(visitor, ADMIN)
    assert api.get("/auth/me").status_code == 200


def test_logout_ends_the_session(visitor: FlaskClient):
    home = log_in(visitor, STAFF_KUL1)
    out = visitor.post("/logout", data={"csrf_token": csrf_token(home)})
    assert out.headers["Location"] == "/login"
    assert visitor.get("/scan").headers["Location"].startswith("/login")


def test_failures_are_pages_in_the_users_language_not_tracebacks(web_app: Flask):
    def broken() -> str:
        raise RuntimeError("secret detail of the failure")

    web_app.add_url_rule("/broken", "broken", broken)
    client = web_app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "th"
    failed = client.get("/broken")
    assert failed.status_code == 500
    text = failed.get_data(as_text=True)
    assert "เกิดข้อผิดพลาด" in text
    assert "secret detail" not in text and "Traceback" not in text

    wrong_method = client.get("/logout")
    assert wrong_method.status_code == 405
    assert "POST" in wrong_method.headers["Allow"]
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and "ไม่พบหน้าที่ต้องการ" in missing.get_data(as_text=True)
    # The JSON API keeps its own error shape.
    assert client.get("/api/v1/no-such-thing").get_json()["error"]["status"] == 404


@pytest.mark.parametrize(
    "path",
    [
        "/consignments/99999999999999999999",
        "/consignments/2147483648/invoice.pdf",
        "/fcs/99999999999/arrivals",
        "/fcs/99999999999",
        "/waves/99999999999",
        "/trips/2147483648",
    ],
)
def test_ids_too_large_for_the_database_are_simply_not_found(visitor: FlaskClient, path: str):
    log_in(visitor, MANAGER_KUL1)
    response = visitor.get(path)
    assert response.status_code == 404, (path, response.status_code)
