"""The TikTok Shop connector against its sandbox, served over real HTTP.

Signing is checked against the reference's test vectors; everything else goes through the
client and the sandbox as a relay, the demo or a benchmark would use them. The sandbox's clock
is moved instead of sleeping.
"""

from __future__ import annotations

import ast
import json
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response, request

from wms.channels import tiktok
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
from wms.channels.sandbox import tiktok as sandbox_module
from wms.channels.sandbox.admin import with_controls
from wms.channels.sandbox.server import RunningServer, serve
from wms.channels.sandbox.tiktok import TiktokSandbox
from wms.channels.tiktok import TiktokClient, TiktokWebhookVerifier

APP = AppCredentials(key="6abc123", secret="tts_secret_xyz")
SHOP = "7490000000000000001"
OTHER_SHOP = "7490000000000000002"
START = 1_760_000_000.0
WAREHOUSE = "7000000000000000001"
WAREHOUSE_2 = "7000000000000000002"


class Clock:
    """Unix seconds that only move when a test moves them."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def listing(product: int, sku: int, warehouse: str = WAREHOUSE) -> ListingRef:
    return ListingRef(
        item_id=f"17290000000{product:08d}",
        model_id=f"17291000000{product:04d}{sku:04d}",
        seller_sku=f"SIAM-{product}-{sku}",
        warehouse_id=warehouse,
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sandbox(clock: Clock) -> TiktokSandbox:
    return TiktokSandbox(APP, clock=clock)


class Switch:
    """One server for the whole module (stopping one takes half a second): it hands requests
    to the current test's sandbox, and `/hooks/` to its webhook receiver."""

    def __init__(self) -> None:
        self.api: Any = None
        self.hooks: Any = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO", "").startswith("/hooks/"):
            return self.hooks(environ, start_response)
        return self.api(environ, start_response)


@pytest.fixture(scope="module")
def switch() -> Iterator[tuple[Switch, RunningServer]]:
    router = Switch()
    running = serve(router)
    yield router, running
    running.stop()


@pytest.fixture
def server(sandbox: TiktokSandbox, switch: tuple[Switch, RunningServer]) -> RunningServer:
    router, running = switch
    router.api = sandbox.wsgi_app()
    return running


@pytest.fixture
def access(sandbox: TiktokSandbox, server: RunningServer) -> ShopAccess:
    return sandbox.add_shop(SHOP, "MY", server.url)


@pytest.fixture
def client(access: ShopAccess, clock: Clock) -> TiktokClient:
    return TiktokClient(access, timeout=5.0, clock=clock)


def raw_call(
    access: ShopAccess,
    path: str,
    body: dict[str, Any] | None,
    *,
    now: float,
    query: dict[str, str] | None = None,
    secret: str | None = None,
    sent_body: bytes | None = None,
) -> tuple[int, dict[str, Any]]:
    """A hand-made signed call (for what the client never sends): HTTP status and envelope."""
    params = {"app_key": access.app.key, "timestamp": str(int(now))}
    params["shop_cipher"] = access.shop_cipher
    params.update(query or {})
    raw = json.dumps(body, separators=(",", ":")).encode() if body is not None else b""
    params["sign"] = tiktok.sign(secret or access.app.secret, path, params, raw)
    call = urllib.request.Request(  # noqa: S310 (the sandbox's http URL)
        f"{access.base_url}{path}?{urllib.parse.urlencode(params)}",
        data=sent_body if sent_body is not None else (raw if body is not None else None),
        method="POST" if body is not None else "GET",
        headers={"content-type": "application/json", "x-tts-access-token": access.access_token},
    )
    try:
        with urllib.request.urlopen(call, timeout=5) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


# -- signing ------------------------------------------------------------------------------


def test_signature_matches_the_official_get_vector() -> None:
    query = {"app_key": "29a39d", "timestamp": "1623812664"}
    path = "/authorization/202309/shops"

    assert tiktok.sign_base_string("e59af819cc", path, query) == (
        b"e59af819cc/authorization/202309/shopsapp_key29a39dtimestamp1623812664e59af819cc"
    )
    assert (
        tiktok.sign("e59af819cc", path, query)
        == "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"
    )


POST_BODY = (
    b'{"skus":[{"id":"1729000000000000001","inventory":'
    b'[{"warehouse_id":"7000000000000000001","quantity":7}]}]}'
)
POST_QUERY = {"app_key": "6abc123", "shop_cipher": "ROW_test", "timestamp": "1700000000"}
POST_PATH = "/product/202309/products/1729000000000000000/inventory/update"
POST_SIGN = "fafcdb713486b71c385da614b52174e022a6cd595a324ee9982db3c13d96f9d0"
WEBHOOK_BODY = (
    b'{"type":1,"tts_notification_id":"7300000000000000001","shop_id":"7490000000000000001",'
    b'"timestamp":1700000001,"data":{"order_id":"576000000000000001","order_status":'
    b'"AWAITING_SHIPMENT","is_on_hold_order":false,"update_time":1700000000}}'
)
WEBHOOK_SIGN = "f4f7bd965a1ab0c29cf9955c88dfaf82702059f8d64c92f043f8ce3281b4261d"


def test_signature_matches_the_post_vector_and_ignores_sign_and_access_token() -> None:
    assert tiktok.sign("tts_secret_xyz", POST_PATH, POST_QUERY, POST_BODY) == POST_SIGN
    with_extras = {**POST_QUERY, "sign": "anything", "access_token": "TTP_x"}
    assert tiktok.sign("tts_secret_xyz", POST_PATH, with_extras, POST_BODY) == POST_SIGN


def test_webhook_signature_matches_the_vector() -> None:
    assert tiktok.webhook_signature(APP, WEBHOOK_BODY) == WEBHOOK_SIGN


def test_the_sandbox_own_signing_agrees_with_the_vectors() -> None:
    get_query = {"app_key": "29a39d", "timestamp": "1623812664"}
    assert (
        sandbox_module._signature("e59af819cc", "/authorization/202309/shops", get_query, b"")
        == "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"
    )
    assert sandbox_module._signature("tts_secret_xyz", POST_PATH, POST_QUERY, POST_BODY) == (
        POST_SIGN
    )


def test_connector_imports_only_the_standard_library_and_the_interface() -> None:
    source = Path(tiktok.__file__).read_text(encoding="utf-8")
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    outside = {
        name
        for name in imported
        if name.split(".")[0] not in {"__future__", *__import__("sys").stdlib_module_names}
    }
    assert outside == {"wms.channels.marketplace"}


# -- stock --------------------------------------------------------------------------------


def test_push_stock_sets_absolute_quantities_and_read_stock_reads_them(
    sandbox: TiktokSandbox, client: TiktokClient
) -> None:
    mango, durian = listing(1, 1), listing(1, 2)
    sandbox.add_listing(SHOP, mango, "Dried mango", quantity=5)
    sandbox.add_listing(SHOP, durian, "Durian chips", quantity=9)

    outcomes = client.push_stock([StockUpdate(mango, 40), StockUpdate(durian, 0)])

    assert [(o.listing, o.accepted) for o in outcomes] == [(mango, True), (durian, True)]
    assert sandbox.quantity(SHOP, mango) == 40
    assert sandbox.quantity(SHOP, durian) == 0
    assert client.read_stock([mango, durian]) == {mango: 40, durian: 0}
    assert sandbox.calls["/product/202309/products/{product_id}/inventory/update"] == 1


def test_a_sku_in_one_warehouse_may_be_pushed_without_its_warehouse_id(
    sandbox: TiktokSandbox, client: TiktokClient
) -> None:
    single = listing(2, 1, warehouse="")
    sandbox.add_listing(SHOP, single, "Tamarind candy", quantity=3)

    [outcome] = client.push_stock([StockUpdate(single, 12)])

    assert outcome.accepted
    assert client.read_stock([single]) == {single: 12}


def test_one_refused_listing_leaves_the_others_applied(
    sandbox: TiktokSandbox, client: TiktokClient
) -> None:
    good_1, refused, good_2 = listing(3, 1), listing(3, 2), listing(3, 3)
    for item in (good_1, refused, good_2):
        sandbox.add_listing(SHOP, item, "Thai tea", quantity=1)
    sandbox.refuse_listing(SHOP, refused, "Inventory shared with the source shop")

    outcomes = client.push_stock(
        [StockUpdate(good_1, 11), StockUpdate(refused, 22), StockUpdate(good_2, 33)]
    )

    assert [o.accepted for o in outcomes] == [True, False, True]
    assert outcomes[1].permanent
    assert "Inventory shared with the source shop" in outcomes[1].reason
    assert client.read_stock([good_1, refused, good_2]) == {good_1: 11, refused: 1, good_2: 33}


def test_stock_below_the_promotion_hold_is_refused_for_that_sku_only(
    sandbox: TiktokSandbox, client: TiktokClient
) -> None:
    locked, free = listing(4, 1), listing(4, 2)
    sandbox.add_listing(SHOP, locked, "Coconut oil", quantity=50, reserved=20)
    sandbox.add_listing(SHOP, free, "Coconut oil 2", quantity=50)

    outcomes = client.push_stock([StockUpdate(locked, 10), StockUpdate(free, 10)])

    assert not outcomes[0].accepted
    assert outcomes[0].reason.startswith("12052393")
    assert outcomes[1].accepted
    assert (sandbox.quantity(SHOP, locked), sandbox.quantity(SHOP, free)) == (50, 10)
    assert client.push_stock([StockUpdate(locked, 20)])[0].accepted


def test_a_sku_in_two_warehouses_must_be_pushed_with_both(
    sandbox: TiktokSandbox, client: TiktokClient
) -> None:
    kul, cgk = listing(5, 1, WAREHOUSE), listing(5, 1, WAREHOUSE_2)
    sandbox.add_listing(SHOP, kul, "Jasmine rice", quantity=1)
    sandbox.add_listing(SHOP, cgk, "Jasmine rice", quantity=1)

    [alone] = client.push_stock([StockUpdate(kul, 7)])
    both = client.push_stock([StockUpdate(kul, 7), StockUpdate(cgk, 8)])

    assert not alone.accepted and alone.reason.startswith("12052533")
    assert [o.accepted for o in both] == [True, True]
    assert client.read_stock([kul, cgk]) == {kul: 7, cgk: 8}


def test_stock_batches_keep_one_product_and_at_most_100_skus_per_call(
    sandbox: TiktokSandbox, client: TiktokClient
) -> None:
    big = [listing(6, sku) for sku in range(250)]
    split = [listing(7, 1, WAREHOUSE), listing(7, 1, WAREHOUSE_2)]
    for item in big + split:
        sandbox.add_listing(SHOP, item, "Pad thai kit", quantity=1)
    updates = [StockUpdate(item, 5) for item in big] + [StockUpdate(i, 6) for i in split]

    batches = client.stock_batches(updates)

    assert [len(batch) for batch in batches] == [100, 100, 50, 2]
    assert all(len({u.listing.item_id for u in batch}) == 1 for batch in batches)
    flattened = [u for batch in batches for u in batch]
    assert len(flattened) == len(updates) and set(flattened) == set(updates)
    outcomes = [o for batch in batches for o in client.push_stock(batch)]
    assert all(o.accepted for o in outcomes)
    assert sandbox.calls["/product/202309/products/{product_id}/inventory/update"] == 4
    assert client.read_stock(big[:3] + split) == {
        **dict.fromkeys(big[:3], 5),
        **dict.fromkeys(split, 6),
    }


def test_push_stock_refuses_a_batch_the_api_would_refuse(client: TiktokClient) -> None:
    over = [StockUpdate(listing(8, sku), 1) for sku in range(101)]
    with pytest.raises(ValueError, match="100"):
        client.push_stock(over)
    with pytest.raises(ValueError, match="one product"):
        client.push_stock([StockUpdate(listing(8, 1), 1), StockUpdate(listing(9, 1), 1)])


def test_the_sandbox_refuses_a_hand_made_call_over_the_sku_limit(
    sandbox: TiktokSandbox, access: ShopAccess, clock: Clock
) -> None:
    items = [listing(10, sku) for sku in range(101)]
    for item in items:
        sandbox.add_listing(SHOP, item, "Mango sticky rice", quantity=1)
    body = {
        "skus": [
            {"id": i.model_id, "inventory": [{"warehouse_id": WAREHOUSE, "quantity": 3}]}
            for i in items
        ]
    }

    status, answer = raw_call(
        access, f"/product/202309/products/{items[0].item_id}/inventory/update", body, now=clock()
    )

    assert (status, answer["code"]) == (200, 12052050)
    assert sandbox.quantity(SHOP, items[0]) == 1


def test_read_stock_asks_at_most_100_products_per_call(
    sandbox: TiktokSandbox, client: TiktokClient, access: ShopAccess, clock: Clock
) -> None:
    items = [listing(100 + n, 1) for n in range(150)]
    for n, item in enumerate(items):
        sandbox.add_listing(SHOP, item, "Chili paste", quantity=n)

    assert client.read_stock(items) == {item: n for n, item in enumerate(items)}
    assert sandbox.calls["/product/202309/inventory/search"] == 2
    status, answer = raw_call(
        access,
        "/product/202309/inventory/search",
        {"product_ids": [i.item_id for i in items[:101]]},
        now=clock(),
    )
    assert answer["code"] == 36009004 and status == 400


def test_products_of_another_shop_cannot_be_changed(
    sandbox: TiktokSandbox, client: TiktokClient, server: RunningServer
) -> None:
    sandbox.add_shop(OTHER_SHOP, "ID", server.url)
    theirs = listing(11, 1)
    sandbox.add_listing(OTHER_SHOP, theirs, "Krupuk", quantity=4)

    with pytest.raises(PermanentError, match="12052048"):
        client.push_stock([StockUpdate(theirs, 99)])
    assert client.read_stock([theirs]) == {}
    assert sandbox.quantity(OTHER_SHOP, theirs) == 4


def test_a_token_used_with_another_shops_cipher_is_refused(
    sandbox: TiktokSandbox, access: ShopAccess, server: RunningServer, clock: Clock
) -> None:
    other = sandbox.add_shop(OTHER_SHOP, "VN", server.url)
    mixed = ShopAccess(**{**access.__dict__, "shop_cipher": other.shop_cipher})

    with pytest.raises(PermanentError, match="101000"):
        TiktokClient(mixed, clock=clock).products()


# -- signing and time checked by the sandbox -----------------------------------------------


def test_a_wrong_app_secret_is_refused_with_invalid_sign(
    sandbox: TiktokSandbox, access: ShopAccess, clock: Clock
) -> None:
    forged = ShopAccess(**{**access.__dict__, "app": AppCredentials(APP.key, "not-the-secret")})
    sandbox.add_listing(SHOP, listing(12, 1), "Fish sauce", quantity=2)

    with pytest.raises(PermanentError, match="106001"):
        TiktokClient(forged, clock=clock).push_stock([StockUpdate(listing(12, 1), 9)])
    assert sandbox.quantity(SHOP, listing(12, 1)) == 2


def test_a_body_changed_after_signing_is_refused(
    sandbox: TiktokSandbox, access: ShopAccess, clock: Clock
) -> None:
    item = listing(13, 1)
    sandbox.add_listing(SHOP, item, "Green curry paste", quantity=2)
    body = {
        "skus": [{"id": item.model_id, "inventory": [{"warehouse_id": WAREHOUSE, "quantity": 5}]}]
    }
    tampered = json.dumps(body, separators=(",", ":")).replace('"quantity":5', '"quantity":500')

    status, answer = raw_call(
        access,
        f"/product/202309/products/{item.item_id}/inventory/update",
        body,
        now=clock(),
        sent_body=tampered.encode(),
    )

    assert (status, answer["code"]) == (401, 106001)
    assert sandbox.quantity(SHOP, item) == 2


@pytest.mark.parametrize("skew", [-301, 31])
def test_a_timestamp_outside_the_window_is_refused(
    sandbox: TiktokSandbox, access: ShopAccess, clock: Clock, skew: int
) -> None:
    late = TiktokClient(access, clock=lambda: clock() + skew)

    with pytest.raises(PermanentError, match=r"36009004.*Invalid timestamp"):
        late.products()


@pytest.mark.parametrize("skew", [-299, 29])
def test_a_timestamp_inside_the_window_is_accepted(
    sandbox: TiktokSandbox, access: ShopAccess, clock: Clock, skew: int
) -> None:
    sandbox.add_listing(SHOP, listing(14, 1), "Lemongrass", quantity=1)

    assert len(TiktokClient(access, clock=lambda: clock() + skew).products()) == 1


# -- failures -----------------------------------------------------------------------------


def test_the_rate_limit_throttles_per_shop_and_per_api_until_the_second_passes(
    sandbox: TiktokSandbox, client: TiktokClient, server: RunningServer, clock: Clock
) -> None:
    sandbox.rate_limit = 2
    other = TiktokClient(sandbox.add_shop(OTHER_SHOP, "TH", server.url), clock=clock)
    client.products()
    client.products()

    with pytest.raises(Throttled, match="36009002"):
        client.products()
    assert other.products() == []  # another shop has its own quota
    assert client.read_stock([listing(15, 1)]) == {}  # and so has another API
    clock.now += 1.0
    assert client.products() == []
    assert sandbox.calls["/product/202502/products/search"] == 5


@pytest.mark.parametrize(
    ("kind", "error"),
    [("throttle", Throttled), ("transient", TransientError), ("auth", AuthExpired)],
)
def test_injected_failures_become_the_matching_errors(
    sandbox: TiktokSandbox, client: TiktokClient, kind: str, error: type[Exception]
) -> None:
    item = listing(16, 1)
    sandbox.add_listing(SHOP, item, "Sriracha", quantity=1)
    sandbox.fail_next(kind, count=2)

    for _ in range(2):
        with pytest.raises(error):
            client.push_stock([StockUpdate(item, 8)])
    assert client.push_stock([StockUpdate(item, 8)])[0].accepted
    assert sandbox.quantity(SHOP, item) == 8


def test_an_unreachable_api_is_a_transient_error(access: ShopAccess, clock: Clock) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    nowhere = ShopAccess(**{**access.__dict__, "base_url": f"http://127.0.0.1:{port}"})

    with pytest.raises(TransientError, match="unreachable"):
        TiktokClient(nowhere, timeout=2, clock=clock).products()


# -- tokens -------------------------------------------------------------------------------


def test_an_expired_token_is_refused_until_refreshed(
    sandbox: TiktokSandbox, client: TiktokClient, access: ShopAccess, clock: Clock
) -> None:
    sandbox.expire_access_token(SHOP)
    with pytest.raises(AuthExpired, match="105002"):
        client.products()

    grant = client.refresh_token()

    assert grant.access_token != access.access_token
    assert grant.access_expires_at == datetime.fromtimestamp(START + 7 * 86400, UTC)
    renewed = ShopAccess(**{**access.__dict__, "access_token": grant.access_token})
    assert TiktokClient(renewed, clock=clock).products() == []
    assert sandbox.calls["/api/v2/token/refresh"] == 1


def test_the_access_token_lapses_after_seven_days_on_the_sandbox_clock(
    client: TiktokClient, clock: Clock
) -> None:
    clock.now += 7 * 86400 - 1
    assert client.products() == []
    clock.now += 1
    with pytest.raises(AuthExpired):
        client.products()


def test_the_refresh_token_is_reusable_until_the_authorisation_ends(
    client: TiktokClient, access: ShopAccess, clock: Clock
) -> None:
    first = client.refresh_token()
    second = client.refresh_token()  # TikTok's refresh token is not single-use

    assert first.refresh_token == second.refresh_token == access.refresh_token
    assert first.access_token != second.access_token
    assert second.refresh_expires_at == access.refresh_expires_at
    clock.now = access.refresh_expires_at.timestamp() if access.refresh_expires_at else 0
    with pytest.raises(PermanentError, match="36004001"):
        client.refresh_token()


def test_an_unknown_refresh_token_or_app_secret_is_refused(
    access: ShopAccess, clock: Clock
) -> None:
    unknown = ShopAccess(**{**access.__dict__, "refresh_token": "TTP_never_issued"})
    with pytest.raises(PermanentError, match="36004005"):
        TiktokClient(unknown, clock=clock).refresh_token()
    forged = ShopAccess(**{**access.__dict__, "app": AppCredentials(APP.key, "wrong")})
    with pytest.raises(PermanentError, match="36009004"):
        TiktokClient(forged, clock=clock).refresh_token()


def test_the_token_host_is_tiktoks_own_in_production(access: ShopAccess) -> None:
    production = ShopAccess(**{**access.__dict__, "base_url": tiktok.API_HOST})
    assert TiktokClient(production)._auth_base == "https://auth.tiktok-shops.com"
    assert TiktokClient(access)._auth_base == access.base_url


# -- products and orders ------------------------------------------------------------------


def test_products_are_paged_through(sandbox: TiktokSandbox, client: TiktokClient) -> None:
    items = [listing(200 + n, sku) for n in range(230) for sku in (1, 2)]
    for n, item in enumerate(items):
        sandbox.add_listing(SHOP, item, f"Snack {item.item_id}", quantity=n)

    products = client.products()

    assert {(p.listing, p.quantity) for p in products} == {
        (item, n) for n, item in enumerate(items)
    }
    assert sandbox.calls["/product/202502/products/search"] == 3


def test_orders_sum_per_unit_line_items_by_sku(
    sandbox: TiktokSandbox, client: TiktokClient
) -> None:
    tea, rice = listing(20, 1), listing(20, 2)
    sandbox.add_listing(SHOP, tea, "Cha Thai", quantity=10)
    sandbox.add_listing(SHOP, rice, "Rice", quantity=10)

    order_id = sandbox.place_order(SHOP, [(tea, 3), (rice, 1)])
    order = client.order(order_id)

    assert order.order_id == order_id
    assert {(line.listing.model_id, line.quantity) for line in order.lines} == {
        (tea.model_id, 3),
        (rice.model_id, 1),
    }
    assert {line.listing.item_id for line in order.lines} == {tea.item_id}
    assert (order.raw_status, order.state) == ("AWAITING_SHIPMENT", OrderState.READY)
    assert order.currency == "MYR" and order.total_amount == "40.00"
    assert order.recipient_name == "Sandbox Buyer" and order.city == "Shah Alam"
    assert order.created_at == datetime.fromtimestamp(START, UTC)
    assert order.ship_by == datetime.fromtimestamp(START + 2 * 86400, UTC)
    assert sandbox.quantity(SHOP, tea) == 7  # the marketplace commits what was sold


def test_an_unpaid_order_has_no_address_yet(sandbox: TiktokSandbox, client: TiktokClient) -> None:
    item = listing(21, 1)
    sandbox.add_listing(SHOP, item, "Pomelo", quantity=2)

    order = client.order(sandbox.place_order(SHOP, [(item, 1)], paid=False))

    assert order.state is OrderState.UNPAID
    assert (order.recipient_name, order.address) == ("", "")


def test_orders_are_listed_by_update_window_a_page_at_a_time(
    sandbox: TiktokSandbox, client: TiktokClient, clock: Clock
) -> None:
    item = listing(22, 1)
    sandbox.add_listing(SHOP, item, "Longan", quantity=10_000)
    before = sandbox.place_order(SHOP, [(item, 1)])
    clock.now += 60
    placed = [sandbox.place_order(SHOP, [(item, 2)]) for _ in range(130)]
    clock.now += 60
    sandbox.place_order(SHOP, [(item, 1)])  # after the window
    window = (
        datetime.fromtimestamp(START + 30, UTC),
        datetime.fromtimestamp(START + 90, UTC),
    )

    first = client.orders(*window)
    second = client.orders(*window, cursor=first.cursor)

    assert len(first.orders) == 100 and first.cursor
    assert second.cursor is None
    assert [o.order_id for o in first.orders + second.orders] == placed
    assert before not in {o.order_id for o in first.orders + second.orders}
    assert all(o.lines[0].quantity == 2 for o in first.orders + second.orders)


def test_an_order_of_another_shop_is_not_found(
    sandbox: TiktokSandbox, client: TiktokClient, server: RunningServer
) -> None:
    sandbox.add_shop(OTHER_SHOP, "MY", server.url)
    item = listing(23, 1)
    sandbox.add_listing(OTHER_SHOP, item, "Basil", quantity=3)
    theirs = sandbox.place_order(OTHER_SHOP, [(item, 1)])

    with pytest.raises(PermanentError, match="not found"):
        client.order(theirs)


def test_the_sandbox_refuses_more_than_50_order_ids(access: ShopAccess, clock: Clock) -> None:
    ids = ",".join(str(576000000000000000 + n) for n in range(51))

    status, answer = raw_call(access, "/order/202309/orders", None, now=clock(), query={"ids": ids})

    assert (status, answer["code"]) == (400, 36009004)


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("UNPAID", OrderState.UNPAID),
        ("ON_HOLD", OrderState.UNPAID),
        ("AWAITING_SHIPMENT", OrderState.READY),
        ("PARTIALLY_SHIPPING", OrderState.READY),
        ("AWAITING_COLLECTION", OrderState.SHIPPED),
        ("IN_TRANSIT", OrderState.SHIPPED),
        ("DELIVERED", OrderState.DELIVERED),
        ("COMPLETED", OrderState.DELIVERED),
        ("CANCELLED", OrderState.CANCELLED),
    ],
)
def test_order_statuses_map_to_what_the_wms_does(
    sandbox: TiktokSandbox, client: TiktokClient, status: str, state: OrderState
) -> None:
    item = listing(24, 1)
    sandbox.add_listing(SHOP, item, "Galangal", quantity=5)
    order_id = sandbox.place_order(SHOP, [(item, 1)])

    sandbox.set_order_status(order_id, status)

    assert client.order(order_id).state is state


def test_the_webhook_spelling_of_cancelled_and_unknown_statuses_are_mapped() -> None:
    assert tiktok.ORDER_STATES["CANCEL"] is OrderState.CANCELLED
    assert tiktok._order({"id": "1", "status": "SOMETHING_NEW"}).state is OrderState.OTHER


# -- shipping -----------------------------------------------------------------------------


def test_a_seller_shipped_order_gets_the_tracking_number_pushed_once(
    sandbox: TiktokSandbox, client: TiktokClient
) -> None:
    item = listing(25, 1)
    sandbox.add_listing(SHOP, item, "Kaffir lime", quantity=5)
    order_id = sandbox.place_order(SHOP, [(item, 2)], shipping_type="SELLER")

    client.ship(order_id, "NJVMY0001234", "7117858858072016686")
    client.ship(order_id, "NJVMY0001234", "7117858858072016686")  # a retry changes nothing

    assert sandbox.shipped(order_id) == ("NJVMY0001234", "7117858858072016686")
    assert client.order(order_id).state is OrderState.SHIPPED
    assert sandbox.calls["/fulfillment/202309/packages/{package_id}/ship"] == 1
    with pytest.raises(PermanentError, match="21008017"):
        client.waybill(order_id)  # TikTok has no label for orders the seller ships


def test_a_tiktok_shipped_order_is_arranged_and_its_label_is_a_pdf(
    sandbox: TiktokSandbox, client: TiktokClient
) -> None:
    item = listing(26, 1)
    sandbox.add_listing(SHOP, item, "Pandan", quantity=5)
    order_id = sandbox.place_order(SHOP, [(item, 1)])
    assert sandbox.shipped(order_id) is None

    label = client.waybill(order_id)
    again = client.waybill(order_id)
    client.ship(order_id, "", "")

    assert label.startswith(b"%PDF") and again.startswith(b"%PDF")
    tracking, provider = sandbox.shipped(order_id) or ("", "")
    assert tracking.startswith("TTS") and provider
    assert client.order(order_id).raw_status == "AWAITING_COLLECTION"
    assert sandbox.calls["/fulfillment/202309/packages/{package_id}/ship"] == 1
    assert sandbox.calls["/sandbox/documents/{token}"] == 2


def test_a_cancelled_order_cannot_be_shipped(sandbox: TiktokSandbox, client: TiktokClient) -> None:
    item = listing(27, 1)
    sandbox.add_listing(SHOP, item, "Shallots", quantity=5)
    order_id = sandbox.place_order(SHOP, [(item, 1)], shipping_type="SELLER")
    sandbox.set_order_status(order_id, "CANCELLED")

    with pytest.raises(PermanentError, match="21011041"):
        client.ship(order_id, "NJV1", "7117858858072016686")
    assert sandbox.shipped(order_id) is None


# -- webhooks -----------------------------------------------------------------------------


class Receiver:
    """A webhook endpoint that records deliveries and answers the statuses it is given."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = statuses or []
        self.deliveries: list[tuple[dict[str, str], bytes]] = []
        self.app = Flask("receiver")
        self.app.add_url_rule("/hooks/tiktok", view_func=self.receive, methods=["POST"])

    def receive(self) -> Response:
        self.deliveries.append((dict(request.headers), request.get_data()))
        status = self.statuses.pop(0) if self.statuses else 200
        return Response(b"", status=status)


@pytest.fixture
def receiver(
    sandbox: TiktokSandbox, server: RunningServer, switch: tuple[Switch, RunningServer]
) -> Receiver:
    hooks = Receiver()
    switch[0].hooks = hooks.app
    sandbox.webhook_url = f"{server.url}/hooks/tiktok"
    return hooks


def test_a_placed_order_sends_a_webhook_that_verifies(
    sandbox: TiktokSandbox, receiver: Receiver, access: ShopAccess
) -> None:
    item = listing(28, 1)
    sandbox.add_listing(SHOP, item, "Mangosteen", quantity=5)

    order_id = sandbox.place_order(SHOP, [(item, 1)])
    assert sandbox.flush_webhooks()

    [(headers, body)] = receiver.deliveries
    notice = TiktokWebhookVerifier(APP).verify("https://wms.example/hooks/tiktok", headers, body)
    assert (notice.marketplace, notice.shop_id, notice.order_id, notice.kind) == (
        Marketplace.TIKTOK,
        SHOP,
        order_id,
        "1",
    )
    assert notice.raw["data"]["order_status"] == "AWAITING_SHIPMENT"  # type: ignore[index]
    assert headers["Content-Type"] == "application/json"


def test_a_cancellation_webhook_uses_the_webhook_spelling(
    sandbox: TiktokSandbox, receiver: Receiver, access: ShopAccess
) -> None:
    item = listing(29, 1)
    sandbox.add_listing(SHOP, item, "Rambutan", quantity=5)
    order_id = sandbox.place_order(SHOP, [(item, 1)])

    sandbox.set_order_status(order_id, "CANCELLED")
    assert sandbox.flush_webhooks()

    statuses = [json.loads(body)["data"]["order_status"] for _, body in receiver.deliveries]
    assert statuses == ["AWAITING_SHIPMENT", "CANCEL"]
    assert tiktok.ORDER_STATES[statuses[-1]] is OrderState.CANCELLED


def test_a_webhook_refused_by_the_receiver_is_delivered_again(
    sandbox: TiktokSandbox, receiver: Receiver, access: ShopAccess
) -> None:
    receiver.statuses = [500, 503]
    item = listing(30, 1)
    sandbox.add_listing(SHOP, item, "Jackfruit", quantity=5)

    sandbox.place_order(SHOP, [(item, 1)])
    assert sandbox.flush_webhooks()

    assert len(receiver.deliveries) == 3
    assert len({body for _, body in receiver.deliveries}) == 1  # the same notification


def test_a_webhook_nobody_receives_does_not_break_the_sandbox(
    sandbox: TiktokSandbox, client: TiktokClient
) -> None:
    sandbox.webhook_url = "http://127.0.0.1:9/nothing-listens-here"
    sandbox.webhook_retry_delays = (0.01, 0.01)
    item = listing(31, 1)
    sandbox.add_listing(SHOP, item, "Longkong", quantity=5)

    order_id = sandbox.place_order(SHOP, [(item, 1)])

    assert client.order(order_id).order_id == order_id
    assert sandbox.flush_webhooks(timeout=10)


def test_a_bad_signature_or_a_tampered_body_is_refused() -> None:
    verifier = TiktokWebhookVerifier(APP)
    good = {"Authorization": WEBHOOK_SIGN}

    assert verifier.verify("", good, WEBHOOK_BODY).order_id == "576000000000000001"
    assert verifier.verify("", {"authorization": WEBHOOK_SIGN}, WEBHOOK_BODY).shop_id == SHOP
    with pytest.raises(BadSignature):
        verifier.verify("", good, WEBHOOK_BODY.replace(b"AWAITING_SHIPMENT", b"CANCEL"))
    with pytest.raises(BadSignature):
        verifier.verify("", {"Authorization": "0" * 64}, WEBHOOK_BODY)
    with pytest.raises(BadSignature):
        verifier.verify("", {}, WEBHOOK_BODY)
    with pytest.raises(BadSignature):
        TiktokWebhookVerifier(AppCredentials(APP.key, "other")).verify("", good, WEBHOOK_BODY)


def test_an_old_webhook_is_refused_when_a_maximum_age_is_set() -> None:
    fresh = TiktokWebhookVerifier(APP, max_age=600, clock=lambda: 1700000001 + 600)
    stale = TiktokWebhookVerifier(APP, max_age=600, clock=lambda: 1700000001 + 601)
    headers = {"Authorization": WEBHOOK_SIGN}

    assert fresh.verify("", headers, WEBHOOK_BODY).kind == "1"
    with pytest.raises(BadSignature, match="too old"):
        stale.verify("", headers, WEBHOOK_BODY)


# -- concurrency --------------------------------------------------------------------------


def test_concurrent_pushes_are_all_answered_and_counted(
    sandbox: TiktokSandbox, client: TiktokClient
) -> None:
    items = [listing(40 + n, 1) for n in range(8)]
    for item in items:
        sandbox.add_listing(SHOP, item, "Curry", quantity=0)
    failures: list[BaseException] = []

    def push(item: ListingRef) -> None:
        try:
            for quantity in range(1, 26):
                assert client.push_stock([StockUpdate(item, quantity)])[0].accepted
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)

    threads = [threading.Thread(target=push, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert sandbox.calls["/product/202309/products/{product_id}/inventory/update"] == 200
    assert [sandbox.quantity(SHOP, item) for item in items] == [25] * 8


def test_the_sandbox_checks_app_key_cipher_and_token_before_anything_else(
    sandbox: TiktokSandbox, access: ShopAccess, clock: Clock
) -> None:
    path = "/product/202502/products/search"
    page = {"page_size": "10"}

    no_cipher = ShopAccess(**{**access.__dict__, "shop_cipher": ""})
    other_app = ShopAccess(**{**access.__dict__, "app": AppCredentials("unknown", APP.secret)})
    no_token = ShopAccess(**{**access.__dict__, "access_token": "TTP_forged"})

    assert raw_call(no_cipher, path, {}, now=clock(), query=page)[1]["code"] == 106013
    assert raw_call(other_app, path, {}, now=clock(), query=page)[1]["code"] == 36009004
    status, answer = raw_call(no_token, path, {}, now=clock(), query=page)
    assert (status, answer["code"]) == (401, 36009004)
    assert "x-tts-access-token" in answer["message"]
    with pytest.raises(AuthExpired):
        TiktokClient(no_token, clock=clock).products()
    assert raw_call(access, path, {}, now=clock(), query={"page_size": "101"})[1]["code"] == (
        36009004
    )
    assert raw_call(access, path, {}, now=clock(), query=page)[1]["code"] == 0
    assert raw_call(access, "/product/202309/nothing", {}, now=clock())[1]["code"] == 36009009


def test_the_shared_control_panel_drives_this_sandbox(
    sandbox: TiktokSandbox, clock: Clock, switch: tuple[Switch, RunningServer]
) -> None:
    router, running = switch
    router.api = with_controls(sandbox)
    item = {"item_id": "1729000000000000900", "model_id": "1729100000000900001"}

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        call = urllib.request.Request(  # noqa: S310 (the sandbox's http URL)
            f"{running.url}/_sandbox{path}",
            data=json.dumps(body).encode(),
            headers={"content-type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(call, timeout=5) as response:  # noqa: S310
            answer: dict[str, Any] = json.loads(response.read())
            return answer

    shop = post("/shops", {"shop_id": SHOP, "country": "MY"})
    post("/listings", {"shop_id": SHOP, "listings": [{"listing": item, "quantity": 4}]})
    mine = ShopAccess(
        marketplace=Marketplace.TIKTOK,
        country="MY",
        base_url=running.url + "/",
        app=APP,
        shop_id=SHOP,
        access_token=shop["access_token"],
        refresh_token=shop["refresh_token"],
        access_expires_at=datetime.fromisoformat(shop["access_expires_at"]),
        shop_cipher=shop["shop_cipher"],
    )
    ref = ListingRef(item["item_id"], item["model_id"])

    assert TiktokClient(mine, clock=clock).push_stock([StockUpdate(ref, 15)])[0].accepted
    assert post("/quantities", {"shop_id": SHOP, "listings": [item]}) == {"quantities": [15]}


def test_the_authorized_shops_give_the_cipher_to_store(
    client: TiktokClient, access: ShopAccess, sandbox: TiktokSandbox
) -> None:
    [shop] = client.authorized_shops()

    assert (shop.shop_id, shop.region, shop.cipher) == (SHOP, "MY", access.shop_cipher)
    assert sandbox.calls["/authorization/202309/shops"] == 1
