"""Shopee Open Platform API v2 for one shop: signed calls, stock pushes, orders, shipping and
push (webhook) verification, in the words of `wms.channels.marketplace`.

Facts come from the shared marketplace contracts (§2, Shopee); shipping (`v2.logistics.ship_order`)
and the waybill (`create_shipping_document` → `get_shipping_document_result` →
`download_shipping_document`) follow Shopee's own API pages for those calls.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from wms.channels.marketplace import (
    AppCredentials,
    AuthExpired,
    BadSignature,
    HttpAnswer,
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

MAX_MODELS_PER_STOCK_CALL = 50
"""`update_stock` takes one item and 1 to 50 models per call."""
MAX_ORDERS_PER_DETAIL_CALL = 50
"""`get_order_detail` takes 1 to 50 order numbers."""
MAX_ITEMS_PER_BASE_INFO_CALL = 50
"""`get_item_base_info` takes at most 50 item ids."""
ITEM_LIST_PAGE_SIZE = 100
"""`get_item_list` pages hold at most 100 items."""
MAX_ORDER_WINDOW_SECONDS = 15 * 24 * 3600
"""`get_order_list` refuses a time range longer than 15 days."""
REFRESH_TOKEN_LIFETIME_SECONDS = 30 * 24 * 3600
"""A refresh token lasts 30 days (documented; the refresh answer does not repeat it)."""
ORDER_DETAIL_FIELDS = (
    "buyer_user_id,buyer_username,recipient_address,item_list,total_amount,pay_time,"
    "package_list,payment_method,note"
)

ORDER_STATES: Mapping[str, OrderState] = {
    "UNPAID": OrderState.UNPAID,
    "PENDING": OrderState.UNPAID,  # shown only during Shopee's migration: not ready yet
    "INVOICE_PENDING": OrderState.UNPAID,  # waiting for the seller's invoice (BR)
    "READY_TO_SHIP": OrderState.READY,
    "RETRY_SHIP": OrderState.READY,  # the 3PL pickup failed: arrange it again
    "PROCESSED": OrderState.READY,  # arranged, tracking number out, not handed over yet
    "SHIPPED": OrderState.SHIPPED,
    "TO_CONFIRM_RECEIVE": OrderState.DELIVERED,  # the buyer has received it
    "COMPLETED": OrderState.DELIVERED,
    "IN_CANCEL": OrderState.OTHER,  # buyer asked to cancel: hold, neither ship nor release
    "CANCELLED": OrderState.CANCELLED,
    "TO_RETURN": OrderState.OTHER,
}
"""Shopee order statuses (V2.0 Data Definition) mapped to what the WMS does with them."""

TRANSIENT_ERRORS = frozenset({"error_server", "error_inner", "error_network", "error_config"})
"""Error keys that mean "try later"."""
THROTTLE_ERRORS = frozenset({"logistics.error_too_many_invoke_function"})
"""Error keys that mean "too fast" besides HTTP 429 and the `*rate_limit*` family."""
ALREADY_SHIPPED_ERRORS = frozenset({"logistics.package_already_shipped"})


# --- signing (pure) ---------------------------------------------------------------------------


def shop_base_string(
    partner_id: str | int, path: str, timestamp: int, access_token: str, shop_id: str | int
) -> str:
    """The text a Shop API call signs: partner_id, path, timestamp, access_token, shop_id."""
    return f"{partner_id}{path}{timestamp}{access_token}{shop_id}"


def public_base_string(partner_id: str | int, path: str, timestamp: int) -> str:
    """The text a Public API call (auth, push recovery) signs: partner_id, path, timestamp."""
    return f"{partner_id}{path}{timestamp}"


def sign(partner_key: str, base_string: str) -> str:
    """Lowercase hex HMAC-SHA256 of `base_string` keyed with the partner key text."""
    return hmac.new(
        partner_key.encode("utf-8"), base_string.encode("utf-8"), hashlib.sha256
    ).hexdigest()


def push_signature(partner_key: str, callback_url: str, body: bytes) -> str:
    """The `Authorization` header of a push: hex HMAC-SHA256 over `url|raw body`."""
    message = callback_url.encode("utf-8") + b"|" + body
    return hmac.new(partner_key.encode("utf-8"), message, hashlib.sha256).hexdigest()


# --- answers to errors (pure) -----------------------------------------------------------------


def error_for(http_status: int, payload: Mapping[str, Any]) -> MarketplaceError | None:
    """The whole-call failure an answer stands for, or None when the call succeeded.

    Shopee says what went wrong in `error` (empty on success) and `message`; the HTTP status
    adds 429 (rate) and 5xx (server trouble).
    """
    code = str(payload.get("error") or "")
    message = str(payload.get("message") or "")
    text = f"{code}: {message}" if code else f"HTTP {http_status}: {message}"
    if http_status == 429 or code in THROTTLE_ERRORS or "rate_limit" in code:
        return Throttled(text)
    if code in TRANSIENT_ERRORS or http_status >= 500:
        return TransientError(text)
    if code == "error_auth" and "access_token" in message.lower():
        return AuthExpired(text)
    if code:
        return PermanentError(text)
    if http_status >= 400:
        return PermanentError(text)
    return None


def failure_is_permanent(reason: str) -> bool:
    """Whether a per-model refusal of `update_stock` stays whatever we retry.

    Below the reserved (promotion) stock passes once the promotion releases its hold, and
    "try later" answers pass by themselves; anything else (deleted item, unknown model,
    blocked listing) does not.
    """
    lowered = reason.lower()
    return not ("reserved" in lowered or "try later" in lowered or "try again" in lowered)


# --- reading answers (pure) -------------------------------------------------------------------


def _utc(seconds: int | float | Decimal | None) -> datetime | None:
    if not seconds:
        return None
    return datetime.fromtimestamp(float(seconds), UTC)


def _location(value: object) -> str:
    """`product_location_id` is typed a string but shown as an array of strings."""
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return "" if value is None else str(value)


def _model_id(value: object) -> str:
    """Model id 0 is an item without variations: the empty model of a `ListingRef`."""
    return "" if value in (None, 0, "0", "") else str(value)


def order_from_detail(detail: Mapping[str, Any]) -> MarketplaceOrder:
    """One entry of `get_order_detail`'s `order_list` as a `MarketplaceOrder`; lines of the same
    listing (bundle deals, promotions) are summed into one."""
    quantities: dict[ListingRef, int] = {}
    for line in detail.get("item_list") or ():
        listing = ListingRef(
            item_id=str(line["item_id"]),
            model_id=_model_id(line.get("model_id")),
            seller_sku=str(line.get("model_sku") or line.get("item_sku") or ""),
            warehouse_id=_location(line.get("product_location_id")),
        )
        quantities[listing] = quantities.get(listing, 0) + int(line["model_quantity_purchased"])
    address = detail.get("recipient_address") or {}
    raw_status = str(detail.get("order_status") or "")
    created = _utc(detail.get("create_time")) or datetime.fromtimestamp(0, UTC)
    total = detail.get("total_amount")
    return MarketplaceOrder(
        order_id=str(detail["order_sn"]),
        raw_status=raw_status,
        state=ORDER_STATES.get(raw_status, OrderState.OTHER),
        lines=tuple(OrderLine(listing, quantity) for listing, quantity in quantities.items()),
        created_at=created,
        updated_at=_utc(detail.get("update_time")) or created,
        recipient_name=str(address.get("name") or ""),
        recipient_phone=str(address.get("phone") or ""),
        address=str(address.get("full_address") or ""),
        city=str(address.get("city") or address.get("town") or ""),
        postcode=str(address.get("zipcode") or ""),
        country=str(address.get("region") or detail.get("region") or ""),
        ship_by=_utc(detail.get("ship_by_date")),
        cash_on_delivery=bool(detail.get("cod")),
        total_amount="" if total is None else str(total),
        currency=str(detail.get("currency") or ""),
    )


class ShopeeClient:
    """Shopee's API for one shop (`access`): every `MarketplaceClient` call, signed as a Shop
    API call (or a Public one for token refresh).

    `clock` gives the request timestamps (Unix seconds); `sleep` paces the wait for a waybill
    being generated; `document_type` is the waybill Shopee renders (thermal 4x6 by default).
    """

    marketplace = Marketplace.SHOPEE

    def __init__(
        self,
        access: ShopAccess,
        *,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        document_type: str = "THERMAL_AIR_WAYBILL",
        document_polls: int = 10,
    ) -> None:
        if access.marketplace is not Marketplace.SHOPEE:
            raise ValueError(f"not a Shopee shop: {access.marketplace}")
        self.access = access
        self.timeout = timeout
        self.clock = clock
        self.sleep = sleep
        self.document_type = document_type
        self.document_polls = document_polls

    # --- stock -------------------------------------------------------------------------------

    def stock_batches(self, updates: Sequence[StockUpdate]) -> list[list[StockUpdate]]:
        """The updates grouped by item, at most 50 models a call, a model at most once a call
        (a repeated model goes to a later call, so the later quantity lands last)."""
        batches: list[list[StockUpdate]] = []
        open_batches: dict[str, list[list[StockUpdate]]] = {}
        for update in updates:
            key = (update.listing.model_id, update.listing.warehouse_id)
            candidates = open_batches.setdefault(update.listing.item_id, [])
            last = candidates[-1] if candidates else None
            if (
                last is None
                or len(last) >= MAX_MODELS_PER_STOCK_CALL
                or any((u.listing.model_id, u.listing.warehouse_id) == key for u in last)
            ):
                last = []
                candidates.append(last)
                batches.append(last)
            last.append(update)
        return batches

    def push_stock(self, batch: Sequence[StockUpdate]) -> list[StockOutcome]:
        """Set the batch's quantities with one `update_stock` call; one outcome per update."""
        if not batch:
            return []
        item_ids = {update.listing.item_id for update in batch}
        if len(item_ids) != 1 or len(batch) > MAX_MODELS_PER_STOCK_CALL:
            raise ValueError("a Shopee stock call takes one item and at most 50 models")
        item_id = _int_id(batch[0].listing.item_id, "item_id")
        by_model: dict[int, dict[str, Any]] = {}
        for update in batch:
            model_id = _int_id(update.listing.model_id or "0", "model_id")
            entry = by_model.setdefault(model_id, {"model_id": model_id, "seller_stock": []})
            stock: dict[str, Any] = {"stock": int(update.quantity)}
            if update.listing.warehouse_id:
                stock["location_id"] = update.listing.warehouse_id
            entry["seller_stock"].append(stock)
        body = {"item_id": item_id, "stock_list": list(by_model.values())}
        payload = self._call(
            "POST",
            "/api/v2/product/update_stock",
            body=body,
            tolerate={"error_busi_update_stock_failed"},
        )
        response = payload.get("response") or {}
        failures = {
            int(entry["model_id"]): str(entry.get("failed_reason") or "refused")
            for entry in response.get("failure_list") or ()
        }
        succeeded = {
            (int(entry["model_id"]), str(entry.get("location_id") or ""))
            for entry in response.get("success_list") or ()
        }
        outcomes = []
        for update in batch:
            model_id = int(update.listing.model_id or 0)
            if model_id in failures:
                reason = failures[model_id]
                outcomes.append(
                    StockOutcome(
                        update.listing, False, permanent=failure_is_permanent(reason), reason=reason
                    )
                )
            elif (model_id, update.listing.warehouse_id) in succeeded or (
                model_id,
                "",
            ) in succeeded:
                outcomes.append(StockOutcome(update.listing, True))
            else:
                outcomes.append(
                    StockOutcome(
                        update.listing, False, reason="not in success_list or failure_list"
                    )
                )
        return outcomes

    def read_stock(self, listings: Sequence[ListingRef]) -> dict[ListingRef, int]:
        """Seller stock now per listing (its location, or the sum over locations when it names
        none): `get_model_list` for variants, `get_item_base_info` for plain items."""
        result: dict[ListingRef, int] = {}
        # Model 0 is Shopee's own name for an item without variations.
        plain = [listing for listing in listings if listing.model_id in ("", "0")]
        with_models: dict[str, list[ListingRef]] = {}
        for listing in listings:
            if listing.model_id not in ("", "0"):
                with_models.setdefault(listing.item_id, []).append(listing)
        for item_id, wanted in with_models.items():
            models = self._models(item_id)
            for listing in wanted:
                model = models.get(listing.model_id)
                if model is not None:
                    result[listing] = _seller_stock(
                        model.get("stock_info_v2"), listing.warehouse_id
                    )
        item_ids = list(dict.fromkeys(listing.item_id for listing in plain))
        for start in range(0, len(item_ids), MAX_ITEMS_PER_BASE_INFO_CALL):
            infos = self._base_info(item_ids[start : start + MAX_ITEMS_PER_BASE_INFO_CALL])
            for listing in plain:
                info = infos.get(listing.item_id)
                if info is not None:
                    result[listing] = _seller_stock(info.get("stock_info_v2"), listing.warehouse_id)
        return result

    # --- tokens ------------------------------------------------------------------------------

    def refresh_token(self) -> TokenGrant:
        """New tokens from the shop's refresh token (which Shopee then refuses: store the new)."""
        body = {
            "refresh_token": self.access.refresh_token,
            "partner_id": _int_id(self.access.app.key, "partner_id"),
            "shop_id": _int_id(self.access.shop_id, "shop_id"),
        }
        payload = self._call("POST", "/api/v2/auth/access_token/get", body=body, public=True)
        now = self.clock()
        try:
            return TokenGrant(
                access_token=str(payload["access_token"]),
                refresh_token=str(payload["refresh_token"]),
                access_expires_at=datetime.fromtimestamp(now + int(payload["expire_in"]), UTC),
                refresh_expires_at=datetime.fromtimestamp(
                    now + REFRESH_TOKEN_LIFETIME_SECONDS, UTC
                ),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise TransientError(f"unreadable token answer: {exc}") from exc

    # --- products ----------------------------------------------------------------------------

    def products(self) -> list[ProductListing]:
        """Every variant (model × location) of the shop's normal and unlisted items."""
        item_ids: list[str] = []
        offset = 0
        while True:
            payload = self._call(
                "GET",
                "/api/v2/product/get_item_list",
                params={
                    "offset": offset,
                    "page_size": ITEM_LIST_PAGE_SIZE,
                    "item_status": ["NORMAL", "UNLIST"],
                },
            )
            response = payload.get("response") or {}
            item_ids.extend(str(item["item_id"]) for item in response.get("item") or ())
            if not response.get("has_next_page"):
                break
            offset = int(response["next_offset"])
        listings: list[ProductListing] = []
        for start in range(0, len(item_ids), MAX_ITEMS_PER_BASE_INFO_CALL):
            infos = self._base_info(item_ids[start : start + MAX_ITEMS_PER_BASE_INFO_CALL])
            for item_id in item_ids[start : start + MAX_ITEMS_PER_BASE_INFO_CALL]:
                info = infos.get(item_id)
                if info is None:
                    continue
                item_name = str(info.get("item_name") or "")
                if info.get("has_model"):
                    for model_id, model in self._models(item_id).items():
                        model_name = str(model.get("model_name") or "")
                        title = (
                            f"{item_name} / {model_name}"
                            if model_name and model_name != item_name
                            else item_name
                        )
                        listings.extend(
                            _variant_listings(
                                item_id,
                                model_id,
                                str(model.get("model_sku") or ""),
                                title,
                                model.get("stock_info_v2"),
                            )
                        )
                else:
                    listings.extend(
                        _variant_listings(
                            item_id,
                            "",
                            str(info.get("item_sku") or ""),
                            item_name,
                            info.get("stock_info_v2"),
                        )
                    )
        return listings

    # --- orders ------------------------------------------------------------------------------

    def orders(
        self, updated_from: datetime, updated_to: datetime, cursor: str | None = None
    ) -> OrderPage:
        """Orders updated in [updated_from, updated_to], 50 a page, with their lines. Windows
        longer than Shopee's 15 days are walked in 15-day slices (the cursor says where)."""
        start, end = int(updated_from.timestamp()), int(updated_to.timestamp())
        window_from, shopee_cursor = start, ""
        if cursor:
            head, _, shopee_cursor = cursor.partition(":")
            window_from = int(head)
        window_to = min(end, window_from + MAX_ORDER_WINDOW_SECONDS)
        payload = self._call(
            "GET",
            "/api/v2/order/get_order_list",
            params={
                "time_range_field": "update_time",
                "time_from": window_from,
                "time_to": window_to,
                "page_size": MAX_ORDERS_PER_DETAIL_CALL,
                "cursor": shopee_cursor,
                "response_optional_fields": "order_status",
            },
        )
        response = payload.get("response") or {}
        order_sns = [str(entry["order_sn"]) for entry in response.get("order_list") or ()]
        orders = self._details(order_sns)
        next_cursor: str | None = None
        if response.get("more"):
            next_cursor = f"{window_from}:{response.get('next_cursor') or ''}"
        elif window_to < end:
            next_cursor = f"{window_to + 1}:"
        return OrderPage(orders=tuple(orders), cursor=next_cursor)

    def order(self, order_id: str) -> MarketplaceOrder:
        """One order by its order_sn."""
        found = self._details([order_id])
        if not found:
            raise PermanentError(f"order {order_id} not found in shop {self.access.shop_id}")
        return found[0]

    # --- shipping ----------------------------------------------------------------------------

    def ship(self, order_id: str, tracking_number: str, carrier: str) -> None:
        """Arrange shipment with our own tracking number (`ship_order`, non-integrated channel).

        Shopee takes no carrier here: the carrier is the order's logistics channel, chosen at
        checkout. A repeat with the same tracking number (a retry after a lost answer) is
        accepted as done.
        """
        if not tracking_number:
            raise ValueError("a tracking number is required")
        body = {"order_sn": order_id, "non_integrated": {"tracking_number": tracking_number}}
        try:
            self._call("POST", "/api/v2/logistics/ship_order", body=body)
        except PermanentError as exc:
            if not any(code in str(exc) for code in ALREADY_SHIPPED_ERRORS):
                raise
            if self._tracking_number(order_id) != tracking_number:
                raise
        del carrier  # decided by the order's logistics channel, not by this call

    def waybill(self, order_id: str) -> bytes:
        """Shopee's shipping label for the order as PDF bytes: create the document task, wait
        until it is READY, download it."""
        tracking_number = self._tracking_number(order_id)
        if not tracking_number:
            raise PermanentError(f"order {order_id} has no tracking number yet: ship it first")
        entry = {
            "order_sn": order_id,
            "tracking_number": tracking_number,
            "shipping_document_type": self.document_type,
        }
        payload = self._call(
            "POST",
            "/api/v2/logistics/create_shipping_document",
            body={"order_list": [entry]},
            tolerate={"common.batch_api_all_failed"},
        )
        _raise_for_results(payload)
        query = {
            "order_list": [{"order_sn": order_id, "shipping_document_type": self.document_type}]
        }
        for attempt in range(self.document_polls):
            payload = self._call(
                "POST",
                "/api/v2/logistics/get_shipping_document_result",
                body=query,
                tolerate={"common.batch_api_all_failed"},
            )
            _raise_for_results(payload)
            results = (payload.get("response") or {}).get("result_list") or [{}]
            status = str(results[0].get("status") or "")
            if status == "READY":
                break
            if status == "FAILED":
                raise PermanentError(f"waybill of {order_id} failed to generate")
            if attempt + 1 < self.document_polls:
                self.sleep(1.0)
        else:
            raise TransientError(f"waybill of {order_id} still being generated")
        answer = self._send(
            "POST",
            "/api/v2/logistics/download_shipping_document",
            body={
                "shipping_document_type": self.document_type,
                "order_list": [{"order_sn": order_id}],
            },
        )
        if answer.body.startswith(b"%PDF"):
            return answer.body
        payload = _json(answer)
        failure = error_for(answer.status, payload) or TransientError(
            f"waybill download of {order_id} did not return a PDF"
        )
        raise failure

    # --- calls -------------------------------------------------------------------------------

    def _models(self, item_id: str) -> dict[str, Mapping[str, Any]]:
        payload = self._call(
            "GET", "/api/v2/product/get_model_list", params={"item_id": _int_id(item_id, "item_id")}
        )
        models = (payload.get("response") or {}).get("model") or ()
        return {_model_id(model.get("model_id")): model for model in models}

    def _base_info(self, item_ids: Sequence[str]) -> dict[str, Mapping[str, Any]]:
        payload = self._call(
            "GET",
            "/api/v2/product/get_item_base_info",
            params={"item_id_list": ",".join(str(_int_id(i, "item_id")) for i in item_ids)},
        )
        items = (payload.get("response") or {}).get("item_list") or ()
        return {str(item["item_id"]): item for item in items}

    def _details(self, order_sns: Sequence[str]) -> list[MarketplaceOrder]:
        orders: list[MarketplaceOrder] = []
        for start in range(0, len(order_sns), MAX_ORDERS_PER_DETAIL_CALL):
            chunk = order_sns[start : start + MAX_ORDERS_PER_DETAIL_CALL]
            payload = self._call(
                "GET",
                "/api/v2/order/get_order_detail",
                params={
                    "order_sn_list": ",".join(chunk),
                    "response_optional_fields": ORDER_DETAIL_FIELDS,
                },
            )
            details = (payload.get("response") or {}).get("order_list") or ()
            orders.extend(order_from_detail(detail) for detail in details)
        return orders

    def _tracking_number(self, order_id: str) -> str:
        payload = self._call(
            "GET", "/api/v2/logistics/get_tracking_number", params={"order_sn": order_id}
        )
        return str((payload.get("response") or {}).get("tracking_number") or "")

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        public: bool = False,
        tolerate: frozenset[str] | set[str] = frozenset(),
    ) -> dict[str, Any]:
        """A signed call's JSON answer; whole-call failures raised, except error keys in
        `tolerate` whose answer carries per-entry results to read."""
        answer = self._send(method, path, params=params, body=body, public=public)
        payload = _json(answer)
        if str(payload.get("error") or "") in tolerate and answer.status < 400:
            return payload
        failure = error_for(answer.status, payload)
        if failure is not None:
            raise failure
        return payload

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        public: bool = False,
    ) -> HttpAnswer:
        timestamp = int(self.clock())
        partner_id = self.access.app.key
        common: dict[str, Any] = {"partner_id": partner_id, "timestamp": timestamp}
        if public:
            base = public_base_string(partner_id, path, timestamp)
        else:
            common["access_token"] = self.access.access_token
            common["shop_id"] = self.access.shop_id
            base = shop_base_string(
                partner_id, path, timestamp, self.access.access_token, self.access.shop_id
            )
        common["sign"] = sign(self.access.app.secret, base)
        query = urllib.parse.urlencode({**common, **(params or {})}, doseq=True)
        url = f"{self.access.base_url.rstrip('/')}{path}?{query}"
        data = None
        headers = {"Accept": "application/json"}
        if method == "POST":
            data = json.dumps(body or {}, separators=(",", ":")).encode("utf-8")
            headers["Content-Type"] = "application/json"
        return exchange(
            url,
            timeout=self.timeout,
            method=method,
            data=data,
            headers=headers,
            server=f"Shopee {path}",
        )


def _json(answer: HttpAnswer) -> dict[str, Any]:
    """The answer's JSON object; an unreadable body is transient on 5xx and permanent else."""
    try:
        payload = json.loads(answer.body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError):
        payload = None
    if isinstance(payload, dict):
        return payload
    if answer.status == 429:
        raise Throttled(f"HTTP 429: {answer.body[:200]!r}")
    if answer.status >= 500 or answer.status == 200:
        raise TransientError(f"HTTP {answer.status}: unreadable answer {answer.body[:200]!r}")
    raise PermanentError(f"HTTP {answer.status}: unreadable answer {answer.body[:200]!r}")


def _raise_for_results(payload: Mapping[str, Any]) -> None:
    """A shipping-document call's per-order failure, raised (we send one order a call)."""
    for result in (payload.get("response") or {}).get("result_list") or ():
        if result.get("fail_error"):
            raise PermanentError(f"{result['fail_error']}: {result.get('fail_message') or ''}")


def _int_id(value: str | int, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise PermanentError(f"{name} {value!r} is not a Shopee id") from exc


def _seller_stock(stock_info: Mapping[str, Any] | None, location_id: str) -> int:
    entries = (stock_info or {}).get("seller_stock") or ()
    if location_id:
        return sum(int(e.get("stock") or 0) for e in entries if e.get("location_id") == location_id)
    return sum(int(e.get("stock") or 0) for e in entries)


def _variant_listings(
    item_id: str, model_id: str, sku: str, title: str, stock_info: Mapping[str, Any] | None
) -> list[ProductListing]:
    """One listing per seller-stock location (one without a location when there are none)."""
    entries = (stock_info or {}).get("seller_stock") or ()
    if not entries:
        return [ProductListing(ListingRef(item_id, model_id, sku), title, 0)]
    return [
        ProductListing(
            ListingRef(item_id, model_id, sku, str(entry.get("location_id") or "")),
            title,
            int(entry.get("stock") or 0),
        )
        for entry in entries
    ]


class ShopeeWebhookVerifier:
    """Checks Shopee pushes: `Authorization` must be the hex HMAC-SHA256 (partner key) of the
    callback URL, "|" and the raw body.

    `callback_url` is the URL registered with Shopee, when the one a request arrives on differs
    (a proxy in front); `max_age` (seconds) refuses pushes whose `timestamp` is older, on
    `clock` (Shopee documents no window: off by default).
    """

    def __init__(
        self,
        app: AppCredentials,
        *,
        callback_url: str | None = None,
        max_age: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app = app
        self.callback_url = callback_url
        self.max_age = max_age
        self.clock = clock

    def verify(self, url: str, headers: Mapping[str, str], body: bytes) -> WebhookNotice:
        """The push as a notice if its signature checks out; `BadSignature` otherwise."""
        given = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        expected = push_signature(self.app.secret, self.callback_url or url, body)
        if not given or not hmac.compare_digest(given.strip().lower(), expected):
            raise BadSignature("Shopee push: Authorization does not match the body")
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadSignature("Shopee push: body is not JSON") from exc
        if not isinstance(payload, dict) or "shop_id" not in payload or "code" not in payload:
            raise BadSignature("Shopee push: no shop_id or code")
        if self.max_age is not None:
            sent = payload.get("timestamp")
            if not isinstance(sent, int) or self.clock() - sent > self.max_age:
                raise BadSignature("Shopee push: too old")
        data = payload.get("data")
        order_id = None
        if isinstance(data, dict):
            order_id = data.get("ordersn") or data.get("order_sn")
        return WebhookNotice(
            marketplace=Marketplace.SHOPEE,
            shop_id=str(payload["shop_id"]),
            order_id=str(order_id) if order_id else None,
            kind=str(payload["code"]),
            raw=payload,
        )
