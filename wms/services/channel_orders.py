"""Marketplace orders into the WMS.

- **Webhooks** (`receive_webhook`): a marketplace's signed notice is verified and stored as a
  hint in one short transaction; the same webhook again is stored once. A bad or missing
  signature stores nothing.
- **Intake** (`take_in_orders`, one round of the worker): each pending hint's order is read from
  the marketplace by id (webhooks are hints); each connected shop's order list is polled from a
  little before its last poll (`POLL_OVERLAP`) as the safety net; orders whose intake met a
  problem are read again now and then. No transaction is open while a marketplace answers;
  each page of orders is applied in its own transaction, one savepoint per order.
- **Mapping** (`OrderState` → WMS): UNPAID waits; READY makes the WMS order in the FC its
  listings sell from (lines mapped from the marketplace's ids to SKUs by the shop's listings,
  reserved FEFO by `orders.place_order`); CANCELLED before shipping cancels it
  (`orders.cancel`); SHIPPED, DELIVERED and OTHER change nothing but the state kept. A line
  whose listing is unknown, an order without its address, and any rule the order breaks are
  recorded on the marketplace order as its problem, visible per shop (`shop_orders`), never a
  crash. Each marketplace order is one `ChannelOrder` (unique per shop and order id), so a
  webhook, a poll and a retry of the same order never make two WMS orders.
- **Waybill** (`marketplace_waybill`): the marketplace's shipping label for an order.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from wms.channels.clients import verifier_for
from wms.channels.marketplace import (
    BadSignature,
    Marketplace,
    MarketplaceError,
    MarketplaceOrder,
    OrderState,
    PermanentError,
    Throttled,
)
from wms.db.base import utcnow
from wms.db.models import (
    Carrier,
    ChannelHint,
    ChannelOrder,
    ChannelShop,
    FulfillmentCenter,
    Listing,
    Order,
    Sku,
)
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor, Role
from wms.domain.channel_orders import (
    CarrierChoice,
    HintStatus,
    ShipmentPush,
    marketplace_carrier,
)
from wms.domain.channels import MARKETPLACE_NAMES, ShopStatus
from wms.domain.errors import (
    AuthenticationFailed,
    Conflict,
    DomainError,
    ExternalFailure,
    NotFound,
)
from wms.domain.orders import CANCELLABLE, NewOrder, NewOrderLine, OrderStatus
from wms.domain.outbox import retry_delay
from wms.services.channel_calls import call_shop, note_shop_error
from wms.services.channel_shops import ChannelSetup, ShopNotReady, visible_shop
from wms.services.orders import cancel, place_order, visible_order
from wms.services.stock_push import ClientFactory, Reauthorise
from wms.services.views import iso

POLL_OVERLAP = timedelta(minutes=10)
"""Each poll starts this much before the last one ended: orders updated at the edge of a window
(clocks, paging) are read twice rather than never."""
FIRST_POLL = timedelta(days=3)
"""How far back a shop's first poll reads (Shopee keeps lost pushes as long)."""
POLL_EVERY = timedelta(minutes=5)
"""A shop's order list is read at most this often (Lazada may disable apps that poll in tight
loops); webhooks bring changes in between."""
PROBLEM_RETRY = timedelta(minutes=15)
"""An order whose intake met a problem is read again after this (a listing may have been
mapped, an address given)."""
HINT_LEASE = timedelta(minutes=2)
DEFAULT_HANDLING = timedelta(days=2)
"""The ship-by of an order whose marketplace gives none: two days after it was placed."""
MAX_REF = 64
LIMITS = {"recipient_name": 200, "recipient_phone": 32, "city": 120, "postcode": 12}


def marketplace_name(marketplace: Marketplace | str) -> str:
    return MARKETPLACE_NAMES.get(str(marketplace), str(marketplace))


# --- webhooks ------------------------------------------------------------------------------


def receive_webhook(
    uow: UnitOfWork,
    setup: ChannelSetup,
    marketplace: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
) -> bool:
    """Verify a marketplace's webhook (`url`: the URL it was sent to, which Shopee signs) and
    store it as a hint for intake; True if stored, False if the same webhook was stored before.
    A bad or missing signature is refused (AuthenticationFailed, "signature") and nothing is
    stored."""
    try:
        market = Marketplace(marketplace)
    except ValueError:
        raise NotFound("No such marketplace: shopee, lazada or tiktok.", "marketplace") from None
    app = setup.apps.get(market)
    if app is None:
        raise NotFound(f"{marketplace_name(market)} has no app credentials set.", "marketplace")
    try:
        notice = verifier_for(market, app).verify(url, headers, body)
    except BadSignature as error:
        raise AuthenticationFailed(
            f"The {marketplace_name(market)} webhook is refused: {error}.", "signature"
        ) from None
    order_ref = notice.order_id if notice.order_id and len(notice.order_id) <= MAX_REF else None
    digest = hashlib.sha256(body).hexdigest()
    with uow:
        seen = uow.session.scalar(
            select(ChannelHint.id).where(
                ChannelHint.marketplace == market, ChannelHint.digest == digest
            )
        )
        if seen is not None:
            return False
        now = utcnow()
        uow.session.add(
            ChannelHint(
                marketplace=market,
                shop_ref=notice.shop_id[:MAX_REF],
                order_ref=order_ref,
                kind=notice.kind[:32],
                body=body.decode("utf-8", errors="replace").replace("\x00", ""),
                digest=digest,
                status=HintStatus.PENDING,
                attempts=0,
                next_attempt_at=now,
                last_error="",
                received_at=now,
            )
        )
        try:
            uow.flush_unique("The webhook is stored already.", "body")
        except Conflict:
            return False  # the same webhook, delivered twice at once, was stored by the other
        uow.commit()
    return True


# --- intake --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Hint:
    id: int
    marketplace: Marketplace
    shop_ref: str
    order_ref: str | None
    kind: str
    attempts: int


def take_in_orders(
    uow: UnitOfWork,
    clients: ClientFactory,
    setup: ChannelSetup,
    *,
    now: Callable[[], datetime] = utcnow,
    rng: random.Random | None = None,
    hint_limit: int = 200,
    poll_every: timedelta = POLL_EVERY,
    overlap: timedelta = POLL_OVERLAP,
    first_poll: timedelta = FIRST_POLL,
    problem_retry: timedelta = PROBLEM_RETRY,
) -> dict[str, int]:
    """One round of order intake: read the orders pending hints name, poll the shops due for
    it, read again the orders whose intake met a problem. Returns counts: hints, polls, orders
    read, WMS orders created and cancelled, orders waiting (unpaid), problems, failures."""
    rng = rng or random.Random()  # noqa: S311 - jitter, not security
    counts: Counter[str] = Counter()
    for hint in _claim_hints(uow, now(), hint_limit):
        _take_hint(uow, clients, setup, hint, now, rng, counts)
    for shop_id in _shops_due(uow, setup, now() - poll_every):
        _poll(uow, clients, setup, shop_id, now, overlap, first_poll, counts)
    for shop_id, external_ids in _problem_orders(uow, setup, now() - problem_retry).items():
        _reread(uow, clients, setup, shop_id, external_ids, now, counts)
    keys = ("hints", "polls", "read", "created", "cancelled", "waiting", "problems", "failed")
    return {key: counts[key] for key in keys}


def _claim_hints(uow: UnitOfWork, moment: datetime, limit: int) -> list[_Hint]:
    """Lease due hints (FOR UPDATE SKIP LOCKED: workers claim different ones)."""
    with uow:
        rows = uow.session.scalars(
            select(ChannelHint)
            .where(ChannelHint.status == HintStatus.PENDING, ChannelHint.next_attempt_at <= moment)
            .order_by(ChannelHint.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        hints = []
        for row in rows:
            row.next_attempt_at = moment + HINT_LEASE
            hints.append(
                _Hint(row.id, row.marketplace, row.shop_ref, row.order_ref, row.kind, row.attempts)
            )
        uow.commit()
        return hints


def _connected_shops(uow: UnitOfWork, marketplace: Marketplace, shop_ref: str) -> list[int]:
    with uow:
        return list(
            uow.session.scalars(
                select(ChannelShop.id)
                .where(
                    ChannelShop.marketplace == marketplace,
                    ChannelShop.shop_id == shop_ref,
                    ChannelShop.status == ShopStatus.CONNECTED,
                )
                .order_by(ChannelShop.id)
            )
        )


def _take_hint(
    uow: UnitOfWork,
    clients: ClientFactory,
    setup: ChannelSetup,
    hint: _Hint,
    now: Callable[[], datetime],
    rng: random.Random,
    counts: Counter[str],
) -> None:
    counts["hints"] += 1
    if hint.order_ref is None:
        _settle_hint(uow, hint, HintStatus.IGNORED, f"Names no order (kind {hint.kind}).", now())
        return
    shops = _connected_shops(uow, hint.marketplace, hint.shop_ref)
    if not shops:
        reason = f"No connected {marketplace_name(hint.marketplace)} shop {hint.shop_ref}."
        _settle_hint(uow, hint, HintStatus.IGNORED, reason, now())
        return
    refusals: list[str] = []
    for shop_id in shops:
        try:
            order = call_shop(
                uow, clients, setup, shop_id, now(), lambda c: c.order(str(hint.order_ref))
            )
        except PermanentError as error:
            refusals.append(str(error))  # not this shop's order (another country), or gone
            continue
        except (MarketplaceError, Reauthorise, ShopNotReady) as error:
            _fail(uow, shop_id, error, now(), counts)
            _retry_hint(uow, hint, str(error), now(), rng, error)
            return
        counts["read"] += 1
        _take_in(uow, shop_id, [order], now(), counts)
        _settle_hint(uow, hint, HintStatus.DONE, "", now())
        return
    _settle_hint(uow, hint, HintStatus.PARKED, "; ".join(refusals)[:2000], now())


def _settle_hint(
    uow: UnitOfWork, hint: _Hint, status: HintStatus, reason: str, moment: datetime
) -> None:
    with uow:
        row = uow.session.get(ChannelHint, hint.id, with_for_update=True)
        if row is not None:
            row.status = status
            row.last_error = reason
            row.attempts += 1
            row.processed_at = moment
            uow.commit()


def _retry_hint(
    uow: UnitOfWork,
    hint: _Hint,
    reason: str,
    moment: datetime,
    rng: random.Random,
    error: Exception,
) -> None:
    with uow:
        row = uow.session.get(ChannelHint, hint.id, with_for_update=True)
        if row is not None:
            row.attempts += 1
            row.last_error = reason[:2000]
            delay = retry_delay(row.attempts, rng.random())
            retry_after = getattr(error, "retry_after", None)
            if retry_after is not None:
                delay = max(delay, timedelta(seconds=retry_after))
            row.next_attempt_at = moment + delay
            uow.commit()


def _fail(
    uow: UnitOfWork, shop_id: int, error: Exception, moment: datetime, counts: Counter[str]
) -> None:
    counts["failed"] += 1
    note_shop_error(
        uow, shop_id, f"Orders: {error}", moment, reauthorise=isinstance(error, Reauthorise)
    )


def _shops_due(uow: UnitOfWork, setup: ChannelSetup, polled_before: datetime) -> list[int]:
    with uow:
        return list(
            uow.session.scalars(
                select(ChannelShop.id)
                .where(
                    ChannelShop.status == ShopStatus.CONNECTED,
                    ChannelShop.marketplace.in_(list(setup.apps)),
                    (ChannelShop.orders_polled_until.is_(None))
                    | (ChannelShop.orders_polled_until <= polled_before),
                )
                .order_by(ChannelShop.id)
            )
        )


def _poll(
    uow: UnitOfWork,
    clients: ClientFactory,
    setup: ChannelSetup,
    shop_id: int,
    now: Callable[[], datetime],
    overlap: timedelta,
    first_poll: timedelta,
    counts: Counter[str],
) -> None:
    """Read the shop's orders updated since a little before its last poll, page by page; the
    window moves on only once every page was taken in. It ends a second after now: TikTok's
    bounds are whole seconds with the end left out."""
    started = now()
    until = started + timedelta(seconds=1)
    with uow:
        shop = uow.session.get(ChannelShop, shop_id)
        if shop is None:
            return
        since = (shop.orders_polled_until or started - first_poll) - overlap
    cursor: str | None = None
    counts["polls"] += 1
    try:
        while True:
            page = call_shop(
                uow,
                clients,
                setup,
                shop_id,
                now(),
                lambda c, at=cursor: c.orders(since, until, at),  # type: ignore[misc]
            )
            counts["read"] += len(page.orders)
            _take_in(uow, shop_id, page.orders, now(), counts)
            if not page.cursor:
                break
            cursor = page.cursor
    except (MarketplaceError, Reauthorise, ShopNotReady) as error:
        _fail(uow, shop_id, error, now(), counts)
        return
    with uow:
        shop = uow.session.get(ChannelShop, shop_id, with_for_update=True)
        if shop is not None and (
            shop.orders_polled_until is None or shop.orders_polled_until < started
        ):
            shop.orders_polled_until = started
        uow.commit()


def _problem_orders(
    uow: UnitOfWork, setup: ChannelSetup, noted_before: datetime, limit: int = 100
) -> dict[int, list[str]]:
    """Ready orders with no WMS order because of a problem noted before `noted_before`."""
    with uow:
        rows = uow.session.execute(
            select(ChannelOrder.shop_id, ChannelOrder.external_id)
            .join(ChannelShop, ChannelShop.id == ChannelOrder.shop_id)
            .where(
                ChannelOrder.order_id.is_(None),
                ChannelOrder.state == OrderState.READY,
                ChannelOrder.problem != "",
                ChannelOrder.problem_at <= noted_before,
                ChannelShop.status == ShopStatus.CONNECTED,
                ChannelShop.marketplace.in_(list(setup.apps)),
            )
            .order_by(ChannelOrder.problem_at, ChannelOrder.id)
            .limit(limit)
        )
        found: dict[int, list[str]] = {}
        for shop_id, external_id in rows:
            found.setdefault(shop_id, []).append(external_id)
        return found


def _reread(
    uow: UnitOfWork,
    clients: ClientFactory,
    setup: ChannelSetup,
    shop_id: int,
    external_ids: Sequence[str],
    now: Callable[[], datetime],
    counts: Counter[str],
) -> None:
    for external_id in external_ids:
        try:
            order = call_shop(
                uow, clients, setup, shop_id, now(), lambda c, ref=external_id: c.order(ref)
            )  # type: ignore[misc]
        except PermanentError as error:
            _note_problem(uow, shop_id, external_id, f"The marketplace refused it: {error}", now())
            continue
        except (MarketplaceError, Reauthorise, ShopNotReady) as error:
            _fail(uow, shop_id, error, now(), counts)
            return
        counts["read"] += 1
        _take_in(uow, shop_id, [order], now(), counts)


def _note_problem(
    uow: UnitOfWork, shop_id: int, external_id: str, reason: str, moment: datetime
) -> None:
    with uow:
        link = uow.session.scalar(
            select(ChannelOrder)
            .where(ChannelOrder.shop_id == shop_id, ChannelOrder.external_id == external_id)
            .with_for_update()
        )
        if link is not None:
            link.problem = reason[:2000]
            link.problem_at = moment
            uow.commit()


# --- applying what the marketplace said ------------------------------------------------------


def _take_in(
    uow: UnitOfWork,
    shop_id: int,
    orders: Sequence[MarketplaceOrder],
    moment: datetime,
    counts: Counter[str],
) -> None:
    """Apply a batch of marketplace orders in one transaction, a savepoint per order: an order
    that breaks a rule is rolled back alone and its reason recorded."""
    if not orders:
        return
    with uow:
        shop = uow.session.get(ChannelShop, shop_id)
        if shop is None or shop.status is ShopStatus.DISCONNECTED:
            return
        for order in orders:
            if len(order.order_id) > MAX_REF or not order.order_id.strip():
                counts["problems"] += 1
                continue
            try:
                with uow.session.begin_nested():
                    outcome = _apply(uow, shop, order, moment)
            except DomainError as error:
                with uow.session.begin_nested():
                    link, _ = _locked_link(uow, shop, order, moment)
                    _problem(link, error.message, moment)
                outcome = "problems"
            counts[outcome] += 1
        uow.commit()


def _locked_link(
    uow: UnitOfWork, shop: ChannelShop, order: MarketplaceOrder, moment: datetime
) -> tuple[ChannelOrder, bool]:
    """The shop's record of the marketplace order, locked; made (and True) if it is new. Two
    workers making it at once: the second waits for the first and then takes its row."""
    query = (
        select(ChannelOrder)
        .where(ChannelOrder.shop_id == shop.id, ChannelOrder.external_id == order.order_id)
        .with_for_update()
    )
    link = uow.session.scalar(query)
    if link is not None:
        return link, False
    link = ChannelOrder(
        shop_id=shop.id,
        external_id=order.order_id,
        raw_status=order.raw_status[:200],
        state=order.state,
        marketplace_updated_at=order.updated_at,
        problem="",
        shipment_status=ShipmentPush.WAITING,
        shipment_attempts=0,
        shipment_next_attempt_at=moment,
        shipment_error="",
        shipment_tracking="",
        first_seen_at=moment,
    )
    try:
        with uow.session.begin_nested():
            uow.session.add(link)
            uow.session.flush()
    except IntegrityError:
        found = uow.session.scalar(query)
        if found is None:
            raise
        return found, False
    return link, True


def _problem(link: ChannelOrder, reason: str, moment: datetime) -> None:
    link.problem = reason[:2000]
    link.problem_at = moment


def _apply(uow: UnitOfWork, shop: ChannelShop, order: MarketplaceOrder, moment: datetime) -> str:
    """What the marketplace's word on one order changes in the WMS; the count it falls in."""
    link, new = _locked_link(uow, shop, order, moment)
    if not new and order.updated_at < link.marketplace_updated_at:
        return "stale"  # an older answer (a page read before a webhook's read): nothing new
    link.raw_status = order.raw_status[:200]
    link.state = order.state
    link.marketplace_updated_at = order.updated_at
    wms_order = uow.session.get(Order, link.order_id) if link.order_id is not None else None
    if order.state is OrderState.UNPAID:
        return "waiting"
    if order.state is OrderState.READY:
        if wms_order is not None:
            return "unchanged"
        return _create(uow, shop, link, order, moment)
    if order.state is OrderState.CANCELLED:
        if wms_order is None:
            link.shipment_status = ShipmentPush.NOT_OURS
            link.problem = ""
            return "unchanged"
        if wms_order.status in CANCELLABLE:
            cancel(uow, _worker(shop), wms_order)
            return "cancelled"
        if wms_order.status is OrderStatus.SHIPPED:
            _problem(
                link,
                f"Cancelled on {marketplace_name(shop.marketplace)} after {wms_order.reference} "
                "shipped: ask the carrier to return the parcel.",
                moment,
            )
            return "problems"
        return "unchanged"
    if wms_order is None and order.state in (OrderState.SHIPPED, OrderState.DELIVERED):
        link.shipment_status = ShipmentPush.NOT_OURS  # shipped without the FC: nothing to tell
    return "unchanged"


def _worker(shop: ChannelShop) -> Actor:
    """Who intake acts as: the shop's merchant, by the channel worker (user id 0: the order
    records no user)."""
    return Actor(user_id=0, role=Role.MERCHANT, merchant_id=shop.merchant_id, name="intake")


def _match(line_ref: Any, listings: Sequence[Listing]) -> Listing | None:
    """The shop's listing of an order line: same item and model (Shopee item/model, Lazada
    item/SKU id, TikTok product/SKU id); failing that the same seller SKU; among several, the
    one in the line's warehouse."""
    found = [
        listing
        for listing in listings
        if listing.item_id == line_ref.item_id and listing.model_id == line_ref.model_id
    ]
    if not found and line_ref.seller_sku:
        found = [listing for listing in listings if listing.seller_sku == line_ref.seller_sku]
    if len(found) > 1:
        found = [
            listing for listing in found if listing.warehouse_id == line_ref.warehouse_id
        ] or found
    return found[0] if len({listing.sku_id for listing in found}) == 1 and found else None


def _create(
    uow: UnitOfWork,
    shop: ChannelShop,
    link: ChannelOrder,
    order: MarketplaceOrder,
    moment: datetime,
) -> str:
    """Make the WMS order of a ready marketplace order, or record why it cannot be made."""
    listings = list(uow.session.scalars(select(Listing).where(Listing.shop_id == shop.id)))
    units: dict[int, int] = {}
    fcs: set[int] = set()
    missing: list[str] = []
    for number, line in enumerate(order.lines, start=1):
        listing = _match(line.listing, listings)
        if listing is None:
            ref = line.listing
            missing.append(
                f"line {number}: no listing of the shop maps item {ref.item_id}"
                + (f" model {ref.model_id}" if ref.model_id else "")
                + (f" (seller SKU {ref.seller_sku})" if ref.seller_sku else "")
                + " to a SKU"
            )
            continue
        units[listing.sku_id] = units.get(listing.sku_id, 0) + line.quantity
        fcs.add(listing.fc_id)
    problem = _why_not(order, missing, fcs, uow)
    if problem:
        _problem(link, problem, moment)
        return "problems"
    fc = uow.session.get(FulfillmentCenter, fcs.pop())
    assert fc is not None
    carrier = marketplace_carrier(
        str(shop.marketplace),
        [
            CarrierChoice(c.id, c.code, c.own_fleet, c.cutoff_local)
            for c in uow.session.scalars(select(Carrier).where(Carrier.fc_id == fc.id))
        ],
    )
    if carrier is None:
        _problem(link, f"{fc.code} has no carrier to collect marketplace parcels.", moment)
        return "problems"
    cod = Decimal("0")
    if order.cash_on_delivery:
        try:
            cod = Decimal(order.total_amount or "0").quantize(Decimal("0.01"))
        except InvalidOperation:
            cod = Decimal("-1")
        if cod < 0 or (order.currency and order.currency != fc.currency):
            _problem(
                link,
                f"Cash on delivery of {order.total_amount} {order.currency} cannot be collected "
                f"in {fc.currency} at {fc.code}.",
                moment,
            )
            return "problems"
    skus = {
        sku.id: sku.code for sku in uow.session.scalars(select(Sku).where(Sku.id.in_(list(units))))
    }
    country = order.country.strip().upper()
    new = NewOrder(
        fc_id=fc.id,
        carrier_id=carrier.id,
        external_id=order.order_id,
        ship_by=order.ship_by or order.created_at + DEFAULT_HANDLING,
        recipient_name=order.recipient_name,
        recipient_phone=order.recipient_phone,
        address=order.address,
        city=order.city,
        postcode=order.postcode,
        country=country if len(country) == 2 and country.isalpha() else shop.country,
        lines=tuple(NewOrderLine(skus[sku_id], quantity) for sku_id, quantity in units.items()),
        channel=str(shop.marketplace),
        cod_amount=cod,
        merchant_id=shop.merchant_id,
    )
    placed = place_order(uow, _worker(shop), new)
    link.order_id = placed.id
    link.problem = ""
    link.problem_at = None
    link.shipment_status = ShipmentPush.WAITING
    return "created"


def _why_not(
    order: MarketplaceOrder, missing: Sequence[str], fcs: set[int], uow: UnitOfWork
) -> str:
    """Why a ready order cannot become a WMS order yet; empty if it can."""
    if missing:
        return "; ".join(missing) + "."
    if not order.lines:
        return "The order has no lines."
    if len(fcs) > 1:
        codes = sorted(
            uow.session.scalars(
                select(FulfillmentCenter.code).where(FulfillmentCenter.id.in_(list(fcs)))
            )
        )
        return f"Its lines sell from different FCs ({', '.join(codes)}): split it by hand."
    if not (order.recipient_name.strip() and order.address.strip() and order.city.strip()):
        return "No address yet (recipient, address and city): the marketplace gives it later."
    for name, limit in LIMITS.items():
        if len(getattr(order, name)) > limit:
            return f"The {name.replace('_', ' ')} is longer than {limit} characters."
    return ""


# --- views ---------------------------------------------------------------------------------


def channel_order_view(link: ChannelOrder) -> dict[str, Any]:
    order = link.order
    return {
        "id": link.id,
        "shop_id": link.shop_id,
        "external_id": link.external_id,
        "raw_status": link.raw_status,
        "state": str(link.state),
        "marketplace_updated_at": iso(link.marketplace_updated_at),
        "order_id": link.order_id,
        "order_reference": order.reference if order is not None else None,
        "order_status": str(order.status) if order is not None else None,
        "problem": link.problem,
        "problem_at": iso(link.problem_at),
        "shipment_status": str(link.shipment_status),
        "shipment_tracking": link.shipment_tracking,
        "shipment_error": link.shipment_error,
        "shipment_pushed_at": iso(link.shipment_pushed_at),
        "first_seen_at": iso(link.first_seen_at),
    }


def shop_orders(
    uow: UnitOfWork, actor: Actor, shop_id: int, *, problems: bool = False, limit: int = 200
) -> list[dict[str, Any]]:
    """The shop's marketplace orders as intake knows them, latest first: state, WMS order,
    problem, shipment push. `problems`: only those with a problem or a parked shipment."""
    with uow:
        shop = visible_shop(uow, actor, shop_id)
        query = select(ChannelOrder).where(ChannelOrder.shop_id == shop.id)
        if problems:
            query = query.where(
                (ChannelOrder.problem != "") | (ChannelOrder.shipment_status == ShipmentPush.PARKED)
            )
        rows = uow.session.scalars(
            query.order_by(
                ChannelOrder.marketplace_updated_at.desc(), ChannelOrder.id.desc()
            ).limit(limit)
        )
        return [channel_order_view(row) for row in rows]


# --- the marketplace's waybill -------------------------------------------------------------


def marketplace_waybill(
    uow: UnitOfWork,
    clients: ClientFactory,
    setup: ChannelSetup,
    actor: Actor,
    order_id: int,
    *,
    now: Callable[[], datetime] = utcnow,
) -> tuple[bytes, str]:
    """The marketplace's shipping label (waybill) PDF for an order from a connected shop, and
    the marketplace's name. NotFound for an order the actor may not see or that came from no
    connected shop; ExternalFailure naming the marketplace when it does not give the PDF."""
    with uow:
        order = visible_order(uow, actor, order_id)
        row = uow.session.execute(
            select(ChannelOrder.external_id, ChannelShop.id, ChannelShop.marketplace)
            .join(ChannelShop, ChannelShop.id == ChannelOrder.shop_id)
            .where(ChannelOrder.order_id == order.id, ChannelShop.status == ShopStatus.CONNECTED)
        ).first()
        if row is None:
            raise NotFound("The order did not come from a connected marketplace shop.", "order_id")
        external_id, shop_id, marketplace = row
    name = marketplace_name(marketplace)
    try:
        pdf = call_shop(uow, clients, setup, shop_id, now(), lambda c: c.waybill(external_id))
    except (MarketplaceError, Reauthorise, ShopNotReady) as error:
        kind = "is throttling calls" if isinstance(error, Throttled) else "refused or failed"
        raise ExternalFailure(
            f"{name} {kind}: no waybill for order {external_id} ({error}).", "order_id"
        ) from None
    if not pdf.startswith(b"%PDF"):
        raise ExternalFailure(f"{name} answered a waybill that is not a PDF.", "order_id")
    return pdf, str(marketplace)
