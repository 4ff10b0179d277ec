"""The Lazada connector against the Lazada sandbox over real HTTP: signing, stock, tokens,
orders, fulfilment, failures and push messages."""

from __future__ import annotations

import json
import socket
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pypdfium2
import pytest
from flask import Flask, Response, request

from wms.channels.lazada import (
    ORDER_STATES,
    LazadaClient,
    LazadaWebhookVerifier,
    exchange_code,
    order_lines,
    order_state,
    sign_base_string,
    sign_request,
    stock_payload,
    webhook_signature,
)
from wms.channels.marketplace import (
    AppCredentials,
    AuthExpired,
    BadSignature,
    ListingRef,
    Marketplace,
    OrderState,
    PermanentError,
    ShopAccess,
    StockUpdate,
    Throttled,
    TransientError,
)
from wms.channels.sandbox.lazada import LazadaSandbox
from wms.channels.sandbox.server import RunningServer, serve

APP = AppCredentials(key="100001", secret="laz_secret_xyz")
SHOP = "500001"
START = 1_700_000_000.0

MUG = ListingRef("3000001", "4000001", "MUG-BLU")
TEA = ListingRef("3000002", "4000002", "TEA-GRN")
RICE = ListingRef("3000003", "4000003", "RICE-JAS")


class Clock:
    """A clock the test moves by hand (seconds since the epoch)."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sandbox(clock: Clock) -> LazadaSandbox:
    return LazadaSandbox(APP, clock=clock)


class Switch:
    """One served WSGI app whose target each test sets (a server stops in half a second, too
    slow to start one per test)."""

    def __init__(self) -> None:
        self.target: Any = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.target(environ, start_response)


@pytest.fixture(scope="module")
def switch() -> Iterator[tuple[Switch, RunningServer]]:
    app = Switch()
    running = serve(app)
    yield app, running
    running.stop()


@pytest.fixture
def server(sandbox: LazadaSandbox, switch: tuple[Switch, RunningServer]) -> RunningServer:
    app, running = switch
    app.target = sandbox.wsgi_app()
    return running


@pytest.fixture
def access(sandbox: LazadaSandbox, server: RunningServer) -> ShopAccess:
    shop = sandbox.add_shop(SHOP, "MY", server.url)
    sandbox.add_listing(SHOP, MUG, "Mug, blue", quantity=5)
    sandbox.add_listing(SHOP, TEA, "Green tea", quantity=8)
    sandbox.add_listing(SHOP, RICE, "Jasmine rice", quantity=2, reserved=3)
    return shop


@pytest.fixture
def client(access: ShopAccess, clock: Clock) -> LazadaClient:
    return LazadaClient(access, clock=clock, timeout=5)


class Receiver:
    """A webhook receiver that records what it gets and answers `status`."""

    def __init__(self, base_url: str) -> None:
        self.status = 200
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.url = f"{base_url}/lazada/push"
        self.app = Flask("receiver")

        @self.app.post("/lazada/push")
        def push() -> Response:
            self.received.append((dict(request.headers), request.get_data()))
            return Response("", status=self.status)


@pytest.fixture(scope="module")
def receiver_server() -> Iterator[tuple[Switch, RunningServer]]:
    app = Switch()
    running = serve(app)
    yield app, running
    running.stop()


@pytest.fixture
def receiver(receiver_server: tuple[Switch, RunningServer]) -> Receiver:
    app, running = receiver_server
    found = Receiver(running.url)
    app.target = found.app
    return found


def raw_call(
    access: ShopAccess,
    clock: Clock,
    path: str,
    params: dict[str, str],
    *,
    tamper: dict[str, str] | None = None,
) -> dict[str, object]:
    """A hand-made signed POST (optionally changed after signing) and Lazada's JSON answer."""
    signed = {
        "app_key": access.app.key,
        "access_token": access.access_token,
        "timestamp": str(int(clock() * 1000)),
        "sign_method": "sha256",
        **params,
    }
    signed["sign"] = sign_request(access.app.secret, path, signed)
    signed.update(tamper or {})
    body = urllib.parse.urlencode(signed).encode()
    with urllib.request.urlopen(access.base_url + path, data=body, timeout=5) as answer:  # noqa: S310 - the local sandbox
        return json.loads(answer.read())


# --- signing -----------------------------------------------------------------------------------


def test_the_official_get_vector_signs_to_lazadas_published_signature():
    params = {
        "access_token": "test",
        "app_key": "123456",
        "order_id": "1234",
        "sign_method": "sha256",
        "timestamp": "1517820392000",
    }
    assert sign_base_string("/order/get", params) == (
        "/order/getaccess_tokentestapp_key123456order_id1234sign_methodsha256timestamp1517820392000"
    )
    assert (
        sign_request("helloworld", "/order/get", params)
        == "4190D32361CFB9581350222F345CB77F3B19F0E31D162316848A2C1FFD5FAB4A"
    )


def test_the_stock_payload_and_its_post_signature_match_the_reference_vector():
    payload = stock_payload([StockUpdate(ListingRef("111", "222"), 7)])
    assert payload == (
        "<Request><Product><Skus><Sku><ItemId>111</ItemId><SkuId>222</SkuId>"
        "<SellableQuantity>7</SellableQuantity></Sku></Skus></Product></Request>"
    )
    params = {
        "app_key": "100001",
        "access_token": "tokL",
        "sign_method": "sha256",
        "timestamp": "1700000000000",
        "payload": payload,
        "sign": "ignored: the sign itself is never signed",
    }
    assert (
        sign_request("laz_secret_xyz", "/product/stock/sellable/update", params)
        == "E62CE42480030F13AFA0FFD80AF25C44D732EF918FE8021C00E04A56D17A08D2"
    )


def test_the_push_signature_matches_the_reference_vector():
    body = (
        b'{"seller_id":"500001","message_type":0,"data":{"order_status":"pending",'
        b'"trade_order_id":"700000000000001","trade_order_line_id":"700000000000002",'
        b'"status_update_time":1700000000},"timestamp":1700000001000,"site":"lazada_my"}'
    )
    assert (
        webhook_signature("100001", "laz_secret_xyz", body)
        == "645939b33ddb6e2b593d95f83c30798e1a5937a6078fe57f0aa88ed77f1a3ee7"
    )


def test_a_multi_warehouse_sku_travels_as_one_sku_with_an_inventory_per_warehouse():
    payload = stock_payload(
        [
            StockUpdate(ListingRef("3000001", "4000001", "MUG-BLU", "dropshipping"), 12),
            StockUpdate(ListingRef("3000001", "4000001", "MUG-BLU", "MY10XXX-WH-10002"), 5),
        ]
    )
    assert payload.count("<Sku>") == 1
    assert (
        "<MultiWarehouseInventory><WarehouseCode>MY10XXX-WH-10002</WarehouseCode>"
        "<SellableQuantity>5</SellableQuantity></MultiWarehouseInventory>" in payload
    )


# --- stock -------------------------------------------------------------------------------------


def test_pushed_quantities_are_what_lazada_shows_and_reads_back(client, sandbox):
    updates = [StockUpdate(MUG, 11), StockUpdate(TEA, 0), StockUpdate(RICE, 4)]

    outcomes = client.push_stock(updates)

    assert [o.accepted for o in outcomes] == [True, True, True]
    assert [o.listing for o in outcomes] == [MUG, TEA, RICE]
    assert [sandbox.quantity(SHOP, ref) for ref in (MUG, TEA, RICE)] == [11, 0, 4]
    assert client.read_stock([MUG, TEA, RICE]) == {MUG: 11, TEA: 0, RICE: 4}


def test_read_stock_without_seller_skus_reads_the_product_list(client, sandbox):
    bare = ListingRef(MUG.item_id, MUG.model_id)
    client.push_stock([StockUpdate(MUG, 9)])
    assert client.read_stock([bare]) == {bare: 9}
    assert sandbox.calls["/products/get"] == 1


def test_one_refused_listing_fails_alone_and_the_others_are_applied(client, sandbox, access):
    sandbox.add_shop("500002", "MY", access.base_url.removesuffix("/rest"))
    foreign = ListingRef("3999999", "4999999", "OTHER")
    sandbox.add_listing("500002", foreign, "Someone else's", quantity=1)
    sandbox.refuse_listing(SHOP, TEA, "Product is under review")

    outcomes = client.push_stock(
        [
            StockUpdate(MUG, 7),
            StockUpdate(TEA, 3),
            StockUpdate(RICE, 1),  # 3 units are locked by a campaign
            StockUpdate(foreign, 50),
        ]
    )

    by_listing = {o.listing: o for o in outcomes}
    assert by_listing[MUG].accepted
    assert not by_listing[TEA].accepted and by_listing[TEA].permanent
    assert "under review" in by_listing[TEA].reason
    assert not by_listing[RICE].accepted and "campaign" in by_listing[RICE].reason
    assert not by_listing[foreign].accepted and "does not belong" in by_listing[foreign].reason
    assert client.read_stock([MUG, TEA, RICE]) == {MUG: 7, TEA: 8, RICE: 2}
    assert sandbox.quantity("500002", foreign) == 1


def test_multi_warehouse_stock_is_set_per_warehouse(client, sandbox):
    north = ListingRef("3000009", "4000009", "SOAP", "MY10XXX-WH-10002")
    south = ListingRef("3000009", "4000009", "SOAP", "dropshipping")
    sandbox.add_listing(SHOP, north, "Soap", quantity=1)
    sandbox.add_listing(SHOP, south, "Soap", quantity=1)

    outcomes = client.push_stock([StockUpdate(north, 6), StockUpdate(south, 4)])

    assert all(o.accepted for o in outcomes)
    assert (sandbox.quantity(SHOP, north), sandbox.quantity(SHOP, south)) == (6, 4)
    products = {
        p.listing.warehouse_id: p.quantity
        for p in client.products()
        if p.listing.item_id == "3000009"
    }
    assert products == {"MY10XXX-WH-10002": 6, "dropshipping": 4}


def test_a_single_warehouse_seller_may_not_use_the_multi_warehouse_form(client, sandbox):
    elsewhere = replace(MUG, warehouse_id="MY10XXX-WH-10002")
    [outcome] = client.push_stock([StockUpdate(elsewhere, 3)])
    assert not outcome.accepted and "MultiWarehouseInventories" in outcome.reason
    assert sandbox.quantity(SHOP, MUG) == 5


def test_batches_never_carry_more_than_fifty_skus(client, sandbox):
    listings = [ListingRef(str(5_000_000 + n), str(6_000_000 + n), f"S{n}") for n in range(120)]
    for ref in listings:
        sandbox.add_listing(SHOP, ref, "Bulk", quantity=0)
    extra_warehouse = replace(listings[49], warehouse_id="dropshipping")
    updates = [StockUpdate(ref, n) for n, ref in enumerate(listings)]

    batches = client.stock_batches(updates)

    assert [len({(u.listing.item_id, u.listing.model_id) for u in b}) for b in batches] == [
        50,
        50,
        20,
    ]
    assert [u for b in batches for u in b] == updates
    for batch in batches:
        assert all(outcome.accepted for outcome in client.push_stock(batch))
    assert sandbox.calls["/product/stock/sellable/update"] == 3
    assert [sandbox.quantity(SHOP, ref) for ref in listings] == list(range(120))
    two_warehouses = client.stock_batches([*updates[:50], StockUpdate(extra_warehouse, 1)])
    assert [len(b) for b in two_warehouses] == [51]  # the same SKU's warehouses stay together
    with pytest.raises(ValueError, match="50"):
        client.push_stock(updates[:51])


def test_the_sandbox_refuses_a_hand_made_call_with_fifty_one_skus(access, clock, sandbox):
    payload = stock_payload(
        [StockUpdate(ListingRef(str(10 + n), str(20 + n)), 1) for n in range(51)]
    )
    answer = raw_call(access, clock, "/product/stock/sellable/update", {"payload": payload})
    assert answer["code"] == "204"
    assert sandbox.quantity(SHOP, MUG) == 5


def test_products_are_paged_through(client, sandbox):
    for n in range(57):
        sandbox.add_listing(SHOP, ListingRef(str(8_000_000 + n), str(9_000_000 + n)), f"P{n}")
    found = client.products()
    assert len(found) == 60
    assert {p.title for p in found if p.listing == MUG} == {"Mug, blue"}
    assert sandbox.calls["/products/get"] == 2


# --- signatures, timestamps, tokens ------------------------------------------------------------


def test_a_wrong_app_secret_is_refused_with_lazadas_signature_error(access, clock, sandbox):
    forged = LazadaClient(replace(access, app=AppCredentials(APP.key, "guessed")), clock=clock)
    with pytest.raises(PermanentError, match="IncompleteSignature"):
        forged.push_stock([StockUpdate(MUG, 99)])
    assert sandbox.quantity(SHOP, MUG) == 5


def test_a_request_changed_after_signing_is_refused(access, clock, sandbox):
    honest = stock_payload([StockUpdate(MUG, 1)])
    answer = raw_call(
        access,
        clock,
        "/product/stock/sellable/update",
        {"payload": honest},
        tamper={"payload": honest.replace(">1<", ">99<")},
    )
    assert answer["code"] == "IncompleteSignature"
    assert sandbox.quantity(SHOP, MUG) == 5


def test_a_timestamp_more_than_two_hours_off_is_refused(access, clock, sandbox):
    late = LazadaClient(access, clock=lambda: clock() - 7201)
    with pytest.raises(PermanentError, match="InvalidTimestamp"):
        late.read_stock([MUG])
    nearly = LazadaClient(access, clock=lambda: clock() + 7190)
    assert nearly.read_stock([MUG]) == {MUG: 5}


def test_an_expired_token_asks_for_a_refresh_and_the_new_tokens_work(
    client, sandbox, clock, access
):
    sandbox.expire_access_token(SHOP)
    with pytest.raises(AuthExpired, match="IllegalAccessToken"):
        client.read_stock([MUG])

    grant = client.refresh_token()

    assert grant.access_token != access.access_token
    assert grant.access_expires_at == datetime.fromtimestamp(clock() + 30 * 86400, UTC)
    assert grant.refresh_expires_at == datetime.fromtimestamp(clock() + 180 * 86400, UTC)
    renewed = LazadaClient(
        replace(access, access_token=grant.access_token, refresh_token=grant.refresh_token),
        clock=clock,
    )
    assert renewed.read_stock([MUG]) == {MUG: 5}
    assert sandbox.calls["/auth/token/refresh"] == 1


def test_a_refresh_token_past_its_lifetime_means_authorising_again(client, clock):
    clock.advance(181 * 86400)
    with pytest.raises(PermanentError, match="IllegalRefreshToken"):
        client.refresh_token()


def test_an_authorisation_code_works_once_and_for_thirty_minutes(sandbox, server, clock):
    sandbox.add_shop(SHOP, "MY", server.url)
    auth = f"{server.url}/rest"
    code = sandbox.authorization_code(SHOP)

    grant, sellers = exchange_code(APP, code, auth_url=auth, clock=clock)

    assert grant.access_token and grant.refresh_token
    assert sellers == [
        {"country": "my", "seller_id": SHOP, "user_id": SHOP, "short_code": "MY00001"}
    ]
    with pytest.raises(PermanentError, match="InvalidCode"):
        exchange_code(APP, code, auth_url=auth, clock=clock)
    stale = sandbox.authorization_code(SHOP)
    clock.advance(31 * 60)
    with pytest.raises(PermanentError, match="InvalidCode"):
        exchange_code(APP, stale, auth_url=auth, clock=clock)


# --- failures ----------------------------------------------------------------------------------


def test_calls_over_the_shop_rate_are_throttled_for_a_second(client, sandbox, clock):
    sandbox.rate_limit = 2
    client.read_stock([MUG])
    client.read_stock([MUG])
    with pytest.raises(Throttled, match="ApiCallLimit") as throttled:
        client.read_stock([MUG])
    assert throttled.value.retry_after == 1.0
    clock.advance(0.5)
    with pytest.raises(Throttled):  # the ban lasts a second
        client.read_stock([MUG])
    clock.advance(0.6)
    assert client.read_stock([MUG]) == {MUG: 5}
    assert sandbox.calls["/products/get"] == 5


def test_stock_calls_over_the_sellers_inventory_rate_get_lazadas_901(client, sandbox):
    sandbox.inventory_rate_limit = 3
    for quantity in (1, 2, 3):
        client.push_stock([StockUpdate(MUG, quantity)])
    with pytest.raises(Throttled, match="901") as throttled:
        client.push_stock([StockUpdate(MUG, 4)])
    assert throttled.value.retry_after == 1.0
    assert sandbox.quantity(SHOP, MUG) == 3


def test_injected_failures_map_to_the_wms_errors(client, sandbox):
    sandbox.fail_next("throttle")
    with pytest.raises(Throttled):
        client.push_stock([StockUpdate(MUG, 1)])
    sandbox.fail_next("transient", count=2)
    for _ in range(2):
        with pytest.raises(TransientError):
            client.push_stock([StockUpdate(MUG, 1)])
    sandbox.fail_next("auth")
    with pytest.raises(AuthExpired):
        client.push_stock([StockUpdate(MUG, 1)])
    assert sandbox.quantity(SHOP, MUG) == 5
    assert client.push_stock([StockUpdate(MUG, 1)])[0].accepted
    assert sandbox.calls["/product/stock/sellable/update"] == 5


def test_an_unreachable_gateway_is_a_transient_error(access, clock):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    gone = f"http://127.0.0.1:{closed_port}/rest"
    client = LazadaClient(replace(access, base_url=gone), clock=clock, timeout=1)
    with pytest.raises(TransientError, match="unreachable"):
        client.read_stock([MUG])


# --- orders ------------------------------------------------------------------------------------


def test_an_order_sums_its_per_unit_items_into_lines(client, sandbox):
    order_id = sandbox.place_order(SHOP, [(MUG, 3), (TEA, 1)])

    order = client.order(order_id)

    assert order.order_id == order_id
    assert order.state is OrderState.READY and order.raw_status == "pending"
    assert {(line.listing.seller_sku, line.quantity) for line in order.lines} == {
        ("MUG-BLU", 3),
        ("TEA-GRN", 1),
    }
    assert {line.listing for line in order.lines} == {MUG, TEA}
    assert order.currency == "MYR" and order.total_amount == "84.50"  # 4 × 19.90 + 4.90
    assert order.recipient_name == "Nur Aisyah" and order.postcode == "55100"
    assert order.created_at == datetime.fromtimestamp(START, UTC)
    assert sandbox.quantity(SHOP, MUG) == 2  # the units left sellable stock


def test_an_unpaid_order_is_not_to_be_fulfilled(client, sandbox):
    order_id = sandbox.place_order(SHOP, [(MUG, 1)], paid=False)
    assert client.order(order_id).state is OrderState.UNPAID
    with pytest.raises(PermanentError, match="not paid"):
        client.waybill(order_id)


@pytest.mark.parametrize(
    ("raw", "state"),
    [
        ("unpaid", OrderState.UNPAID),
        ("pending", OrderState.READY),
        ("packed", OrderState.READY),
        ("ready_to_ship", OrderState.SHIPPED),
        ("shipped", OrderState.SHIPPED),
        ("delivered", OrderState.DELIVERED),
        ("canceled", OrderState.CANCELLED),
        ("returned", OrderState.OTHER),
        ("failed_delivery", OrderState.OTHER),
    ],
)
def test_lazada_statuses_map_to_what_the_wms_does(client, sandbox, raw, state):
    order_id = sandbox.place_order(SHOP, [(MUG, 1)])
    sandbox.set_order_status(order_id, raw)
    order = client.order(order_id)
    assert (order.raw_status, order.state) == (raw, state)
    assert ORDER_STATES[raw] is state


def test_an_order_in_several_states_takes_its_least_advanced_active_one():
    assert order_state(["shipped", "pending"]) is OrderState.READY
    assert order_state(["pending", "canceled"]) is OrderState.READY
    assert order_state(["canceled", "canceled"]) is OrderState.CANCELLED
    assert order_state(["something_new"]) is OrderState.OTHER


def test_cancelled_units_are_left_out_of_the_lines_unless_all_are():
    unit = {"product_id": "1", "sku_id": "2", "sku": "A", "warehouse_code": "dropshipping"}
    mixed = [{**unit, "status": "pending"}, {**unit, "status": "canceled"}]
    assert [(line.listing, line.quantity) for line in order_lines(mixed)] == [
        (ListingRef("1", "2", "A"), 1)
    ]
    gone = [{**unit, "status": "canceled"}] * 2
    assert [line.quantity for line in order_lines(gone)] == [2]


def test_orders_are_paged_with_their_items_fifty_at_a_time(client, sandbox, clock):
    placed = []
    for n in range(120):
        placed.append(sandbox.place_order(SHOP, [(TEA if n % 2 else MUG, 1 + n % 3)]))
        clock.advance(1)
    outside = sandbox.place_order(SHOP, [(MUG, 1)])
    window = (datetime.fromtimestamp(START, UTC), datetime.fromtimestamp(START + 119, UTC))

    pages = [client.orders(*window)]
    while pages[-1].cursor:
        pages.append(client.orders(*window, cursor=pages[-1].cursor))

    orders = [o for page in pages for o in page.orders]
    assert [o.order_id for o in orders] == placed
    assert outside not in {o.order_id for o in orders}
    assert [o.lines[0].quantity for o in orders] == [1 + n % 3 for n in range(120)]
    assert len(pages) == 3 and sandbox.calls["/orders/items/get"] == 3


def test_past_lazadas_offset_ceiling_the_window_moves_on(client, sandbox, clock):
    placed = []
    for _ in range(5060):
        placed.append(sandbox.place_order(SHOP, [(MUG, 1)]))
        clock.advance(1)
    window = (datetime.fromtimestamp(START, UTC), datetime.fromtimestamp(clock(), UTC))

    seen: list[str] = []
    cursors: list[str] = []
    while True:
        page = client.orders(*window, cursor=cursors[-1] if cursors else None)
        seen.extend(o.order_id for o in page.orders)
        if not page.cursor:
            break
        cursors.append(page.cursor)

    assert sum(c.startswith("0@") for c in cursors) == 1  # the window moved once
    assert set(seen) == set(placed)  # the order at the seam may come twice, none is lost
    assert len(seen) <= len(placed) + 1


def test_an_order_of_another_seller_is_not_found(client, sandbox, access):
    sandbox.add_shop("500002", "MY", access.base_url)
    sandbox.add_listing("500002", ListingRef("1", "2", "X"), "Theirs", quantity=3)
    theirs = sandbox.place_order("500002", [(ListingRef("1", "2", "X"), 1)])
    with pytest.raises(PermanentError, match="Invalid Order ID"):
        client.order(theirs)


# --- fulfilment --------------------------------------------------------------------------------


def pdf_text(document: bytes) -> str:
    pdf = pypdfium2.PdfDocument(document)
    try:
        return "".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


def test_the_waybill_is_lazadas_pdf_with_the_tracking_number_it_assigned(client, sandbox):
    order_id = sandbox.place_order(SHOP, [(MUG, 2)])

    label = client.waybill(order_id)

    assert label.startswith(b"%PDF")
    assert sandbox.order_status(order_id) == ["packed", "packed"]
    assert "LEX MY" in pdf_text(label)
    assert client.order(order_id).state is OrderState.READY
    assert sandbox.calls["/order/fulfill/pack"] == 1
    assert client.waybill(order_id).startswith(b"%PDF")  # a reprint does not pack again
    assert sandbox.calls["/order/fulfill/pack"] == 1


def test_shipping_with_the_waybills_tracking_number_sets_the_order_ready_to_ship(client, sandbox):
    order_id = sandbox.place_order(SHOP, [(MUG, 1), (TEA, 1)])
    tracking = next(
        word for word in pdf_text(client.waybill(order_id)).split() if word.startswith("LEXMY")
    )

    client.ship(order_id, tracking, "LEX MY")

    assert sandbox.shipped(order_id) == (tracking, "LEX MY")
    assert client.order(order_id).state is OrderState.SHIPPED
    client.ship(order_id, tracking, "LEX MY")  # a replay changes nothing
    assert sandbox.calls["/order/package/rts"] == 1


def test_shipping_packs_first_when_no_waybill_was_printed(client, sandbox):
    order_id = sandbox.place_order(SHOP, [(TEA, 2)])
    client.ship(order_id, "", "")
    tracking, provider = sandbox.shipped(order_id)
    assert tracking.startswith("LEXMY") and provider == "LEX MY"
    assert sandbox.order_status(order_id) == ["ready_to_ship", "ready_to_ship"]


def test_a_tracking_number_lazada_did_not_assign_is_refused(client, sandbox):
    order_id = sandbox.place_order(SHOP, [(MUG, 1)])
    with pytest.raises(PermanentError, match="assigns"):
        client.ship(order_id, "MYOWN123", "Own fleet")
    assert sandbox.shipped(order_id) is None


def test_a_cancelled_order_cannot_be_shipped(client, sandbox):
    order_id = sandbox.place_order(SHOP, [(MUG, 1)])
    sandbox.set_order_status(order_id, "canceled")
    with pytest.raises(PermanentError, match="no item"):
        client.ship(order_id, "", "")
    assert sandbox.quantity(SHOP, MUG) == 5  # the unit went back to sellable stock


# --- push messages -----------------------------------------------------------------------------


def test_each_order_item_is_pushed_signed_and_verifies_to_its_order(sandbox, access, receiver):
    sandbox.webhook_url = receiver.url
    order_id = sandbox.place_order(SHOP, [(MUG, 2)])
    verifier = LazadaWebhookVerifier(APP)

    notices = [verifier.verify(receiver.url, headers, body) for headers, body in receiver.received]

    assert len(notices) == 2  # one message per order item
    assert {(n.marketplace, n.shop_id, n.order_id, n.kind) for n in notices} == {
        (Marketplace.LAZADA, SHOP, order_id, "0")
    }
    lines = {n.raw["data"]["trade_order_line_id"] for n in notices}
    assert len(lines) == 2
    assert notices[0].raw["site"] == "lazada_my"


def test_a_tampered_or_badly_signed_push_is_refused(sandbox, access, receiver):
    sandbox.webhook_url = receiver.url
    sandbox.place_order(SHOP, [(MUG, 1)])
    [(headers, body)] = receiver.received
    verifier = LazadaWebhookVerifier(APP)

    with pytest.raises(BadSignature):
        verifier.verify(receiver.url, headers, body.replace(b"pending", b"canceled"))
    with pytest.raises(BadSignature):
        LazadaWebhookVerifier(AppCredentials(APP.key, "other")).verify(receiver.url, headers, body)
    with pytest.raises(BadSignature):
        verifier.verify(receiver.url, {"Content-Type": "application/json"}, body)


def test_an_old_push_is_refused_when_the_receiver_sets_a_window(sandbox, access, receiver, clock):
    sandbox.webhook_url = receiver.url
    sandbox.place_order(SHOP, [(MUG, 1)])
    [(headers, body)] = receiver.received
    verifier = LazadaWebhookVerifier(APP, max_age=300, clock=clock)
    assert verifier.verify(receiver.url, headers, body).shop_id == SHOP
    clock.advance(301)
    with pytest.raises(BadSignature, match="timestamp"):
        verifier.verify(receiver.url, headers, body)


def test_status_changes_are_pushed_and_failed_deliveries_retried(sandbox, access, receiver, clock):
    sandbox.webhook_url = receiver.url
    receiver.status = 500
    order_id = sandbox.place_order(SHOP, [(MUG, 1)])
    assert sandbox.webhooks_waiting == 1 and sandbox.delivered == []

    receiver.status = 200
    clock.advance(1799)
    assert sandbox.redeliver_webhooks() == 0
    clock.advance(1)
    assert sandbox.redeliver_webhooks() == 1
    sandbox.set_order_status(order_id, "delivered")

    statuses = [json.loads(body)["data"]["order_status"] for body in sandbox.delivered]
    assert statuses == ["pending", "delivered"]
    assert sandbox.webhooks_waiting == 0


def test_an_unreachable_receiver_does_not_break_the_sandbox(sandbox, client):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    sandbox.webhook_url = f"http://127.0.0.1:{closed_port}/nowhere"
    sandbox.webhook_timeout = 0.2
    order_id = sandbox.place_order(SHOP, [(MUG, 1)])
    assert client.order(order_id).state is OrderState.READY
    assert sandbox.webhooks_waiting == 1


def test_tokens_granted_by_the_sandbox_last_as_lazadas_live_apps_do(access):
    assert access.access_expires_at - datetime.fromtimestamp(START, UTC) == timedelta(days=30)
    assert access.base_url.endswith("/rest")


def test_the_connector_imports_only_the_standard_library_and_the_interface():
    import ast
    import sys
    from pathlib import Path

    import wms.channels.lazada as connector

    tree = ast.parse(Path(connector.__file__).read_text(encoding="utf-8"))
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    outside = {
        name
        for name in imported
        if name
        and name != "wms.channels.marketplace"
        and name.split(".")[0] not in sys.stdlib_module_names
        and name != "__future__"
    }
    assert outside == set()
