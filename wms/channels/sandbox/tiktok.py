"""A local TikTok Shop (Open API 202309+) that answers and checks like the real one.

What it checks, as TikTok does (/work/shared/reference/marketplace-contracts.md §4): the
`app_key`, the `timestamp` window [now - 5 min, now + 30 s], the `sign` (recomputed here from
the documented recipe, independently of the connector), the `x-tts-access-token` header and its
expiry, the `shop_cipher` against the token's shop, per-call limits (at most 100 SKUs of one
product per stock call, 100 products per inventory search, 50 order ids per detail, page sizes
1-100), the warehouses of each SKU (all of them, no others), promotion locks (`reserved`),
products and orders of other shops, a per-shop per-API rate limit (HTTP 429, code 36009002)
and injected failures. Webhooks (type 1, order status change) are signed as TikTok signs them
and delivered by a background thread, retried on a compressed schedule.

Times come from `clock` (Unix seconds); tests move it instead of sleeping.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import itertools
import json
import queue
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, request
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from werkzeug.exceptions import HTTPException

from wms.channels.marketplace import AppCredentials, ListingRef, Marketplace, ShopAccess

ACCESS_TOKEN_LIFETIME = 7 * 24 * 3600
AUTHORISATION_LIFETIME = 365 * 24 * 3600
DOCUMENT_URL_LIFETIME = 24 * 3600
TIMESTAMP_PAST = 300
TIMESTAMP_FUTURE = 30
MAX_SKUS = 100
MAX_PRODUCT_IDS = 100
MAX_SKU_IDS = 600
MAX_ORDER_IDS = 50
MAX_PAGE = 100
MAX_QUANTITY = 99_999
WEBHOOK_RETRY_DELAYS = (0.05, 0.2, 0.5)  # TikTok: 2 min, 30 min, 3 h, 12 h, compressed
WEBHOOK_TIMEOUT = 2.0

CURRENCIES = {"ID": "IDR", "MY": "MYR", "PH": "PHP", "SG": "SGD", "TH": "THB", "VN": "VND"}
UNIT_PRICES = {"IDR": "150000", "VND": "250000", "THB": "320.00"}
ADDRESSES = {  # street, city (L2), state (L1), postcode, masked phone
    "MY": ("12 Jalan Contoh 3", "Shah Alam", "Selangor", "40000", "(+60)1*****89"),
    "ID": ("Jl. Contoh No. 5", "Bekasi", "Jawa Barat", "17530", "(+62)8******21"),
    "VN": ("15 Duong Mau", "Thu Duc", "Ho Chi Minh", "700000", "(+84)9*****34"),
    "TH": ("99 Soi Tuaya", "Bang Phli", "Samut Prakan", "10540", "(+66)8*****56"),
}
WEBHOOK_STATUS = {"CANCELLED": "CANCEL"}  # the webhook's own spelling
NO_ADDRESS_STATUSES = frozenset({"UNPAID", "ON_HOLD"})
ORDER_STATUSES = frozenset(
    {
        "UNPAID",
        "ON_HOLD",
        "AWAITING_SHIPMENT",
        "PARTIALLY_SHIPPING",
        "AWAITING_COLLECTION",
        "IN_TRANSIT",
        "DELIVERED",
        "COMPLETED",
        "CANCELLED",
    }
)
SHOP_SCOPED = "shop"  # route needs shop_cipher
NOT_SHOP_SCOPED = "app"  # route refuses shop_cipher


class _ApiError(Exception):
    """An answer other than success: HTTP status, TikTok code and message."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass
class _Shop:
    shop_id: str
    country: str
    cipher: str
    refresh_token: str
    refresh_expires: float
    default_warehouse: str


@dataclass
class _Token:
    shop_id: str
    expires: float


@dataclass
class _Stock:
    available: int = 0
    committed: int = 0
    reserved: int = 0  # held by a promotion: stock may not be set below it
    refused: str = ""  # refuse_listing's reason


@dataclass
class _Sku:
    sku_id: str
    seller_sku: str
    title: str
    warehouses: dict[str, _Stock] = field(default_factory=dict)


@dataclass
class _Product:
    product_id: str
    shop_id: str
    title: str
    skus: dict[str, _Sku] = field(default_factory=dict)


@dataclass
class _Unit:
    line_id: str
    product_id: str
    sku_id: str
    seller_sku: str
    product_name: str


@dataclass
class _Order:
    order_id: str
    shop_id: str
    status: str
    shipping_type: str
    warehouse_id: str
    package_id: str
    units: list[_Unit]
    create_time: int
    update_time: int
    paid_time: int | None
    currency: str
    unit_price: str
    tracking_number: str = ""
    shipping_provider_id: str = ""


def _signature(secret: str, path: str, params: dict[str, str], body: bytes) -> str:
    """TikTok's request signature, written from the documented steps (not the connector's)."""
    kept = sorted((k, v) for k, v in params.items() if k != "sign" and k != "access_token")
    text = bytearray(secret.encode())
    text += path.encode()
    for key, value in kept:
        text += key.encode() + value.encode()
    text += body
    text += secret.encode()
    return hmac.new(secret.encode(), bytes(text), hashlib.sha256).hexdigest()


class TiktokSandbox:
    """In-memory TikTok Shop for one app: shops, products, stock, orders, tokens, webhooks."""

    def __init__(
        self, app_credentials: AppCredentials, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.app_credentials = app_credentials
        self.clock = clock
        self.calls: Counter[str] = Counter()
        self.rate_limit: float | None = None
        self.webhook_url: str | None = None
        self.webhook_retry_delays: tuple[float, ...] = WEBHOOK_RETRY_DELAYS
        """Seconds before each new attempt at a webhook the receiver did not take (real time)."""
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._shops: dict[str, _Shop] = {}
        self._by_cipher: dict[str, str] = {}
        self._tokens: dict[str, _Token] = {}
        self._refresh_tokens: dict[str, str] = {}  # refresh token -> shop id
        self._products: dict[str, _Product] = {}
        self._orders: dict[str, _Order] = {}
        self._packages: dict[str, str] = {}  # package id -> order id
        self._documents: dict[str, tuple[str, float]] = {}  # token -> (order id, expiry)
        self._failures: deque[str] = deque()
        self._recent: dict[tuple[str, str], deque[float]] = {}
        self._page_tokens: dict[str, tuple[str, tuple[str, ...], int]] = {}
        self._webhooks: queue.Queue[tuple[str, bytes, dict[str, str]]] = queue.Queue()
        self._webhook_thread: threading.Thread | None = None
        self._app: Flask | None = None

    # -- SandboxState: set-up and inspection ----------------------------------------------

    def add_shop(self, shop_id: str, country: str, base_url: str) -> ShopAccess:
        """A shop authorised for the app, with fresh tokens (what Get Access Token gives)."""
        now = self.clock()
        with self._lock:
            cipher = f"ROW_{secrets.token_urlsafe(18)}"
            shop = _Shop(
                shop_id=shop_id,
                country=country.upper(),
                cipher=cipher,
                refresh_token=f"TTP_{secrets.token_urlsafe(24)}",
                refresh_expires=now + AUTHORISATION_LIFETIME,
                default_warehouse=f"70{next(self._ids):017d}",
            )
            self._shops[shop_id] = shop
            self._by_cipher[cipher] = shop_id
            self._refresh_tokens[shop.refresh_token] = shop_id
            access_token, expires = self._issue_access_token(shop_id)
        return ShopAccess(
            marketplace=Marketplace.TIKTOK,
            country=country.upper(),
            base_url=base_url,
            app=self.app_credentials,
            shop_id=shop_id,
            access_token=access_token,
            refresh_token=shop.refresh_token,
            access_expires_at=datetime.fromtimestamp(int(expires), UTC),
            refresh_expires_at=datetime.fromtimestamp(int(shop.refresh_expires), UTC),
            shop_cipher=cipher,
        )

    def add_listing(
        self, shop_id: str, listing: ListingRef, title: str, quantity: int = 0, reserved: int = 0
    ) -> None:
        """A SKU (in one warehouse) of an active product in the shop's catalogue."""
        with self._lock:
            shop = self._shops[shop_id]
            product = self._products.get(listing.item_id)
            if product is None:
                product = _Product(listing.item_id, shop_id, title)
                self._products[listing.item_id] = product
            elif product.shop_id != shop_id:
                raise ValueError(f"product {listing.item_id} belongs to another shop")
            sku = product.skus.setdefault(
                listing.model_id, _Sku(listing.model_id, listing.seller_sku, title)
            )
            warehouse = listing.warehouse_id or shop.default_warehouse
            sku.warehouses[warehouse] = _Stock(available=quantity, reserved=reserved)

    def quantity(self, shop_id: str, listing: ListingRef) -> int:
        """Available stock the shop shows for the listing now."""
        with self._lock:
            return self._stock(shop_id, listing).available

    def place_order(
        self,
        shop_id: str,
        lines: Sequence[tuple[ListingRef, int]],
        *,
        paid: bool = True,
        shipping_type: str = "TIKTOK",
    ) -> str:
        """A buyer's order, one line item per unit, stock committed; `shipping_type` TIKTOK
        (platform logistics, the default) or SELLER (the seller ships and uploads tracking)."""
        if shipping_type not in ("TIKTOK", "SELLER"):
            raise ValueError("shipping_type is TIKTOK or SELLER")
        now = int(self.clock())
        with self._lock:
            shop = self._shops[shop_id]
            currency = CURRENCIES.get(shop.country, "USD")
            order_id = f"57{next(self._ids):016d}"
            units: list[_Unit] = []
            warehouse_id = ""
            for listing, count in lines:
                stock = self._stock(shop_id, listing)
                stock.available = max(0, stock.available - count)
                stock.committed += count
                product = self._products[listing.item_id]
                sku = product.skus[listing.model_id]
                warehouse_id = warehouse_id or self._warehouse_of(shop, sku, listing)
                units.extend(
                    _Unit(
                        line_id=f"58{next(self._ids):016d}",
                        product_id=product.product_id,
                        sku_id=sku.sku_id,
                        seller_sku=sku.seller_sku,
                        product_name=product.title,
                    )
                    for _ in range(count)
                )
            order = _Order(
                order_id=order_id,
                shop_id=shop_id,
                status="AWAITING_SHIPMENT" if paid else "UNPAID",
                shipping_type=shipping_type,
                warehouse_id=warehouse_id,
                package_id=f"11{next(self._ids):016d}",
                units=units,
                create_time=now,
                update_time=now,
                paid_time=now if paid else None,
                currency=currency,
                unit_price=UNIT_PRICES.get(currency, "10.00"),
            )
            self._orders[order_id] = order
            self._packages[order.package_id] = order_id
        self._notify(order)
        return order_id

    def set_order_status(self, order_id: str, raw_status: str) -> None:
        """Move an order to one of the API's statuses (webhook sent if configured)."""
        if raw_status not in ORDER_STATUSES:
            raise ValueError(f"not a TikTok order status: {raw_status}")
        with self._lock:
            order = self._orders[order_id]
            order.status = raw_status
            order.update_time = int(self.clock())
            if raw_status != "UNPAID" and order.paid_time is None:
                order.paid_time = order.update_time
        self._notify(order)

    def shipped(self, order_id: str) -> tuple[str, str] | None:
        """(tracking number, shipping provider id) of the order's shipment, if shipped: the
        seller's upload for SELLER orders, the platform's for TIKTOK orders."""
        with self._lock:
            order = self._orders[order_id]
            if not order.tracking_number:
                return None
            return order.tracking_number, order.shipping_provider_id

    def fail_next(self, kind: str, count: int = 1) -> None:
        """The next `count` Open API calls fail: "throttle" (HTTP 429, 36009002), "transient"
        (HTTP 500, 36009003 internal error) or "auth" (105002 expired credentials)."""
        if kind not in ("throttle", "transient", "auth"):
            raise ValueError(f"unknown failure kind: {kind}")
        with self._lock:
            self._failures.extend([kind] * count)

    def refuse_listing(self, shop_id: str, listing: ListingRef, reason: str) -> None:
        """Stock updates of this listing fail (in `data.errors`, the call itself succeeds)."""
        with self._lock:
            self._stock(shop_id, listing).refused = reason

    def expire_access_token(self, shop_id: str) -> None:
        """Every access token of the shop stops working (105002), as when its 7 days end."""
        now = self.clock()
        with self._lock:
            for token in self._tokens.values():
                if token.shop_id == shop_id:
                    token.expires = min(token.expires, now)

    def flush_webhooks(self, timeout: float = 5.0) -> bool:
        """Wait until queued webhooks are delivered or given up; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._webhooks.unfinished_tasks == 0:
                return True
            time.sleep(0.01)
        return self._webhooks.unfinished_tasks == 0

    # -- internals ------------------------------------------------------------------------

    def _issue_access_token(self, shop_id: str) -> tuple[str, float]:
        token = f"TTP_{secrets.token_urlsafe(24)}"
        expires = self.clock() + ACCESS_TOKEN_LIFETIME
        self._tokens[token] = _Token(shop_id, expires)
        return token, expires

    def _stock(self, shop_id: str, listing: ListingRef) -> _Stock:
        product = self._products.get(listing.item_id)
        if product is None or product.shop_id != shop_id:
            raise KeyError(f"no product {listing.item_id} in shop {shop_id}")
        sku = product.skus[listing.model_id]
        return sku.warehouses[self._warehouse_of(self._shops[shop_id], sku, listing)]

    @staticmethod
    def _warehouse_of(shop: _Shop, sku: _Sku, listing: ListingRef) -> str:
        if listing.warehouse_id:
            return listing.warehouse_id
        if len(sku.warehouses) == 1:
            return next(iter(sku.warehouses))
        return shop.default_warehouse

    def _request_id(self) -> str:
        return f"{int(self.clock()):010d}{secrets.token_hex(8).upper()}"

    # -- webhooks -------------------------------------------------------------------------

    def _notify(self, order: _Order) -> None:
        """Queue a signed type-1 webhook for the order's new status, if a receiver is set."""
        url = self.webhook_url
        if not url or order.status == "PARTIALLY_SHIPPING":  # not a webhook status
            return
        with self._lock:
            payload = {
                "type": 1,
                "tts_notification_id": f"73{next(self._ids):016d}",
                "shop_id": order.shop_id,
                "timestamp": int(self.clock()),
                "data": {
                    "order_id": order.order_id,
                    "order_status": WEBHOOK_STATUS.get(order.status, order.status),
                    "is_on_hold_order": order.status == "ON_HOLD",
                    "update_time": order.update_time,
                },
            }
        body = json.dumps(payload, separators=(",", ":")).encode()
        mac = hmac.new(
            self.app_credentials.secret.encode(),
            self.app_credentials.key.encode() + body,
            hashlib.sha256,
        )
        headers = {"Content-Type": "application/json", "Authorization": mac.hexdigest()}
        self._webhooks.put((url, body, headers))
        with self._lock:
            if self._webhook_thread is None:
                self._webhook_thread = threading.Thread(
                    target=self._deliver_webhooks, name="tiktok-sandbox-webhooks", daemon=True
                )
                self._webhook_thread.start()

    def _deliver_webhooks(self) -> None:
        while True:
            url, body, headers = self._webhooks.get()
            try:
                for delay in (0.0, *self.webhook_retry_delays):
                    time.sleep(delay)
                    if self._post(url, body, headers):
                        break
            finally:
                self._webhooks.task_done()

    @staticmethod
    def _post(url: str, body: bytes, headers: dict[str, str]) -> bool:
        """True when the receiver acknowledged with HTTP 200."""
        if not url.startswith(("http://", "https://")):
            return False
        post = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(post, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310
                return bool(response.status == 200)
        except urllib.error.HTTPError as error:
            error.close()
            return False
        except Exception:  # a failed delivery must never break the sandbox
            return False

    # -- HTTP API -------------------------------------------------------------------------

    def wsgi_app(self) -> Flask:
        """The Open API, the token host's refresh and the shipping-document downloads."""
        if self._app is None:
            self._app = self._build_app()
        return self._app

    def _build_app(self) -> Flask:
        app = Flask(f"tiktok-sandbox-{id(self)}")
        routes: list[tuple[str, str, str, Callable[..., dict[str, Any]]]] = [
            ("GET", "/authorization/202309/shops", NOT_SHOP_SCOPED, self._get_shops),
            (
                "POST",
                "/product/202309/products/<product_id>/inventory/update",
                SHOP_SCOPED,
                self._update_inventory,
            ),
            ("POST", "/product/202309/inventory/search", SHOP_SCOPED, self._search_inventory),
            ("POST", "/product/202502/products/search", SHOP_SCOPED, self._search_products),
            ("POST", "/order/202309/orders/search", SHOP_SCOPED, self._search_orders),
            ("GET", "/order/202309/orders", SHOP_SCOPED, self._order_detail),
            ("POST", "/fulfillment/202309/packages/<package_id>/ship", SHOP_SCOPED, self._ship),
            (
                "GET",
                "/fulfillment/202309/packages/<package_id>/shipping_documents",
                SHOP_SCOPED,
                self._shipping_document,
            ),
        ]
        for method, rule, scope, handler in routes:
            app.add_url_rule(
                rule,
                endpoint=rule,
                view_func=self._open_api(rule, scope, handler),
                methods=[method],
            )
        app.add_url_rule(
            "/api/v2/token/refresh", endpoint="refresh", view_func=self._refresh, methods=["GET"]
        )
        app.add_url_rule(
            "/sandbox/documents/<token>", endpoint="document", view_func=self._document
        )

        @app.errorhandler(HTTPException)
        def _http_error(error: HTTPException) -> Response:
            if error.code == 405:
                return self._answer(405, 36009010, "Invalid method.")
            return self._answer(error.code or 404, 36009009, "Invalid path.")

        return app

    def _answer(self, status: int, code: int, message: str, data: Any = None) -> Response:
        envelope: dict[str, Any] = {
            "code": code,
            "message": message,
            "request_id": self._request_id(),
        }
        if data is not None:
            envelope["data"] = data
        return Response(json.dumps(envelope), status=status, mimetype="application/json")

    def _open_api(
        self, rule: str, scope: str, handler: Callable[..., dict[str, Any]]
    ) -> Callable[..., Response]:
        """The view for one Open API route: common checks, then the handler."""
        counted = rule.replace("<", "{").replace(">", "}")

        def view(**path_args: str) -> Response:
            with self._lock:
                self.calls[counted] += 1
                try:
                    shop_id = self._check_common(rule, scope)
                    data = handler(shop_id, **path_args)
                except _ApiError as error:
                    return self._answer(error.status, error.code, error.message)
                return self._answer(200, 0, "Success", data)

        return view

    def _check_common(self, rule: str, scope: str) -> str:
        """What every Open API call must pass; the shop the token (and cipher) stand for."""
        params = {key: request.args.get(key, "") for key in request.args}
        now = self.clock()
        if params.get("app_key") != self.app_credentials.key:
            raise _ApiError(401, 36009004, "Invalid credentials. Invalid app_key query parameter.")
        try:
            timestamp = int(params.get("timestamp", ""))
        except ValueError:
            raise _ApiError(400, 36009004, "Invalid timestamp.") from None
        if timestamp < 0:
            raise _ApiError(400, 36009004, "Invalid timestamp. It must not be lesser than 0.")
        if timestamp < now - TIMESTAMP_PAST:
            raise _ApiError(
                401,
                36009004,
                "Invalid timestamp. The value of the timestamp query parameter must not be "
                "earlier than 5 minutes before the current time.",
            )
        if timestamp > now + TIMESTAMP_FUTURE:
            raise _ApiError(
                401,
                36009004,
                "Invalid timestamp. The value of the timestamp query parameter must not "
                "exceed the current time by more than 30 seconds.",
            )
        given = params.get("sign", "")
        if not given:
            raise _ApiError(401, 36009004, "Missing credentials. The sign is missing.")
        body = request.get_data(cache=True)
        expected = _signature(self.app_credentials.secret, request.path, params, body)
        if not hmac.compare_digest(given, expected):
            raise _ApiError(
                401, 106001, "Invalid credentials. The sign query parameter is invalid."
            )
        token = self._tokens.get(request.headers.get("x-tts-access-token", ""))
        if token is None:
            raise _ApiError(
                401, 36009004, "Invalid credentials. The x-tts-access-token header is invalid."
            )
        if now >= token.expires:
            raise _ApiError(
                401, 105002, "Expired credentials. The x-tts-access-token header has expired."
            )
        cipher = params.get("shop_cipher", "")
        if scope == SHOP_SCOPED:
            if not cipher:
                raise _ApiError(400, 106013, "Missing identifier. shop_cipher is required.")
            if self._by_cipher.get(cipher) != token.shop_id:
                raise _ApiError(
                    401, 101000, "The shop of the access token does not match shop_cipher."
                )
        elif cipher:
            raise _ApiError(400, 36009004, "Unexpected identifier. shop_cipher is not required.")
        self._check_rate(token.shop_id, rule, now)
        if self._failures:
            kind = self._failures.popleft()
            if kind == "throttle":
                raise _ApiError(429, 36009002, "Too many requests.")
            if kind == "transient":
                raise _ApiError(500, 36009003, "Internal error. Please try again.")
            raise _ApiError(401, 105002, "Expired credentials. The access token has expired.")
        return token.shop_id

    def _check_rate(self, shop_id: str, rule: str, now: float) -> None:
        """At most `rate_limit` calls per second per (shop, API) on the sandbox's clock."""
        if self.rate_limit is None:
            return
        window = self._recent.setdefault((shop_id, rule), deque())
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= self.rate_limit:
            raise _ApiError(429, 36009002, "Too many requests. Please wait and try again.")
        window.append(now)

    def _json_body(self) -> dict[str, Any]:
        raw = request.get_data(cache=True)
        if not raw:
            return {}
        try:
            body = json.loads(raw)
        except ValueError:
            raise _ApiError(400, 36009022, "Invalid request format.") from None
        if not isinstance(body, dict):
            raise _ApiError(400, 36009022, "Invalid request format.")
        return body

    def _page_size(self) -> int:
        try:
            size = int(request.args.get("page_size", ""))
        except ValueError:
            raise _ApiError(400, 36009004, "Invalid params: page_size is required.") from None
        if not 1 <= size <= MAX_PAGE:
            raise _ApiError(400, 36009004, f"Invalid params: page_size must be 1-{MAX_PAGE}.")
        return size

    def _page(self, kind: str, ids: list[str], size: int) -> tuple[list[str], str]:
        """One page of `ids` and the opaque token of the next (the same query must follow)."""
        token = request.args.get("page_token", "")
        start = 0
        if token:
            saved = self._page_tokens.get(token)
            if saved is None or saved[0] != kind:
                raise _ApiError(400, 36009004, "Invalid params: page_token is invalid.")
            _, snapshot, start = saved
            ids = list(snapshot)
        page = ids[start : start + size]
        next_token = ""
        if start + size < len(ids):
            next_token = secrets.token_urlsafe(12)
            self._page_tokens[next_token] = (kind, tuple(ids), start + size)
        return page, next_token

    # -- handlers -------------------------------------------------------------------------

    def _get_shops(self, shop_id: str) -> dict[str, Any]:
        shop = self._shops[shop_id]
        return {
            "shops": [
                {
                    "id": shop.shop_id,
                    "name": f"Sandbox shop {shop.shop_id}",
                    "region": shop.country,
                    "seller_type": "LOCAL",
                    "cipher": shop.cipher,
                    "code": f"{shop.country}LC{shop.shop_id[-6:]}",
                }
            ]
        }

    def _update_inventory(self, shop_id: str, product_id: str) -> dict[str, Any]:
        product = self._products.get(product_id)
        if product is None:
            raise _ApiError(200, 12052032, "The product does not exist")
        if product.shop_id != shop_id:
            raise _ApiError(
                200,
                12052048,
                "You cannot edit the specified product(s) as it isn't listed in your account "
                "or shop.",
            )
        skus = self._json_body().get("skus")
        if not isinstance(skus, list) or not skus:
            raise _ApiError(200, 12052902, "The SKU list is empty.")
        if len(skus) > MAX_SKUS:
            raise _ApiError(
                200, 12052050, "A single product cannot have more than 100 different SKUs"
            )
        errors: list[dict[str, Any]] = []
        seen: set[str] = set()
        for entry in skus:
            sku_id = str(entry.get("id") or "") if isinstance(entry, dict) else ""
            if not sku_id:
                raise _ApiError(200, 12052036, "The SKU ID is necessary")
            if sku_id in seen:
                errors.append(_sku_error(sku_id, 12052553, "Sku id duplicate"))
                continue
            seen.add(sku_id)
            sku = product.skus.get(sku_id)
            if sku is None:
                errors.append(_sku_error(sku_id, 12052556, "The SKU id not exist."))
                continue
            error = self._apply_sku(sku, entry.get("inventory"))
            if error is not None:
                errors.append(error)
        return {"errors": errors} if errors else {}

    def _apply_sku(self, sku: _Sku, inventory: Any) -> dict[str, Any] | None:
        """Set the SKU's warehouses all together, or refuse the SKU with the API's error."""
        if not isinstance(inventory, list) or not inventory:
            return _sku_error(sku.sku_id, 12019022, "SKU must contain a valid warehouse.")
        wanted: dict[str, Any] = {}
        for row in inventory:
            if not isinstance(row, dict):
                return _sku_error(sku.sku_id, 12019024, "stock count is invalid")
            warehouse = str(row.get("warehouse_id") or "")
            if not warehouse:
                if len(sku.warehouses) != 1:
                    return _sku_error(
                        sku.sku_id,
                        12019028,
                        "Multiple warehouses detected. Include all warehouse IDs and the "
                        "corresponding details and try again.",
                    )
                warehouse = next(iter(sku.warehouses))
            wanted[warehouse] = row.get("quantity")
        extra: list[dict[str, Any]] = []
        for warehouse in wanted:
            if warehouse not in sku.warehouses and not any(
                warehouse in other.warehouses
                for product in self._products.values()
                for other in product.skus.values()
            ):
                extra.append(_extra(warehouse, 12052097, "The warehouse does not exist"))
        if extra:
            return _sku_error(sku.sku_id, 12052990, "The check failed.", extra)
        if set(wanted) != set(sku.warehouses):
            return _sku_error(
                sku.sku_id,
                12052533,
                "Removal, addition, and change of warehouses are not permitted. Please specify "
                "the original warehouses for the SKUs.",
            )
        for warehouse, quantity in wanted.items():
            stock = sku.warehouses[warehouse]
            if isinstance(quantity, bool) or not isinstance(quantity, int):
                extra.append(_extra(warehouse, 12019024, "stock count is invalid"))
            elif not 0 <= quantity <= MAX_QUANTITY:
                extra.append(
                    _extra(
                        warehouse,
                        12052055,
                        "The SKU inventory quantity for the warehouse must be within allowed "
                        "limits.",
                    )
                )
            elif stock.refused:
                extra.append(_extra(warehouse, 12052990, stock.refused))
            elif quantity < stock.reserved:
                extra.append(
                    _extra(
                        warehouse,
                        12052393,
                        "Product locked for Promotion and stock can't be updated below current "
                        "stock",
                    )
                )
        if extra:
            return _sku_error(sku.sku_id, 12052990, "The check failed.", extra)
        for warehouse, quantity in wanted.items():
            sku.warehouses[warehouse].available = int(quantity)
        return None

    def _search_inventory(self, shop_id: str) -> dict[str, Any]:
        body = self._json_body()
        product_ids = body.get("product_ids")
        sku_ids = body.get("sku_ids")
        if bool(product_ids) == bool(sku_ids):
            raise _ApiError(400, 36009004, "Invalid params: give product_ids or sku_ids.")
        if product_ids and len(product_ids) > MAX_PRODUCT_IDS:
            raise _ApiError(400, 36009004, f"Invalid params: at most {MAX_PRODUCT_IDS} products.")
        if sku_ids and len(sku_ids) > MAX_SKU_IDS:
            raise _ApiError(400, 36009004, f"Invalid params: at most {MAX_SKU_IDS} SKUs.")
        wanted_skus = {str(s) for s in sku_ids or []}
        products = (
            [self._products.get(str(p)) for p in product_ids]
            if product_ids
            else list(self._products.values())
        )
        inventory = []
        for product in products:
            if product is None or product.shop_id != shop_id:
                continue
            rows = []
            for sku in product.skus.values():
                if wanted_skus and sku.sku_id not in wanted_skus:
                    continue
                rows.append(
                    {
                        "id": sku.sku_id,
                        "seller_sku": sku.seller_sku,
                        "total_available_quantity": sum(
                            s.available for s in sku.warehouses.values()
                        ),
                        "total_committed_quantity": sum(
                            s.committed for s in sku.warehouses.values()
                        ),
                        "warehouse_inventory": [
                            {
                                "warehouse_id": warehouse,
                                "available_quantity": stock.available,
                                "committed_quantity": stock.committed,
                            }
                            for warehouse, stock in sku.warehouses.items()
                        ],
                    }
                )
            if rows:
                inventory.append({"product_id": product.product_id, "skus": rows})
        return {"inventory": inventory}

    def _search_products(self, shop_id: str) -> dict[str, Any]:
        size = self._page_size()
        self._json_body()
        ids = sorted(p.product_id for p in self._products.values() if p.shop_id == shop_id)
        page, next_token = self._page("products", ids, size)
        products = []
        for product_id in page:
            product = self._products[product_id]
            products.append(
                {
                    "id": product.product_id,
                    "title": product.title,
                    "status": "ACTIVATE",
                    "skus": [
                        {
                            "id": sku.sku_id,
                            "seller_sku": sku.seller_sku,
                            "price": {
                                "currency": CURRENCIES.get(self._shops[shop_id].country, "USD"),
                                "tax_exclusive_price": "10.00",
                            },
                            "inventory": [
                                {"warehouse_id": warehouse, "quantity": stock.available}
                                for warehouse, stock in sku.warehouses.items()
                            ],
                        }
                        for sku in product.skus.values()
                    ],
                }
            )
        return {"products": products, "next_page_token": next_token, "total_count": len(ids)}

    def _search_orders(self, shop_id: str) -> dict[str, Any]:
        size = self._page_size()
        body = self._json_body()
        field_name = request.args.get("sort_field", "create_time")
        if field_name not in ("create_time", "update_time"):
            raise _ApiError(400, 36009004, "Invalid params: sort_field.")
        descending = request.args.get("sort_order", "DESC") == "DESC"

        def within(order: _Order) -> bool:
            for name, value in (
                ("create_time", order.create_time),
                ("update_time", order.update_time),
            ):
                if f"{name}_ge" in body and value < int(body[f"{name}_ge"]):
                    return False
                if f"{name}_lt" in body and value >= int(body[f"{name}_lt"]):
                    return False
            status = body.get("order_status")
            return not status or order.status == status

        chosen = [o for o in self._orders.values() if o.shop_id == shop_id and within(o)]
        chosen.sort(key=lambda o: (getattr(o, field_name), o.order_id), reverse=descending)
        page, next_token = self._page("orders", [o.order_id for o in chosen], size)
        return {
            "orders": [self._order_json(self._orders[i]) for i in page],
            "next_page_token": next_token,
            "total_count": len(chosen),
        }

    def _order_detail(self, shop_id: str) -> dict[str, Any]:
        ids = [i for i in request.args.get("ids", "").split(",") if i]
        if not ids:
            raise _ApiError(400, 36009004, "Invalid params: ids is required.")
        if len(ids) > MAX_ORDER_IDS:
            raise _ApiError(400, 36009004, f"Invalid params: at most {MAX_ORDER_IDS} ids.")
        orders = [self._orders.get(i) for i in ids]
        return {
            "orders": [
                self._order_json(order)
                for order in orders
                if order is not None and order.shop_id == shop_id
            ]
        }

    def _package_order(self, shop_id: str, package_id: str) -> _Order:
        order_id = self._packages.get(package_id)
        if order_id is None:
            raise _ApiError(200, 21001001, "Invalid parameters. The package does not exist.")
        order = self._orders[order_id]
        if order.shop_id != shop_id:
            raise _ApiError(200, 21011028, "The package does not belong to the current shop.")
        return order

    def _ship(self, shop_id: str, package_id: str) -> dict[str, Any]:
        order = self._package_order(shop_id, package_id)
        body = self._json_body()
        if order.status == "CANCELLED":
            raise _ApiError(200, 21011041, "Cannot complete the operation when order is cancelled.")
        if order.status in ("UNPAID", "ON_HOLD"):
            raise _ApiError(200, 21011003, "fulfill_unit action not allowed")
        if order.status not in ("AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"):
            raise _ApiError(200, 21011040, "Package has already been shipped.")
        self_shipment = body.get("self_shipment")
        if order.shipping_type == "SELLER":
            if not isinstance(self_shipment, dict) or not all(
                self_shipment.get(k) for k in ("tracking_number", "shipping_provider_id")
            ):
                raise _ApiError(
                    200,
                    21011022,
                    "Invalid tracking number or provider ID. Please double check and try again.",
                )
            order.tracking_number = str(self_shipment["tracking_number"])
            order.shipping_provider_id = str(self_shipment["shipping_provider_id"])
            order.status = "IN_TRANSIT"
        else:
            if self_shipment:
                raise _ApiError(
                    200,
                    21008025,
                    "Seller cannot operate orders which are fulfilled by platform",
                )
            order.tracking_number = f"TTS{next(self._ids):012d}"
            order.shipping_provider_id = "7000000000000000777"
            order.status = "AWAITING_COLLECTION"
        order.update_time = int(self.clock())
        self._notify(order)  # only queued here: the webhook thread delivers
        return {}

    def _shipping_document(self, shop_id: str, package_id: str) -> dict[str, Any]:
        order = self._package_order(shop_id, package_id)
        if request.args.get("document_type") not in (
            "SHIPPING_LABEL",
            "PACKING_SLIP",
            "SHIPPING_LABEL_AND_PACKING_SLIP",
        ):
            raise _ApiError(400, 36009004, "Invalid params: document_type.")
        if order.shipping_type == "SELLER":
            raise _ApiError(
                200,
                21008017,
                "This API is only applicable to TikTok Shipping orders. For seller shipping, "
                "please obtain the shipping label offline.",
            )
        if order.status == "CANCELLED":
            raise _ApiError(200, 21023059, "Package has already been cancelled.")
        if not order.tracking_number:
            raise _ApiError(
                200, 21023035, "Please arrange shipment before retrieving the shipping document."
            )
        token = secrets.token_urlsafe(24)
        self._documents[token] = (order.order_id, self.clock() + DOCUMENT_URL_LIFETIME)
        return {
            "doc_url": f"{request.host_url.rstrip('/')}/sandbox/documents/{token}",
            "tracking_number": order.tracking_number,
        }

    def _refresh(self) -> Response:
        """The token host's refresh: app secret in the query, no signature."""
        with self._lock:
            self.calls["/api/v2/token/refresh"] += 1
            args = request.args
            if (
                args.get("app_key") != self.app_credentials.key
                or args.get("app_secret") != self.app_credentials.secret
            ):
                return self._answer(401, 36009004, "Invalid credentials. Invalid app_key.")
            if args.get("grant_type") != "refresh_token":
                return self._answer(400, 36009004, "Invalid params: grant_type.")
            shop_id = self._refresh_tokens.get(args.get("refresh_token", ""))
            if shop_id is None:
                return self._answer(401, 36004005, "can not find related auth record")
            shop = self._shops[shop_id]
            if self.clock() >= shop.refresh_expires:
                return self._answer(401, 36004001, "rt has expired")
            access_token, expires = self._issue_access_token(shop_id)
            return self._answer(
                200,
                0,
                "success",
                {
                    "access_token": access_token,
                    "access_token_expire_in": int(expires),
                    "refresh_token": shop.refresh_token,
                    "refresh_token_expire_in": int(shop.refresh_expires),
                    "open_id": f"open_{shop.shop_id}",
                    "seller_name": f"Sandbox seller {shop.shop_id}",
                    "seller_base_region": shop.country,
                    "user_type": 0,
                },
            )

    def _document(self, token: str) -> Response:
        """The label behind a `doc_url` (no signature, valid 24 hours)."""
        with self._lock:
            self.calls["/sandbox/documents/{token}"] += 1
            saved = self._documents.get(token)
            if saved is None or self.clock() >= saved[1]:
                return Response("Not Found", status=404, mimetype="text/plain")
            order = self._orders[saved[0]]
            shop = self._shops[order.shop_id]
            counts = Counter(unit.seller_sku or unit.sku_id for unit in order.units)
            lines = [
                "TikTok Shop - Sandbox shipping label",
                f"Order {order.order_id}  Package {order.package_id}",
                f"Tracking {order.tracking_number}",
                f"Ship to: Sandbox Buyer, {shop.country}",
                *(f"{count} x {sku}" for sku, count in sorted(counts.items())),
            ]
        return Response(_label_pdf(lines), mimetype="application/pdf")

    # -- order JSON -----------------------------------------------------------------------

    def _order_json(self, order: _Order) -> dict[str, Any]:
        shop = self._shops[order.shop_id]
        total = _money(order.unit_price, len(order.units))
        raw: dict[str, Any] = {
            "id": order.order_id,
            "status": order.status,
            "create_time": order.create_time,
            "update_time": order.update_time,
            "rts_sla_time": order.create_time + 2 * 24 * 3600,
            "user_id": f"buyer-{order.order_id[-6:]}",
            "buyer_email": f"buyer{order.order_id[-6:]}@scs.tiktokw.us",
            "buyer_message": "",
            "payment": {
                "currency": order.currency,
                "sub_total": total,
                "shipping_fee": "0",
                "seller_discount": "0",
                "platform_discount": "0",
                "tax": "0",
                "total_amount": total,
            },
            "line_items": [
                {
                    "id": unit.line_id,
                    "sku_id": unit.sku_id,
                    "product_id": unit.product_id,
                    "seller_sku": unit.seller_sku,
                    "product_name": unit.product_name,
                    "sku_name": unit.product_name,
                    "sale_price": order.unit_price,
                    "original_price": order.unit_price,
                    "currency": order.currency,
                    "display_status": order.status,
                    "package_id": order.package_id,
                    "is_gift": False,
                }
                for unit in order.units
            ],
            "warehouse_id": order.warehouse_id,
            "fulfillment_type": "FULFILLMENT_BY_SELLER",
            "shipping_type": order.shipping_type,
            "is_cod": False,
            "order_type": "NORMAL",
            "packages": [{"id": order.package_id}],
            "tracking_number": order.tracking_number,
            "shipping_provider_id": order.shipping_provider_id,
        }
        if order.paid_time is not None:
            raw["paid_time"] = order.paid_time
        if shop.country == "ID":
            raw["commerce_platform"] = "TIKTOK_SHOP"
        if order.status not in NO_ADDRESS_STATUSES:
            street, city, state, postcode, phone = ADDRESSES.get(shop.country, ADDRESSES["MY"])
            raw["recipient_address"] = {
                "name": "Sandbox Buyer",
                "first_name": "Sandbox",
                "last_name": "Buyer",
                "phone_number": phone,
                "full_address": f"{street}, {city}, {state}, {postcode}",
                "address_detail": street,
                "address_line1": street,
                "postal_code": postcode,
                "region_code": shop.country,
                "district_info": [
                    _level("L0", "Country", shop.country),
                    _level("L1", "State", state),
                    _level("L2", "City", city),
                ],
            }
        return raw


def _level(level: str, name: str, value: str) -> dict[str, str]:
    return {"address_level": level, "address_level_name": name, "address_name": value}


def _sku_error(
    sku_id: str, code: int, message: str, extra: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "detail": {"sku_id": sku_id, "extra_errors": extra or []},
    }


def _extra(warehouse_id: str, code: int, message: str) -> dict[str, Any]:
    return {"warehouse_id": warehouse_id, "code": code, "message": message}


def _money(unit_price: str, count: int) -> str:
    whole, _, cents = unit_price.partition(".")
    if not cents:
        return str(int(whole) * count)
    total = (int(whole) * 100 + int(cents.ljust(2, "0")[:2])) * count
    return f"{total // 100}.{total % 100:02d}"


def _label_pdf(lines: Sequence[str]) -> bytes:
    """A one-page A6 label (105 x 148 mm) with the given lines."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(105 * mm, 148 * mm))
    y = 138 * mm
    for number, line in enumerate(lines):
        pdf.setFont("Helvetica-Bold" if number == 0 else "Helvetica", 9)
        pdf.drawString(6 * mm, y, line)
        y -= 6 * mm
    pdf.showPage()
    pdf.save()
    return out.getvalue()
