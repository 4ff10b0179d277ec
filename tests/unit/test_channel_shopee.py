"""The Shopee connector against the Shopee sandbox, over real HTTP.

The sandbox checks signatures, timestamps, tokens and limits on its own, so these tests see
what Shopee would answer: the reference's signing vectors, stock pushes with per-model
refusals, orders, shipping, waybills, pushes, and each whole-call failure the WMS tells apart.
Time moves by turning the shared clock, never by sleeping.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pypdfium2
import pytest
from flask import Flask, request

from wms.channels.marketplace import (
    AppCredentials,
    AuthExpired,
    BadSignature,
    ListingRef,
    Marketplace,
    OrderState,
    PermanentError,
    StockUpdate,
    Throttled,
    TransientError,
)
from wms.channels.sandbox.server import RunningServer, serve
from wms.channels.sandbox.shopee import ShopeeSandbox
from wms.channels.shopee import (
    ORDER_STATES,
    ShopeeClient,
    ShopeeWebhookVerifier,
    error_for,
    order_from_detail,
    public_base_string,
    push_signature,
    shop_base_string,
    sign,
)

APP = AppCredentials(key="1000001", secret="test_partner_key_123")
SHOP = "200001"
OTHER_SHOP = "200002"
START = 1_700_000_000.0
REFERENCE_PUSH = (
    b'{"data":{"items":[],"ordersn":"240101ABCDEF12","status":"READY_TO_SHIP",'
    b'"completed_scenario":"","update_time":1700000000},"shop_id":200001,"code":3,'
    b'"timestamp":1700000001}'
)


class Clock:
    """Unix seconds that move only when a test turns them."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Switch:
    """A WSGI app forwarding to whichever app the current test set (one server per module)."""

    def __init__(self) -> None:
        self.app: Any = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.app(environ, start_response)


@dataclass
class Receiver:
    """The WMS side of pushes: records what arrives, answers 204 with an empty body."""

    url: str
    received: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture(scope="module")
def api_server() -> Iterator[tuple[RunningServer, Switch]]:
    switch = Switch()
    running = serve(switch)
    yield running, switch
    running.stop()


@pytest.fixture(scope="module")
def receiver_server() -> Iterator[tuple[RunningServer, Switch]]:
    switch = Switch()
    running = serve(switch)
    yield running, switch
    running.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def receiver(receiver_server: tuple[RunningServer, Switch]) -> Receiver:
    running, switch = receiver_server
    hooks = Receiver(url=f"{running.url}/hooks/shopee")
    app = Flask("receiver")

    @app.post("/hooks/shopee")
    def hook() -> tuple[str, int]:
        hooks.received.append((request.url, dict(request.headers), request.get_data()))
        return "", 204

    switch.app = app
    return hooks


@pytest.fixture
def sandbox(api_server: tuple[RunningServer, Switch], clock: Clock) -> ShopeeSandbox:
    _, switch = api_server
    fake = ShopeeSandbox(APP, clock=clock)
    switch.app = fake.wsgi_app()
    return fake


@pytest.fixture
def base_url(api_server: tuple[RunningServer, Switch]) -> str:
    return api_server[0].url


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(
    sandbox: ShopeeSandbox, base_url: str, clock: Clock, sleeps: list[float]
) -> ShopeeClient:
    access = sandbox.add_shop(SHOP, "MY", base_url)
    sandbox.add_shop(OTHER_SHOP, "MY", base_url)
    return ShopeeClient(access, clock=clock, sleep=sleeps.append, timeout=5)


def listing(item: int, model: int = 0, location: str = "MYZ") -> ListingRef:
    return ListingRef(str(item), str(model) if model else "", warehouse_id=location)


def call(
    base_url: str,
    method: str,
    path: str,
    *,
    access: tuple[str, str] | None = None,
    params: dict[str, Any] | None = None,
    body: Any = None,
    timestamp: int = int(START),
    secret: str = APP.secret,
    tamper: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any]]:
    """A hand-made signed request (Shop API with `access` = (token, shop_id), else Public);
    `tamper` changes query values after signing."""
    query: dict[str, Any] = {"partner_id": APP.key, "timestamp": timestamp}
    if access:
        token, shop_id = access
        query |= {"access_token": token, "shop_id": shop_id}
        base = shop_base_string(APP.key, path, timestamp, token, shop_id)
    else:
        base = public_base_string(APP.key, path, timestamp)
    query["sign"] = sign(secret, base)
    query |= params or {}
    query |= tamper or {}
    data = None if body is None else json.dumps(body).encode()
    url = f"{base_url}{path}?{urllib.parse.urlencode(query, doseq=True)}"
    req = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - local sandbox
    req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=5) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.loads(exc.read())


# --- signing --------------------------------------------------------------------------------


def test_shop_signature_matches_the_reference_vector() -> None:
    base = shop_base_string(
        "1000001", "/api/v2/product/update_stock", 1700000000, "tok_abc", "200001"
    )
    assert base == "1000001/api/v2/product/update_stock1700000000tok_abc200001"
    assert sign("test_partner_key_123", base) == (
        "6406ef3ee2565325f33854f61ef6c1cb2c8bad2efaa925efa861af3851abf09f"
    )


def test_public_signature_matches_the_reference_vector() -> None:
    base = public_base_string("1000001", "/api/v2/auth/access_token/get", 1700000000)
    assert base == "1000001/api/v2/auth/access_token/get1700000000"
    assert sign("test_partner_key_123", base) == (
        "855c346250c00d246ce06b918027518c0912689193d0d576a7d752ad40f3d806"
    )


def test_push_signature_matches_the_reference_vector() -> None:
    assert (
        push_signature(
            "test_partner_key_123", "https://wms.example.test/hooks/shopee", REFERENCE_PUSH
        )
        == "32c88913317e70ed39ace7f69c8a5b832bcece6f2a5b7140c7af73178cc44164"
    )


# --- webhooks ---------------------------------------------------------------------------------


def test_reference_push_verifies_to_the_order_it_names() -> None:
    verifier = ShopeeWebhookVerifier(APP)
    notice = verifier.verify(
        "https://wms.example.test/hooks/shopee",
        {"authorization": "32c88913317e70ed39ace7f69c8a5b832bcece6f2a5b7140c7af73178cc44164"},
        REFERENCE_PUSH,
    )
    assert notice.marketplace is Marketplace.SHOPEE
    assert (notice.shop_id, notice.order_id, notice.kind) == ("200001", "240101ABCDEF12", "3")
    assert notice.raw["data"]["status"] == "READY_TO_SHIP"


@pytest.mark.parametrize(
    ("url", "headers", "body"),
    [
        pytest.param(
            "https://wms.example.test/hooks/shopee",
            {
                "Authorization": push_signature(
                    APP.secret, "https://wms.example.test/hooks/shopee", REFERENCE_PUSH
                )
            },
            REFERENCE_PUSH.replace(b"READY_TO_SHIP", b"CANCELLED"),
            id="tampered body",
        ),
        pytest.param(
            "https://wms.example.test/hooks/shopee",
            {
                "Authorization": push_signature(
                    "another_key", "https://wms.example.test/hooks/shopee", REFERENCE_PUSH
                )
            },
            REFERENCE_PUSH,
            id="signed with another key",
        ),
        pytest.param(
            "https://evil.example.test/hooks/shopee",
            {
                "Authorization": push_signature(
                    APP.secret, "https://wms.example.test/hooks/shopee", REFERENCE_PUSH
                )
            },
            REFERENCE_PUSH,
            id="another url",
        ),
        pytest.param("https://wms.example.test/hooks/shopee", {}, REFERENCE_PUSH, id="no header"),
    ],
)
def test_a_push_whose_signature_does_not_match_is_refused(
    url: str, headers: dict[str, str], body: bytes
) -> None:
    with pytest.raises(BadSignature):
        ShopeeWebhookVerifier(APP).verify(url, headers, body)


def test_a_push_older_than_the_allowed_age_is_refused() -> None:
    headers = {"Authorization": push_signature(APP.secret, "https://w.test/h", REFERENCE_PUSH)}
    fresh = ShopeeWebhookVerifier(APP, max_age=300, clock=lambda: 1700000001 + 300)
    assert fresh.verify("https://w.test/h", headers, REFERENCE_PUSH).order_id == "240101ABCDEF12"
    stale = ShopeeWebhookVerifier(APP, max_age=300, clock=lambda: 1700000001 + 301)
    with pytest.raises(BadSignature):
        stale.verify("https://w.test/h", headers, REFERENCE_PUSH)


def test_sandbox_pushes_signed_order_updates_the_verifier_accepts(
    sandbox: ShopeeSandbox, client: ShopeeClient, receiver: Receiver
) -> None:
    sandbox.webhook_url = receiver.url
    sandbox.add_listing(SHOP, listing(880001, 990001), "Mug / Blue", 10)
    order_sn = sandbox.place_order(SHOP, [(listing(880001, 990001), 2)])
    sandbox.set_order_status(order_sn, "CANCELLED")

    verifier = ShopeeWebhookVerifier(APP)
    notices = [verifier.verify(url, headers, body) for url, headers, body in receiver.received]
    assert [(n.shop_id, n.order_id, n.kind) for n in notices] == [(SHOP, order_sn, "3")] * 2
    assert [n.raw["data"]["status"] for n in notices] == ["READY_TO_SHIP", "CANCELLED"]
    assert sandbox.pushes_delivered == 2
    url, headers, body = receiver.received[0]
    with pytest.raises(BadSignature):
        verifier.verify(url, headers, body.replace(b'"code":3', b'"code":4'))


def test_a_push_that_cannot_be_delivered_waits_in_the_lost_push_queue(
    sandbox: ShopeeSandbox, client: ShopeeClient, base_url: str
) -> None:
    sandbox.webhook_url = "http://127.0.0.1:9/hooks/shopee"  # nothing listens on the discard port
    sandbox.webhook_timeout = 0.5
    sandbox.add_listing(SHOP, listing(880001, 990001), "Mug / Blue", 10)
    order_sn = sandbox.place_order(SHOP, [(listing(880001, 990001), 1)])
    assert sandbox.lost_pushes() == 1

    status, answer = call(base_url, "GET", "/api/v2/push/get_lost_push_message")
    assert status == 200 and answer["error"] == ""
    [message] = answer["response"]["push_message_list"]
    assert (message["shop_id"], message["code"]) == (int(SHOP), 3)
    assert json.loads(message["data"])["ordersn"] == order_sn
    last = answer["response"]["last_message_id"]
    status, answer = call(
        base_url,
        "POST",
        "/api/v2/push/confirm_consumed_lost_push_message",
        body={"last_message_id": last},
    )
    assert status == 200 and answer["error"] == ""
    assert sandbox.lost_pushes() == 0


# --- the gateway's checks --------------------------------------------------------------------


def test_a_client_with_the_wrong_partner_key_is_refused(
    sandbox: ShopeeSandbox, client: ShopeeClient
) -> None:
    sandbox.add_listing(SHOP, listing(880001, 990001), "Mug / Blue", 10)
    wrong = ShopeeClient(
        replace(client.access, app=AppCredentials(APP.key, "not_the_key")), clock=client.clock
    )
    with pytest.raises(PermanentError, match="error_sign"):
        wrong.push_stock([StockUpdate(listing(880001, 990001), 3)])
    assert sandbox.quantity(SHOP, listing(880001, 990001)) == 10
    assert sandbox.calls["/api/v2/product/update_stock"] == 1


@pytest.mark.parametrize(
    "tamper",
    [{"shop_id": OTHER_SHOP}, {"timestamp": str(int(START) + 1)}, {"access_token": "stolen"}],
    ids=["shop_id", "timestamp", "access_token"],
)
def test_a_request_changed_after_signing_is_refused_with_wrong_sign(
    client: ShopeeClient, base_url: str, tamper: dict[str, str]
) -> None:
    status, answer = call(
        base_url,
        "GET",
        "/api/v2/product/get_item_list",
        access=(client.access.access_token, SHOP),
        params={"offset": 0, "page_size": 10, "item_status": "NORMAL"},
        tamper=tamper,
    )
    assert (status, answer["error"], answer["message"]) == (403, "error_sign", "Wrong sign.")
    assert answer["request_id"]


def test_a_request_without_sign_or_token_is_refused_with_error_param(
    client: ShopeeClient, base_url: str
) -> None:
    path = "/api/v2/product/get_item_list"
    status, answer = call(
        base_url, "GET", path, access=(client.access.access_token, SHOP), tamper={"sign": ""}
    )
    assert (status, answer["error"], answer["message"]) == (
        403,
        "error_param",
        "There is no sign in query.",
    )
    status, answer = call(base_url, "GET", path)  # signed the public way: no access_token
    assert (answer["error"], answer["message"]) == (
        "error_param",
        "There is no access_token in query.",
    )


def test_a_timestamp_older_than_five_minutes_is_refused(
    sandbox: ShopeeSandbox, client: ShopeeClient, clock: Clock
) -> None:
    sandbox.add_listing(SHOP, listing(880001, 990001), "Mug / Blue", 10)
    late = Clock(clock.now - 301)
    stale = ShopeeClient(client.access, clock=late)
    with pytest.raises(PermanentError, match="Invalid timestamp"):
        stale.read_stock([listing(880001, 990001)])
    late.advance(2)  # 299 s behind: still inside the window
    assert stale.read_stock([listing(880001, 990001)]) == {listing(880001, 990001): 10}


# --- stock ------------------------------------------------------------------------------------


def test_pushed_quantities_are_what_the_marketplace_then_shows(
    sandbox: ShopeeSandbox, client: ShopeeClient
) -> None:
    refs = [listing(880001, 990001), listing(880001, 990002), listing(770001, location="")]
    sandbox.add_listing(SHOP, refs[0], "Mug / Blue", 1)
    sandbox.add_listing(SHOP, refs[1], "Mug / Red", 1)
    sandbox.add_listing(SHOP, ListingRef("770001"), "Tea tin", 1)
    updates = [StockUpdate(refs[0], 12), StockUpdate(refs[1], 0), StockUpdate(refs[2], 7)]

    outcomes = [o for batch in client.stock_batches(updates) for o in client.push_stock(batch)]

    assert [(o.listing, o.accepted) for o in outcomes] == [(u.listing, True) for u in updates]
    assert [sandbox.quantity(SHOP, ref) for ref in refs] == [12, 0, 7]
    assert client.read_stock(refs) == {refs[0]: 12, refs[1]: 0, refs[2]: 7}


def test_a_plain_item_named_with_model_0_is_pushed_and_read_back(
    sandbox: ShopeeSandbox, client: ShopeeClient
) -> None:
    # Shopee calls an item without variations model 0; a listing may name it either way.
    zero, blank = ListingRef("770002", "0"), ListingRef("770003", "")
    sandbox.add_listing(SHOP, zero, "Rice bag", 1)
    sandbox.add_listing(SHOP, blank, "Tea tin", 1)

    outcomes = client.push_stock([StockUpdate(zero, 6)]) + client.push_stock(
        [StockUpdate(blank, 3)]
    )

    assert all(outcome.accepted for outcome in outcomes)
    assert client.read_stock([zero, blank]) == {zero: 6, blank: 3}


def test_one_refused_model_fails_alone_and_the_others_are_applied(
    sandbox: ShopeeSandbox, client: ShopeeClient
) -> None:
    refs = [listing(880001, m) for m in (990001, 990002, 990003)]
    for ref in refs:
        sandbox.add_listing(SHOP, ref, "Mug", 5)
    sandbox.refuse_listing(SHOP, refs[1], "item is deleted")

    outcomes = client.push_stock([StockUpdate(ref, 9) for ref in refs])

    assert [o.accepted for o in outcomes] == [True, False, True]
    assert (outcomes[1].permanent, outcomes[1].reason) == (True, "item is deleted")
    assert client.read_stock(refs) == {refs[0]: 9, refs[1]: 5, refs[2]: 9}


@pytest.mark.parametrize("error_on_partial", [False, True])
def test_stock_below_the_reserved_stock_is_refused_for_that_model_only(
    sandbox: ShopeeSandbox, client: ShopeeClient, error_on_partial: bool
) -> None:
    sandbox.partial_failure_error = error_on_partial
    promo, plain = listing(880001, 990001), listing(880001, 990002)
    sandbox.add_listing(SHOP, promo, "Mug / Promo", 8, reserved=5)
    sandbox.add_listing(SHOP, plain, "Mug / Plain", 8)

    held, applied = client.push_stock([StockUpdate(promo, 3), StockUpdate(plain, 3)])

    assert (held.accepted, held.permanent) == (False, False)
    assert "reserved" in held.reason
    assert applied.accepted
    assert (sandbox.quantity(SHOP, promo), sandbox.quantity(SHOP, plain)) == (8, 3)


def test_a_call_where_every_model_fails_still_reports_each(
    sandbox: ShopeeSandbox, client: ShopeeClient
) -> None:
    ref = listing(880001, 990001)
    sandbox.add_listing(SHOP, ref, "Mug", 8)
    sandbox.refuse_listing(SHOP, ref, "Warehouse shop can't update stock.")
    [outcome] = client.push_stock([StockUpdate(ref, 1)])
    assert (outcome.accepted, outcome.reason) == (False, "Warehouse shop can't update stock.")


def test_a_location_the_shop_does_not_have_is_refused_for_that_model(
    sandbox: ShopeeSandbox, client: ShopeeClient
) -> None:
    sandbox.add_listing(SHOP, listing(880001, 990001), "Mug / Blue", 4)
    sandbox.add_listing(SHOP, listing(880001, 990002), "Mug / Red", 4)
    bad, good = client.push_stock(
        [StockUpdate(listing(880001, 990001, "NOPE"), 1), StockUpdate(listing(880001, 990002), 2)]
    )
    assert (bad.accepted, good.accepted) == (False, True)
    assert "location_id" in bad.reason
    assert sandbox.quantity(SHOP, listing(880001, 990001)) == 4


def test_stock_batches_keep_to_one_item_and_fifty_models_a_call(
    sandbox: ShopeeSandbox, client: ShopeeClient
) -> None:
    big = [listing(880001, 990000 + n) for n in range(1, 121)]
    small = [listing(770001, 660000 + n) for n in range(1, 4)]
    for ref in big + small:
        sandbox.add_listing(SHOP, ref, "Shirt", 0)
    updates = [StockUpdate(ref, n) for n, ref in enumerate(big + small)]

    batches = client.stock_batches(updates)

    assert [len(b) for b in batches] == [50, 50, 20, 3]
    assert all(len({u.listing.item_id for u in b}) == 1 for b in batches)
    outcomes = [o for b in batches for o in client.push_stock(b)]
    assert all(o.accepted for o in outcomes)
    assert sandbox.calls["/api/v2/product/update_stock"] == 4
    assert [sandbox.quantity(SHOP, u.listing) for u in updates] == [u.quantity for u in updates]


def test_a_repeated_model_goes_to_a_later_call_so_the_later_quantity_wins(
    sandbox: ShopeeSandbox, client: ShopeeClient
) -> None:
    ref = listing(880001, 990001)
    sandbox.add_listing(SHOP, ref, "Mug", 0)
    batches = client.stock_batches([StockUpdate(ref, 4), StockUpdate(ref, 6)])
    assert [[u.quantity for u in b] for b in batches] == [[4], [6]]
    for batch in batches:
        client.push_stock(batch)
    assert sandbox.quantity(SHOP, ref) == 6


@pytest.mark.parametrize(
    ("stock_list", "message"),
    [
        (
            [
                {"model_id": 990000 + n, "seller_stock": [{"location_id": "MYZ", "stock": 1}]}
                for n in range(1, 52)
            ],
            "Wrong parameters, detail: stock_list must hold 1 to 50 models.",
        ),
        ([], "Wrong parameters, detail: stock_list must hold 1 to 50 models."),
        (
            [{"model_id": 990001, "seller_stock": [{"location_id": "MYZ", "stock": 1}]}] * 2,
            "Repeat model_id.",
        ),
        (
            [{"model_id": 123, "seller_stock": [{"location_id": "MYZ", "stock": 1}]}],
            "Wrong model_id.",
        ),
    ],
    ids=["51 models", "no model", "repeated model", "unknown model"],
)
def test_the_sandbox_refuses_a_hand_made_stock_call_outside_the_limits(
    sandbox: ShopeeSandbox, client: ShopeeClient, base_url: str, stock_list: list, message: str
) -> None:
    for n in range(1, 52):
        sandbox.add_listing(SHOP, listing(880001, 990000 + n), "Shirt", 2)
    status, answer = call(
        base_url,
        "POST",
        "/api/v2/product/update_stock",
        access=(client.access.access_token, SHOP),
        body={"item_id": 880001, "stock_list": stock_list},
    )
    assert (status, answer["error"], answer["message"]) == (400, "error_param", message)
    assert sandbox.quantity(SHOP, listing(880001, 990001)) == 2


def test_an_item_of_another_shop_is_refused_as_a_whole(
    sandbox: ShopeeSandbox, client: ShopeeClient
) -> None:
    theirs = listing(550001, 440001)
    sandbox.add_listing(OTHER_SHOP, theirs, "Their mug", 3)
    with pytest.raises(PermanentError, match="error_item_not_belong_shop"):
        client.push_stock([StockUpdate(theirs, 99)])
    assert sandbox.quantity(OTHER_SHOP, theirs) == 3


# --- whole-call failures --------------------------------------------------------------------


def test_calls_beyond_the_shops_rate_are_throttled_until_the_clock_moves(
    sandbox: ShopeeSandbox, client: ShopeeClient, clock: Clock
) -> None:
    ref = listing(880001, 990001)
    sandbox.add_listing(SHOP, ref, "Mug", 1)
    sandbox.rate_limit = 2
    client.read_stock([ref])
    client.read_stock([ref])
    with pytest.raises(Throttled):
        client.read_stock([ref])
    clock.advance(0.5)  # one call's worth of budget comes back
    assert client.read_stock([ref]) == {ref: 1}
    with pytest.raises(Throttled):
        client.read_stock([ref])
    assert sandbox.calls["/api/v2/product/get_model_list"] == 5


@pytest.mark.parametrize(
    ("kind", "error"),
    [("throttle", Throttled), ("transient", TransientError), ("auth", AuthExpired)],
)
def test_injected_failures_come_back_as_the_matching_error_once(
    sandbox: ShopeeSandbox, client: ShopeeClient, kind: str, error: type[Exception]
) -> None:
    ref = listing(880001, 990001)
    sandbox.add_listing(SHOP, ref, "Mug", 1)
    sandbox.fail_next(kind)
    with pytest.raises(error):
        client.push_stock([StockUpdate(ref, 5)])
    assert sandbox.quantity(SHOP, ref) == 1
    assert client.push_stock([StockUpdate(ref, 5)])[0].accepted
    assert sandbox.quantity(SHOP, ref) == 5


def test_an_unreachable_api_is_a_transient_error(client: ShopeeClient) -> None:
    gone = ShopeeClient(replace(client.access, base_url="http://127.0.0.1:9"), timeout=1)
    with pytest.raises(TransientError):
        gone.order("240101ABCDEF12")


def test_an_expired_token_is_refreshed_and_the_used_refresh_token_is_refused(
    sandbox: ShopeeSandbox, client: ShopeeClient, clock: Clock
) -> None:
    ref = listing(880001, 990001)
    sandbox.add_listing(SHOP, ref, "Mug", 1)
    clock.advance(4 * 3600 + 1)
    with pytest.raises(AuthExpired):
        client.read_stock([ref])

    grant = client.refresh_token()

    assert grant.access_token != client.access.access_token
    assert grant.refresh_token != client.access.refresh_token
    assert grant.access_expires_at == datetime.fromtimestamp(clock.now + 4 * 3600, UTC)
    assert grant.refresh_expires_at == datetime.fromtimestamp(clock.now, UTC) + timedelta(days=30)
    renewed = ShopeeClient(
        replace(client.access, access_token=grant.access_token, refresh_token=grant.refresh_token),
        clock=clock,
    )
    assert renewed.read_stock([ref]) == {ref: 1}
    with pytest.raises(PermanentError, match="Invalid refresh_token"):
        client.refresh_token()
    assert renewed.refresh_token().refresh_token != grant.refresh_token


def test_an_access_token_the_marketplace_expired_asks_for_a_refresh(
    sandbox: ShopeeSandbox, client: ShopeeClient
) -> None:
    sandbox.expire_access_token(SHOP)
    with pytest.raises(AuthExpired):
        client.products()


# --- products --------------------------------------------------------------------------------


def test_products_lists_every_variant_across_pages(
    sandbox: ShopeeSandbox, client: ShopeeClient
) -> None:
    sandbox.add_listing(SHOP, listing(880001, 990001), "Mug / Blue", 4)
    sandbox.add_listing(SHOP, listing(880001, 990002), "Mug / Red", 6)
    for n in range(1, 105):
        sandbox.add_listing(SHOP, ListingRef(str(700000 + n)), f"Tea {n}", n)
    sandbox.add_listing(OTHER_SHOP, listing(550001, 440001), "Their mug", 3)

    products = client.products()

    assert len(products) == 106
    by_ref = {p.listing: p for p in products}
    assert (by_ref[listing(880001, 990001)].title, by_ref[listing(880001, 990001)].quantity) == (
        "Mug / Blue",
        4,
    )
    assert by_ref[ListingRef("700104", warehouse_id="")].title == "Tea 104"
    assert by_ref[ListingRef("700104", warehouse_id="")].quantity == 104
    assert all(p.listing.item_id != "550001" for p in products)
    assert sandbox.calls["/api/v2/product/get_item_list"] == 2
    assert sandbox.calls["/api/v2/product/get_item_base_info"] == 3


# --- orders ----------------------------------------------------------------------------------


def test_an_order_reads_back_with_lines_of_one_listing_summed(
    sandbox: ShopeeSandbox, client: ShopeeClient
) -> None:
    blue, tea = listing(880001, 990001), ListingRef("770001")
    sandbox.add_listing(SHOP, blue, "Mug / Blue", 10)
    sandbox.add_listing(SHOP, tea, "Tea tin", 10)
    order_sn = sandbox.place_order(SHOP, [(blue, 2), (tea, 1), (blue, 3)])

    order = client.order(order_sn)

    assert order.order_id == order_sn
    assert (order.raw_status, order.state) == ("READY_TO_SHIP", OrderState.READY)
    assert {
        (line.listing.item_id, line.listing.model_id, line.listing.warehouse_id, line.quantity)
        for line in order.lines
    } == {
        ("880001", "990001", "MYZ", 5),
        ("770001", "", "", 1),
    }
    assert (order.currency, order.total_amount, order.country) == ("MYR", "119.4", "MY")
    assert order.recipient_name and order.postcode == "47400"
    assert order.created_at == datetime.fromtimestamp(START, UTC)
    assert order.ship_by == order.created_at + timedelta(days=3)
    assert sandbox.quantity(SHOP, blue) == 5


def test_an_unpaid_order_is_not_to_be_fulfilled(
    sandbox: ShopeeSandbox, client: ShopeeClient
) -> None:
    sandbox.add_listing(SHOP, listing(880001, 990001), "Mug", 10)
    order_sn = sandbox.place_order(SHOP, [(listing(880001, 990001), 1)], paid=False)
    assert client.order(order_sn).state is OrderState.UNPAID


def test_an_order_of_another_shop_is_not_found(
    sandbox: ShopeeSandbox, client: ShopeeClient
) -> None:
    sandbox.add_listing(OTHER_SHOP, listing(550001, 440001), "Their mug", 3)
    theirs = sandbox.place_order(OTHER_SHOP, [(listing(550001, 440001), 1)])
    with pytest.raises(PermanentError):
        client.order(theirs)


@pytest.mark.parametrize("raw_status", sorted(ORDER_STATES))
def test_each_shopee_status_maps_to_what_the_wms_does(
    sandbox: ShopeeSandbox, client: ShopeeClient, raw_status: str
) -> None:
    sandbox.add_listing(SHOP, listing(880001, 990001), "Mug", 10)
    order_sn = sandbox.place_order(SHOP, [(listing(880001, 990001), 1)])
    sandbox.set_order_status(order_sn, raw_status)
    order = client.order(order_sn)
    assert order.raw_status == raw_status
    assert order.state is ORDER_STATES[raw_status]


def test_status_table_covers_the_documented_statuses() -> None:
    assert ORDER_STATES["UNPAID"] is OrderState.UNPAID
    assert ORDER_STATES["READY_TO_SHIP"] is OrderState.READY
    assert ORDER_STATES["SHIPPED"] is OrderState.SHIPPED
    assert ORDER_STATES["COMPLETED"] is OrderState.DELIVERED
    assert ORDER_STATES["CANCELLED"] is OrderState.CANCELLED
    assert ORDER_STATES["TO_RETURN"] is OrderState.OTHER


def test_cancelling_gives_the_stock_back(sandbox: ShopeeSandbox, client: ShopeeClient) -> None:
    ref = listing(880001, 990001)
    sandbox.add_listing(SHOP, ref, "Mug", 10)
    order_sn = sandbox.place_order(SHOP, [(ref, 4)])
    sandbox.set_order_status(order_sn, "CANCELLED")
    assert client.order(order_sn).state is OrderState.CANCELLED
    assert client.read_stock([ref]) == {ref: 10}


def test_orders_are_paged_fifty_at_a_time_within_the_window(
    sandbox: ShopeeSandbox, client: ShopeeClient, clock: Clock
) -> None:
    ref = listing(880001, 990001)
    sandbox.add_listing(SHOP, ref, "Mug", 1000)
    placed = []
    for _ in range(60):
        placed.append(sandbox.place_order(SHOP, [(ref, 1)]))
        clock.advance(60)
    start = datetime.fromtimestamp(START, UTC)

    first = client.orders(start, start + timedelta(hours=2))
    assert len(first.orders) == 50 and first.cursor is not None
    second = client.orders(start, start + timedelta(hours=2), first.cursor)
    assert len(second.orders) == 10 and second.cursor is None
    assert [o.order_id for o in first.orders + second.orders] == placed
    assert all(o.lines[0].quantity == 1 for o in second.orders)
    assert sandbox.calls["/api/v2/order/get_order_detail"] == 2
    later = client.orders(start + timedelta(hours=1), start + timedelta(hours=2))
    assert later.orders == () and later.cursor is None


def test_a_window_longer_than_fifteen_days_is_walked_in_slices(
    sandbox: ShopeeSandbox, client: ShopeeClient, clock: Clock
) -> None:
    ref = listing(880001, 990001)
    sandbox.add_listing(SHOP, ref, "Mug", 100)
    early = sandbox.place_order(SHOP, [(ref, 1)])
    clock.advance(20 * 86400)
    late = sandbox.place_order(SHOP, [(ref, 1)])
    start = datetime.fromtimestamp(START, UTC)
    client = ShopeeClient(sandbox.add_shop(SHOP, "MY", client.access.base_url), clock=clock)

    found, cursor, pages = [], None, 0
    while True:
        page = client.orders(start, start + timedelta(days=40), cursor)
        found += [o.order_id for o in page.orders]
        pages += 1
        if page.cursor is None:
            break
        cursor = page.cursor
    assert found == [early, late]
    assert pages == 3


def test_the_sandbox_refuses_an_order_window_over_fifteen_days(
    client: ShopeeClient, base_url: str
) -> None:
    status, answer = call(
        base_url,
        "GET",
        "/api/v2/order/get_order_list",
        access=(client.access.access_token, SHOP),
        params={
            "time_range_field": "update_time",
            "time_from": int(START),
            "time_to": int(START) + 15 * 86400 + 1,
            "page_size": 50,
        },
    )
    assert (status, answer["error"]) == (400, "order.order_list_invalid_time")


def test_order_detail_reads_a_location_given_as_a_string_or_an_array() -> None:
    detail = {
        "order_sn": "240101ABCDEF12",
        "order_status": "READY_TO_SHIP",
        "create_time": 1700000000,
        "update_time": 1700000300,
        "item_list": [
            {
                "item_id": 880001,
                "model_id": 990001,
                "model_quantity_purchased": 2,
                "product_location_id": "MYZ",
            },
            {
                "item_id": 880001,
                "model_id": 990001,
                "model_quantity_purchased": 1,
                "product_location_id": ["MYZ"],
            },
        ],
    }
    order = order_from_detail(detail)
    assert [(line.listing.warehouse_id, line.quantity) for line in order.lines] == [("MYZ", 3)]
    assert order.updated_at == datetime.fromtimestamp(1700000300, UTC)


# --- shipping --------------------------------------------------------------------------------


def test_shipping_pushes_our_tracking_number(sandbox: ShopeeSandbox, client: ShopeeClient) -> None:
    sandbox.add_listing(SHOP, listing(880001, 990001), "Mug", 10)
    order_sn = sandbox.place_order(SHOP, [(listing(880001, 990001), 1)])
    assert sandbox.shipped(order_sn) is None

    client.ship(order_sn, "PVL0000001MY", "Seller Own Fleet")

    assert sandbox.shipped(order_sn) == ("PVL0000001MY", "Seller Own Fleet")
    assert client.order(order_sn).raw_status == "PROCESSED"
    client.ship(order_sn, "PVL0000001MY", "Seller Own Fleet")  # a retry is harmless
    with pytest.raises(PermanentError, match="already"):
        client.ship(order_sn, "PVL0000002MY", "Seller Own Fleet")
    assert sandbox.shipped(order_sn) == ("PVL0000001MY", "Seller Own Fleet")


def test_an_unpaid_order_cannot_be_shipped(sandbox: ShopeeSandbox, client: ShopeeClient) -> None:
    sandbox.add_listing(SHOP, listing(880001, 990001), "Mug", 10)
    order_sn = sandbox.place_order(SHOP, [(listing(880001, 990001), 1)], paid=False)
    with pytest.raises(PermanentError, match=r"logistics\.error_order_state"):
        client.ship(order_sn, "PVL0000001MY", "Seller Own Fleet")
    assert sandbox.shipped(order_sn) is None


def test_the_waybill_is_a_pdf_showing_the_tracking_number(
    sandbox: ShopeeSandbox, client: ShopeeClient, sleeps: list[float]
) -> None:
    sandbox.add_listing(SHOP, listing(880001, 990001), "Mug", 10)
    order_sn = sandbox.place_order(SHOP, [(listing(880001, 990001), 2)])
    with pytest.raises(PermanentError, match="ship it first"):
        client.waybill(order_sn)
    client.ship(order_sn, "PVL0000001MY", "Seller Own Fleet")

    pdf = client.waybill(order_sn)

    assert pdf.startswith(b"%PDF")
    document = pypdfium2.PdfDocument(pdf)
    text = document[0].get_textpage().get_text_range()
    document.close()
    assert "PVL0000001MY" in text and order_sn in text
    assert sleeps == [1.0]  # one PROCESSING answer, then READY
    assert sandbox.calls["/api/v2/logistics/get_shipping_document_result"] == 2


# --- error mapping and load -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "payload", "error"),
    [
        (429, {}, Throttled),
        (200, {"error": "logistics.error_too_many_invoke_function"}, Throttled),
        (500, {"error": "error_server"}, TransientError),
        (200, {"error": "error_inner", "message": "please try later."}, TransientError),
        (403, {"error": "error_auth", "message": "Invalid access_token."}, AuthExpired),
        (403, {"error": "error_auth", "message": "No permission to current api."}, PermanentError),
        (400, {"error": "error_item_not_found"}, PermanentError),
    ],
)
def test_api_errors_map_to_what_the_relay_does_with_them(
    status: int, payload: dict[str, str], error: type[Exception]
) -> None:
    assert type(error_for(status, payload)) is error
    assert error_for(200, {"error": "", "message": ""}) is None


def test_concurrent_pushes_are_all_counted_and_applied(
    sandbox: ShopeeSandbox, client: ShopeeClient
) -> None:
    refs = [listing(880000 + n, 990001) for n in range(8)]
    for ref in refs:
        sandbox.add_listing(SHOP, ref, "Mug", 0)

    def push(ref: ListingRef) -> None:
        for quantity in range(1, 26):
            assert client.push_stock([StockUpdate(ref, quantity)])[0].accepted

    threads = [threading.Thread(target=push, args=(ref,)) for ref in refs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sandbox.calls["/api/v2/product/update_stock"] == 200
    assert [sandbox.quantity(SHOP, ref) for ref in refs] == [25] * 8


def test_the_client_refuses_to_send_a_batch_shopee_would_refuse(
    sandbox: ShopeeSandbox, client: ShopeeClient
) -> None:
    too_many = [StockUpdate(listing(880001, 990000 + n), 1) for n in range(1, 52)]
    two_items = [StockUpdate(listing(880001, 990001), 1), StockUpdate(listing(770001, 1), 1)]
    for batch in (too_many, two_items):
        with pytest.raises(ValueError, match="one item and at most 50 models"):
            client.push_stock(batch)
    assert sandbox.calls["/api/v2/product/update_stock"] == 0


def test_an_unknown_path_is_answered_in_shopees_shape(
    sandbox: ShopeeSandbox, client: ShopeeClient, base_url: str
) -> None:
    status, answer = call(
        base_url, "GET", "/api/v2/product/no_such_api", access=(client.access.access_token, SHOP)
    )
    assert (status, answer["error"]) == (404, "error_not_found")
    assert sandbox.calls["/api/v2/product/no_such_api"] == 1
