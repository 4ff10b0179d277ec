"""The connector for a shop's marketplace: one place that knows which class speaks which API."""

from __future__ import annotations

from wms.channels.lazada import LazadaClient, LazadaWebhookVerifier
from wms.channels.marketplace import (
    AppCredentials,
    Marketplace,
    MarketplaceClient,
    ShopAccess,
    WebhookVerifier,
)
from wms.channels.shopee import ShopeeClient, ShopeeWebhookVerifier
from wms.channels.tiktok import TiktokClient, TiktokWebhookVerifier


def client_for(access: ShopAccess, *, timeout: float = 10.0) -> MarketplaceClient:
    """A connector acting for the shop."""
    if access.marketplace is Marketplace.SHOPEE:
        return ShopeeClient(access, timeout=timeout)
    if access.marketplace is Marketplace.LAZADA:
        return LazadaClient(access, timeout=timeout)
    return TiktokClient(access, timeout=timeout)


def verifier_for(marketplace: Marketplace, app: AppCredentials) -> WebhookVerifier:
    """The checker of the marketplace's webhooks for the app."""
    if marketplace is Marketplace.SHOPEE:
        return ShopeeWebhookVerifier(app)
    if marketplace is Marketplace.LAZADA:
        return LazadaWebhookVerifier(app)
    return TiktokWebhookVerifier(app)
