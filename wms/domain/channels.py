"""Marketplace channels in the WMS's words: shop and listing states, and available to sell.

Available to sell is what the FC can promise a buyer: units on hand, less those reserved for
orders, less those held back (in quarantine or receiving, in a bin out of use, of an expired
lot), less a safety buffer; never negative. When one SKU sells on several shops from one FC,
each listing's stock policy (a share of the stock, or a fixed buffer held back) says what it may
show, and the split never shows more in total than is available.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from wms.domain.errors import InvalidInput

MAX_BUFFER_UNITS = 1_000_000
STOCK_CHANGED = "stock.changed"
"""The outbox topic written once per SKU and FC by every transaction that changes its stock."""


class ShopStatus(enum.StrEnum):
    """Whether the WMS may call the marketplace for a shop."""

    CONNECTED = "connected"
    NEEDS_REAUTHORISATION = "needs_reauthorisation"  # tokens refused: the merchant connects again
    DISCONNECTED = "disconnected"


class ListingStockStatus(enum.StrEnum):
    """Where a listing's stock push stands."""

    PENDING = "pending"  # a quantity waits to be pushed (or pushed again after a failure)
    SYNCED = "synced"  # the marketplace took the latest desired quantity
    PARKED = "parked"  # refused for good: waits for a person to fix the listing and retry


class StockErrorKind(enum.StrEnum):
    """Why a push failed: the kinds of `wms.channels.marketplace` failures."""

    THROTTLED = "throttled"
    TRANSIENT = "transient"
    PERMANENT = "permanent"
    AUTH = "auth"


class PolicyKind(enum.StrEnum):
    SHARE = "share"  # show this percentage of the available units
    BUFFER = "buffer"  # show all available units but this many


@dataclass(frozen=True)
class StockPolicy:
    """What one listing may show of the available units."""

    kind: PolicyKind
    value: int

    def __post_init__(self) -> None:
        if self.kind is PolicyKind.SHARE and not 0 <= self.value <= 100:
            raise InvalidInput("A share is a whole percentage from 0 to 100.", "share_percent")
        if self.kind is PolicyKind.BUFFER and not 0 <= self.value <= MAX_BUFFER_UNITS:
            raise InvalidInput(
                f"A buffer is a whole number of units from 0 to {MAX_BUFFER_UNITS}.",
                "buffer_units",
            )

    @classmethod
    def share(cls, percent: int) -> StockPolicy:
        return cls(PolicyKind.SHARE, percent)

    @classmethod
    def buffer(cls, units: int) -> StockPolicy:
        return cls(PolicyKind.BUFFER, units)

    @classmethod
    def of(cls, share_percent: int | None, buffer_units: int | None) -> StockPolicy:
        """The policy from its two optional fields: exactly one must be given."""
        if (share_percent is None) == (buffer_units is None):
            raise InvalidInput(
                "Give either share_percent or buffer_units (one of them).", "share_percent"
            )
        if share_percent is not None:
            return cls.share(share_percent)
        assert buffer_units is not None
        return cls.buffer(buffer_units)

    def claim(self, available: int) -> int:
        """What this listing would show if it sold alone."""
        if self.kind is PolicyKind.SHARE:
            return available * self.value // 100
        return max(available - self.value, 0)


@dataclass(frozen=True)
class SkuStock:
    """One SKU's stock in one FC, summed over its bins and lots.

    `held` counts the unreserved units that may not be sold: in quarantine or receiving zones,
    in bins that are blocked or out of use, or of lots past their expiry date."""

    on_hand: int = 0
    reserved: int = 0
    held: int = 0


def available_to_sell(stock: SkuStock, safety_buffer: int = 0) -> int:
    """On hand − reserved − held back − safety buffer, never negative."""
    if safety_buffer < 0:
        raise InvalidInput("A safety buffer cannot be negative.", "safety_buffer")
    return max(stock.on_hand - stock.reserved - stock.held - safety_buffer, 0)


def split_available(available: int, policies: Sequence[StockPolicy]) -> list[int]:
    """What each listing shows, in the order given.

    Each listing claims what its policy allows (`StockPolicy.claim`). If the claims fit in the
    available units, each listing shows its claim. Otherwise the available units are shared in
    proportion to the claims, in whole units by largest remainder (ties to the earlier listing):
    no listing shows more than its claim, and together they show exactly what is available."""
    if available < 0:
        raise InvalidInput("Available units cannot be negative.", "available")
    claims = [policy.claim(available) for policy in policies]
    total = sum(claims)
    if total <= available:
        return claims
    shares = [claim * available // total for claim in claims]
    remainders = [claim * available % total for claim in claims]
    left = available - sum(shares)
    order = sorted(range(len(claims)), key=lambda index: (-remainders[index], index))
    for index in order[:left]:
        shares[index] += 1
    return shares


def parse_policy(text: str) -> StockPolicy:
    """A policy as written in a CSV cell: `share:60` or `60%` (a share in percent), or
    `buffer:5` (units held back)."""
    cell = text.strip().lower().replace(" ", "")
    kind, _, number = cell.partition(":")
    if cell.endswith("%") and not number:
        kind, number = "share", cell[:-1]
    if kind not in ("share", "buffer") or not number.isascii() or not number.isdigit():
        raise InvalidInput("Write share:60, 60% or buffer:5.", "policy")
    try:
        return StockPolicy(PolicyKind(kind), int(number))
    except InvalidInput as error:
        raise InvalidInput(error.message, "policy") from error


MARKETPLACE_NAMES = {"shopee": "Shopee", "lazada": "Lazada", "tiktok": "TikTok Shop"}


def shop_display_name(marketplace: str, country: str) -> str:
    """How a shop is called when the merchant gives no name: "Shopee MY"."""
    return f"{MARKETPLACE_NAMES.get(marketplace, marketplace)} {country}"


@dataclass(frozen=True)
class ListingIds:
    """The marketplace's ids of a listing (`wms.channels.marketplace.ListingRef`'s fields)."""

    item_id: str
    model_id: str = ""
    seller_sku: str = ""
    warehouse_id: str = ""

    def check(self) -> None:
        """Ids are printable text without spaces at the ends; item_id is required."""
        for name, limit in (
            ("item_id", 64),
            ("model_id", 64),
            ("seller_sku", 200),
            ("warehouse_id", 64),
        ):
            value = getattr(self, name)
            if value != value.strip() or len(value) > limit or not value.isprintable():
                raise InvalidInput(
                    f"Printable text of at most {limit} characters, no spaces at the ends.", name
                )
        if not self.item_id:
            raise InvalidInput("The marketplace's item (product) id is required.", "item_id")
