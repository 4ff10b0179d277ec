"""A local Lazada Open Platform: the same paths, parameters, JSON shapes and error codes as the
real gateway, with its shops, products, orders and packages in memory.

What it checks, as the real API does (marketplace-contracts.md §3 and Lazada's fulfilment API
pages): the signature over the union of query and form parameters (recomputed here, not taken
from the client), the timestamp within 7200 s of its clock, the app key, the access token and its
expiry, refresh tokens and their expiry, single-use authorisation codes valid 30 minutes, at most
50 SKUs per stock call, at most 50 orders per items call, GetOrders' limit (≤100) and offset
(≤5000), at most 20 orders or packages per fulfilment call, a per-shop rate limit
(`ApiCallLimit`, a one-second ban) and the inventory APIs' 50 calls/s per seller (`901`),
per-SKU refusals (`501` with `detail`): SKUs of another shop, refused listings, quantities below
the campaign-locked stock, the multi-warehouse form from a single-warehouse seller.

Error codes the sources do not name are marked "assumed" where they are produced. Every answer,
errors included, is HTTP 200 with Lazada's JSON envelope, as the gateway does.

Push messages (type 0, one per order item) go to `webhook_url`, signed with
HMAC-SHA256(app_secret, app_key + body) in `Authorization`; a delivery that fails is kept and
sent again by `redeliver_webhooks()` once `webhook_retry_interval` has passed on the clock (up to
12 times, as Lazada does every 30 minutes).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import random
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections import Counter, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from flask import Flask, Response, request
from reportlab.graphics.barcode import code128
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from wms.channels.marketplace import AppCredentials, ListingRef, Marketplace, ShopAccess

ACCESS_LIFETIME = 30 * 86400  # an Online app's access token: 30 days
REFRESH_LIFETIME = 180 * 86400  # and its refresh token: 180 days
CODE_LIFETIME = 30 * 60
TIMESTAMP_WINDOW = 7200
MAX_STOCK_SKUS = 50
MAX_ITEMS_ORDERS = 50
MAX_ORDERS_LIMIT = 100
MAX_ORDERS_OFFSET = 5000
MAX_PRODUCTS_LIMIT = 50
MAX_SELLER_SKUS = 100
MAX_FULFIL_BATCH = 20
DEFAULT_WAREHOUSE = "dropshipping"
WEBHOOK_ATTEMPTS = 13  # the first delivery and 12 retries
AUTH_PATHS = frozenset({"/auth/token/create", "/auth/token/refresh"})
INVENTORY_PATHS = frozenset(
    {
        "/product/stock/sellable/update",
        "/product/stock/sellable/adjust",
        "/product/price_quantity/update",
    }
)
ORDER_STATUSES = frozenset(
    {
        "unpaid", "pending", "packed", "canceled", "ready_to_ship", "delivered", "returned",
        "shipped", "failed", "topack", "toship", "lost", "lost_by_3pl", "damaged_by_3pl",
        "failed_delivery", "shipped_back", "shipped_back_success", "shipped_back_failed",
        "package_scrapped",
    }
)  # fmt: skip
_UTC_OFFSETS = {"MY": 8, "SG": 8, "PH": 8, "TH": 7, "VN": 7, "ID": 7}
_CURRENCIES = {"MY": "MYR", "SG": "SGD", "PH": "PHP", "TH": "THB", "VN": "VND", "ID": "IDR"}
_UNIT_PRICE = Decimal("19.90")


class _Refusal(Exception):
    """A whole-call error answer."""

    def __init__(self, code: str, message: str, kind: str = "ISV") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.kind = kind


class _FulfilRefusal(Exception):
    """A fulfilment API's error: `code` "0" outside, `result.success` false inside."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class _Bucket:
    rate: float
    tokens: float
    at: float

    def take(self, now: float) -> bool:
        capacity = max(1.0, self.rate)
        self.tokens = min(capacity, self.tokens + max(0.0, now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


@dataclass
class _Listing:
    item_id: str
    sku_id: str
    seller_sku: str
    warehouse: str
    title: str
    sellable: int
    campaign_locked: int


@dataclass
class _Shop:
    shop_id: str
    country: str
    listings: dict[tuple[str, str, str], _Listing] = field(default_factory=dict)
    warehouses: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    refused: dict[tuple[str, str, str], str] = field(default_factory=dict)
    buckets: dict[str, _Bucket] = field(default_factory=dict)
    banned_until: float = 0.0
    multi_warehouse: bool = False


@dataclass
class _Token:
    shop_id: str
    expires_at: float


@dataclass
class _Item:
    order_item_id: int
    listing: _Listing
    status: str
    created_at: float
    updated_at: float
    package_id: str = ""


@dataclass
class _Order:
    order_id: int
    shop_id: str
    country: str
    created_at: float
    updated_at: float
    items: list[_Item]
    cash_on_delivery: bool


@dataclass
class _Package:
    package_id: str
    shop_id: str
    order_id: int
    item_ids: list[int]
    tracking_number: str
    provider: str
    ready_to_ship: bool = False


@dataclass
class _Awb:
    expires_at: float
    labels: list[dict[str, str]]


@dataclass
class _Push:
    body: bytes
    attempts: int = 0
    next_at: float = 0.0


def _key(listing: ListingRef) -> tuple[str, str, str]:
    return (listing.item_id, listing.model_id, listing.warehouse_id or DEFAULT_WAREHOUSE)


class LazadaSandbox:
    """An in-memory Lazada Open Platform for one app, served over HTTP by `wsgi_app()`."""

    def __init__(
        self,
        app_credentials: AppCredentials,
        *,
        clock: Callable[[], float] = time.time,
        rate_limit: float | None = None,
        inventory_rate_limit: float | None = 50.0,
        webhook_url: str | None = None,
        webhook_timeout: float = 2.0,
        webhook_retry_interval: float = 1800.0,
        webhook_duplicate_rate: float = 0.0,
        seed: int = 0,
    ) -> None:
        self.app_credentials = app_credentials
        self.clock = clock
        self.calls: Counter[str] = Counter()
        self.rate_limit = rate_limit
        self.inventory_rate_limit = inventory_rate_limit
        self.webhook_url = webhook_url
        self.webhook_timeout = webhook_timeout
        self.webhook_retry_interval = webhook_retry_interval
        self.webhook_duplicate_rate = webhook_duplicate_rate
        self.delivered: list[bytes] = []
        """Push message bodies the receiver answered 200 to, in order."""
        self._lock = threading.Lock()
        self._random = random.Random(seed)  # noqa: S311 - chooses duplicates, not secrets
        self._shops: dict[str, _Shop] = {}
        self._access: dict[str, _Token] = {}
        self._refresh: dict[str, _Token] = {}
        self._codes: dict[str, _Token] = {}
        self._orders: dict[int, _Order] = {}
        self._packages: dict[str, _Package] = {}
        self._awbs: dict[str, _Awb] = {}
        self._shipped: dict[int, tuple[str, str]] = {}
        self._failures: deque[str] = deque()
        self._outbox: list[_Push] = []
        self._retrying: list[_Push] = []
        self._serial = 0
        self._app: Flask | None = None

    # --- what drivers ask (SandboxState) -----------------------------------------------------

    def wsgi_app(self) -> Flask:
        """The HTTP API: `/rest/<api path>` and the AWB downloads its `pdf_url`s point to."""
        if self._app is None:
            self._app = self._build_app()
        return self._app

    def add_shop(self, shop_id: str, country: str, base_url: str) -> ShopAccess:
        """A seller authorised for the app in `country`, with fresh tokens; `base_url` is where
        this sandbox is served (its gateway is `<base_url>/rest`)."""
        gateway = base_url.rstrip("/")
        if not gateway.endswith("/rest"):
            gateway += "/rest"
        with self._lock:
            now = self.clock()
            self._shops.setdefault(shop_id, _Shop(shop_id=shop_id, country=country.upper()))
            access, refresh = self._issue_tokens(shop_id, now)
        return ShopAccess(
            marketplace=Marketplace.LAZADA,
            country=country.upper(),
            base_url=gateway,
            app=self.app_credentials,
            shop_id=shop_id,
            access_token=access,
            refresh_token=refresh,
            access_expires_at=datetime.fromtimestamp(now + ACCESS_LIFETIME, UTC),
            refresh_expires_at=datetime.fromtimestamp(now + REFRESH_LIFETIME, UTC),
        )

    def add_listing(
        self, shop_id: str, listing: ListingRef, title: str, quantity: int = 0, reserved: int = 0
    ) -> None:
        """A SKU (in one warehouse) of the seller's products; `reserved` is locked by a
        campaign, and a stock update may not go below it."""
        with self._lock:
            shop = self._shops[shop_id]
            key = _key(listing)
            shop.warehouses.setdefault(key[:2], set()).add(key[2])
            shop.multi_warehouse = shop.multi_warehouse or key[2] != DEFAULT_WAREHOUSE
            shop.listings[key] = _Listing(
                item_id=listing.item_id,
                sku_id=listing.model_id,
                seller_sku=listing.seller_sku,
                warehouse=key[2],
                title=title,
                sellable=quantity,
                campaign_locked=reserved,
            )

    def quantity(self, shop_id: str, listing: ListingRef) -> int:
        """The sellable quantity buyers see now."""
        with self._lock:
            return self._shops[shop_id].listings[_key(listing)].sellable

    def place_order(
        self, shop_id: str, lines: Sequence[tuple[ListingRef, int]], *, paid: bool = True
    ) -> str:
        """A buyer's order, one order item per unit (status pending, or unpaid); sellable stock
        goes down by the units ordered."""
        with self._lock:
            now = self.clock()
            shop = self._shops[shop_id]
            order_id = self._next_id(700_000_000_000_000)
            items = []
            for listing_ref, units in lines:
                listing = shop.listings[_key(listing_ref)]
                listing.sellable = max(0, listing.sellable - units)
                for _ in range(units):
                    items.append(
                        _Item(
                            order_item_id=self._next_id(700_000_000_000_000),
                            listing=listing,
                            status="pending" if paid else "unpaid",
                            created_at=now,
                            updated_at=now,
                        )
                    )
            order = _Order(
                order_id=order_id,
                shop_id=shop_id,
                country=shop.country,
                created_at=now,
                updated_at=now,
                items=items,
                cash_on_delivery=False,
            )
            self._orders[order_id] = order
            self._queue_pushes(order, items, now)
        self._flush()
        return str(order_id)

    def set_order_status(self, order_id: str, raw_status: str) -> None:
        """Every item of the order moves to `raw_status` (a push per item); cancelling gives
        the units back to sellable stock."""
        if raw_status not in ORDER_STATUSES:
            raise ValueError(f"not a Lazada order status: {raw_status}")
        with self._lock:
            now = self.clock()
            order = self._orders[int(order_id)]
            for item in order.items:
                if raw_status == "canceled" and item.status in ("unpaid", "pending", "packed"):
                    item.listing.sellable += 1
                item.status = raw_status
                item.updated_at = now
            order.updated_at = now
            self._queue_pushes(order, order.items, now)
        self._flush()

    def shipped(self, order_id: str) -> tuple[str, str] | None:
        """(tracking number, shipment provider) of the order's package once it was set ready
        to ship."""
        with self._lock:
            return self._shipped.get(int(order_id))

    def fail_next(self, kind: str, count: int = 1) -> None:
        """The next `count` API calls (token calls excepted) fail as a whole: "throttle"
        (`ApiCallLimit`), "transient" (ISP error `6`) or "auth" (`IllegalAccessToken`)."""
        if kind not in ("throttle", "transient", "auth"):
            raise ValueError(f"unknown failure kind: {kind}")
        with self._lock:
            self._failures.extend([kind] * count)

    def refuse_listing(self, shop_id: str, listing: ListingRef, reason: str) -> None:
        """Stock updates of this listing are refused in the 501 `detail`."""
        with self._lock:
            self._shops[shop_id].refused[_key(listing)] = reason

    def expire_access_token(self, shop_id: str) -> None:
        """The shop's access tokens stop working now."""
        with self._lock:
            now = self.clock()
            for token in self._access.values():
                if token.shop_id == shop_id:
                    token.expires_at = min(token.expires_at, now - 1)

    # --- more for tests and the demo ---------------------------------------------------------

    def authorization_code(self, shop_id: str) -> str:
        """The `code` the seller's authorisation would send to the app's callback."""
        with self._lock:
            code = f"0_{self.app_credentials.key}_{self._next_id(1)}"
            self._codes[code] = _Token(shop_id=shop_id, expires_at=self.clock() + CODE_LIFETIME)
            return code

    def order_status(self, order_id: str) -> list[str]:
        """The statuses of the order's items."""
        with self._lock:
            return [item.status for item in self._orders[int(order_id)].items]

    def redeliver_webhooks(self) -> int:
        """Send again the push messages whose retry time has come; how many were sent."""
        with self._lock:
            now = self.clock()
            due = [p for p in self._retrying if p.next_at <= now]
            self._retrying = [p for p in self._retrying if p.next_at > now]
            self._outbox.extend(due)
        self._flush()
        return len(due)

    @property
    def webhooks_waiting(self) -> int:
        """Push messages kept for another attempt."""
        with self._lock:
            return len(self._retrying)

    # --- HTTP --------------------------------------------------------------------------------

    def _build_app(self) -> Flask:
        app = Flask(f"lazada-sandbox-{id(self)}")

        @app.route("/rest/<path:api>", methods=["GET", "POST"])
        def api(api: str) -> Response:
            params = {k: v for k, v in request.args.items()}
            params.update({k: v for k, v in request.form.items()})
            if request.is_json:
                body = request.get_json(silent=True)
                if isinstance(body, dict):
                    params.update(
                        {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
                    )
            answer = self._answer("/" + api, params, request.host_url)
            self._flush()
            return Response(json.dumps(answer), status=200, mimetype="application/json")

        @app.route("/awb/<token>.pdf", methods=["GET"])
        def awb(token: str) -> Response:
            with self._lock:
                found = self._awbs.get(token)
                expired = found is not None and self.clock() > found.expires_at
            if found is None:
                return Response("NoSuchKey", status=404, mimetype="text/plain")
            if expired:
                return Response("AccessDenied: Request has expired", 403, mimetype="text/plain")
            return Response(_awb_pdf(found.labels), status=200, mimetype="application/pdf")

        return app

    def _answer(self, path: str, params: dict[str, str], host_url: str) -> dict[str, Any]:
        with self._lock:
            self.calls[path] += 1
            now = self.clock()
            request_id = f"0b{self._next_id(1):018x}"
            try:
                answer = self._dispatch(path, params, now, host_url)
            except _Refusal as refusal:
                return {
                    "type": refusal.kind,
                    "code": refusal.code,
                    "message": refusal.message,
                    "request_id": request_id,
                }
            except _FulfilRefusal as refusal:
                answer = {
                    "result": {
                        "success": False,
                        "error_code": refusal.code,
                        "error_msg": refusal.message,
                    },
                    "code": "0",
                }
            answer.setdefault("code", "0")
            answer["request_id"] = request_id
            return answer

    def _dispatch(
        self, path: str, params: dict[str, str], now: float, host_url: str
    ) -> dict[str, Any]:
        handler = self._handlers().get(path)
        if handler is None:
            raise _Refusal("InvalidApiPath", f"The specified API path {path} is invalid")  # assumed
        self._check_gateway(path, params, now)
        if path in AUTH_PATHS:
            return handler(None, params, now, host_url)
        if self._failures:
            kind = self._failures.popleft()
            if kind == "throttle":
                raise _Refusal("ApiCallLimit", _BAN_MESSAGE)
            if kind == "transient":
                raise _Refusal("6", "E006: Internal error, please try again later", "ISP")
            raise _Refusal("IllegalAccessToken", "The specified access token is invalid or expired")
        shop = self._shop_for_token(params, now)
        self._check_rate(shop, path, now)
        return handler(shop, params, now, host_url)

    def _handlers(self) -> dict[str, Callable[[Any, dict[str, str], float, str], dict[str, Any]]]:
        return {
            "/auth/token/create": self._token_create,
            "/auth/token/refresh": self._token_refresh,
            "/products/get": self._products_get,
            "/product/stock/sellable/update": self._stock_update,
            "/orders/get": self._orders_get,
            "/order/get": self._order_get,
            "/order/items/get": self._order_items_get,
            "/orders/items/get": self._orders_items_get,
            "/order/fulfill/pack": self._pack,
            "/order/package/rts": self._ready_to_ship,
            "/order/package/document/get": self._print_awb,
        }

    # --- gateway checks ----------------------------------------------------------------------

    def _check_gateway(self, path: str, params: Mapping[str, str], now: float) -> None:
        for name in ("app_key", "timestamp", "sign_method", "sign"):
            if not params.get(name):
                raise _Refusal("MissingParameter", f"The input parameter {name} that is mandatory")
        if params["app_key"] != self.app_credentials.key:
            raise _Refusal("InvalidAppKey", "The specified app key is invalid")  # assumed
        if params["sign_method"] != "sha256":
            raise _Refusal("InvalidSignMethod", "Unsupported sign_method")  # assumed
        sent = _timestamp_seconds(params["timestamp"])
        if sent is None or abs(now - sent) > TIMESTAMP_WINDOW:
            raise _Refusal(  # assumed code
                "InvalidTimestamp", "Timestamp is more than 7200 seconds away from the server's"
            )
        expected = _expected_sign(self.app_credentials.secret, path, params)
        if not hmac.compare_digest(expected, params["sign"]):
            raise _Refusal(
                "IncompleteSignature", "The request signature does not conform to lazada standards"
            )

    def _shop_for_token(self, params: Mapping[str, str], now: float) -> _Shop:
        token = params.get("access_token", "")
        if not token:
            raise _Refusal("MissingParameter", "The input parameter access_token that is mandatory")
        found = self._access.get(token)
        if found is None or found.expires_at <= now:
            raise _Refusal("IllegalAccessToken", "The specified access token is invalid or expired")
        return self._shops[found.shop_id]

    def _check_rate(self, shop: _Shop, path: str, now: float) -> None:
        if now < shop.banned_until:
            raise _Refusal("ApiCallLimit", _BAN_MESSAGE)
        if self.rate_limit is not None and not self._bucket(shop, "all", self.rate_limit, now):
            shop.banned_until = now + 1.0
            raise _Refusal("ApiCallLimit", _BAN_MESSAGE)
        if (
            path in INVENTORY_PATHS
            and self.inventory_rate_limit is not None
            and not self._bucket(shop, "inventory", self.inventory_rate_limit, now)
        ):
            raise _Refusal("901", "E901: Request too frequent, QPS limit exceeded")

    @staticmethod
    def _bucket(shop: _Shop, name: str, rate: float, now: float) -> bool:
        bucket = shop.buckets.get(name)
        if bucket is None or bucket.rate != rate:
            bucket = shop.buckets[name] = _Bucket(rate=rate, tokens=max(1.0, rate), at=now)
        return bucket.take(now)

    # --- tokens ------------------------------------------------------------------------------

    def _issue_tokens(self, shop_id: str, now: float) -> tuple[str, str]:
        serial = self._next_id(1)
        access = f"50000{serial:06d}" + hashlib.sha256(f"a{serial}{now}".encode()).hexdigest()[:24]
        refresh = f"50001{serial:06d}" + hashlib.sha256(f"r{serial}{now}".encode()).hexdigest()[:24]
        self._access[access] = _Token(shop_id=shop_id, expires_at=now + ACCESS_LIFETIME)
        self._refresh[refresh] = _Token(shop_id=shop_id, expires_at=now + REFRESH_LIFETIME)
        return access, refresh

    def _token_answer(self, shop_id: str, now: float, list_name: str) -> dict[str, Any]:
        access, refresh = self._issue_tokens(shop_id, now)
        shop = self._shops[shop_id]
        return {
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": ACCESS_LIFETIME,
            "refresh_expires_in": REFRESH_LIFETIME,
            "country": shop.country.lower(),
            "account_platform": "seller_center",
            "account": f"seller{shop_id}@sandbox.test",
            list_name: [
                {
                    "country": shop.country.lower(),
                    "seller_id": shop_id,
                    "user_id": shop_id,
                    "short_code": f"{shop.country}{shop_id[-5:]}",
                }
            ],
        }

    def _token_create(
        self, _shop: None, params: dict[str, str], now: float, _host: str
    ) -> dict[str, Any]:
        code = params.get("code", "")
        if not code:
            raise _Refusal("MissingParameter", "The input parameter code that is mandatory")
        found = self._codes.pop(code, None)
        if found is None or found.expires_at <= now:
            raise _Refusal("InvalidCode", "Invalid authorization code")
        return self._token_answer(found.shop_id, now, "country_user_info")

    def _token_refresh(
        self, _shop: None, params: dict[str, str], now: float, _host: str
    ) -> dict[str, Any]:
        token = params.get("refresh_token", "")
        if not token:
            raise _Refusal(
                "MissingParameter", "The input parameter refresh_token that is mandatory"
            )
        found = self._refresh.get(token)
        if found is None or found.expires_at <= now:
            raise _Refusal(
                "IllegalRefreshToken", "The specified refresh token is invalid or expired"
            )
        return self._token_answer(found.shop_id, now, "country_user_info_list")

    # --- products and stock ------------------------------------------------------------------

    def _products_get(
        self, shop: _Shop, params: dict[str, str], _now: float, _host: str
    ) -> dict[str, Any]:
        if params.get("filter") not in (
            "all",
            "live",
            "inactive",
            "deleted",
            "pending",
            "rejected",
            "sold-out",
        ):
            raise _Refusal("MissingParameter", "The input parameter filter that is mandatory")
        limit = _int_param(params, "limit", 10, "InvalidParameter")
        offset = _int_param(params, "offset", 0, "InvalidParameter")
        if not 1 <= limit <= MAX_PRODUCTS_LIMIT or offset < 0:
            raise _Refusal("InvalidParameter", "limit must be 1..50 and offset ≥ 0")  # assumed
        listings = list(shop.listings.values())
        if params.get("sku_seller_list"):
            try:
                wanted = json.loads(params["sku_seller_list"])
            except ValueError as exc:
                raise _Refusal("InvalidParameter", "sku_seller_list is not JSON") from exc
            if not isinstance(wanted, list) or len(wanted) > MAX_SELLER_SKUS:
                raise _Refusal("InvalidParameter", "sku_seller_list takes up to 100 seller SKUs")
            listings = [li for li in listings if li.seller_sku in {str(w) for w in wanted}]
        products: dict[str, list[_Listing]] = {}
        for listing in listings:
            products.setdefault(listing.item_id, []).append(listing)
        page = list(products.items())[offset : offset + limit]
        return {
            "data": {
                "total_products": len(products),
                "products": [_product_json(shop, item_id, found) for item_id, found in page],
            }
        }

    def _stock_update(
        self, shop: _Shop, params: dict[str, str], _now: float, _host: str
    ) -> dict[str, Any]:
        payload = params.get("payload", "")
        if not payload:
            raise _Refusal("MissingParameter", "The input parameter payload that is mandatory")
        try:
            root = ET.fromstring(payload)  # noqa: S314 - a local test double's own input
        except ET.ParseError as exc:
            raise _Refusal("5", "E005: Invalid Request Format") from exc
        skus = root.findall("./Product/Skus/Sku")
        if root.tag != "Request" or not skus:
            raise _Refusal("30", "E030: Empty Request")
        if len(skus) > MAX_STOCK_SKUS:
            raise _Refusal("204", f"E204: Too many SKUs in one request ({len(skus)} > 50)")
        failures: list[dict[str, str]] = []
        for sku in skus:
            failures.extend(self._apply_sku(shop, sku))
        if failures:
            return {
                "type": "ISV",
                "code": "501",
                "message": "E501: Update product failed",
                "detail": failures,
            }
        return {"data": {}}

    def _apply_sku(self, shop: _Shop, sku: ET.Element) -> list[dict[str, str]]:
        """Set one SKU's sellable quantities; the `detail` entries for what was refused."""
        item_id = (sku.findtext("ItemId") or "").strip()
        sku_id = (sku.findtext("SkuId") or "").strip()
        seller_sku = (sku.findtext("SellerSku") or "").strip()

        def refusal(message: str, warehouse: str = "") -> dict[str, str]:
            entry = {
                "field": "SkuId",
                "ItemId": item_id,
                "SkuId": sku_id,
                "seller_sku": seller_sku,
                "message": message,
            }
            if warehouse:
                entry["WarehouseCode"] = warehouse
            return entry

        multi = sku.find("MultiWarehouseInventories")
        wanted: list[tuple[str, str]] = []
        if multi is not None:
            if not shop.multi_warehouse:
                return [refusal("Single-warehouse seller must not use MultiWarehouseInventories")]
            for inventory in multi.findall("MultiWarehouseInventory"):
                wanted.append(
                    (
                        (inventory.findtext("WarehouseCode") or "").strip(),
                        (inventory.findtext("SellableQuantity") or "").strip(),
                    )
                )
        else:
            wanted.append((DEFAULT_WAREHOUSE, (sku.findtext("SellableQuantity") or "").strip()))
        if (item_id, sku_id) not in shop.warehouses:
            elsewhere = any(
                (item_id, sku_id) in other.warehouses
                for other in self._shops.values()
                if other is not shop
            )
            return [refusal("SKU does not belong to this seller" if elsewhere else "SKU not found")]
        refused = []
        for warehouse, text in wanted:
            listing = shop.listings.get((item_id, sku_id, warehouse))
            reason = shop.refused.get((item_id, sku_id, warehouse))
            if listing is None:
                refused.append(refusal(f"Warehouse {warehouse} not found for SKU", warehouse))
            elif reason is not None:
                refused.append(refusal(reason, warehouse))
            elif not text.isdigit():
                refused.append(
                    refusal("SellableQuantity must be a non-negative integer", warehouse)
                )
            elif int(text) < listing.campaign_locked:
                refused.append(
                    refusal(
                        f"SellableQuantity {text} is below the {listing.campaign_locked} "
                        "locked by campaigns",
                        warehouse,
                    )
                )
            else:
                listing.sellable = int(text)
        return refused

    # --- orders ------------------------------------------------------------------------------

    def _orders_get(
        self, shop: _Shop, params: dict[str, str], _now: float, _host: str
    ) -> dict[str, Any]:
        if not params.get("created_after") and not params.get("update_after"):
            raise _Refusal("MissingParameter", "One of created_after and update_after is mandatory")
        bounds = {
            name: _iso_param(params, name)
            for name in ("created_after", "created_before", "update_after", "update_before")
        }
        limit = _int_param(params, "limit", 100, "19")
        offset = _int_param(params, "offset", 0, "14")
        if not 1 <= limit <= MAX_ORDERS_LIMIT:
            raise _Refusal("19", f'E019: "{limit}" Invalid Limit')
        if not 0 <= offset <= MAX_ORDERS_OFFSET:
            raise _Refusal("14", f'E014: "{offset}" Invalid Offset')
        sort_by = params.get("sort_by", "created_at")
        if sort_by not in ("created_at", "updated_at"):
            raise _Refusal("75", "E075: Invalid sort filter.")
        direction = params.get("sort_direction", "DESC")
        if direction not in ("ASC", "DESC"):
            raise _Refusal("74", "E074: Invalid sort direction.")
        status = params.get("status", "")
        if status and status not in ORDER_STATUSES:
            raise _Refusal("36", "E036: Invalid status filter")

        def inside(order: _Order) -> bool:
            checks = (
                (bounds["created_after"], order.created_at, 1),
                (bounds["created_before"], order.created_at, -1),
                (bounds["update_after"], order.updated_at, 1),
                (bounds["update_before"], order.updated_at, -1),
            )
            for bound, value, sign in checks:
                if bound is not None and (value - bound) * sign < 0:
                    return False
            return not status or any(i.status == status for i in order.items)

        chosen = [o for o in self._orders.values() if o.shop_id == shop.shop_id and inside(o)]
        chosen.sort(
            key=lambda o: (o.updated_at if sort_by == "updated_at" else o.created_at, o.order_id),
            reverse=direction == "DESC",
        )
        page = chosen[offset : offset + limit]
        return {
            "data": {
                "count": len(page),
                "countTotal": len(chosen),
                "orders": [_order_json(o) for o in page],
            }
        }

    def _own_order(self, shop: _Shop, text: str) -> _Order:
        order = self._orders.get(int(text)) if text.isdigit() else None
        if order is None or order.shop_id != shop.shop_id:
            raise _Refusal("16", f'E016: "{text}" Invalid Order ID')
        return order

    def _order_get(
        self, shop: _Shop, params: dict[str, str], _now: float, _host: str
    ) -> dict[str, Any]:
        return {"data": _order_json(self._own_order(shop, params.get("order_id", "")))}

    def _order_items_get(
        self, shop: _Shop, params: dict[str, str], _now: float, _host: str
    ) -> dict[str, Any]:
        order = self._own_order(shop, params.get("order_id", ""))
        return {"data": [self._item_json(order, item) for item in order.items]}

    def _orders_items_get(
        self, shop: _Shop, params: dict[str, str], _now: float, _host: str
    ) -> dict[str, Any]:
        try:
            ids = [str(i) for i in json.loads(params.get("order_ids", ""))]
        except (ValueError, TypeError) as exc:
            raise _Refusal("MissingParameter", "order_ids must be a JSON array") from exc
        if len(ids) > MAX_ITEMS_ORDERS:
            raise _Refusal("InvalidParameter", "order_ids takes up to 50 orders")  # assumed
        answer = []
        for text in ids:
            order = self._orders.get(int(text)) if text.isdigit() else None
            if order is not None and order.shop_id == shop.shop_id:
                answer.append(
                    {
                        "order_id": order.order_id,
                        "order_number": order.order_id,
                        "order_items": [self._item_json(order, i) for i in order.items],
                    }
                )
        return {"data": answer}

    def _item_json(self, order: _Order, item: _Item) -> dict[str, Any]:
        package = self._packages.get(item.package_id)
        listing = item.listing
        return {
            "order_item_id": item.order_item_id,
            "order_id": order.order_id,
            "sku": listing.seller_sku,
            "shop_sku": f"{listing.item_id}_{order.country}-{listing.sku_id}",
            "sku_id": listing.sku_id,
            "product_id": listing.item_id,
            "name": listing.title,
            "variation": "",
            "status": item.status,
            "item_price": str(_UNIT_PRICE),
            "paid_price": str(_UNIT_PRICE),
            "currency": _CURRENCIES.get(order.country, ""),
            "tax_amount": "0.00",
            "shipping_amount": "0.00",
            "voucher_seller": "0.00",
            "voucher_platform": "0.00",
            "warehouse_code": listing.warehouse,
            "package_id": item.package_id,
            "tracking_code": package.tracking_number if package else "",
            "shipment_provider": package.provider if package else "",
            "shipping_type": "Dropshipping",
            "is_fbl": 0,
            "reason": "",
            "created_at": _local_time(item.created_at, order.country, iso=True),
            "updated_at": _local_time(item.updated_at, order.country, iso=True),
        }

    # --- fulfilment --------------------------------------------------------------------------

    def _pack(self, shop: _Shop, params: dict[str, str], now: float, _host: str) -> dict[str, Any]:
        packing = _json_param(params, "packReq")
        orders = packing.get("pack_order_list")
        if not isinstance(orders, list) or not orders:
            raise _FulfilRefusal("700017", "PARAM_IS_NULL")
        if len(orders) > MAX_FULFIL_BATCH:
            raise _FulfilRefusal("700022", "BATCH_SIZE_OUT_OF_LIMIT")
        if packing.get("delivery_type") != "dropship":
            raise _FulfilRefusal("700004", "PARAM_ILLEGAL: delivery_type must be dropship")
        allocate = packing.get("shipping_allocate_type")
        if allocate not in ("TFS", "NTFS"):
            raise _FulfilRefusal("700004", "PARAM_ILLEGAL: shipping_allocate_type")
        if allocate == "NTFS" and not packing.get("shipment_provider_code"):
            raise _FulfilRefusal("700017", "PARAM_IS_NULL: shipment_provider_code")
        answer = []
        for entry in orders:
            order = self._orders.get(_as_int(entry.get("order_id")))
            if order is None or order.shop_id != shop.shop_id:
                raise _FulfilRefusal("700021", "ORDER_NOT_FOUND")
            by_id = {i.order_item_id: i for i in order.items}
            results = []
            to_pack = []
            for raw in entry.get("order_item_list") or []:
                item = by_id.get(_as_int(raw))
                if item is None:
                    results.append(_item_result(raw, "700025", "ORDER_ITEM_NOT_FOUND"))
                elif item.status not in ("pending", "topack") or item.package_id:
                    results.append(_item_result(raw, "700026", "FO_ITEM_NOT_ALLOW_TO_PACK"))
                else:
                    to_pack.append(item)
            if to_pack:
                serial = self._next_id(1)
                package = _Package(
                    package_id=f"FP{serial:015d}",
                    shop_id=shop.shop_id,
                    order_id=order.order_id,
                    item_ids=[i.order_item_id for i in to_pack],
                    tracking_number=f"LEX{order.country}{serial:010d}",
                    provider=f"LEX {order.country}",
                )
                self._packages[package.package_id] = package
                for item in to_pack:
                    item.status, item.package_id, item.updated_at = (
                        "packed",
                        package.package_id,
                        now,
                    )
                    results.append(
                        {
                            "order_item_id": item.order_item_id,
                            "msg": "success",
                            "item_err_code": "0",
                            "tracking_number": package.tracking_number,
                            "shipment_provider": package.provider,
                            "package_id": package.package_id,
                            "retry": False,
                        }
                    )
                order.updated_at = now
                self._queue_pushes(order, to_pack, now)
            answer.append({"order_id": order.order_id, "order_item_list": results})
        return {"result": {"success": True, "data": {"pack_order_list": answer}}}

    def _packages_of(self, shop: _Shop, request_json: Mapping[str, Any]) -> list[str]:
        packages = request_json.get("packages")
        if not isinstance(packages, list) or not packages:
            raise _FulfilRefusal("700017", "PARAM_IS_NULL: packages")
        if len(packages) > MAX_FULFIL_BATCH:
            raise _FulfilRefusal("700022", "BATCH_SIZE_OUT_OF_LIMIT")
        return [str(p.get("package_id", "")) if isinstance(p, dict) else "" for p in packages]

    def _ready_to_ship(
        self, shop: _Shop, params: dict[str, str], now: float, _host: str
    ) -> dict[str, Any]:
        results = []
        for package_id in self._packages_of(shop, _json_param(params, "readyToShipReq")):
            package = self._packages.get(package_id)
            if package is None or package.shop_id != shop.shop_id:
                results.append(_package_result(package_id, "30012", "rts package not found"))
                continue
            order = self._orders[package.order_id]
            items = [i for i in order.items if i.order_item_id in package.item_ids]
            if package.ready_to_ship or any(i.status != "packed" for i in items):
                results.append(
                    _package_result(package_id, "700000", "PACKAGE_STATUS_NOT_ALLOW_TO_OP")
                )
                continue
            package.ready_to_ship = True
            for item in items:
                item.status, item.updated_at = "ready_to_ship", now
            order.updated_at = now
            self._shipped[order.order_id] = (package.tracking_number, package.provider)
            self._queue_pushes(order, items, now)
            results.append(_package_result(package_id, "0", "success"))
        return {"result": {"success": True, "data": {"packages": results}}}

    def _print_awb(
        self, shop: _Shop, params: dict[str, str], now: float, host_url: str
    ) -> dict[str, Any]:
        asked = _json_param(params, "getDocumentReq")
        doc_type = asked.get("doc_type")
        if doc_type not in ("PDF", "HTML"):
            raise _FulfilRefusal("700004", "PARAM_ILLEGAL: doc_type must be PDF or HTML")
        labels = []
        for package_id in self._packages_of(shop, asked):
            package = self._packages.get(package_id)
            if package is None or package.shop_id != shop.shop_id:
                raise _FulfilRefusal("30012", "package not found")
            order = self._orders[package.order_id]
            items = [i for i in order.items if i.order_item_id in package.item_ids]
            if any(i.status not in ("packed", "ready_to_ship") for i in items):
                raise _FulfilRefusal("700040", "There are no packages that support printing!")
            labels.append(
                {
                    "tracking_number": package.tracking_number,
                    "provider": package.provider,
                    "package_id": package.package_id,
                    "order_id": str(order.order_id),
                    "recipient": _ADDRESS["first_name"] + " " + _ADDRESS["last_name"],
                    "units": str(len(items)),
                    "skus": ", ".join(
                        sorted({i.listing.seller_sku or i.listing.sku_id for i in items})
                    ),
                }
            )
        token = hashlib.sha256(f"awb{self._next_id(1)}{now}".encode()).hexdigest()[:32]
        expires = now + 3600
        self._awbs[token] = _Awb(expires_at=expires, labels=labels)
        pdf_url = f"{host_url.rstrip('/')}/awb/{token}.pdf?Expires={int(expires)}"
        html = f'<iframe src="{pdf_url}" width="100%" height="100%"></iframe>'
        data: dict[str, Any] = {
            "file": base64.b64encode(html.encode()).decode(),
            "doc_type": doc_type,
        }
        if doc_type == "PDF":
            data["pdf_url"] = pdf_url
        return {"result": {"success": True, "data": data}}

    # --- push messages -----------------------------------------------------------------------

    def _queue_pushes(self, order: _Order, items: Sequence[_Item], now: float) -> None:
        if not self.webhook_url:
            return
        for item in items:
            message = {
                "seller_id": order.shop_id,
                "message_type": 0,
                "data": {
                    "order_status": item.status,
                    "trade_order_id": str(order.order_id),
                    "trade_order_line_id": str(item.order_item_id),
                    "status_update_time": int(now),
                },
                "timestamp": int(now * 1000),
                "site": f"lazada_{order.country.lower()}",
            }
            body = json.dumps(message, separators=(",", ":")).encode()
            self._outbox.append(_Push(body=body))
            if self.webhook_duplicate_rate and self._random.random() < self.webhook_duplicate_rate:
                self._outbox.append(_Push(body=body))

    def _flush(self) -> None:
        """Deliver queued push messages, outside the lock; failures wait for a retry."""
        with self._lock:
            pushes, self._outbox = self._outbox, []
            url = self.webhook_url
        if not pushes or not url:
            return
        for push in pushes:
            ok = self._deliver(url, push.body)
            with self._lock:
                push.attempts += 1
                if ok:
                    self.delivered.append(push.body)
                elif push.attempts < WEBHOOK_ATTEMPTS:
                    push.next_at = self.clock() + self.webhook_retry_interval
                    self._retrying.append(push)

    def _deliver(self, url: str, body: bytes) -> bool:
        signature = hmac.new(
            self.app_credentials.secret.encode(),
            self.app_credentials.key.encode() + body,
            hashlib.sha256,
        ).hexdigest()
        if not url.startswith(("http://", "https://")):
            return False
        post = urllib.request.Request(  # noqa: S310 - scheme checked above
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": signature},
        )
        try:
            with urllib.request.urlopen(post, timeout=self.webhook_timeout) as answer:  # noqa: S310
                return int(answer.status) == 200
        except (urllib.error.URLError, TimeoutError, ConnectionError, ValueError):
            return False

    # --- helpers -----------------------------------------------------------------------------

    def _next_id(self, base: int) -> int:
        self._serial += 1
        return base + self._serial


_BAN_MESSAGE = "Api access frequency exceeds the limit. this ban will last 1 seconds"
_ADDRESS = {
    "first_name": "Nur",
    "last_name": "Aisyah",
    "phone": "60123456789",
    "address1": "12 Jalan Bukit Bintang",
    "address3": "Kuala Lumpur",
    "address4": "Bukit Bintang",
    "address5": "55100",
    "city": "Kuala Lumpur",
    "post_code": "55100",
    "country": "Malaysia",
}


def _expected_sign(secret: str, path: str, params: Mapping[str, str]) -> str:
    """The signature Lazada expects, written from the documented algorithm."""
    pieces = [path]
    for name, value in sorted(params.items()):
        if name != "sign":
            pieces.append(name)
            pieces.append(value)
    mac = hmac.new(secret.encode("utf-8"), "".join(pieces).encode("utf-8"), hashlib.sha256)
    return mac.hexdigest().upper()


def _timestamp_seconds(text: str) -> float | None:
    if text.isdigit():
        return int(text) / 1000
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _int_param(params: Mapping[str, str], name: str, default: int, code: str) -> int:
    text = params.get(name, "")
    if text == "":
        return default
    try:
        return int(text)
    except ValueError as exc:
        raise _Refusal(code, f'"{text}" Invalid {name}') from exc


def _iso_param(params: Mapping[str, str], name: str) -> float | None:
    text = params.get(name, "")
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise _Refusal("17", f'E017: "{text}" Invalid Date Format')
    return moment.timestamp()


def _json_param(params: Mapping[str, str], name: str) -> dict[str, Any]:
    text = params.get(name, "")
    if not text:
        raise _Refusal("MissingParameter", f"The input parameter {name} that is mandatory")
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise _FulfilRefusal("700004", f"PARAM_ILLEGAL: {name} is not JSON") from exc
    if not isinstance(value, dict):
        raise _FulfilRefusal("700004", f"PARAM_ILLEGAL: {name} is not an object")
    return value


def _as_int(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError:
        return -1


def _item_result(order_item_id: Any, code: str, message: str) -> dict[str, Any]:
    return {"order_item_id": order_item_id, "item_err_code": code, "msg": message, "retry": False}


def _package_result(package_id: str, code: str, message: str) -> dict[str, str]:
    return {"package_id": package_id, "item_err_code": code, "msg": message}


def _local_time(moment: float, country: str, *, iso: bool = False) -> str:
    """Lazada's local times with an offset: "2024-01-01 10:00:00 +0800" on order headers,
    ISO-8601 on items (as the reference's example)."""
    offset = timezone(timedelta(hours=_UTC_OFFSETS.get(country, 8)))
    local = datetime.fromtimestamp(moment, offset)
    if iso:
        return local.isoformat(timespec="seconds")
    return local.strftime("%Y-%m-%d %H:%M:%S %z")


def _order_json(order: _Order) -> dict[str, Any]:
    active = [i for i in order.items if i.status != "canceled"] or order.items
    price = _UNIT_PRICE * len(active)
    return {
        "order_id": order.order_id,
        "order_number": order.order_id,
        "created_at": _local_time(order.created_at, order.country),
        "updated_at": _local_time(order.updated_at, order.country),
        "price": f"{price:.2f}",
        "shipping_fee": "4.90",
        "voucher": "0.00",
        "voucher_seller": "0.00",
        "voucher_platform": "0.00",
        "payment_method": "COD" if order.cash_on_delivery else "MIXEDCARD",
        "statuses": list(dict.fromkeys(i.status for i in order.items)),
        "items_count": len(order.items),
        "customer_first_name": _ADDRESS["first_name"],
        "customer_last_name": _ADDRESS["last_name"],
        "address_shipping": {**_ADDRESS, "addressDsitrict": "Bukit Bintang"},
        "address_billing": {**_ADDRESS, "addressDsitrict": "Bukit Bintang"},
        "warehouse_code": order.items[0].listing.warehouse if order.items else DEFAULT_WAREHOUSE,
        "buyer_note": "",
        "remarks": "",
    }


def _product_json(shop: _Shop, item_id: str, listings: list[_Listing]) -> dict[str, Any]:
    skus: dict[str, list[_Listing]] = {}
    for listing in listings:
        skus.setdefault(listing.sku_id, []).append(listing)
    return {
        "item_id": int(item_id) if item_id.isdigit() else item_id,
        "status": "Active",
        "attributes": {"name": listings[0].title},
        "skus": [
            {
                "SkuId": int(sku_id) if sku_id.isdigit() else sku_id,
                "SellerSku": found[0].seller_sku,
                "ShopSku": f"{item_id}_{shop.country}-{sku_id}",
                "quantity": sum(li.sellable + li.campaign_locked for li in found),
                "Available": sum(li.sellable for li in found),
                "multiWarehouseInventories": [
                    {
                        "warehouseCode": li.warehouse,
                        "quantity": li.sellable + li.campaign_locked,
                        "sellableQuantity": li.sellable,
                        "occupyQuantity": 0,
                        "withholdQuantity": 0,
                        "totalQuantity": li.sellable + li.campaign_locked,
                    }
                    for li in found
                ],
                "channelInventories": [
                    {"name": "campaign", "quantity": li.campaign_locked}
                    for li in found
                    if li.campaign_locked
                ],
            }
            for sku_id, found in skus.items()
        ],
    }


def _awb_pdf(labels: Sequence[Mapping[str, str]]) -> bytes:
    """A 100×150 mm AWB per package: provider, tracking number as Code 128, order, recipient."""
    out = io.BytesIO()
    width, height = 100 * mm, 150 * mm
    page = canvas.Canvas(out, pagesize=(width, height), invariant=True)
    for label in labels:
        page.setFont("Helvetica-Bold", 16)
        page.drawString(8 * mm, height - 15 * mm, label["provider"])
        page.setFont("Helvetica", 9)
        page.drawString(8 * mm, height - 21 * mm, "Lazada sandbox AWB (not for shipping)")
        barcode = code128.Code128(label["tracking_number"], barHeight=22 * mm, barWidth=0.38 * mm)
        barcode.drawOn(page, 6 * mm, height - 50 * mm)
        page.setFont("Helvetica-Bold", 12)
        page.drawString(8 * mm, height - 57 * mm, label["tracking_number"])
        page.setFont("Helvetica", 10)
        rows = (
            f"Package {label['package_id']}",
            f"Order {label['order_id']}",
            f"To: {label['recipient']}",
            f"Units: {label['units']}  SKUs: {label['skus']}",
        )
        for row, text in enumerate(rows):
            page.drawString(8 * mm, height - (68 + 7 * row) * mm, text)
        page.showPage()
    page.save()
    return out.getvalue()
