"""REST JSON API under /api/v1 (flask-smorest blueprints, marshmallow schemas, OpenAPI)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from wms.api.docs import docs_blueprint
from wms.api.errors import WmsApi
from wms.api.schemas import MAX_ID

API_PREFIX = "/api/v1"


class IdConverter(IntegerConverter):
    """A record id in a URL: ASCII digits, 1 to 2³¹−1; anything else is simply not found."""

    regex = r"[0-9]{1,10}"

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


def init_api(app: Flask) -> WmsApi:
    """Register every API blueprint and the OpenAPI document at /api/v1/openapi.json."""
    from wms.api import (
        auth,
        catalogue,
        channel_orders,
        channels,
        consignments,
        deliveries,
        facilities,
        labels,
        orders,
        printing,
        receiving,
        shipping,
        slotting,
        stock,
        waves,
    )

    app.config.update(
        API_TITLE="Pavilion WMS API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
    )
    api = WmsApi(app, spec_kwargs={"info": {"description": "Stock, bins and SKUs of the FCs."}})
    app.url_map.converters["id"] = IdConverter
    api.register_converter(
        IdConverter, lambda _: {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    )
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    modules = (auth, facilities, catalogue, stock, consignments, receiving, slotting, orders)
    for module in (*modules, waves, shipping, labels, deliveries, channels, channel_orders):
        api.register_blueprint(module.blp, url_prefix=API_PREFIX + module.PREFIX)
    api.register_blueprint(
        consignments.rates_blp, url_prefix=API_PREFIX + consignments.RATES_PREFIX
    )
    api.register_blueprint(
        consignments.webhooks_blp, url_prefix=API_PREFIX + consignments.WEBHOOKS_PREFIX
    )
    api.register_blueprint(receiving.tasks_blp, url_prefix=API_PREFIX + receiving.TASKS_PREFIX)
    api.register_blueprint(
        receiving.discrepancies_blp, url_prefix=API_PREFIX + receiving.DISCREPANCIES_PREFIX
    )
    for blueprint, prefix in (
        (orders.carriers_blp, orders.CARRIERS_PREFIX),
        (orders.rules_blp, orders.RULES_PREFIX),
        (waves.trips_blp, waves.TRIPS_PREFIX),
        (waves.picks_blp, waves.PICKS_PREFIX),
        (waves.exceptions_blp, waves.EXCEPTIONS_PREFIX),
        (shipping.manifests_blp, shipping.MANIFESTS_PREFIX),
        (printing.blp, printing.PREFIX),
        (printing.waybills_blp, printing.WAYBILLS_PREFIX),
    ):
        api.register_blueprint(blueprint, url_prefix=API_PREFIX + prefix)
    app.register_blueprint(docs_blueprint, url_prefix=API_PREFIX)
    app.extensions["wms_api"] = api
    return api
