"""A local Shopee Open Platform v2: the paths, parameters, JSON shapes, error keys and checks of
the real API (shared marketplace contracts §2), over shops, items, models and orders held in
memory.

It checks what Shopee checks: the HMAC signature (computed here on its own, from the query as
sent), the 5-minute timestamp window, the partner id, the shop, the access token and its 4-hour
life on `clock`, single-use refresh tokens, 1 to 50 models per stock call, one model at most
once, items of another shop, stock below the reserved stock, unknown locations, the 15-day
order window and the page sizes. A per-shop `rate_limit` and `fail_next` give the whole-call
failures; `refuse_listing` gives per-model ones. Order changes are pushed (code 3) to
`webhook_url`, signed as Shopee signs them; pushes that fail wait in the lost-push queue.

Where Shopee publishes nothing (HTTP statuses of errors, the rate-limit answer, the
shipping-document timing) the choices are marked UNVERIFIED below.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import secrets
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask import Flask, Response, request

from wms.channels.marketplace import AppCredentials, ListingRef, Marketplace, ShopAccess

log = logging.getLogger(__name__)

ACCESS_TOKEN_SECONDS = 4 * 3600
REFRESH_TOKEN_SECONDS = 30 * 24 * 3600
TIMESTAMP_WINDOW_SECONDS = 300
ORDER_WINDOW_SECONDS = 15 * 24 * 3600
LOST_PUSH_SECONDS = 3 * 24 * 3600
ORDER_STATUSES = frozenset(
    {
        "UNPAID",
        "READY_TO_SHIP",
        "PROCESSED",
        "RETRY_SHIP",
        "SHIPPED",
        "TO_CONFIRM_RECEIVE",
        "IN_CANCEL",
        "CANCELLED",
        "TO_RETURN",
        "COMPLETED",
        "INVOICE_PENDING",
        "PENDING",
    }
)
ITEM_STATUSES = frozenset(
    {"NORMAL", "BANNED", "UNLIST", "REVIEWING", "SELLER_DELETE", "SHOPEE_DELETE"}
)
DOCUMENT_TYPES = frozenset(
    {
        "NORMAL_AIR_WAYBILL",
        "THERMAL_AIR_WAYBILL",
        "NORMAL_JOB_AIR_WAYBILL",
        "THERMAL_JOB_AIR_WAYBILL",
        "THERMAL_UNPACKAGED_LABEL",
    }
)
ORDER_OPTIONAL_FIELDS = frozenset(
    {
        "buyer_user_id",
        "buyer_username",
        "recipient_address",
        "item_list",
        "total_amount",
        "pay_time",
        "package_list",
        "payment_method",
        "note",
        "shipping_carrier",
    }
)
CURRENCIES = {"MY": "MYR", "ID": "IDR", "VN": "VND", "TH": "THB", "SG": "SGD", "PH": "PHP"}
UNIT_PRICES = {"MY": "19.90", "SG": "9.90", "PH": "299.00", "ID": "25000", "VN": "150000"}

# UNVERIFIED: HTTP statuses. Shopee documents error keys, not statuses; the sandbox answers
# 403 for gateway refusals (sign, timestamp, partner, shop, token), 400 for refused
# parameters, 429 for rate (whose error key Shopee does not publish), 500 for `error_server`.
GATEWAY_STATUS = 403
PARAM_STATUS = 400
THROTTLE_ERROR = ("error_rate_limit", "Too many requests, please try later.")


class _Refusal(Exception):
    """An answer with `error` set: the call fails as a whole."""

    def __init__(
        self,
        status: int,
        error: str,
        message: str,
        response: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{error}: {message}")
        self.status = status
        self.error = error
        self.message = message
        self.response = response


@dataclass
class _Shop:
    shop_id: int
    country: str
    base_url: str
    access_tokens: dict[str, float] = field(default_factory=dict)  # token → expires at
    refresh_tokens: dict[str, float] = field(default_factory=dict)
    locations: set[str] = field(default_factory=set)


@dataclass
class _Model:
    model_id: int
    name: str
    sku: str
    stock: dict[str, int] = field(default_factory=dict)  # location_id ("" = none) → stock
    reserved: int = 0
    refused: str | None = None


@dataclass
class _Item:
    item_id: int
    shop_id: int
    name: str
    sku: str
    update_time: int
    status: str = "NORMAL"
    models: dict[int, _Model] = field(default_factory=dict)

    @property
    def has_model(self) -> bool:
        return 0 not in self.models


@dataclass
class _Line:
    item_id: int
    model_id: int
    location_id: str
    quantity: int
    order_item_id: int


@dataclass
class _Order:
    order_sn: str
    shop_id: int
    status: str
    lines: list[_Line]
    create_time: int
    update_time: int
    package_number: str
    buyer: int
    pay_time: int | None = None
    tracking_number: str = ""
    stock_released: bool = False
    document_type: str | None = None
    document_polls_left: int = 0


@dataclass
class _Push:
    message_id: int
    shop_id: int
    code: int
    timestamp: int
    data: dict[str, Any]


@dataclass
class _Bucket:
    tokens: float
    at: float


class ShopeeSandbox:
    """An in-memory Shopee for the app `app_credentials` (partner_id = key, partner_key =
    secret), answering over HTTP through `wsgi_app()`.

    `rate_limit`: calls per second per shop (None: no limit). `partial_failure_error`: when
    only some models of a stock call fail, also set `error_busi_update_stock_failed` (Shopee
    does not say which it does; all failing always sets it). `document_ready_after`: how many
    result queries a waybill task answers PROCESSING before READY. `shipping_carrier`: the
    logistics channel orders are placed with.
    """

    def __init__(
        self,
        app_credentials: AppCredentials,
        *,
        clock: Callable[[], float] = time.time,
        rate_limit: float | None = None,
        webhook_url: str | None = None,
        webhook_timeout: float = 2.0,
        partial_failure_error: bool = False,
        document_ready_after: int = 1,
        shipping_carrier: str = "Seller Own Fleet",
    ) -> None:
        self.app_credentials = app_credentials
        self.clock = clock
        self.calls: Counter[str] = Counter()
        self.rate_limit = rate_limit
        self.webhook_url = webhook_url
        self.webhook_timeout = webhook_timeout
        self.partial_failure_error = partial_failure_error
        self.document_ready_after = document_ready_after
        self.shipping_carrier = shipping_carrier
        self.pushes_delivered = 0
        self._lock = threading.Lock()
        self._shops: dict[int, _Shop] = {}
        self._items: dict[int, _Item] = {}
        self._orders: dict[str, _Order] = {}
        self._failures: list[str] = []
        self._buckets: dict[str, _Bucket] = {}
        self._lost: list[_Push] = []
        self._next_push_id = 1
        self._order_count = 0
        self._app: Flask | None = None

    # --- what drivers do -------------------------------------------------------------------

    def add_shop(self, shop_id: str, country: str, base_url: str) -> ShopAccess:
        """A shop authorised for the app, with a fresh access token (4 h) and refresh token."""
        with self._lock:
            key = int(shop_id)
            shop = self._shops.get(key)
            if shop is None:
                shop = self._shops[key] = _Shop(key, country.upper(), base_url)
            now = self.clock()
            access, refresh = self._issue_tokens(shop, now)
        return ShopAccess(
            marketplace=Marketplace.SHOPEE,
            country=country.upper(),
            base_url=base_url,
            app=self.app_credentials,
            shop_id=str(key),
            access_token=access,
            refresh_token=refresh,
            access_expires_at=datetime.fromtimestamp(now + ACCESS_TOKEN_SECONDS, UTC),
            refresh_expires_at=datetime.fromtimestamp(now + REFRESH_TOKEN_SECONDS, UTC),
        )

    def add_listing(
        self, shop_id: str, listing: ListingRef, title: str, quantity: int = 0, reserved: int = 0
    ) -> None:
        """A model (or a plain item, model_id "") at the listing's location in the shop.

        A title "Item / Variant" names the item and the model apart."""
        with self._lock:
            shop = self._shops[int(shop_id)]
            item_id, model_id = int(listing.item_id), int(listing.model_id or 0)
            item_name, _, model_name = title.partition(" / ")
            item = self._items.get(item_id)
            if item is None:
                item = _Item(
                    item_id, shop.shop_id, item_name, listing.seller_sku, int(self.clock())
                )
                self._items[item_id] = item
            if item.shop_id != shop.shop_id:
                raise ValueError(f"item {item_id} belongs to shop {item.shop_id}")
            if item.models and (model_id == 0) != (0 in item.models):
                raise ValueError(f"item {item_id} cannot mix a plain listing with variants")
            model = item.models.setdefault(
                model_id, _Model(model_id, model_name or item_name, listing.seller_sku)
            )
            model.stock[listing.warehouse_id] = quantity
            model.reserved = reserved
            if listing.warehouse_id:
                shop.locations.add(listing.warehouse_id)

    def quantity(self, shop_id: str, listing: ListingRef) -> int:
        """Seller stock shown for the listing (all locations when it names none)."""
        with self._lock:
            model = self._model(int(shop_id), listing)
            if listing.warehouse_id:
                return model.stock.get(listing.warehouse_id, 0)
            return sum(model.stock.values())

    def place_order(
        self, shop_id: str, lines: Sequence[tuple[ListingRef, int]], *, paid: bool = True
    ) -> str:
        """A buyer's order (its stock taken off the listings); pushed as code 3."""
        with self._lock:
            shop = self._shops[int(shop_id)]
            now = int(self.clock())
            self._order_count += 1
            number = self._order_count
            order_lines = []
            for index, (listing, quantity) in enumerate(lines):
                model = self._model(shop.shop_id, listing)
                location = listing.warehouse_id or next(iter(model.stock), "")
                model.stock[location] = max(0, model.stock.get(location, 0) - quantity)
                order_lines.append(
                    _Line(
                        int(listing.item_id),
                        model.model_id,
                        location,
                        quantity,
                        order_item_id=number * 100 + index,
                    )
                )
            order_sn = datetime.fromtimestamp(now, UTC).strftime("%y%m%d") + _base36(number, 8)
            status = "READY_TO_SHIP" if paid else "UNPAID"
            self._orders[order_sn] = _Order(
                order_sn=order_sn,
                shop_id=shop.shop_id,
                status=status,
                lines=order_lines,
                create_time=now,
                update_time=now,
                package_number=f"OFG{number:012d}",
                buyer=3000 + number,
                pay_time=now if paid else None,
            )
            push = self._order_push(self._orders[order_sn])
        self._deliver([push])
        return order_sn

    def set_order_status(self, order_id: str, raw_status: str) -> None:
        """Move the order to a Shopee status (cancelling gives its stock back); pushed."""
        if raw_status not in ORDER_STATUSES:
            raise ValueError(f"not a Shopee order status: {raw_status}")
        with self._lock:
            order = self._orders[order_id]
            self._move(order, raw_status)
            push = self._order_push(order)
        self._deliver([push])

    def shipped(self, order_id: str) -> tuple[str, str] | None:
        """(tracking number, logistics channel) once shipment was arranged with `ship_order`."""
        with self._lock:
            order = self._orders[order_id]
            if not order.tracking_number:
                return None
            return order.tracking_number, self.shipping_carrier

    def fail_next(self, kind: str, count: int = 1) -> None:
        """The next `count` calls fail: "throttle" (HTTP 429), "transient" (`error_server`,
        HTTP 500) or "auth" (`error_auth` "Invalid access_token.")."""
        if kind not in {"throttle", "transient", "auth"}:
            raise ValueError(f"unknown failure kind: {kind}")
        with self._lock:
            self._failures.extend([kind] * count)

    def refuse_listing(self, shop_id: str, listing: ListingRef, reason: str) -> None:
        """Stock updates of this model land in `failure_list` with `reason`."""
        with self._lock:
            self._model(int(shop_id), listing).refused = reason

    def expire_access_token(self, shop_id: str) -> None:
        """Every access token of the shop stops working now."""
        with self._lock:
            shop = self._shops[int(shop_id)]
            now = self.clock()
            for token in shop.access_tokens:
                shop.access_tokens[token] = min(shop.access_tokens[token], now - 1)

    def lost_pushes(self) -> int:
        """Pushes that could not be delivered and are not yet confirmed consumed."""
        with self._lock:
            return len(self._lost)

    # --- HTTP ------------------------------------------------------------------------------

    def wsgi_app(self) -> Flask:
        """Shopee's paths under /api/v2, as a Flask app."""
        if self._app is None:
            app = Flask(f"shopee-sandbox-{id(self)}")
            app.add_url_rule("/api/v2/<path:rest>", "api", self._serve, methods=["GET", "POST"])
            app.register_error_handler(
                404, lambda _e: _json_response(404, _envelope("error_not_found", "Wrong path."))
            )
            self._app = app
        return self._app

    def _serve(self, rest: str) -> Response:
        path = f"/api/v2/{rest}"
        route = ROUTES.get(path)
        pushes: list[dict[str, Any]] = []
        with self._lock:
            self.calls[path] += 1
            try:
                if route is None or route.method != request.method:
                    raise _Refusal(404, "error_not_found", "Wrong path or method.")
                self._fail_if_told()
                shop = self._authenticate(route.kind, path)
                self._admit(shop)
                body = self._body() if request.method == "POST" else {}
                answer = route.handler(self, shop, body, pushes)
            except _Refusal as refusal:
                payload = _envelope(refusal.error, refusal.message)
                if refusal.response is not None:
                    payload["response"] = refusal.response
                answer = _json_response(refusal.status, payload)
        self._deliver(pushes)
        return answer

    def _fail_if_told(self) -> None:
        if not self._failures:
            return
        kind = self._failures.pop(0)
        if kind == "throttle":
            raise _Refusal(429, *THROTTLE_ERROR)
        if kind == "transient":
            raise _Refusal(500, "error_server", "Something wrong. Please try later.")
        raise _Refusal(GATEWAY_STATUS, "error_auth", "Invalid access_token.")

    def _authenticate(self, kind: str, path: str) -> _Shop | None:
        """The common parameters checked as Shopee's gateway does; the shop for Shop APIs."""
        args = request.args
        partner_id = args.get("partner_id")
        if not partner_id:
            raise _Refusal(GATEWAY_STATUS, "error_param", "There is no partner_id in query.")
        if partner_id != self.app_credentials.key:
            raise _Refusal(GATEWAY_STATUS, "error_param", "Invalid partner_id.")
        timestamp = args.get("timestamp")
        if not timestamp:
            raise _Refusal(GATEWAY_STATUS, "error_param", "no timestamp")
        if not timestamp.isdigit() or abs(self.clock() - int(timestamp)) > TIMESTAMP_WINDOW_SECONDS:
            raise _Refusal(GATEWAY_STATUS, "error_param", "Invalid timestamp")
        given = args.get("sign")
        if not given:
            raise _Refusal(GATEWAY_STATUS, "error_param", "There is no sign in query.")
        message = partner_id + path + timestamp
        shop: _Shop | None = None
        if kind == "shop":
            token = args.get("access_token")
            if not token:
                raise _Refusal(GATEWAY_STATUS, "error_param", "There is no access_token in query.")
            shop_id = args.get("shop_id", "")
            message += token + shop_id
        expected = hmac.new(
            self.app_credentials.secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256
        ).hexdigest()
        if not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
            raise _Refusal(GATEWAY_STATUS, "error_sign", "Wrong sign.")
        if kind == "shop":
            shop_id = args.get("shop_id", "")
            shop = self._shops.get(int(shop_id)) if shop_id.isdigit() else None
            if shop is None:
                raise _Refusal(GATEWAY_STATUS, "error_shop", "shopid is invalid")
            expires = shop.access_tokens.get(args["access_token"])
            if expires is None or expires <= self.clock():
                raise _Refusal(GATEWAY_STATUS, "error_auth", "Invalid access_token.")
        return shop

    def _admit(self, shop: _Shop | None) -> None:
        """Per-shop (or per-partner, for public calls) token bucket of `rate_limit` calls/s."""
        if self.rate_limit is None:
            return
        key = f"shop:{shop.shop_id}" if shop else "partner"
        now = self.clock()
        capacity = max(1.0, self.rate_limit)
        bucket = self._buckets.setdefault(key, _Bucket(capacity, now))
        bucket.tokens = min(capacity, bucket.tokens + (now - bucket.at) * self.rate_limit)
        bucket.at = now
        if bucket.tokens < 1:
            raise _Refusal(429, *THROTTLE_ERROR)
        bucket.tokens -= 1

    def _body(self) -> dict[str, Any]:
        try:
            body = json.loads(request.get_data() or b"{}")
        except ValueError as exc:
            raise _Refusal(PARAM_STATUS, "error_data", "parse data failed") from exc
        if not isinstance(body, dict):
            raise _Refusal(PARAM_STATUS, "error_data", "parse data failed")
        return body

    # --- API: auth -------------------------------------------------------------------------

    def _refresh(self, _shop: _Shop | None, body: dict[str, Any], _p: list) -> Response:
        if str(body.get("partner_id")) != self.app_credentials.key:
            raise _Refusal(PARAM_STATUS, "error_param", "Invalid partner_id.")
        shop = self._shops.get(_int(body.get("shop_id"), "shop_id"))
        if shop is None:
            raise _Refusal(PARAM_STATUS, "error_param", "Invalid shop_id.")
        token = str(body.get("refresh_token") or "")
        expires = shop.refresh_tokens.pop(token, None)  # single-use: gone once presented
        if expires is None or expires <= self.clock():
            raise _Refusal(PARAM_STATUS, "error_auth", "Invalid refresh_token.")
        access, refresh = self._issue_tokens(shop, self.clock())
        payload = _envelope("", "")
        payload.update(
            partner_id=int(self.app_credentials.key),
            shop_id=shop.shop_id,
            access_token=access,
            refresh_token=refresh,
            expire_in=ACCESS_TOKEN_SECONDS,
        )
        return _json_response(200, payload)

    # --- API: products ---------------------------------------------------------------------

    def _update_stock(self, shop: _Shop | None, body: dict[str, Any], _p: list) -> Response:
        assert shop is not None
        item = self._shop_item(shop, body.get("item_id"))
        stock_list = body.get("stock_list")
        if not isinstance(stock_list, list) or not 1 <= len(stock_list) <= 50:
            raise _param("stock_list must hold 1 to 50 models")
        seen: set[int] = set()
        for entry in stock_list:
            model_id = _int(entry.get("model_id") if isinstance(entry, dict) else None, "model_id")
            if model_id in seen:
                raise _Refusal(PARAM_STATUS, "error_param", "Repeat model_id.")
            seen.add(model_id)
            if model_id not in item.models:
                raise _Refusal(PARAM_STATUS, "error_param", "Wrong model_id.")
            stocks = entry.get("seller_stock")
            if not isinstance(stocks, list) or not stocks:
                raise _param("seller_stock is required")
            for stock in stocks:
                value = stock.get("stock") if isinstance(stock, dict) else None
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise _param("stock must be a whole number of at least 0")
        successes, failures = [], []
        for entry in stock_list:
            model = item.models[int(entry["model_id"])]
            wanted = {str(s.get("location_id") or ""): s["stock"] for s in entry["seller_stock"]}
            reason = model.refused or self._location_problem(shop, model, wanted)
            after = {**model.stock, **wanted}
            if reason is None and sum(after.values()) < model.reserved:
                reason = "stock is less than reserved stock"
            if reason is not None:
                failures.append({"model_id": model.model_id, "failed_reason": reason})
                continue
            model.stock = after
            successes.extend(
                {"model_id": model.model_id, "location_id": location, "stock": stock}
                for location, stock in wanted.items()
            )
        if successes:
            item.update_time = int(self.clock())
        payload = _envelope("", "")
        if failures and (not successes or self.partial_failure_error):
            payload["error"] = "error_busi_update_stock_failed"
            payload["message"] = (
                "Update stock failed, please check failure_list for detailed reason"
            )
        payload["response"] = {"success_list": successes, "failure_list": failures}
        return _json_response(200, payload)

    def _location_problem(
        self, shop: _Shop, model: _Model, wanted: Mapping[str, int]
    ) -> str | None:
        named = any(location for location in model.stock)
        for location in wanted:
            if location and location not in shop.locations:
                return f"location_id {location} is invalid"
            if not location and named:
                return "location_id is required for a shop with warehouses"
        return None

    def _get_item_list(self, shop: _Shop | None, _b: dict[str, Any], _p: list) -> Response:
        assert shop is not None
        offset = _int(request.args.get("offset", "0"), "offset")
        page_size = _int(request.args.get("page_size"), "page_size")
        statuses = request.args.getlist("item_status")
        if offset < 0 or not 1 <= page_size <= 100:
            raise _param("page_size must be 1 to 100 and offset at least 0")
        if not statuses or not set(statuses) <= ITEM_STATUSES:
            raise _param("item_status is required")
        items = sorted(
            (i for i in self._items.values() if i.shop_id == shop.shop_id and i.status in statuses),
            key=lambda i: i.item_id,
        )
        page = items[offset : offset + page_size]
        more = offset + page_size < len(items)
        response = {
            "item": [
                {"item_id": i.item_id, "item_status": i.status, "update_time": i.update_time}
                for i in page
            ],
            "total_count": len(items),
            "has_next_page": more,
            "next_offset": offset + page_size if more else 0,
        }
        return _ok(response)

    def _get_item_base_info(self, shop: _Shop | None, _b: dict[str, Any], _p: list) -> Response:
        assert shop is not None
        ids = _id_list(request.args.get("item_id_list", ""), "item_id_list", 50)
        infos = []
        for item_id in ids:
            item = self._items.get(item_id)
            if item is None or item.shop_id != shop.shop_id:
                continue
            info: dict[str, Any] = {
                "item_id": item.item_id,
                "item_name": item.name,
                "item_sku": item.sku,
                "item_status": item.status,
                "has_model": item.has_model,
                "update_time": item.update_time,
            }
            if not item.has_model:
                info["stock_info_v2"] = _stock_info(item.models[0])
            infos.append(info)
        return _ok({"item_list": infos})

    def _get_model_list(self, shop: _Shop | None, _b: dict[str, Any], _p: list) -> Response:
        assert shop is not None
        item = self._shop_item(shop, request.args.get("item_id"))
        models = [
            {
                "model_id": model.model_id,
                "model_name": model.name,
                "model_sku": model.sku,
                "model_status": "MODEL_NORMAL",
                "stock_info_v2": _stock_info(model),
            }
            for model in item.models.values()
            if model.model_id != 0
        ]
        return _ok({"tier_variation": [], "model": models})

    # --- API: orders -----------------------------------------------------------------------

    def _get_order_list(self, shop: _Shop | None, _b: dict[str, Any], _p: list) -> Response:
        assert shop is not None
        args = request.args
        field_name = args.get("time_range_field")
        if field_name not in {"create_time", "update_time"}:
            raise _param("time_range_field must be create_time or update_time")
        time_from = _int(args.get("time_from"), "time_from")
        time_to = _int(args.get("time_to"), "time_to")
        if time_from > time_to or time_to - time_from > ORDER_WINDOW_SECONDS:
            raise _Refusal(
                PARAM_STATUS,
                "order.order_list_invalid_time",
                "Start time must be earlier than end time and diff in 15days.",
            )
        page_size = _int(args.get("page_size"), "page_size")
        if not 1 <= page_size <= 100:
            raise _param("page_size must be 1 to 100")
        cursor = args.get("cursor", "")
        if cursor and not cursor.isdigit():
            raise _param("cursor is invalid")
        offset = int(cursor or 0)
        wanted_status = args.get("order_status")
        matching = sorted(
            (
                o
                for o in self._orders.values()
                if o.shop_id == shop.shop_id
                and time_from <= getattr(o, field_name) <= time_to
                and (not wanted_status or o.status == wanted_status)
            ),
            key=lambda o: (getattr(o, field_name), o.order_sn),
        )
        page = matching[offset : offset + page_size]
        more = offset + page_size < len(matching)
        with_status = "order_status" in args.get("response_optional_fields", "").split(",")
        entries = [
            {"order_sn": o.order_sn, **({"order_status": o.status} if with_status else {})}
            for o in page
        ]
        return _ok(
            {
                "more": more,
                "next_cursor": str(offset + page_size) if more else "",
                "order_list": entries,
            }
        )

    def _get_order_detail(self, shop: _Shop | None, _b: dict[str, Any], _p: list) -> Response:
        assert shop is not None
        sns = [sn for sn in request.args.get("order_sn_list", "").split(",") if sn]
        if not 1 <= len(sns) <= 50:
            raise _param("order_sn_list must hold 1 to 50 order_sn")
        fields = set(request.args.get("response_optional_fields", "").split(","))
        details = [
            self._detail(order, fields)
            for sn in sns
            if (order := self._orders.get(sn)) is not None and order.shop_id == shop.shop_id
        ]
        return _ok({"order_list": details})

    def _detail(self, order: _Order, fields: set[str]) -> dict[str, Any]:
        shop = self._shops[order.shop_id]
        price = Decimal(UNIT_PRICES.get(shop.country, "199"))
        detail: dict[str, Any] = {
            "order_sn": order.order_sn,
            "region": shop.country,
            "currency": CURRENCIES.get(shop.country, "USD"),
            "cod": False,
            "order_status": order.status,
            "message_to_seller": "",
            "create_time": order.create_time,
            "update_time": order.update_time,
            "days_to_ship": 3,
            "ship_by_date": order.create_time + 3 * 24 * 3600,
            "booking_sn": "",
        }
        optional: dict[str, Any] = {
            "buyer_user_id": order.buyer,
            "buyer_username": f"buyer_{order.buyer}",
            "pay_time": order.pay_time,
            "payment_method": "Online Banking",
            "note": "",
            "shipping_carrier": self.shipping_carrier,
            "total_amount": float(price * sum(line.quantity for line in order.lines)),
            "recipient_address": {
                "name": f"Buyer {order.buyer}",
                "phone": "60******12",
                "town": "",
                "district": "",
                "city": "Petaling Jaya",
                "state": "Selangor",
                "region": shop.country,
                "zipcode": "47400",
                "full_address": f"{order.buyer} Jalan Sandbox, 47400 Petaling Jaya",
            },
            "item_list": [self._order_item(line, price) for line in order.lines],
            "package_list": [
                {
                    "package_number": order.package_number,
                    "logistics_status": (
                        "LOGISTICS_READY" if order.tracking_number else "LOGISTICS_NOT_START"
                    ),
                    "shipping_carrier": self.shipping_carrier,
                    "item_list": [
                        {
                            "item_id": line.item_id,
                            "model_id": line.model_id,
                            "model_quantity": line.quantity,
                            "order_item_id": line.order_item_id,
                            "product_location_id": line.location_id,
                        }
                        for line in order.lines
                    ],
                }
            ],
        }
        detail.update({key: value for key, value in optional.items() if key in fields})
        return detail

    def _order_item(self, line: _Line, price: Decimal) -> dict[str, Any]:
        item = self._items[line.item_id]
        model = item.models[line.model_id]
        return {
            "item_id": line.item_id,
            "item_name": item.name,
            "item_sku": item.sku,
            "model_id": line.model_id,
            "model_name": model.name if line.model_id else "",
            "model_sku": model.sku if line.model_id else "",
            "model_quantity_purchased": line.quantity,
            "model_original_price": float(price),
            "model_discounted_price": float(price),
            "order_item_id": line.order_item_id,
            "promotion_type": "",
            "promotion_group_id": 0,
            "product_location_id": [line.location_id] if line.location_id else [],
        }

    # --- API: logistics --------------------------------------------------------------------

    def _ship_order(self, shop: _Shop | None, body: dict[str, Any], pushes: list) -> Response:
        assert shop is not None
        order = self._shop_order(shop, body.get("order_sn"))
        if order.tracking_number:
            raise _Refusal(
                PARAM_STATUS,
                "logistics.package_already_shipped",
                "This package has already been arranged shipment and you can't call this "
                "API again.",
            )
        if order.status not in {"READY_TO_SHIP", "RETRY_SHIP"}:
            raise _Refusal(
                PARAM_STATUS,
                "logistics.error_order_state",
                "Operation is not allow with current order status.",
            )
        non_integrated = body.get("non_integrated")
        tracking = (
            non_integrated.get("tracking_number") if isinstance(non_integrated, dict) else None
        )
        if not isinstance(tracking, str) or not tracking:
            raise _Refusal(
                PARAM_STATUS, "logistics.error_param", "Parameter tracking_number can not be null."
            )
        order.tracking_number = tracking
        self._move(order, "PROCESSED")
        pushes.append(self._order_push(order))
        return _ok(None)

    def _get_tracking_number(self, shop: _Shop | None, _b: dict[str, Any], _p: list) -> Response:
        assert shop is not None
        order = self._shop_order(shop, request.args.get("order_sn"))
        return _ok(
            {
                "tracking_number": order.tracking_number,
                "plp_number": "",
                "first_mile_tracking_number": "",
                "last_mile_tracking_number": "",
                "hint": "",
            }
        )

    def _create_document(self, shop: _Shop | None, body: dict[str, Any], _p: list) -> Response:
        assert shop is not None
        results = []
        for entry in _order_list(body):
            order = self._orders.get(str(entry.get("order_sn")))
            kind = entry.get("shipping_document_type") or "NORMAL_AIR_WAYBILL"
            result: dict[str, Any] = {"order_sn": entry.get("order_sn")}
            if order is None or order.shop_id != shop.shop_id:
                result.update(
                    fail_error="logistics.order_not_exist",
                    fail_message=f"The order_sn {entry.get('order_sn')} you provided is not "
                    "exist. Please check",
                )
            elif kind not in DOCUMENT_TYPES:
                result.update(
                    fail_error="logistics.shipping_document_type_invalid",
                    fail_message="The shipping_document_type is not invalid. Please check "
                    "the shipping_document_type.",
                )
            elif not order.tracking_number or order.status not in {"PROCESSED", "SHIPPED"}:
                result.update(
                    fail_error="logistics.order_status_error",
                    fail_message="Order status does not support awb printing.",
                )
            elif entry.get("tracking_number") not in (None, "", order.tracking_number):
                result.update(
                    fail_error="logistics.tracking_number_invalid",
                    fail_message="The tracking number is invalid. Please check the tracking "
                    "number.",
                )
            else:
                order.document_type = kind
                order.document_polls_left = self.document_ready_after
            results.append(result)
        return _batch_answer(results)

    def _document_result(self, shop: _Shop | None, body: dict[str, Any], _p: list) -> Response:
        assert shop is not None
        results = []
        for entry in _order_list(body):
            order = self._orders.get(str(entry.get("order_sn")))
            result: dict[str, Any] = {"order_sn": entry.get("order_sn")}
            if order is None or order.shop_id != shop.shop_id:
                result.update(
                    fail_error="logistics.order_not_exist",
                    fail_message=f"The order_sn {entry.get('order_sn')} is not exist.",
                )
            elif order.document_type is None:
                result.update(
                    fail_error="logistics.shipping_document_should_print_first",
                    fail_message="The package can not print now, please create shipping "
                    "document first.",
                )
            elif order.document_polls_left > 0:
                order.document_polls_left -= 1
                result.update(package_number=order.package_number, status="PROCESSING")
            else:
                result.update(package_number=order.package_number, status="READY")
            results.append(result)
        return _batch_answer(results)

    def _download_document(self, shop: _Shop | None, body: dict[str, Any], _p: list) -> Response:
        assert shop is not None
        orders = []
        for entry in _order_list(body):
            order = self._orders.get(str(entry.get("order_sn")))
            if order is None or order.shop_id != shop.shop_id:
                raise _Refusal(PARAM_STATUS, "logistics.order_not_exist", "Order is not exist.")
            if order.document_type is None or order.document_polls_left > 0:
                raise _Refusal(
                    PARAM_STATUS,
                    "logistics.shipping_document_should_print_first",
                    "The package can not print now, please create shipping document first.",
                )
            orders.append(order)
        return Response(self._waybill_pdf(orders), 200, mimetype="application/pdf")

    def _waybill_pdf(self, orders: Sequence[_Order]) -> bytes:
        """A 4x6 in label per order: carrier, tracking number (Code 128), recipient, contents."""
        from reportlab.graphics.barcode import code128
        from reportlab.lib.units import inch
        from reportlab.pdfgen import canvas

        out = io.BytesIO()
        page = canvas.Canvas(out, pagesize=(4 * inch, 6 * inch), invariant=True)
        for order in orders:
            shop = self._shops[order.shop_id]
            page.setFont("Helvetica-Bold", 14)
            page.drawString(18, 400, self.shipping_carrier)
            page.setFont("Helvetica", 9)
            page.drawString(18, 386, f"Shopee sandbox waybill - shop {shop.shop_id}")
            code128.Code128(order.tracking_number, barHeight=50, barWidth=1.1).drawOn(page, 18, 320)
            page.setFont("Helvetica-Bold", 12)
            page.drawString(18, 302, order.tracking_number)
            page.setFont("Helvetica", 10)
            page.drawString(18, 280, f"Order {order.order_sn}  Package {order.package_number}")
            page.drawString(18, 260, f"To: Buyer {order.buyer}")
            page.drawString(18, 246, f"{order.buyer} Jalan Sandbox, 47400 Petaling Jaya")
            page.drawString(18, 232, shop.country)
            y = 206
            for line in order.lines:
                page.drawString(
                    18, y, f"{line.quantity} x item {line.item_id} model {line.model_id}"
                )
                y -= 14
            page.showPage()
        page.save()
        return out.getvalue()

    # --- API: push recovery ----------------------------------------------------------------

    def _get_lost_pushes(self, _s: _Shop | None, _b: dict[str, Any], _p: list) -> Response:
        cutoff = self.clock() - LOST_PUSH_SECONDS
        waiting = [push for push in self._lost if push.timestamp >= cutoff]
        page = waiting[:100]
        return _ok(
            {
                "push_message_list": [
                    {
                        "shop_id": push.shop_id,
                        "code": push.code,
                        "timestamp": push.timestamp,
                        "data": json.dumps(push.data, separators=(",", ":")),
                    }
                    for push in page
                ],
                "has_next_page": len(waiting) > len(page),
                "last_message_id": page[-1].message_id if page else 0,
            }
        )

    def _confirm_lost_pushes(self, _s: _Shop | None, body: dict[str, Any], _p: list) -> Response:
        last = _int(body.get("last_message_id"), "last_message_id")
        self._lost = [push for push in self._lost if push.message_id > last]
        return _ok(None)

    # --- inside ----------------------------------------------------------------------------

    def _issue_tokens(self, shop: _Shop, now: float) -> tuple[str, str]:
        access, refresh = secrets.token_hex(16), secrets.token_hex(16)
        shop.access_tokens[access] = now + ACCESS_TOKEN_SECONDS
        shop.refresh_tokens[refresh] = now + REFRESH_TOKEN_SECONDS
        return access, refresh

    def _model(self, shop_id: int, listing: ListingRef) -> _Model:
        item = self._items.get(int(listing.item_id))
        if item is None or item.shop_id != shop_id:
            raise KeyError(f"no item {listing.item_id} in shop {shop_id}")
        return item.models[int(listing.model_id or 0)]

    def _shop_item(self, shop: _Shop, raw_id: object) -> _Item:
        item = self._items.get(_int(raw_id, "item_id"))
        if item is None or item.status in {"SELLER_DELETE", "SHOPEE_DELETE"}:
            raise _Refusal(PARAM_STATUS, "error_item_not_found", "Item not found.")
        if item.shop_id != shop.shop_id:
            raise _Refusal(
                PARAM_STATUS, "error_item_not_belong_shop", "Item does not belong to this shop."
            )
        return item

    def _shop_order(self, shop: _Shop, raw_sn: object) -> _Order:
        order = self._orders.get(str(raw_sn or ""))
        if order is None or order.shop_id != shop.shop_id:
            raise _Refusal(PARAM_STATUS, "logistics.error_order_not_found", "Order is not found.")
        return order

    def _move(self, order: _Order, status: str) -> None:
        if (
            status == "CANCELLED"
            and not order.stock_released
            and order.status
            in {
                "UNPAID",
                "READY_TO_SHIP",
                "PROCESSED",
                "RETRY_SHIP",
                "IN_CANCEL",
                "PENDING",
                "INVOICE_PENDING",
            }
        ):
            for line in order.lines:
                model = self._items[line.item_id].models[line.model_id]
                model.stock[line.location_id] = model.stock.get(line.location_id, 0) + line.quantity
            order.stock_released = True
        if status == "READY_TO_SHIP" and order.pay_time is None:
            order.pay_time = int(self.clock())
        order.status = status
        order.update_time = int(self.clock())

    def _order_push(self, order: _Order) -> dict[str, Any]:
        """A code-3 push (order status update) as Shopee sends it."""
        return {
            "data": {
                "items": [],
                "ordersn": order.order_sn,
                "status": order.status,
                "completed_scenario": "",
                "update_time": order.update_time,
            },
            "shop_id": order.shop_id,
            "code": 3,
            "timestamp": int(self.clock()),
        }

    def _deliver(self, pushes: Sequence[dict[str, Any]]) -> None:
        """POST each push to `webhook_url`, signed; a failure (anything but 2xx with an empty
        body) queues it as lost and never breaks the caller. Runs outside the lock."""
        url = self.webhook_url
        for push in pushes:
            if url is None:
                continue
            body = json.dumps(push, separators=(",", ":")).encode("utf-8")
            signature = hmac.new(
                self.app_credentials.secret.encode("utf-8"),
                url.encode("utf-8") + b"|" + body,
                hashlib.sha256,
            ).hexdigest()
            post = urllib.request.Request(  # noqa: S310 - the configured local receiver
                url,
                data=body,
                headers={"Content-Type": "application/json", "Authorization": signature},
                method="POST",
            )
            try:
                with urllib.request.urlopen(post, timeout=self.webhook_timeout) as answer:  # noqa: S310
                    delivered = 200 <= answer.status < 300 and not answer.read()
            except (urllib.error.URLError, OSError, ValueError) as exc:
                log.info("Shopee sandbox push to %s failed: %s", url, exc)
                delivered = False
            with self._lock:
                if delivered:
                    self.pushes_delivered += 1
                else:
                    self._lost.append(
                        _Push(
                            self._next_push_id,
                            int(push["shop_id"]),
                            int(push["code"]),
                            int(push["timestamp"]),
                            push["data"],
                        )
                    )
                    self._next_push_id += 1


# --- helpers ---------------------------------------------------------------------------------


def _envelope(error: str, message: str) -> dict[str, Any]:
    return {"request_id": uuid.uuid4().hex, "error": error, "message": message, "warning": ""}


def _ok(response: Mapping[str, Any] | None) -> Response:
    payload = _envelope("", "")
    if response is not None:
        payload["response"] = response
    return _json_response(200, payload)


def _json_response(status: int, payload: Mapping[str, Any]) -> Response:
    return Response(json.dumps(payload), status, mimetype="application/json")


def _batch_answer(results: list[dict[str, Any]]) -> Response:
    payload = _envelope("", "")
    if results and all("fail_error" in r for r in results):
        payload["error"] = "common.batch_api_all_failed"
        payload["message"] = "Failed, please check result_list for more details."
    payload["response"] = {"result_list": results}
    return _json_response(200, payload)


def _param(detail: str) -> _Refusal:
    return _Refusal(PARAM_STATUS, "error_param", f"Wrong parameters, detail: {detail}.")


def _int(value: object, name: str) -> int:
    if isinstance(value, bool):
        raise _param(f"{name} is invalid")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    raise _param(f"{name} is invalid")


def _id_list(text: str, name: str, limit: int) -> list[int]:
    parts = [part for part in text.split(",") if part]
    if not 1 <= len(parts) <= limit:
        raise _param(f"{name} must hold 1 to {limit} ids")
    return [_int(part, name) for part in parts]


def _order_list(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    entries = body.get("order_list")
    if not isinstance(entries, list) or not 1 <= len(entries) <= 50:
        raise _param("order_list must hold 1 to 50 orders")
    if not all(isinstance(entry, dict) and entry.get("order_sn") for entry in entries):
        raise _param("order_sn is required")
    return entries


def _stock_info(model: _Model) -> dict[str, Any]:
    total = sum(model.stock.values())
    return {
        "summary_info": {
            "total_reserved_stock": model.reserved,
            "total_available_stock": max(0, total - model.reserved),
        },
        "seller_stock": [
            {"location_id": location, "stock": stock, "if_saleable": True}
            for location, stock in model.stock.items()
        ],
        "shopee_stock": [],
    }


def _base36(number: int, width: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    text = ""
    while number:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
    return text.rjust(width, "0")


@dataclass(frozen=True)
class _Route:
    method: str
    kind: str  # "shop" (Shop API signature) or "public"
    handler: Callable[[ShopeeSandbox, _Shop | None, dict[str, Any], list], Response]


ROUTES: Mapping[str, _Route] = {
    "/api/v2/auth/access_token/get": _Route("POST", "public", ShopeeSandbox._refresh),
    "/api/v2/product/update_stock": _Route("POST", "shop", ShopeeSandbox._update_stock),
    "/api/v2/product/get_item_list": _Route("GET", "shop", ShopeeSandbox._get_item_list),
    "/api/v2/product/get_item_base_info": _Route("GET", "shop", ShopeeSandbox._get_item_base_info),
    "/api/v2/product/get_model_list": _Route("GET", "shop", ShopeeSandbox._get_model_list),
    "/api/v2/order/get_order_list": _Route("GET", "shop", ShopeeSandbox._get_order_list),
    "/api/v2/order/get_order_detail": _Route("GET", "shop", ShopeeSandbox._get_order_detail),
    "/api/v2/logistics/ship_order": _Route("POST", "shop", ShopeeSandbox._ship_order),
    "/api/v2/logistics/get_tracking_number": _Route(
        "GET", "shop", ShopeeSandbox._get_tracking_number
    ),
    "/api/v2/logistics/create_shipping_document": _Route(
        "POST", "shop", ShopeeSandbox._create_document
    ),
    "/api/v2/logistics/get_shipping_document_result": _Route(
        "POST", "shop", ShopeeSandbox._document_result
    ),
    "/api/v2/logistics/download_shipping_document": _Route(
        "POST", "shop", ShopeeSandbox._download_document
    ),
    "/api/v2/push/get_lost_push_message": _Route("GET", "public", ShopeeSandbox._get_lost_pushes),
    "/api/v2/push/confirm_consumed_lost_push_message": _Route(
        "POST", "public", ShopeeSandbox._confirm_lost_pushes
    ),
}
"""The paths the sandbox answers, with their method and kind of signature."""
