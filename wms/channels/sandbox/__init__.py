"""Contract-faithful local servers for the three marketplace APIs.

Each sandbox (`shopee.ShopeeSandbox`, `lazada.LazadaSandbox`, `tiktok.TiktokSandbox`) holds its
shops, listings and orders in memory, verifies signatures and timestamps exactly as the real API
does, enforces per-call and rate limits, answers partial failures in the API's own shape and
sends signed webhooks. Tests, the demo and the benchmark drive them through the same methods
(`SandboxState`) and reach them over HTTP (`server.serve`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Protocol

from flask import Flask

from wms.channels.marketplace import AppCredentials, ListingRef, ShopAccess


class SandboxState(Protocol):
    """What every sandbox offers its drivers (tests, demo, benchmark), besides its HTTP API."""

    app_credentials: AppCredentials
    clock: Callable[[], float]
    """Unix seconds; tests replace it to expire tokens and timestamps."""
    calls: Counter[str]
    """API calls answered, by path (throttled and refused calls included)."""
    rate_limit: float | None
    """Calls per second per shop before the API throttles; None for no limit."""
    webhook_url: str | None
    """Where signed webhooks go (the WMS's receiver); None sends none."""

    def wsgi_app(self) -> Flask:
        """The HTTP API, served by `server.serve`."""
        ...

    def add_shop(self, shop_id: str, country: str, base_url: str) -> ShopAccess:
        """A shop authorised for the app, with fresh tokens (what connecting it would give)."""
        ...

    def add_listing(
        self, shop_id: str, listing: ListingRef, title: str, quantity: int = 0, reserved: int = 0
    ) -> None:
        """A sellable variant in the shop's product list (`reserved`: held by promotions)."""
        ...

    def quantity(self, shop_id: str, listing: ListingRef) -> int:
        """The stock the marketplace shows for the listing now."""
        ...

    def place_order(
        self, shop_id: str, lines: Sequence[tuple[ListingRef, int]], *, paid: bool = True
    ) -> str:
        """A buyer's order (webhook sent if `webhook_url` is set); returns the order id."""
        ...

    def set_order_status(self, order_id: str, raw_status: str) -> None:
        """Move an order to one of the API's statuses (webhook sent if configured)."""
        ...

    def shipped(self, order_id: str) -> tuple[str, str] | None:
        """(tracking number, carrier) the seller pushed for the order, if any."""
        ...

    def fail_next(self, kind: str, count: int = 1) -> None:
        """The next `count` calls fail as a whole: "throttle" (the API's rate answer),
        "transient" (5xx or the API's try-later code) or "auth" (token invalid)."""
        ...

    def refuse_listing(self, shop_id: str, listing: ListingRef, reason: str) -> None:
        """Stock updates of this listing fail permanently (partial failure) with `reason`."""
        ...

    def expire_access_token(self, shop_id: str) -> None:
        """The shop's access token stops working (as when its lifetime ends)."""
        ...
