"""TikTok Shop Partner API (version 202309 and later) for one shop: stock, products, orders,
shipping and webhooks, in the WMS's words (`wms.channels.marketplace`).

Facts this module relies on (see /work/shared/reference/marketplace-contracts.md §4):

- Every Open API call carries `app_key`, `timestamp` (Unix seconds) and `sign` in the query,
  `shop_cipher` on shop-scoped paths, and the access token in the `x-tts-access-token` header.
  The signature is lowercase hex HMAC-SHA256 (key `app_secret`) over
  `app_secret + path + sorted key+value of the query (minus sign, access_token) + body +
  app_secret`, over the exact body bytes sent.
- The envelope is `{"code": 0, "message", "request_id", "data"}`; `code` 0 is success, whatever
  the HTTP status. Throttling is HTTP 429 / code 36009002.
- Stock is set per product (`/product/202309/products/{product_id}/inventory/update`), at most
  100 SKUs, absolute quantities per warehouse; per-SKU refusals come back in `data.errors[]`
  with `code: 0`.
- Orders carry one line item per unit; the connector sums them by SKU.
- Tokens are refreshed on a separate host (`auth.tiktok-shops.com`) with the app secret in the
  query and no signature.
- Shipping (Ship Package) and the label (Get Package Shipping Document) work on the order's
  package, found in the order detail (`packages[].id`). Orders shipped by TikTok's logistics
  (`shipping_type` TIKTOK) get their tracking number from the platform and a label to print;
  orders the seller ships (`shipping_type` SELLER) upload a tracking number and provider id.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from wms.channels.marketplace import (
    AppCredentials,
    AuthExpired,
    BadSignature,
    ListingRef,
    Marketplace,
    MarketplaceError,
    MarketplaceOrder,
    OrderLine,
    OrderPage,
    OrderState,
    PermanentError,
    ProductListing,
    ShopAccess,
    StockOutcome,
    StockUpdate,
    Throttled,
    TokenGrant,
    TransientError,
    WebhookNotice,
    exchange,
)

API_HOST = "https://open-api.tiktokglobalshop.com"
AUTH_HOST = "https://auth.tiktok-shops.com"

# Per-call limits the API documents.
MAX_SKUS_PER_INVENTORY_UPDATE = 100
MAX_PRODUCT_IDS_PER_INVENTORY_SEARCH = 100
MAX_ORDER_IDS_PER_DETAIL = 50
MAX_PAGE_SIZE = 100

# Paths (version included, as the API names them).
PATH_SHOPS = "/authorization/202309/shops"
PATH_INVENTORY_UPDATE = "/product/202309/products/{product_id}/inventory/update"
PATH_INVENTORY_SEARCH = "/product/202309/inventory/search"
PATH_PRODUCT_SEARCH = "/product/202502/products/search"
PATH_ORDER_SEARCH = "/order/202309/orders/search"
PATH_ORDER_DETAIL = "/order/202309/orders"
PATH_SHIP_PACKAGE = "/fulfillment/202309/packages/{package_id}/ship"
PATH_SHIPPING_DOCUMENT = "/fulfillment/202309/packages/{package_id}/shipping_documents"
PATH_TOKEN_REFRESH = "/api/v2/token/refresh"  # noqa: S105 (a path, not a secret)

# Response codes the connector tells apart.
CODE_OK = 0
CODE_TOO_MANY_REQUESTS = 36009002
CODE_INTERNAL_ERROR = 36009003
CODE_CREDENTIALS = 36009004  # missing/invalid sign, token, app_key, timestamp, params
CODE_REQUEST_TIMEOUT = 36009007
CODE_TOKEN_EXPIRED = 105002
CODE_INVALID_SIGN = 106001
TRANSIENT_CODES = frozenset({CODE_INTERNAL_ERROR, CODE_REQUEST_TIMEOUT})

ORDER_STATES: Mapping[str, OrderState] = {
    "UNPAID": OrderState.UNPAID,
    # Paid, but inside the buyer's one-hour remorse window: no address yet, do not fulfil.
    "ON_HOLD": OrderState.UNPAID,
    "AWAITING_SHIPMENT": OrderState.READY,
    # Some packages left, the rest still to ship.
    "PARTIALLY_SHIPPING": OrderState.READY,
    # Shipment arranged (label printed, tracking assigned): the FC's part is done.
    "AWAITING_COLLECTION": OrderState.SHIPPED,
    "IN_TRANSIT": OrderState.SHIPPED,
    "DELIVERED": OrderState.DELIVERED,
    "COMPLETED": OrderState.DELIVERED,
    "CANCELLED": OrderState.CANCELLED,
    # The webhook spells it CANCEL.
    "CANCEL": OrderState.CANCELLED,
}
"""TikTok order statuses (order API and webhook spellings) mapped to what the WMS does."""

_SHIPPED_STATES = frozenset({OrderState.SHIPPED, OrderState.DELIVERED})


# ---------------------------------------------------------------------------------------------
# Signing


def sign_base_string(
    app_secret: str, path: str, query: Mapping[str, str], body: bytes = b""
) -> bytes:
    """The bytes TikTok signs: secret, path, sorted query pairs (without `sign` and
    `access_token`), body, secret."""
    pairs = "".join(
        f"{key}{query[key]}" for key in sorted(query) if key not in ("sign", "access_token")
    )
    return (app_secret + path + pairs).encode() + body + app_secret.encode()


def sign(app_secret: str, path: str, query: Mapping[str, str], body: bytes = b"") -> str:
    """The request's `sign` parameter (lowercase hex HMAC-SHA256)."""
    base = sign_base_string(app_secret, path, query, body)
    return hmac.new(app_secret.encode(), base, hashlib.sha256).hexdigest()


def webhook_signature(app: AppCredentials, body: bytes) -> str:
    """The `Authorization` header TikTok puts on a webhook: hex HMAC-SHA256 of app key + body."""
    return hmac.new(app.secret.encode(), app.key.encode() + body, hashlib.sha256).hexdigest()


def _encode_body(payload: Mapping[str, Any]) -> bytes:
    """The JSON body as sent (compact, so the signed bytes are exactly these)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def _utc(seconds: float | int | str | None) -> datetime | None:
    if seconds in (None, "", 0, "0"):
        return None
    return datetime.fromtimestamp(int(seconds), UTC)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Client


@dataclass(frozen=True)
class AuthorizedShop:
    """A shop an access token covers (Get Authorized Shops)."""

    shop_id: str
    name: str
    region: str  # market, ISO 3166-1 alpha-2
    cipher: str


class TiktokClient:
    """TikTok Shop's Open API for one shop (`access.shop_cipher` selects it).

    `auth_url` is the token host; by default `auth.tiktok-shops.com` when `access.base_url` is
    the production API host, else `access.base_url` itself (the sandbox answers both).
    """

    marketplace = Marketplace.TIKTOK

    def __init__(
        self,
        access: ShopAccess,
        *,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
        auth_url: str | None = None,
    ) -> None:
        self.access = access
        self.timeout = timeout
        self.clock = clock
        self._base = access.base_url.rstrip("/")
        if auth_url is None:
            auth_url = AUTH_HOST if self._base == API_HOST else self._base
        self._auth_base = auth_url.rstrip("/")

    # -- stock ----------------------------------------------------------------------------

    def stock_batches(self, updates: Sequence[StockUpdate]) -> list[list[StockUpdate]]:
        """One product per call, at most 100 SKUs; a SKU's warehouses stay in one call (the
        API wants all of them together)."""
        by_product: dict[str, dict[str, list[StockUpdate]]] = {}
        for update in updates:
            skus = by_product.setdefault(update.listing.item_id, {})
            skus.setdefault(update.listing.model_id, []).append(update)
        batches: list[list[StockUpdate]] = []
        for skus in by_product.values():
            groups = list(skus.values())
            for start in range(0, len(groups), MAX_SKUS_PER_INVENTORY_UPDATE):
                chunk = groups[start : start + MAX_SKUS_PER_INVENTORY_UPDATE]
                batches.append([update for group in chunk for update in group])
        return batches

    def push_stock(self, batch: Sequence[StockUpdate]) -> list[StockOutcome]:
        """Set absolute quantities for one product's SKUs; per-SKU refusals become outcomes."""
        if not batch:
            return []
        product_ids = {update.listing.item_id for update in batch}
        if len(product_ids) != 1:
            raise ValueError("a TikTok stock call covers exactly one product")
        skus: dict[str, dict[str, int]] = {}
        for update in batch:
            skus.setdefault(update.listing.model_id, {})[update.listing.warehouse_id] = (
                update.quantity
            )
        if len(skus) > MAX_SKUS_PER_INVENTORY_UPDATE:
            raise ValueError(f"at most {MAX_SKUS_PER_INVENTORY_UPDATE} SKUs per stock call")
        body = {
            "skus": [
                {
                    "id": sku_id,
                    "inventory": [
                        {"warehouse_id": warehouse, "quantity": quantity}
                        if warehouse
                        else {"quantity": quantity}
                        for warehouse, quantity in warehouses.items()
                    ],
                }
                for sku_id, warehouses in skus.items()
            ]
        }
        (product_id,) = product_ids
        data = self._call("POST", PATH_INVENTORY_UPDATE.format(product_id=product_id), body=body)
        refused = _refusals(data.get("errors") or [])
        outcomes = []
        for update in batch:
            problem = refused.get(update.listing.model_id)
            if problem is None:
                outcomes.append(StockOutcome(update.listing, accepted=True))
                continue
            by_warehouse, summary, permanent = problem
            reason = by_warehouse.get(update.listing.warehouse_id) or summary
            outcomes.append(
                StockOutcome(update.listing, accepted=False, permanent=permanent, reason=reason)
            )
        return outcomes

    def read_stock(self, listings: Sequence[ListingRef]) -> dict[ListingRef, int]:
        """Available quantities per listing (a listing without a warehouse sums its SKU's
        warehouses); listings the shop does not have are left out."""
        product_ids = list(dict.fromkeys(listing.item_id for listing in listings))
        found: dict[tuple[str, str], dict[str, int]] = {}
        for start in range(0, len(product_ids), MAX_PRODUCT_IDS_PER_INVENTORY_SEARCH):
            chunk = product_ids[start : start + MAX_PRODUCT_IDS_PER_INVENTORY_SEARCH]
            data = self._call("POST", PATH_INVENTORY_SEARCH, body={"product_ids": chunk})
            for product in data.get("inventory") or []:
                for sku in product.get("skus") or []:
                    found[(str(product["product_id"]), str(sku["id"]))] = {
                        str(row["warehouse_id"]): int(row.get("available_quantity", 0))
                        for row in sku.get("warehouse_inventory") or []
                    }
        quantities: dict[ListingRef, int] = {}
        for listing in listings:
            warehouses = found.get((listing.item_id, listing.model_id))
            if warehouses is None:
                continue
            if not listing.warehouse_id:
                quantities[listing] = sum(warehouses.values())
            elif listing.warehouse_id in warehouses:
                quantities[listing] = warehouses[listing.warehouse_id]
        return quantities

    # -- tokens ---------------------------------------------------------------------------

    def refresh_token(self) -> TokenGrant:
        """A new access token from the shop's refresh token (TikTok's refresh token lasts as
        long as the seller's authorisation; store whatever comes back)."""
        query = {
            "app_key": self.access.app.key,
            "app_secret": self.access.app.secret,
            "refresh_token": self.access.refresh_token,
            "grant_type": "refresh_token",
        }
        url = f"{self._auth_base}{PATH_TOKEN_REFRESH}?{urllib.parse.urlencode(query)}"
        try:
            payload = self._envelope(url)
        except AuthExpired as error:
            # The refresh token itself is refused: only the seller re-authorising helps.
            raise PermanentError(str(error)) from error
        data = payload.get("data") or {}
        access_expires = _utc(data.get("access_token_expire_in"))
        if not data.get("access_token") or access_expires is None:
            raise PermanentError("token refresh answered without an access token")
        return TokenGrant(
            access_token=str(data["access_token"]),
            refresh_token=str(data.get("refresh_token") or self.access.refresh_token),
            access_expires_at=access_expires,
            refresh_expires_at=_utc(data.get("refresh_token_expire_in")),
        )

    def authorized_shops(self) -> list[AuthorizedShop]:
        """The shops the access token covers, with the cipher each needs (TikTok-only: what
        connecting a shop stores as `ShopAccess.shop_id` and `shop_cipher`)."""
        data = self._call("GET", PATH_SHOPS, shop_scoped=False)
        return [
            AuthorizedShop(
                shop_id=str(shop.get("id") or ""),
                name=str(shop.get("name") or ""),
                region=str(shop.get("region") or ""),
                cipher=str(shop.get("cipher") or ""),
            )
            for shop in data.get("shops") or []
        ]

    # -- products and orders --------------------------------------------------------------

    def products(self) -> list[ProductListing]:
        """Every SKU and warehouse of the shop's products, paged through."""
        listings: list[ProductListing] = []
        page_token = ""
        while True:
            query = {"page_size": str(MAX_PAGE_SIZE)}
            if page_token:
                query["page_token"] = page_token
            data = self._call("POST", PATH_PRODUCT_SEARCH, query=query, body={})
            for product in data.get("products") or []:
                listings.extend(_product_listings(product))
            page_token = str(data.get("next_page_token") or "")
            if not page_token:
                return listings

    def orders(
        self, updated_from: datetime, updated_to: datetime, cursor: str | None = None
    ) -> OrderPage:
        """Orders updated in [updated_from, updated_to), oldest change first, a page at a time."""
        query = {
            "page_size": str(MAX_PAGE_SIZE),
            "sort_field": "update_time",
            "sort_order": "ASC",
        }
        if cursor:
            query["page_token"] = cursor
        body = {
            "update_time_ge": int(updated_from.timestamp()),
            "update_time_lt": int(updated_to.timestamp()),
        }
        data = self._call("POST", PATH_ORDER_SEARCH, query=query, body=body)
        orders = tuple(_order(raw) for raw in data.get("orders") or [])
        return OrderPage(orders=orders, cursor=str(data.get("next_page_token") or "") or None)

    def order(self, order_id: str) -> MarketplaceOrder:
        """One order by id (PermanentError if the shop has no such order)."""
        return _order(self._order_detail(order_id))

    # -- shipping -------------------------------------------------------------------------

    def ship(self, order_id: str, tracking_number: str, carrier: str) -> None:
        """Ship the order's packages.

        Seller-shipped orders upload `tracking_number` with `carrier` as TikTok's
        `shipping_provider_id`. Orders shipped by TikTok's logistics get their tracking number
        from the platform: the call arranges the hand-over (pick-up) and the arguments are
        not sent. Already shipped with this tracking number (a retry): nothing to do.
        """
        self._ship(self._order_detail(order_id), tracking_number, carrier)

    def _ship(self, raw: Mapping[str, Any], tracking_number: str, carrier: str) -> None:
        """Ship Package for each of the order's packages (see `ship`)."""
        if raw.get("shipping_type") == "SELLER":
            if raw.get("tracking_number") == tracking_number:
                return
            body: dict[str, Any] = {
                "self_shipment": {
                    "tracking_number": tracking_number,
                    "shipping_provider_id": carrier,
                }
            }
        else:
            if ORDER_STATES.get(str(raw.get("status"))) in _SHIPPED_STATES:
                return
            body = {"handover_method": "PICKUP"}
        for package_id in _package_ids(raw):
            self._call("POST", PATH_SHIP_PACKAGE.format(package_id=package_id), body=body)

    def waybill(self, order_id: str) -> bytes:
        """The shipping label of the order's (first) package as PDF bytes.

        TikTok only issues labels for orders its logistics carry, and only once the shipment
        is arranged: an order still awaiting shipment is arranged (pick-up) first.
        """
        raw = self._order_detail(order_id)
        state = ORDER_STATES.get(str(raw.get("status")))
        if raw.get("shipping_type") != "SELLER" and state is OrderState.READY:
            self._ship(raw, "", "")
        package_id = _package_ids(raw)[0]
        data = self._call(
            "GET",
            PATH_SHIPPING_DOCUMENT.format(package_id=package_id),
            query={"document_type": "SHIPPING_LABEL", "document_size": "A6"},
        )
        doc_url = str(data.get("doc_url") or "")
        if not doc_url:
            raise PermanentError("no shipping document URL for the package")
        download = exchange(
            doc_url, timeout=self.timeout, server="TikTok Shop's shipping document"
        )
        if download.status >= 400:
            raise TransientError(f"shipping document download: HTTP {download.status}")
        document = download.body
        if not document.startswith(b"%PDF"):
            raise PermanentError("the shipping document is not a PDF")
        return document

    # -- plumbing -------------------------------------------------------------------------

    def _order_detail(self, order_id: str) -> dict[str, Any]:
        data = self._call("GET", PATH_ORDER_DETAIL, query={"ids": order_id})
        for raw in data.get("orders") or []:
            if str(raw.get("id")) == order_id:
                return dict(raw)
        raise PermanentError(f"order {order_id} not found in shop {self.access.shop_id}")

    def _call(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
        shop_scoped: bool = True,
    ) -> dict[str, Any]:
        """One signed Open API call; the `data` of a successful answer."""
        params = {"app_key": self.access.app.key, "timestamp": str(int(self.clock()))}
        if shop_scoped:
            params["shop_cipher"] = self.access.shop_cipher
        params.update(query or {})
        raw_body = _encode_body(body) if body is not None else b""
        params["sign"] = sign(self.access.app.secret, path, params, raw_body)
        payload = self._envelope(
            f"{self._base}{path}?{urllib.parse.urlencode(params)}",
            method=method,
            data=raw_body if body is not None else None,
            headers={
                "content-type": "application/json",
                "x-tts-access-token": self.access.access_token,
            },
        )
        return dict(payload.get("data") or {})

    def _envelope(
        self,
        url: str,
        *,
        method: str = "GET",
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """The answer's envelope, or the error its status and code stand for."""
        answer = exchange(
            url,
            timeout=self.timeout,
            method=method,
            data=data,
            headers=headers,
            server="TikTok Shop",
        )
        try:
            payload = json.loads(answer.body) if answer.body else {}
        except ValueError:
            payload = {}
        if not isinstance(payload, dict):
            payload = {}
        code = payload.get("code")
        message = str(payload.get("message") or "")
        if answer.status < 400 and code == CODE_OK:
            return payload
        raise _error(answer.status, code, message, answer.retry_after)


def _error(status: int, code: object, message: str, retry_after: float | None) -> MarketplaceError:
    """The WMS error a failed call stands for."""
    text = f"TikTok Shop error {code} (HTTP {status}): {message}".strip()
    if status == 429 or code == CODE_TOO_MANY_REQUESTS:
        return Throttled(text, retry_after=retry_after)
    if status >= 500 or code in TRANSIENT_CODES:
        return TransientError(text, retry_after=retry_after)
    lowered = message.lower()
    if code == CODE_TOKEN_EXPIRED or (
        code == CODE_CREDENTIALS and ("access_token" in lowered or "access-token" in lowered)
    ):
        return AuthExpired(text)
    if code is None and status < 400:
        return TransientError(f"TikTok Shop answered without a code (HTTP {status})")
    return PermanentError(text)


def _refusals(errors: Sequence[Mapping[str, Any]]) -> dict[str, tuple[dict[str, str], str, bool]]:
    """Per SKU: the reason per warehouse, the summary reason, and whether it is permanent."""
    refused: dict[str, tuple[dict[str, str], str, bool]] = {}
    for error in errors:
        detail = error.get("detail") or {}
        sku_id = str(detail.get("sku_id") or "")
        summary = f"{error.get('code')}: {error.get('message', '')}"
        by_warehouse: dict[str, str] = {}
        codes = {error.get("code")}
        for extra in detail.get("extra_errors") or []:
            codes.add(extra.get("code"))
            reason = f"{extra.get('code')}: {extra.get('message', '')}"
            by_warehouse[str(extra.get("warehouse_id") or "")] = reason
        if len(by_warehouse) == 1:
            summary = next(iter(by_warehouse.values()))
        permanent = not (codes & TRANSIENT_CODES)
        refused[sku_id] = (by_warehouse, summary, permanent)
    return refused


def _product_listings(product: Mapping[str, Any]) -> list[ProductListing]:
    title = str(product.get("title") or "")
    listings = []
    for sku in product.get("skus") or []:
        variant = ", ".join(
            str(attribute.get("value_name") or "")
            for attribute in sku.get("sales_attributes") or []
        )
        sku_title = f"{title} ({variant})" if variant else title
        inventory = sku.get("inventory") or [{}]
        for row in inventory:
            quantity = row.get("quantity")
            listings.append(
                ProductListing(
                    listing=ListingRef(
                        item_id=str(product["id"]),
                        model_id=str(sku["id"]),
                        seller_sku=str(sku.get("seller_sku") or ""),
                        warehouse_id=str(row.get("warehouse_id") or ""),
                    ),
                    title=sku_title,
                    quantity=int(quantity) if quantity is not None else None,
                )
            )
    return listings


def _package_ids(raw: Mapping[str, Any]) -> list[str]:
    ids = [str(package["id"]) for package in raw.get("packages") or [] if package.get("id")]
    if not ids:
        ids = list(
            dict.fromkeys(
                str(item["package_id"])
                for item in raw.get("line_items") or []
                if item.get("package_id")
            )
        )
    if not ids:
        raise PermanentError(f"order {raw.get('id')} has no package to ship")
    return ids


def _city(address: Mapping[str, Any]) -> str:
    """The city of a recipient address: its level-2 division (L0 country, L1 state or
    province, L2 city or regency)."""
    for level in address.get("district_info") or []:
        if str(level.get("address_level") or "").upper() == "L2":
            return str(level.get("address_name") or "")
    return ""


def _order(raw: Mapping[str, Any]) -> MarketplaceOrder:
    """An order of the API mapped to the WMS's words, its per-unit line items summed by SKU."""
    quantities: dict[ListingRef, int] = {}
    warehouse_id = str(raw.get("warehouse_id") or "")
    for item in raw.get("line_items") or []:
        listing = ListingRef(
            item_id=str(item.get("product_id") or ""),
            model_id=str(item.get("sku_id") or ""),
            seller_sku=str(item.get("seller_sku") or ""),
            warehouse_id=warehouse_id,
        )
        quantities[listing] = quantities.get(listing, 0) + 1
    status = str(raw.get("status") or "")
    address = raw.get("recipient_address") or {}
    payment = raw.get("payment") or {}
    created = _utc(raw.get("create_time")) or datetime.fromtimestamp(0, UTC)
    return MarketplaceOrder(
        order_id=str(raw["id"]),
        raw_status=status,
        state=ORDER_STATES.get(status, OrderState.OTHER),
        lines=tuple(OrderLine(listing, quantity) for listing, quantity in quantities.items()),
        created_at=created,
        updated_at=_utc(raw.get("update_time")) or created,
        recipient_name=str(address.get("name") or ""),
        recipient_phone=str(address.get("phone_number") or ""),
        address=str(address.get("full_address") or ""),
        city=_city(address),
        postcode=str(address.get("postal_code") or ""),
        country=str(address.get("region_code") or ""),
        ship_by=_utc(raw.get("rts_sla_time")),
        cash_on_delivery=bool(raw.get("is_cod")),
        total_amount=str(payment.get("total_amount") or ""),
        currency=str(payment.get("currency") or ""),
    )


# ---------------------------------------------------------------------------------------------
# Webhooks


WEBHOOK_ORDER_TYPES = frozenset({1, 11})  # order status change, cancellation status change


class TiktokWebhookVerifier:
    """Checks TikTok Shop webhooks (`Authorization` = hex HMAC-SHA256 of app key + raw body,
    key app secret) and reads which shop and order they are about.

    `max_age` (seconds, on `clock`) refuses notifications whose `timestamp` is older; None
    accepts any age (TikTok redelivers for up to 12 hours: deduplicate on
    `tts_notification_id` instead).
    """

    def __init__(
        self,
        app: AppCredentials,
        *,
        max_age: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app = app
        self.max_age = max_age
        self.clock = clock

    def verify(self, url: str, headers: Mapping[str, str], body: bytes) -> WebhookNotice:
        """The notice if the signature is right; `BadSignature` otherwise."""
        given = next(
            (value for name, value in headers.items() if name.lower() == "authorization"), ""
        )
        expected = webhook_signature(self.app, body)
        if not given or not hmac.compare_digest(given.strip().lower(), expected):
            raise BadSignature("TikTok webhook signature does not match")
        try:
            payload = json.loads(body)
        except ValueError as error:
            raise BadSignature("TikTok webhook body is not JSON") from error
        if not isinstance(payload, dict):
            raise BadSignature("TikTok webhook body is not an object")
        if self.max_age is not None:
            sent = payload.get("timestamp")
            if not isinstance(sent, int) or self.clock() - sent > self.max_age:
                raise BadSignature("TikTok webhook is too old")
        data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
        kind = payload.get("type")
        order_id = data.get("order_id") if kind in WEBHOOK_ORDER_TYPES else None
        return WebhookNotice(
            marketplace=Marketplace.TIKTOK,
            shop_id=str(payload.get("shop_id") or ""),
            order_id=str(order_id) if order_id else None,
            kind=str(kind),
            raw=payload,
        )
