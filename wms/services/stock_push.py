"""The stock push relay: sends each listing's latest desired quantity to its marketplace.

One round (`push_listing_stock`):

1. **Claim** due pending listings in one short transaction (FOR UPDATE SKIP LOCKED on
   PostgreSQL, so concurrent workers claim different rows) and lease them: their next attempt
   moves `LEASE` ahead, so no other worker sends them meanwhile, and a worker that dies leaves
   them due again when the lease runs out. The claim notes the quantity and version it sends.
2. Per shop, with **no transaction open** while the marketplace answers: refresh the shop's
   token first when it expires within `REFRESH_MARGIN` (under the shop's row lock, so one
   worker refreshes it: Shopee's refresh tokens are single-use), group the updates as the API
   takes them (`client.stock_batches`) and push each batch.
3. **Record** each batch's outcomes in its own transaction: accepted → the pushed version and
   quantity (never an older version over a newer one), synced if nothing newer is desired;
   an answer to an older version than one already recorded (a call that outlived its lease)
   sends the latest quantity again, since the marketplace may have taken them in either order;
   refused for good → parked with the marketplace's reason; throttled or transient → retried
   later with exponential backoff and jitter (`wms.domain.outbox.retry_delay`, or the API's
   own retry-after when longer). A throttled shop gets no more calls this round.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from wms.channels.marketplace import (
    AuthExpired,
    ListingRef,
    MarketplaceClient,
    MarketplaceError,
    PermanentError,
    ShopAccess,
    StockOutcome,
    StockUpdate,
    Throttled,
)
from wms.db.base import utcnow
from wms.db.models import ChannelShop, Listing, ListingStock
from wms.db.unit_of_work import UnitOfWork
from wms.domain.channels import ListingStockStatus, ShopStatus, StockErrorKind
from wms.domain.outbox import retry_delay
from wms.services.channel_shops import ChannelSetup, ShopNotReady, shop_access, store_tokens

LEASE = timedelta(minutes=2)
REFRESH_MARGIN = timedelta(minutes=5)

ClientFactory = Callable[[ShopAccess], MarketplaceClient]


@dataclass(frozen=True)
class Claim:
    """A listing leased to this worker, with the quantity and version it is to send."""

    listing_id: int
    shop_id: int
    ref: ListingRef
    quantity: int
    version: int


@dataclass(frozen=True)
class Result:
    """What became of one claimed listing."""

    claim: Claim
    accepted: bool
    kind: StockErrorKind | None = None
    reason: str = ""
    retry_after: float | None = None


def _claim(uow: UnitOfWork, now: datetime, limit: int, lease: timedelta) -> list[Claim]:
    with uow:
        query = (
            select(ListingStock, Listing)
            .join(Listing, Listing.id == ListingStock.listing_id)
            .join(ChannelShop, ChannelShop.id == Listing.shop_id)
            .where(
                ListingStock.status == ListingStockStatus.PENDING,
                ListingStock.next_attempt_at <= now,
                ChannelShop.status == ShopStatus.CONNECTED,
            )
            .order_by(Listing.shop_id, ListingStock.next_attempt_at, ListingStock.listing_id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=ListingStock)
        )
        claims: list[Claim] = []
        for stock, listing in uow.session.execute(query):
            stock.next_attempt_at = now + lease
            claims.append(
                Claim(
                    listing_id=listing.id,
                    shop_id=listing.shop_id,
                    ref=ListingRef(
                        listing.item_id, listing.model_id, listing.seller_sku, listing.warehouse_id
                    ),
                    quantity=stock.desired_quantity,
                    version=stock.desired_version,
                )
            )
        uow.commit()
        return claims


def _record(
    uow: UnitOfWork,
    shop_id: int,
    results: Sequence[Result],
    now: datetime,
    rng: random.Random,
    shop_error: str | None = None,
    shop_status: ShopStatus | None = None,
) -> None:
    """Write the outcomes of one call (or of calls not made) for one shop."""
    with uow:
        by_id = {result.claim.listing_id: result for result in results}
        rows = uow.session.scalars(
            select(ListingStock)
            .where(ListingStock.listing_id.in_(by_id))
            .order_by(ListingStock.listing_id)
            .with_for_update()
        )
        for row in rows:
            _apply(row, by_id[row.listing_id], now, rng)
        shop = uow.session.get(ChannelShop, shop_id, with_for_update=True)
        if shop is not None:
            if any(result.accepted for result in results):
                shop.last_sync_at = now
            if shop_error is not None:
                shop.last_error = shop_error
                shop.last_error_at = now
            elif any(result.accepted for result in results):
                shop.last_error = ""
            if shop_status is not None:
                shop.status = shop_status
        uow.commit()


def _apply(row: ListingStock, result: Result, now: datetime, rng: random.Random) -> None:
    claim = result.claim
    if result.accepted:
        if claim.version > row.pushed_version:
            row.pushed_version = claim.version
            row.pushed_quantity = claim.quantity
            row.last_pushed_at = now
        if row.status is ListingStockStatus.PARKED:
            return
        if claim.version < row.pushed_version:
            # A newer quantity was sent meanwhile (this call outlived its lease): the
            # marketplace may have taken the two in either order, so the latest goes again.
            row.status = ListingStockStatus.PENDING
        elif row.desired_version == row.pushed_version:
            row.status = ListingStockStatus.SYNCED
            row.last_error = ""
            row.last_error_kind = None
            row.last_error_at = None
        row.attempts = 0
        row.next_attempt_at = now  # anything newer than what was sent is due at once
        return
    row.last_error = result.reason[:2000]
    row.last_error_kind = result.kind
    row.last_error_at = now
    if result.kind is StockErrorKind.PERMANENT:
        row.status = ListingStockStatus.PARKED
        row.attempts += 1
        return
    row.attempts += 1
    delay = retry_delay(row.attempts, rng.random())
    if result.retry_after is not None:
        delay = max(delay, timedelta(seconds=result.retry_after))
    row.next_attempt_at = now + delay


def _failed(
    claims: Sequence[Claim], error: MarketplaceError | str, kind: StockErrorKind
) -> list[Result]:
    retry_after = error.retry_after if isinstance(error, MarketplaceError) else None
    return [Result(claim, False, kind, str(error), retry_after) for claim in claims]


def _kind_of(error: MarketplaceError) -> StockErrorKind:
    if isinstance(error, Throttled):
        return StockErrorKind.THROTTLED
    if isinstance(error, PermanentError):
        return StockErrorKind.PERMANENT
    if isinstance(error, AuthExpired):
        return StockErrorKind.AUTH
    return StockErrorKind.TRANSIENT


def _access(
    uow: UnitOfWork,
    clients: ClientFactory,
    setup: ChannelSetup,
    shop_id: int,
    now: datetime,
    *,
    force_refresh: bool = False,
) -> ShopAccess:
    """The shop's access, its token refreshed first when it expires within REFRESH_MARGIN (or
    when the marketplace refused it). The refresh runs under the shop's row lock and the new
    tokens are stored sealed before anything else uses them."""
    with uow:
        shop = uow.session.get(ChannelShop, shop_id)
        if shop is None:
            raise ShopNotReady("The shop is gone.")
        if not force_refresh and shop.access_expires_at > now + REFRESH_MARGIN:
            return shop_access(shop, setup)
        seen_expiry = shop.access_expires_at
        uow.session.refresh(shop, with_for_update=True)
        if shop.access_expires_at != seen_expiry or (
            not force_refresh and shop.access_expires_at > now + REFRESH_MARGIN
        ):
            return shop_access(shop, setup)  # another worker refreshed it meanwhile
        grant = clients(shop_access(shop, setup)).refresh_token()
        store_tokens(shop, setup.cipher, grant)
        access = shop_access(shop, setup)
        uow.commit()
        return access


class Reauthorise(Exception):
    """The marketplace no longer accepts the shop's tokens, even fresh ones: the merchant
    connects the shop again."""


def refreshed_access(
    uow: UnitOfWork,
    clients: ClientFactory,
    setup: ChannelSetup,
    shop_id: int,
    now: datetime,
    *,
    force: bool = False,
) -> ShopAccess:
    """The shop's access with tokens good for a while (refreshed first when needed, or always
    with `force`); Reauthorise when the marketplace refuses the refresh."""
    try:
        return _access(uow, clients, setup, shop_id, now, force_refresh=force)
    except (PermanentError, AuthExpired) as error:
        raise Reauthorise(f"Token refresh refused: {error}. Connect the shop again.") from error


def _push_shop(
    uow: UnitOfWork,
    clients: ClientFactory,
    setup: ChannelSetup,
    shop_id: int,
    claims: list[Claim],
    now: Callable[[], datetime],
    rng: random.Random,
    counts: dict[str, int],
) -> None:
    """Push one shop's claimed listings, batch by batch, recording each batch's outcomes."""
    pending = list(claims)

    def give_back(
        error: MarketplaceError | str,
        kind: StockErrorKind,
        status: ShopStatus | None = None,
    ) -> None:
        _record(uow, shop_id, _failed(pending, error, kind), now(), rng, str(error), status)
        counts["retrying"] += len(pending)

    try:
        access = refreshed_access(uow, clients, setup, shop_id, now())
        client = clients(access)
        by_ref = {claim.ref: claim for claim in claims}
        updates = [StockUpdate(claim.ref, claim.quantity) for claim in claims]
        for batch in client.stock_batches(updates):
            batch_claims = [by_ref[update.listing] for update in batch]
            try:
                try:
                    outcomes = client.push_stock(batch)
                except AuthExpired:
                    access = refreshed_access(uow, clients, setup, shop_id, now(), force=True)
                    client = clients(access)
                    outcomes = client.push_stock(batch)
            except AuthExpired as error:
                raise Reauthorise(
                    f"Access refused after a token refresh: {error}. Connect the shop again."
                ) from error
            except (Throttled, Reauthorise, ShopNotReady):
                raise
            except MarketplaceError as error:
                kind = _kind_of(error)
                _record(uow, shop_id, _failed(batch_claims, error, kind), now(), rng, str(error))
                counts["parked" if kind is StockErrorKind.PERMANENT else "retrying"] += len(
                    batch_claims
                )
            else:
                results = _results(batch, batch_claims, outcomes)
                _record(uow, shop_id, results, now(), rng)
                for result in results:
                    if result.accepted:
                        counts["synced"] += 1
                    elif result.kind is StockErrorKind.PERMANENT:
                        counts["parked"] += 1
                    else:
                        counts["retrying"] += 1
            done = {claim.listing_id for claim in batch_claims}
            pending = [claim for claim in pending if claim.listing_id not in done]
    except Throttled as error:
        give_back(error, StockErrorKind.THROTTLED)  # no more calls to this shop this round
    except Reauthorise as error:
        give_back(str(error), StockErrorKind.AUTH, ShopStatus.NEEDS_REAUTHORISATION)
    except ShopNotReady as error:
        give_back(str(error), StockErrorKind.AUTH)
    except MarketplaceError as error:  # the token refresh failed for a while
        give_back(error, _kind_of(error))


def _results(
    batch: Sequence[StockUpdate], claims: Sequence[Claim], outcomes: Sequence[StockOutcome]
) -> list[Result]:
    if len(outcomes) != len(batch) or any(
        outcome.listing != update.listing for outcome, update in zip(outcomes, batch, strict=False)
    ):
        reason = "The marketplace answered for other listings than were sent."
        return [Result(claim, False, StockErrorKind.TRANSIENT, reason) for claim in claims]
    results: list[Result] = []
    for claim, outcome in zip(claims, outcomes, strict=True):
        if outcome.accepted:
            results.append(Result(claim, True))
        else:
            kind = StockErrorKind.PERMANENT if outcome.permanent else StockErrorKind.TRANSIENT
            results.append(Result(claim, False, kind, outcome.reason or "Refused."))
    return results


def push_listing_stock(
    uow: UnitOfWork,
    clients: ClientFactory,
    setup: ChannelSetup,
    *,
    now: Callable[[], datetime] = utcnow,
    rng: random.Random | None = None,
    limit: int = 500,
    lease: timedelta = LEASE,
) -> dict[str, int]:
    """One round of the relay: claim up to `limit` due listings, push them shop by shop with
    `clients(access)`, record the outcomes. Returns counts: claimed, synced, retrying, parked."""
    rng = rng or random.Random()  # noqa: S311 - jitter, not security
    claims = _claim(uow, now(), limit, lease)
    counts = {"claimed": len(claims), "synced": 0, "retrying": 0, "parked": 0}
    shops: dict[int, list[Claim]] = {}
    for claim in claims:
        shops.setdefault(claim.shop_id, []).append(claim)
    for shop_id, shop_claims in shops.items():
        _push_shop(uow, clients, setup, shop_id, shop_claims, now, rng, counts)
    return counts
