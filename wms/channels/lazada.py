"""Lazada Open Platform (LazOP) connector: one seller in one country.

What it follows (see /work/shared/reference/marketplace-contracts.md §3 for sources):

- Signing: HMAC-SHA256 with the app secret over the API path followed by every parameter
  (system and business, `payload` included, `sign` excluded) as name+value pairs sorted by
  name; uppercase hex. Every parameter goes in the query (GET) or in a form body (POST), as the
  official SDK does. Empty parameters are never sent (the SDKs disagree on signing them).
- Stock: `UpdateSellableQuantity` (`/product/stock/sellable/update`), absolute, an XML `payload`
  of at most 50 SKUs; a per-SKU refusal comes back as code "501" with a `detail` list.
- Orders: `GetOrders` (offset paging, at most 100 a page and offset 5000) and
  `GetMultipleOrderItems` (at most 50 orders a call); Lazada sends one order item per unit.
- Shipping and waybill: the fulfilment API that replaced `/order/rts` and `/order/document/get`
  on 30 April 2023 (Lazada's "New Fulfillment API" guide): `Pack` (`/order/fulfill/pack`,
  `packReq`), `ReadyToShip` (`/order/package/rts`, `readyToShipReq`) and `PrintAWB`
  (`/order/package/document/get`, `getDocumentReq`, whose `pdf_url` is then downloaded).
  Lazada assigns the tracking number when an order is packed.
- Webhooks: `Authorization` = lowercase hex HMAC-SHA256(app_secret, app_key + raw body).

This module imports only the standard library and `wms.channels.marketplace`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
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

AUTH_URL = "https://auth.lazada.com/rest"
"""The authorisation host, the same for every country."""

STOCK_PATH = "/product/stock/sellable/update"
MAX_SKUS_PER_STOCK_CALL = 50
MAX_ORDERS_PER_ITEMS_CALL = 50
MAX_ORDERS_OFFSET = 5000
MAX_PACKAGES_PER_CALL = 20
PRODUCTS_PAGE = 50
SELLER_SKUS_PER_CALL = PRODUCTS_PAGE  # ≤100 allowed; ≤ a page so one call answers them all
DEFAULT_WAREHOUSE = "dropshipping"
"""The warehouse code of a single-warehouse seller; listings there carry an empty warehouse_id."""

ORDER_STATES: Mapping[str, OrderState] = {
    "unpaid": OrderState.UNPAID,
    "pending": OrderState.READY,
    "topack": OrderState.READY,
    "packed": OrderState.READY,
    "repacked": OrderState.READY,
    "toship": OrderState.READY,
    "ready_to_ship": OrderState.SHIPPED,
    "shipped": OrderState.SHIPPED,
    "delivered": OrderState.DELIVERED,
    "canceled": OrderState.CANCELLED,
    "cancelled": OrderState.CANCELLED,
    "returned": OrderState.OTHER,
    "failed": OrderState.OTHER,
    "failed_delivery": OrderState.OTHER,
    "lost": OrderState.OTHER,
    "lost_by_3pl": OrderState.OTHER,
    "damaged_by_3pl": OrderState.OTHER,
    "shipped_back": OrderState.OTHER,
    "shipped_back_success": OrderState.OTHER,
    "shipped_back_failed": OrderState.OTHER,
    "package_scrapped": OrderState.OTHER,
}
"""Lazada order item statuses → what the WMS does. `ready_to_ship` counts as shipped: the seller
has handed the parcel over for the carrier's pick-up. Unknown statuses are OTHER."""

# The WMS state of an order whose items are in several states: the least advanced active one.
_STATE_PRECEDENCE = (
    OrderState.UNPAID,
    OrderState.READY,
    OrderState.OTHER,
    OrderState.SHIPPED,
    OrderState.DELIVERED,
)

_THROTTLE_CODES = frozenset({"ApiCallLimit", "901", "E901"})
_AUTH_CODES = frozenset({"IllegalAccessToken", "AccessTokenExpired", "InvalidAccessToken"})
_TRANSIENT_CODES = frozenset(
    {"6", "1000", "513", "21", "40011", "700024", "SYSTEM_ERROR", "ServiceUnavailable"}
)
_BAN_SECONDS = re.compile(r"last\s+(\d+(?:\.\d+)?)\s+second", re.IGNORECASE)


# --- signing (pure) --------------------------------------------------------------------------


def sign_base_string(api_path: str, params: Mapping[str, str]) -> str:
    """The text Lazada signs: the API path (without `/rest`), then name+value of every
    parameter except `sign`, sorted by name."""
    return api_path + "".join(f"{name}{params[name]}" for name in sorted(params) if name != "sign")


def sign_request(app_secret: str, api_path: str, params: Mapping[str, str]) -> str:
    """The `sign` parameter: uppercase hex HMAC-SHA256 of the base string with the app secret."""
    digest = hmac.new(
        app_secret.encode("utf-8"),
        sign_base_string(api_path, params).encode("utf-8"),
        hashlib.sha256,
    )
    return digest.hexdigest().upper()


def webhook_signature(app_key: str, app_secret: str, body: bytes) -> str:
    """The push message's `Authorization` header: lowercase hex HMAC-SHA256 of app_key + body."""
    return hmac.new(
        app_secret.encode("utf-8"), app_key.encode("utf-8") + body, hashlib.sha256
    ).hexdigest()


def stock_payload(updates: Sequence[StockUpdate]) -> str:
    """The XML `payload` of UpdateSellableQuantity: one `Sku` per (item, SKU), with a
    `MultiWarehouseInventory` per warehouse when the listing names one (last update wins)."""
    skus: dict[tuple[str, str], dict[str, Any]] = {}
    for update in updates:
        ref = update.listing
        entry = skus.setdefault(
            (ref.item_id, ref.model_id), {"seller_sku": ref.seller_sku, "single": None, "wh": {}}
        )
        if ref.warehouse_id:
            entry["wh"][ref.warehouse_id] = update.quantity
        else:
            entry["single"] = update.quantity
    request = ET.Element("Request")
    sku_list = ET.SubElement(ET.SubElement(request, "Product"), "Skus")
    for (item_id, sku_id), entry in skus.items():
        sku = ET.SubElement(sku_list, "Sku")
        ET.SubElement(sku, "ItemId").text = item_id
        ET.SubElement(sku, "SkuId").text = sku_id
        if entry["seller_sku"]:
            ET.SubElement(sku, "SellerSku").text = entry["seller_sku"]
        if entry["wh"]:
            inventories = ET.SubElement(sku, "MultiWarehouseInventories")
            warehouses = dict(entry["wh"])
            if entry["single"] is not None:
                warehouses.setdefault(DEFAULT_WAREHOUSE, entry["single"])
            for code, quantity in warehouses.items():
                inventory = ET.SubElement(inventories, "MultiWarehouseInventory")
                ET.SubElement(inventory, "WarehouseCode").text = code
                ET.SubElement(inventory, "SellableQuantity").text = str(quantity)
        else:
            ET.SubElement(sku, "SellableQuantity").text = str(entry["single"])
    return ET.tostring(request, encoding="unicode")


# --- errors ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LazadaFailure:
    """An error answer as Lazada gives it (code is always a string)."""

    code: str
    message: str
    kind: str = ""  # ISV, ISP or SYSTEM
    request_id: str = ""


def error_for(failure: LazadaFailure) -> MarketplaceError:
    """The WMS error for a whole-call failure."""
    text = f"Lazada {failure.code}: {failure.message}".strip()
    if failure.request_id:
        text += f" (request {failure.request_id})"
    if failure.code in _THROTTLE_CODES:
        found = _BAN_SECONDS.search(failure.message)
        return Throttled(text, retry_after=float(found.group(1)) if found else 1.0)
    if failure.code in _AUTH_CODES:
        return AuthExpired(text)
    if failure.kind == "ISP" or failure.code in _TRANSIENT_CODES:
        return TransientError(text)
    return PermanentError(text)


# --- the client ------------------------------------------------------------------------------


class LazadaClient:
    """Lazada's API for one seller in one country (`ShopAccess.base_url` is the country's
    gateway, e.g. https://api.lazada.com.my/rest)."""

    marketplace = Marketplace.LAZADA

    def __init__(
        self,
        access: ShopAccess,
        *,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
        auth_url: str | None = None,
        stock_batch_size: int = MAX_SKUS_PER_STOCK_CALL,
    ) -> None:
        if not 1 <= stock_batch_size <= MAX_SKUS_PER_STOCK_CALL:
            raise ValueError(f"stock_batch_size must be 1..{MAX_SKUS_PER_STOCK_CALL}")
        self.access = access
        self.timeout = timeout
        self.clock = clock
        self.base_url = access.base_url.rstrip("/")
        self.auth_url = (auth_url or _auth_url_for(self.base_url)).rstrip("/")
        self.stock_batch_size = stock_batch_size

    # stock

    def stock_batches(self, updates: Sequence[StockUpdate]) -> list[list[StockUpdate]]:
        """Updates grouped so that no call carries more than the batch size of distinct SKUs
        (a SKU's warehouses travel together in one `Sku` element)."""
        groups: dict[tuple[str, str], list[StockUpdate]] = {}
        for update in updates:
            groups.setdefault((update.listing.item_id, update.listing.model_id), []).append(update)
        batches: list[list[StockUpdate]] = []
        current: list[StockUpdate] = []
        count = 0
        for group in groups.values():
            if count == self.stock_batch_size:
                batches.append(current)
                current, count = [], 0
            current.extend(group)
            count += 1
        if current:
            batches.append(current)
        return batches

    def push_stock(self, batch: Sequence[StockUpdate]) -> list[StockOutcome]:
        """Absolute sellable quantities in one call; a refusal named in `detail` fails only its
        listing, the others are applied."""
        if not batch:
            return []
        distinct = {(u.listing.item_id, u.listing.model_id) for u in batch}
        if len(distinct) > MAX_SKUS_PER_STOCK_CALL:
            raise ValueError(
                f"{len(distinct)} SKUs in one call; Lazada takes {MAX_SKUS_PER_STOCK_CALL}"
            )
        answer = self._call(STOCK_PATH, {"payload": stock_payload(batch)}, post=True, raw=True)
        code = str(answer.get("code", ""))
        if code == "0":
            return [StockOutcome(listing=u.listing, accepted=True) for u in batch]
        if code != "501":
            raise error_for(_failure(answer))
        return _stock_outcomes(batch, answer)

    def read_stock(self, listings: Sequence[ListingRef]) -> dict[ListingRef, int]:
        """Sellable quantities now, found by seller SKU when every listing has one, else by
        reading the whole product list."""
        if not listings:
            return {}
        if all(ref.seller_sku for ref in listings):
            seen: dict[tuple[str, str, str], int] = {}
            wanted = list(dict.fromkeys(ref.seller_sku for ref in listings))
            for start in range(0, len(wanted), SELLER_SKUS_PER_CALL):
                chunk = wanted[start : start + SELLER_SKUS_PER_CALL]
                data = self._call(
                    "/products/get",
                    {
                        "filter": "all",
                        "sku_seller_list": json.dumps(chunk),
                        "limit": str(PRODUCTS_PAGE),
                    },
                )
                for product in _products_of(data):
                    for found in product:
                        if found.quantity is not None:
                            seen[_listing_key(found.listing)] = found.quantity
        else:
            seen = {
                _listing_key(found.listing): found.quantity
                for found in self.products()
                if found.quantity is not None
            }
        return {ref: seen[_listing_key(ref)] for ref in listings if _listing_key(ref) in seen}

    def products(self) -> list[ProductListing]:
        """Every SKU (per warehouse for multi-warehouse sellers) of the seller's products."""
        found: list[ProductListing] = []
        offset = 0
        while True:
            data = self._call(
                "/products/get",
                {"filter": "all", "limit": str(PRODUCTS_PAGE), "offset": str(offset)},
            )
            products = _products_of(data)
            for product in products:
                found.extend(product)
            offset += len(products)
            total = _int(data.get("total_products"), default=0)
            if len(products) < PRODUCTS_PAGE or offset >= total:
                return found

    # tokens

    def refresh_token(self) -> TokenGrant:
        """New tokens from the refresh token (on the auth host)."""
        started = self.clock()
        answer = self._call(
            "/auth/token/refresh",
            {"refresh_token": self.access.refresh_token},
            base_url=self.auth_url,
            with_token=False,
            raw=True,
        )
        if str(answer.get("code", "")) != "0":
            failure = _failure(answer)
            if failure.code in _AUTH_CODES or failure.code == "IllegalRefreshToken":
                raise PermanentError(
                    f"Lazada {failure.code}: {failure.message}; the seller must authorise again"
                )
            raise error_for(failure)
        return token_grant(answer, started)

    # orders

    def orders(
        self, updated_from: datetime, updated_to: datetime, cursor: str | None = None
    ) -> OrderPage:
        """Orders updated in [updated_from, updated_to], oldest update first, 50 a page.
        The cursor is "offset@update_after": past Lazada's offset ceiling the window's start
        moves up to the last order seen and the offset starts again."""
        if cursor:
            offset_text, _, after_text = cursor.partition("@")
            offset = int(offset_text)
            after = _parse_time(after_text) if after_text else _aware(updated_from)
        else:
            offset, after = 0, _aware(updated_from)
        limit = MAX_ORDERS_PER_ITEMS_CALL
        data = self._call(
            "/orders/get",
            {
                "update_after": _iso(after),
                "update_before": _iso(_aware(updated_to)),
                "sort_by": "updated_at",
                "sort_direction": "ASC",
                "offset": str(offset),
                "limit": str(limit),
            },
        )
        headers = [h for h in data.get("orders") or [] if isinstance(h, dict)]
        items = self._items_of([str(h.get("order_id")) for h in headers])
        orders = tuple(self._order_from(h, items.get(str(h.get("order_id")), [])) for h in headers)
        total = _int(data.get("countTotal"), default=offset + len(headers))
        next_offset = offset + len(headers)
        if len(headers) < limit or next_offset >= total:
            return OrderPage(orders=orders)
        if next_offset + limit > MAX_ORDERS_OFFSET:
            last = _parse_time(str(headers[-1].get("updated_at", "")))
            if last <= after:
                raise PermanentError(
                    f"more than {MAX_ORDERS_OFFSET} Lazada orders updated at {_iso(after)}: "
                    "the window cannot move on"
                )
            return OrderPage(orders=orders, cursor=f"0@{_iso(last)}")
        return OrderPage(orders=orders, cursor=f"{next_offset}@{_iso(after)}")

    def order(self, order_id: str) -> MarketplaceOrder:
        """One order with its items."""
        header = self._call("/order/get", {"order_id": order_id})
        items = self._call("/order/items/get", {"order_id": order_id})
        return self._order_from(header, [i for i in _as_list(items) if isinstance(i, dict)])

    # fulfilment

    def ship(self, order_id: str, tracking_number: str, carrier: str) -> None:
        """Mark the order's packages ready to ship (packing first what is not packed yet).
        Lazada assigns the tracking number when it packs: a non-empty `tracking_number` must be
        the one Lazada gave (`carrier` is Lazada's shipment provider and is not sent)."""
        items = self._active_items(order_id)
        if all(str(i.get("status")) in ("ready_to_ship", "shipped", "delivered") for i in items):
            return
        items = self._pack(order_id, items)
        numbers = {str(i.get("tracking_code") or "") for i in items} - {""}
        if tracking_number and tracking_number not in numbers:
            raise PermanentError(
                f"Lazada order {order_id} has tracking number(s) {sorted(numbers)}, "
                f"not {tracking_number}: Lazada assigns them when it packs the order"
            )
        packages = sorted(
            {str(i["package_id"]) for i in items if i.get("package_id") and _is_packed(i)}
        )
        for start in range(0, len(packages), MAX_PACKAGES_PER_CALL):
            chunk = packages[start : start + MAX_PACKAGES_PER_CALL]
            result = self._fulfil(
                "/order/package/rts",
                "readyToShipReq",
                {"packages": [{"package_id": p} for p in chunk]},
            )
            refused = [
                p for p in result.get("packages") or [] if str(p.get("item_err_code")) != "0"
            ]
            if refused:
                raise PermanentError(
                    "Lazada refused ready-to-ship: "
                    + "; ".join(f"{p.get('package_id')}: {p.get('msg')}" for p in refused)
                )

    def waybill(self, order_id: str) -> bytes:
        """Lazada's shipping label (AWB) as PDF, packing the order first if it is not packed
        (an AWB exists only for a package)."""
        items = self._pack(order_id, self._active_items(order_id))
        packages = sorted({str(i["package_id"]) for i in items if i.get("package_id")})
        if not packages:
            raise PermanentError(f"Lazada order {order_id} has no package to print")
        data = self._fulfil(
            "/order/package/document/get",
            "getDocumentReq",
            {"doc_type": "PDF", "packages": [{"package_id": p} for p in packages[:20]]},
            post=False,
        )
        pdf_url = str(data.get("pdf_url") or "")
        if pdf_url:
            body = self._download(pdf_url)
        else:
            try:
                body = base64.b64decode(str(data.get("file") or ""), validate=True)
            except ValueError as exc:
                raise TransientError("Lazada AWB file is not base64") from exc
        if not body.startswith(b"%PDF"):
            raise TransientError(f"Lazada AWB for order {order_id} is not a PDF")
        return body

    # internals: orders

    def _items_of(self, order_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {}
        for start in range(0, len(order_ids), MAX_ORDERS_PER_ITEMS_CALL):
            chunk = order_ids[start : start + MAX_ORDERS_PER_ITEMS_CALL]
            data = self._call("/orders/items/get", {"order_ids": "[" + ",".join(chunk) + "]"})
            for entry in _as_list(data):
                if isinstance(entry, dict):
                    found[str(entry.get("order_id"))] = [
                        i for i in entry.get("order_items") or [] if isinstance(i, dict)
                    ]
        return found

    def _order_from(
        self, header: Mapping[str, Any], items: Sequence[Mapping[str, Any]]
    ) -> MarketplaceOrder:
        statuses = [str(s) for s in header.get("statuses") or []] or list(
            dict.fromkeys(str(i.get("status", "")) for i in items)
        )
        address = header.get("address_shipping") or {}
        name = " ".join(
            p
            for p in (str(address.get("first_name") or ""), str(address.get("last_name") or ""))
            if p
        )
        lines_text = ", ".join(
            str(address[k])
            for k in ("address1", "address2", "address3", "address4", "address5")
            if address.get(k)
        )
        currency = next((str(i["currency"]) for i in items if i.get("currency")), "")
        return MarketplaceOrder(
            order_id=str(header.get("order_id")),
            raw_status=",".join(statuses),
            state=order_state(statuses),
            lines=order_lines(items),
            created_at=_parse_time(str(header.get("created_at", ""))),
            updated_at=_parse_time(str(header.get("updated_at", ""))),
            recipient_name=name,
            recipient_phone=str(address.get("phone") or ""),
            address=lines_text,
            city=str(address.get("city") or address.get("address4") or ""),
            postcode=str(address.get("post_code") or ""),
            country=self.access.country,
            cash_on_delivery=str(header.get("payment_method", "")).upper() == "COD",
            total_amount=_buyer_paid(header),
            currency=currency,
        )

    def _active_items(self, order_id: str) -> list[dict[str, Any]]:
        items = [
            i
            for i in _as_list(self._call("/order/items/get", {"order_id": order_id}))
            if isinstance(i, dict)
        ]
        active = [
            i for i in items if ORDER_STATES.get(str(i.get("status"))) != OrderState.CANCELLED
        ]
        if not active:
            raise PermanentError(f"Lazada order {order_id} has no item to fulfil")
        unpaid = [i for i in active if str(i.get("status")) == "unpaid"]
        if unpaid:
            raise PermanentError(f"Lazada order {order_id} is not paid yet")
        return active

    def _pack(self, order_id: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        to_pack = [i for i in items if not i.get("package_id")]
        if not to_pack:
            return items
        result = self._fulfil(
            "/order/fulfill/pack",
            "packReq",
            {
                "pack_order_list": [
                    {
                        "order_id": _number(order_id),
                        "order_item_list": [_number(str(i["order_item_id"])) for i in to_pack],
                    }
                ],
                "delivery_type": "dropship",
                "shipping_allocate_type": "TFS",
            },
        )
        packed: dict[str, Mapping[str, Any]] = {}
        for order in result.get("pack_order_list") or []:
            for item in order.get("order_item_list") or []:
                if str(item.get("item_err_code")) != "0":
                    raise PermanentError(
                        f"Lazada refused to pack item {item.get('order_item_id')}: "
                        f"{item.get('msg')}"
                    )
                packed[str(item.get("order_item_id"))] = item
        updated = []
        for item in items:
            result_item = packed.get(str(item.get("order_item_id")))
            if result_item is not None:
                item = {
                    **item,
                    "status": "packed",
                    "package_id": result_item.get("package_id"),
                    "tracking_code": result_item.get("tracking_number"),
                    "shipment_provider": result_item.get("shipment_provider"),
                }
            updated.append(item)
        return updated

    def _fulfil(
        self, path: str, name: str, request: Mapping[str, Any], *, post: bool = True
    ) -> dict[str, Any]:
        """A fulfilment API call: one JSON-valued parameter in, `result.data` out."""
        answer = self._call(
            path, {name: json.dumps(request, separators=(",", ":"))}, post=post, raw=True
        )
        if str(answer.get("code", "")) != "0":
            raise error_for(_failure(answer))
        result = answer.get("result") or {}
        if str(result.get("success")).lower() != "true":
            raise error_for(
                LazadaFailure(
                    code=str(result.get("error_code") or result.get("errorCode") or ""),
                    message=str(result.get("error_msg") or result.get("errorMsg") or ""),
                    request_id=str(answer.get("request_id", "")),
                )
            )
        data = result.get("data")
        return data if isinstance(data, dict) else {}

    # internals: HTTP

    def _call(
        self,
        api_path: str,
        params: Mapping[str, str],
        *,
        post: bool = False,
        base_url: str | None = None,
        with_token: bool = True,
        raw: bool = False,
    ) -> Any:
        """Sign and send one call; the `data` of a success (or the whole answer when `raw`)."""
        signed = {
            "app_key": self.access.app.key,
            "timestamp": str(int(self.clock() * 1000)),
            "sign_method": "sha256",
        }
        if with_token:
            signed["access_token"] = self.access.access_token
        signed.update({k: v for k, v in params.items() if v != ""})
        signed["sign"] = sign_request(self.access.app.secret, api_path, signed)
        url = (base_url or self.base_url) + api_path
        encoded = urllib.parse.urlencode(signed)
        if post:
            body = self._send(
                url,
                data=encoded.encode("ascii"),
                headers={"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"},
            )
        else:
            body = self._send(f"{url}?{encoded}")
        answer = _json_answer(body)
        if raw:
            return answer
        if str(answer.get("code", "")) != "0":
            raise error_for(_failure(answer))
        return answer.get("data")

    def _send(
        self, url: str, *, data: bytes | None = None, headers: Mapping[str, str] | None = None
    ) -> bytes:
        """The body of a 2xx answer (POST when `data` is given); HTTP failures mapped."""
        answer = exchange(
            url,
            timeout=self.timeout,
            method="POST" if data is not None else "GET",
            data=data,
            headers=headers,
            server="Lazada",
        )
        body = answer.body
        if answer.status < 400:
            return body
        if answer.status == 429:
            raise Throttled(f"Lazada HTTP 429: {body[:200]!r}", retry_after=1.0)
        if answer.status >= 500:
            raise TransientError(f"Lazada HTTP {answer.status}: {body[:200]!r}")
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        if isinstance(payload, dict) and "code" in payload:
            raise error_for(_failure(payload))
        raise PermanentError(f"Lazada HTTP {answer.status}: {body[:200]!r}")

    def _download(self, url: str) -> bytes:
        return self._send(url)


def exchange_code(
    app: AppCredentials,
    code: str,
    *,
    auth_url: str = AUTH_URL,
    timeout: float = 10.0,
    clock: Callable[[], float] = time.time,
) -> tuple[TokenGrant, list[dict[str, str]]]:
    """Tokens for an authorisation code (single-use, 30 minutes), with the per-country
    seller ids from `country_user_info`."""
    access = ShopAccess(
        marketplace=Marketplace.LAZADA,
        country="",
        base_url=auth_url,
        app=app,
        shop_id="",
        access_token="",
        refresh_token="",
        access_expires_at=datetime.fromtimestamp(0, UTC),
    )
    client = LazadaClient(access, timeout=timeout, clock=clock, auth_url=auth_url)
    started = clock()
    answer = client._call(  # the same signed transport, without a token
        "/auth/token/create", {"code": code}, base_url=auth_url, with_token=False, raw=True
    )
    if str(answer.get("code", "")) != "0":
        raise error_for(_failure(answer))
    sellers = answer.get("country_user_info") or answer.get("country_user_info_list") or []
    return token_grant(answer, started), [
        {k: str(v) for k, v in s.items()} for s in sellers if isinstance(s, dict)
    ]


def token_grant(answer: Mapping[str, Any], issued_at: float) -> TokenGrant:
    """A TokenGrant from a token create/refresh answer (lifetimes in seconds from issue)."""
    try:
        access_token = str(answer["access_token"])
        refresh_token = str(answer["refresh_token"])
        expires_in = float(answer["expires_in"])
    except (KeyError, TypeError, ValueError) as exc:
        raise TransientError(f"Lazada token answer without tokens: {answer!r}") from exc
    refresh_in = answer.get("refresh_expires_in")
    return TokenGrant(
        access_token=access_token,
        refresh_token=refresh_token,
        access_expires_at=datetime.fromtimestamp(issued_at + expires_in, UTC),
        refresh_expires_at=(
            datetime.fromtimestamp(issued_at + float(refresh_in), UTC)
            if refresh_in not in (None, "")
            else None
        ),
    )


# --- orders (pure) ---------------------------------------------------------------------------


def order_state(statuses: Sequence[str]) -> OrderState:
    """The WMS state of an order from its items' statuses: cancelled when every item is,
    otherwise the least advanced state among the items still active."""
    states = [ORDER_STATES.get(s, OrderState.OTHER) for s in statuses if s]
    active = {s for s in states if s != OrderState.CANCELLED}
    if not active:
        return OrderState.CANCELLED if states else OrderState.OTHER
    return next(s for s in _STATE_PRECEDENCE if s in active)


def order_lines(items: Sequence[Mapping[str, Any]]) -> tuple[OrderLine, ...]:
    """Order items (one per unit) summed per SKU; cancelled units left out unless every unit
    is cancelled."""
    active = [
        i for i in items if ORDER_STATES.get(str(i.get("status"))) != OrderState.CANCELLED
    ] or list(items)
    counts: dict[ListingRef, int] = {}
    for item in active:
        warehouse = str(item.get("warehouse_code") or "")
        ref = ListingRef(
            item_id=str(item.get("product_id") or ""),
            model_id=str(item.get("sku_id") or ""),
            seller_sku=str(item.get("sku") or ""),
            warehouse_id="" if warehouse == DEFAULT_WAREHOUSE else warehouse,
        )
        counts[ref] = counts.get(ref, 0) + 1
    return tuple(OrderLine(listing=ref, quantity=n) for ref, n in counts.items())


# --- webhooks --------------------------------------------------------------------------------


class LazadaWebhookVerifier:
    """Checks Lazada push messages: `Authorization` must be the HMAC of app_key + raw body.
    Lazada documents no timestamp window (it retries for 6 hours); `max_age` adds one."""

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
        """The notice for a correctly signed message; BadSignature otherwise."""
        given = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        expected = webhook_signature(self.app.key, self.app.secret, body)
        if not given or not hmac.compare_digest(expected, given.strip().lower()):
            raise BadSignature("Lazada push signature does not match")
        try:
            message = json.loads(body)
        except ValueError as exc:
            raise BadSignature("Lazada push body is not JSON") from exc
        if not isinstance(message, dict):
            raise BadSignature("Lazada push body is not a JSON object")
        if self.max_age is not None:
            sent = _seconds(message.get("timestamp"))
            if sent is None or abs(self.clock() - sent) > self.max_age:
                raise BadSignature("Lazada push timestamp is outside the accepted window")
        data = message.get("data") if isinstance(message.get("data"), dict) else {}
        order_id = data.get("trade_order_id")
        return WebhookNotice(
            marketplace=Marketplace.LAZADA,
            shop_id=str(message.get("seller_id", "")),
            order_id=str(order_id) if order_id not in (None, "") else None,
            kind=str(message.get("message_type", "")),
            raw=message,
        )


# --- helpers ---------------------------------------------------------------------------------


def _auth_url_for(base_url: str) -> str:
    host = urllib.parse.urlsplit(base_url).hostname or ""
    return AUTH_URL if host.startswith("api.lazada.") else base_url


def _json_answer(body: bytes) -> dict[str, Any]:
    try:
        answer = json.loads(body)
    except ValueError as exc:
        raise TransientError(f"Lazada answered something that is not JSON: {body[:200]!r}") from exc
    if not isinstance(answer, dict):
        raise TransientError(f"Lazada answered an unexpected shape: {body[:200]!r}")
    return answer


def _failure(answer: Mapping[str, Any]) -> LazadaFailure:
    return LazadaFailure(
        code=str(answer.get("code", "")),
        message=str(answer.get("message", "")),
        kind=str(answer.get("type", "")),
        request_id=str(answer.get("request_id", "")),
    )


def _stock_outcomes(batch: Sequence[StockUpdate], answer: Mapping[str, Any]) -> list[StockOutcome]:
    detail = answer.get("detail")
    entries = [d for d in detail if isinstance(d, dict)] if isinstance(detail, list) else []
    if not entries:
        message = f"Lazada 501 without detail: {answer.get('message', '')}"
        return [StockOutcome(listing=u.listing, accepted=False, reason=message) for u in batch]
    outcomes = []
    for update in batch:
        ref = update.listing
        reasons = [str(e.get("message", "")) for e in entries if _names(e, ref)]
        if reasons:
            outcomes.append(
                StockOutcome(listing=ref, accepted=False, permanent=True, reason="; ".join(reasons))
            )
        else:
            outcomes.append(StockOutcome(listing=ref, accepted=True))
    return outcomes


def _names(entry: Mapping[str, Any], ref: ListingRef) -> bool:
    """Whether a `detail` entry is about this listing (by SKU id, else by seller SKU)."""
    sku_id = entry.get("SkuId", entry.get("sku_id"))
    seller_sku = entry.get("seller_sku", entry.get("SellerSku"))
    if sku_id not in (None, ""):
        if str(sku_id) != ref.model_id:
            return False
    elif seller_sku not in (None, ""):
        if str(seller_sku) != ref.seller_sku:
            return False
    else:
        return False
    warehouse = entry.get("WarehouseCode", entry.get("warehouse_code"))
    return warehouse in (None, "") or str(warehouse) == (ref.warehouse_id or DEFAULT_WAREHOUSE)


def _products_of(data: Any) -> list[list[ProductListing]]:
    """Per product, its listings: one per SKU, or per SKU and warehouse when the SKU is
    stocked anywhere other than the default warehouse."""
    products = data.get("products") if isinstance(data, dict) else None
    found: list[list[ProductListing]] = []
    for product in products or []:
        if not isinstance(product, dict):
            continue
        item_id = str(product.get("item_id", ""))
        title = str((product.get("attributes") or {}).get("name") or "")
        listings: list[ProductListing] = []
        for sku in product.get("skus") or []:
            sku_id = str(sku.get("SkuId", ""))
            seller_sku = str(sku.get("SellerSku") or "")
            warehouses = [
                w for w in sku.get("multiWarehouseInventories") or [] if isinstance(w, dict)
            ]
            codes = {str(w.get("warehouseCode")) for w in warehouses}
            if warehouses and codes != {DEFAULT_WAREHOUSE}:
                for w in warehouses:
                    listings.append(
                        ProductListing(
                            listing=ListingRef(
                                item_id, sku_id, seller_sku, str(w["warehouseCode"])
                            ),
                            title=title,
                            quantity=_int(w.get("sellableQuantity"), default=None),
                        )
                    )
            else:
                quantity = (
                    _int(warehouses[0].get("sellableQuantity"), default=None)
                    if warehouses
                    else _int(sku.get("Available", sku.get("quantity")), default=None)
                )
                listings.append(
                    ProductListing(
                        listing=ListingRef(item_id, sku_id, seller_sku),
                        title=title,
                        quantity=quantity,
                    )
                )
        found.append(listings)
    return found


def _listing_key(ref: ListingRef) -> tuple[str, str, str]:
    return (
        ref.item_id,
        ref.model_id,
        "" if ref.warehouse_id == DEFAULT_WAREHOUSE else ref.warehouse_id,
    )


def _is_packed(item: Mapping[str, Any]) -> bool:
    return str(item.get("status")) in ("packed", "repacked", "toship")


def _as_list(data: Any) -> list[Any]:
    return data if isinstance(data, list) else []


def _number(text: str) -> int | str:
    return int(text) if text.isdigit() else text


def _int(value: Any, *, default: int | None) -> Any:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default


def _seconds(value: Any) -> float | None:
    """A push timestamp in seconds (Lazada sends milliseconds, though a comment says seconds)."""
    try:
        number = float(str(value))
    except (TypeError, ValueError):
        return None
    return number / 1000 if number > 1e11 else number


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _iso(moment: datetime) -> str:
    """ISO-8601 with an offset, to the second, as GetOrders wants it."""
    return _aware(moment).isoformat(timespec="seconds")


_OFFSET_WITHOUT_COLON = re.compile(r"\s*([+-])(\d{2})(\d{2})$")


def _parse_time(text: str) -> datetime:
    """Lazada's times: "2024-01-01 10:00:00 +0800" or ISO-8601 with an offset."""
    cleaned = text.strip().replace("Z", "+00:00")
    cleaned = _OFFSET_WITHOUT_COLON.sub(r"\1\2:\3", cleaned)
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError as exc:
        raise TransientError(f"Lazada time not understood: {text!r}") from exc
    return _aware(moment)


def _buyer_paid(header: Mapping[str, Any]) -> str:
    """price − voucher + shipping_fee, as Lazada's guide computes what the buyer paid."""
    try:
        price = Decimal(str(header.get("price") or "0").replace(",", ""))
        voucher = Decimal(str(header.get("voucher") or "0").replace(",", ""))
        shipping = Decimal(str(header.get("shipping_fee") or "0").replace(",", ""))
    except InvalidOperation:
        return ""
    return str(price - voucher + shipping)
