"""The sandbox's control panel over HTTP (`/_sandbox/...`), beside each marketplace's API.

The demo and the benchmark run the sandboxes in their own process; this is how they add shops
and listings, place orders, read what the marketplace shows and inject failures there. Bodies
and answers are JSON; a listing is `{"item_id", "model_id", "seller_sku", "warehouse_id"}`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import BadRequest

from wms.channels.marketplace import ListingRef
from wms.channels.sandbox import SandboxState

PREFIX = "/_sandbox"


def listing_from(data: Any) -> ListingRef:
    """A ListingRef from its JSON form; BadRequest naming the field if it is not one."""
    if not isinstance(data, dict) or not isinstance(data.get("item_id"), str | int):
        raise BadRequest("listing: an object with item_id is required")
    return ListingRef(
        item_id=str(data["item_id"]),
        model_id=str(data.get("model_id", "")),
        seller_sku=str(data.get("seller_sku", "")),
        warehouse_id=str(data.get("warehouse_id", "")),
    )


def listing_json(listing: ListingRef) -> dict[str, str]:
    return {
        "item_id": listing.item_id,
        "model_id": listing.model_id,
        "seller_sku": listing.seller_sku,
        "warehouse_id": listing.warehouse_id,
    }


def control_app(sandbox: SandboxState) -> Flask:
    """The `/_sandbox` routes for one sandbox."""
    app = Flask(f"sandbox-admin-{type(sandbox).__name__}")

    def body() -> dict[str, Any]:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise BadRequest("body: a JSON object is required")
        return data

    @app.post(f"{PREFIX}/shops")
    def add_shop() -> Response:
        data = body()
        access = sandbox.add_shop(
            str(data["shop_id"]), str(data["country"]), str(data.get("base_url", request.host_url))
        )
        return jsonify(
            shop_id=access.shop_id,
            shop_cipher=access.shop_cipher,
            access_token=access.access_token,
            refresh_token=access.refresh_token,
            access_expires_at=access.access_expires_at.isoformat(),
            refresh_expires_at=(
                access.refresh_expires_at.isoformat() if access.refresh_expires_at else None
            ),
        )

    @app.post(f"{PREFIX}/listings")
    def add_listings() -> Response:
        data = body()
        shop_id = str(data["shop_id"])
        for item in _items(data.get("listings")):
            sandbox.add_listing(
                shop_id,
                listing_from(item.get("listing")),
                str(item.get("title", "")),
                int(item.get("quantity", 0)),
                int(item.get("reserved", 0)),
            )
        return jsonify(ok=True)

    @app.post(f"{PREFIX}/quantities")
    def quantities() -> Response:
        data = body()
        shop_id = str(data["shop_id"])
        return jsonify(
            quantities=[
                sandbox.quantity(shop_id, listing_from(item)) for item in _items(data["listings"])
            ]
        )

    @app.post(f"{PREFIX}/orders")
    def place_order() -> Response:
        data = body()
        lines = [
            (listing_from(line.get("listing")), int(line.get("quantity", 1)))
            for line in _items(data.get("lines"))
        ]
        paid = bool(data.get("paid", True))
        order_id = sandbox.place_order(str(data["shop_id"]), lines, paid=paid)
        return jsonify(order_id=order_id)

    @app.post(f"{PREFIX}/orders/<order_id>/status")
    def set_status(order_id: str) -> Response:
        sandbox.set_order_status(order_id, str(body()["status"]))
        return jsonify(ok=True)

    @app.get(f"{PREFIX}/orders/<order_id>/shipment")
    def shipment(order_id: str) -> Response:
        shipped = sandbox.shipped(order_id)
        if shipped is None:
            return jsonify(shipped=False)
        return jsonify(shipped=True, tracking_number=shipped[0], carrier=shipped[1])

    @app.post(f"{PREFIX}/settings")
    def settings() -> Response:
        data = body()
        if "rate_limit" in data:
            limit = data["rate_limit"]
            sandbox.rate_limit = None if limit is None else float(limit)
        if "webhook_url" in data:
            sandbox.webhook_url = data["webhook_url"] or None
        return jsonify(ok=True)

    @app.post(f"{PREFIX}/fail-next")
    def fail_next() -> Response:
        data = body()
        sandbox.fail_next(str(data["kind"]), int(data.get("count", 1)))
        return jsonify(ok=True)

    @app.get(f"{PREFIX}/calls")
    def calls() -> Response:
        return jsonify(calls=dict(sandbox.calls), total=sum(sandbox.calls.values()))

    @app.errorhandler(KeyError)
    def missing(error: KeyError) -> tuple[Response, int]:
        return jsonify(error=f"{error.args[0]}: required"), 400

    @app.errorhandler(ValueError)
    def invalid(error: ValueError) -> tuple[Response, int]:
        return jsonify(error=str(error)), 400

    @app.errorhandler(BadRequest)
    def bad(error: BadRequest) -> tuple[Response, int]:
        return jsonify(error=error.description), 400

    return app


def _items(value: Any) -> Iterable[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise BadRequest("a list of objects is required")
    return value


def with_controls(sandbox: SandboxState) -> Callable[..., Any]:
    """One WSGI app: `/_sandbox/...` to the control panel, everything else to the API."""
    api = sandbox.wsgi_app()
    controls = control_app(sandbox)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO", "").startswith(PREFIX + "/"):
            return controls(environ, start_response)
        return api(environ, start_response)

    return application


class ControlPanel:
    """A client of a sandbox's `/_sandbox` routes, for the demo and the benchmark that run the
    sandboxes in their own process."""

    def __init__(self, url: str, timeout: float = 5.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        import json
        import urllib.request

        request = urllib.request.Request(  # noqa: S310 - the sandbox's own address
            f"{self.url}{PREFIX}{path}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
            data: dict[str, Any] = json.loads(answer.read())
            return data

    def add_shop(self, shop_id: str, country: str) -> dict[str, Any]:
        """A shop with fresh tokens, as `SandboxState.add_shop` gives them (times ISO 8601)."""
        return self._post("/shops", {"shop_id": shop_id, "country": country})

    def add_listings(self, shop_id: str, listings: list[tuple[ListingRef, str]]) -> None:
        """Listings (with their titles) in the shop's product list, showing no stock yet."""
        self._post(
            "/listings",
            {
                "shop_id": shop_id,
                "listings": [
                    {"listing": listing_json(listing), "title": title}
                    for listing, title in listings
                ],
            },
        )

    def set_webhook_url(self, url: str | None) -> None:
        self._post("/settings", {"webhook_url": url})

    def place_order(self, shop_id: str, lines: list[tuple[ListingRef, int]]) -> str:
        answer = self._post(
            "/orders",
            {
                "shop_id": shop_id,
                "lines": [
                    {"listing": listing_json(listing), "quantity": quantity}
                    for listing, quantity in lines
                ],
            },
        )
        return str(answer["order_id"])

    def quantities(self, shop_id: str, listings: list[ListingRef]) -> list[int]:
        answer = self._post(
            "/quantities",
            {"shop_id": shop_id, "listings": [listing_json(listing) for listing in listings]},
        )
        return [int(quantity) for quantity in answer["quantities"]]
