"""What every marketplace connector offers, in the WMS's words: the shop it acts for, the
listings it pushes stock to, the orders it reads, and how a call can fail.

A connector (`shopee.ShopeeClient`, `lazada.LazadaClient`, `tiktok.TiktokClient`) signs each
request exactly as its API requires, sends it with `exchange` (only http(s) URLs; a server out of
reach is a TransientError) and turns the API's answers into these types. It holds no
state beyond the `ShopAccess` it is given; token refresh returns new tokens for the caller to
store.
"""

from __future__ import annotations

import enum
import http.client
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


class Marketplace(enum.StrEnum):
    SHOPEE = "shopee"
    LAZADA = "lazada"
    TIKTOK = "tiktok"


class OrderState(enum.StrEnum):
    """A marketplace order's status mapped to what the WMS does with it."""

    UNPAID = "unpaid"  # not to be fulfilled yet
    READY = "ready"  # paid, to be fulfilled by the FC
    SHIPPED = "shipped"  # handed to the carrier (by us or otherwise)
    DELIVERED = "delivered"
    CANCELLED = "cancelled"  # cancelled or returned before shipping: release the stock
    OTHER = "other"  # anything else (in dispute, returned after delivery): the raw status tells


@dataclass(frozen=True)
class AppCredentials:
    """The app (partner) registered with the marketplace: Shopee partner_id and partner_key,
    Lazada and TikTok app_key and app_secret."""

    key: str
    secret: str


@dataclass(frozen=True)
class ShopAccess:
    """Everything needed to call the API for one shop.

    `shop_id` is Shopee's shop_id, Lazada's seller_id, TikTok's shop id; `shop_cipher` is
    TikTok's shop_cipher (empty elsewhere). `base_url` is the API host (the sandbox's address
    in tests and in the demo; Lazada has one per country).
    """

    marketplace: Marketplace
    country: str  # ISO 3166-1 alpha-2: MY, ID, VN, TH, ...
    base_url: str
    app: AppCredentials
    shop_id: str
    access_token: str
    refresh_token: str
    access_expires_at: datetime
    refresh_expires_at: datetime | None = None
    shop_cipher: str = ""


@dataclass(frozen=True)
class TokenGrant:
    """New tokens after a refresh (store the refresh token: Shopee's are single-use)."""

    access_token: str
    refresh_token: str
    access_expires_at: datetime
    refresh_expires_at: datetime | None = None


@dataclass(frozen=True)
class ListingRef:
    """Where one WMS SKU lives on a marketplace shop: Shopee (item_id, model_id, location_id),
    Lazada (item_id, sku_id, seller_sku, warehouse_code), TikTok (product_id as item_id,
    sku_id as model_id, warehouse_id)."""

    item_id: str
    model_id: str = ""
    seller_sku: str = ""
    warehouse_id: str = ""


@dataclass(frozen=True)
class StockUpdate:
    """An absolute quantity to show for one listing."""

    listing: ListingRef
    quantity: int


@dataclass(frozen=True)
class StockOutcome:
    """What the marketplace said about one listing in a stock call."""

    listing: ListingRef
    accepted: bool
    permanent: bool = False  # a refusal that retrying will not change (unknown model, ...)
    reason: str = ""


@dataclass(frozen=True)
class ProductListing:
    """One sellable variant from the marketplace's product list (to map SKUs from)."""

    listing: ListingRef
    title: str
    quantity: int | None = None


@dataclass(frozen=True)
class OrderLine:
    listing: ListingRef
    quantity: int  # units (Lazada and TikTok send one line per unit: the connector sums them)


@dataclass(frozen=True)
class MarketplaceOrder:
    """An order as the marketplace reports it, mapped to the WMS's words."""

    order_id: str  # Shopee order_sn, Lazada order_id, TikTok order id
    raw_status: str
    state: OrderState
    lines: tuple[OrderLine, ...]
    created_at: datetime
    updated_at: datetime
    recipient_name: str = ""
    recipient_phone: str = ""
    address: str = ""
    city: str = ""
    postcode: str = ""
    country: str = ""
    ship_by: datetime | None = None
    cash_on_delivery: bool = False
    total_amount: str = ""  # decimal string, in `currency`
    currency: str = ""


@dataclass(frozen=True)
class OrderPage:
    """A page of an order list; `cursor` is None when there is no next page."""

    orders: tuple[MarketplaceOrder, ...]
    cursor: str | None = None


@dataclass(frozen=True)
class WebhookNotice:
    """A verified webhook, reduced to what the WMS acts on: which shop and which order changed
    (the order is then read by id: webhooks are hints)."""

    marketplace: Marketplace
    shop_id: str
    order_id: str | None
    kind: str  # the marketplace's own code or type, for the log
    raw: Mapping[str, object] = field(default_factory=dict)


class MarketplaceError(Exception):
    """A call failed as a whole. `retry_after` (seconds) when the API said when to retry."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Throttled(MarketplaceError):
    """The API refused the call for rate: back off (with jitter) and retry."""


class TransientError(MarketplaceError):
    """A failure that may pass: network, timeout, 5xx, the API's "try later" codes."""


class PermanentError(MarketplaceError):
    """A refusal retrying will not change (bad parameters, unknown item, shop not authorised):
    park it with the reason."""


class AuthExpired(MarketplaceError):
    """The access token is expired or invalid: refresh, then retry."""


class MarketplaceClient(Protocol):
    """One marketplace's API for one shop. Calls raise the errors above for whole-call
    failures; per-listing refusals come back as `StockOutcome`s."""

    marketplace: Marketplace

    def stock_batches(self, updates: Sequence[StockUpdate]) -> list[list[StockUpdate]]:
        """The updates grouped into calls the API accepts (Shopee: one item, at most 50
        models; Lazada: at most 50 SKUs; TikTok: one product)."""
        ...

    def push_stock(self, batch: Sequence[StockUpdate]) -> list[StockOutcome]:
        """Set absolute quantities in one call; an outcome per update, in the same order."""
        ...

    def read_stock(self, listings: Sequence[ListingRef]) -> dict[ListingRef, int]:
        """The quantities the marketplace shows now (for reconciliation)."""
        ...

    def refresh_token(self) -> TokenGrant:
        """New tokens for the shop, from its refresh token."""
        ...

    def products(self) -> list[ProductListing]:
        """Every variant of the shop's product list (paged through)."""
        ...

    def orders(
        self, updated_from: datetime, updated_to: datetime, cursor: str | None = None
    ) -> OrderPage:
        """Orders updated in the window, a page at a time, with their lines."""
        ...

    def order(self, order_id: str) -> MarketplaceOrder:
        """One order by id."""
        ...

    def ship(self, order_id: str, tracking_number: str, carrier: str) -> None:
        """Tell the marketplace the order is shipped, with its tracking number."""
        ...

    def waybill(self, order_id: str) -> bytes:
        """The marketplace's shipping label (waybill) as PDF bytes."""
        ...


class WebhookVerifier(Protocol):
    """Checks and reads one marketplace's webhooks."""

    def verify(self, url: str, headers: Mapping[str, str], body: bytes) -> WebhookNotice:
        """The notice if the signature is right; raises `BadSignature` otherwise."""
        ...


class BadSignature(Exception):
    """A webhook whose signature (or timestamp) does not check out: nothing is created."""


# --- one HTTP request, the way every connector makes it -----------------------------------


@dataclass(frozen=True)
class HttpAnswer:
    """What the server answered, 2xx or not."""

    status: int
    content_type: str
    retry_after: float | None
    body: bytes


def exchange(
    url: str,
    *,
    timeout: float,
    method: str = "GET",
    data: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    server: str = "the marketplace",
) -> HttpAnswer:
    """Send one request; PermanentError for a URL that is not http(s), TransientError naming
    `server` when it cannot be reached or the connection breaks."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise PermanentError(f"not an http(s) URL: {url}")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, data=data, method=method, headers=dict(headers or {})
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return _answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        with error:
            return _answer(error.code, error.headers, error.read())
    except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException) as error:
        raise TransientError(f"{server} unreachable: {error}") from error


def _answer(status: int, headers: Mapping[str, str] | None, body: bytes) -> HttpAnswer:
    headers = headers or {}
    retry_after: float | None
    try:
        retry_after = float(headers.get("Retry-After") or "") or None
    except ValueError:
        retry_after = None
    return HttpAnswer(status, headers.get("Content-Type", "") or "", retry_after, bytes(body))
