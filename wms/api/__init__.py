"""REST JSON API under /api/v1 (flask-smorest blueprints, marshmallow schemas, OpenAPI)."""

from __future__ import annotations

from flask import Flask

from wms.api.docs import docs_blueprint
from wms.api.errors import WmsApi

API_PREFIX = "/api/v1"


def init_api(app: Flask) -> WmsApi:
    """Register every API blueprint and the OpenAPI document at /api/v1/openapi.json."""
    from wms.api import auth, catalogue, facilities, stock

    app.config.update(
        API_TITLE="Pavilion WMS API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
    )
    api = WmsApi(app, spec_kwargs={"info": {"description": "Stock, bins and SKUs of the FCs."}})
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    for module in (auth, facilities, catalogue, stock):
        api.register_blueprint(module.blp, url_prefix=API_PREFIX + module.PREFIX)
    app.register_blueprint(docs_blueprint, url_prefix=API_PREFIX)
    app.extensions["wms_api"] = api
    return api
