"""Marketplace orders: the marketplaces' webhooks, each shop's orders as intake knows them, and
the marketplace's waybill of an order."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import fields

from wms.api.schemas import IsoDateTime, WmsSchema
from wms.api.security import BEARER, authenticated, current_actor
from wms.bootstrap import channels, new_uow
from wms.channels.clients import client_for
from wms.services import channel_orders

PREFIX = ""
blp = Blueprint(
    "channel_orders",
    __name__,
    description="Marketplace orders: webhooks in, orders per shop, marketplace waybills.",
)


class ShopOrderArgs(WmsSchema):
    problems = fields.Boolean(
        load_default=False,
        metadata={"description": "Only orders with an intake problem or a parked shipment."},
    )


class ShopOrderSchema(WmsSchema):
    id = fields.Integer()
    shop_id = fields.Integer()
    external_id = fields.String(metadata={"description": "The marketplace's order id."})
    raw_status = fields.String()
    state = fields.String(metadata={"description": "unpaid, ready, shipped, delivered, ..."})
    marketplace_updated_at = IsoDateTime()
    order_id = fields.Integer(allow_none=True)
    order_reference = fields.String(allow_none=True)
    order_status = fields.String(allow_none=True)
    problem = fields.String(metadata={"description": "Why no WMS order could be made."})
    problem_at = IsoDateTime(allow_none=True)
    shipment_status = fields.String(metadata={"description": "waiting, pushed, parked, ..."})
    shipment_tracking = fields.String()
    shipment_error = fields.String()
    shipment_pushed_at = IsoDateTime(allow_none=True)
    first_seen_at = IsoDateTime()


WEBHOOK_RESPONSES = {
    "200": {"description": "Taken (or taken before): an empty body, as each marketplace asks."},
    "401": {"description": "The signature is missing or wrong: nothing is stored."},
    "404": {"description": "No such marketplace, or none set up."},
}


@blp.route("/channels/<marketplace>/webhook", methods=["POST"])
@blp.doc(
    security=[],
    responses=WEBHOOK_RESPONSES,
    description="Shopee, Lazada and TikTok Shop push order changes here, signed in the "
    "Authorization header (no login: the signature is the authentication). The raw body is "
    "verified as sent and kept as a hint; the order itself is then read from the marketplace.",
)
def webhook(marketplace: str) -> Response:
    """A marketplace's signed notice of an order change."""
    channel_orders.receive_webhook(
        new_uow(),
        channels(),
        marketplace,
        request.url,
        dict(request.headers.items()),
        request.get_data(cache=False),
    )
    return Response(b"", status=200)


@blp.route("/shops/<id:shop_id>/orders", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(ShopOrderArgs, location="query")
@blp.response(200, ShopOrderSchema(many=True))
@authenticated
def shop_orders(args: dict[str, Any], shop_id: int) -> list[dict[str, Any]]:
    """The shop's marketplace orders, latest first: state, the WMS order made for each, the
    problem that stopped intake, and whether the marketplace was told of the shipment."""
    return channel_orders.shop_orders(
        new_uow(), current_actor(), shop_id, problems=args["problems"]
    )


@blp.route("/orders/<id:order_id>/marketplace-waybill.pdf", methods=["GET"])
@blp.doc(
    security=BEARER,
    responses={
        "200": {"description": "The marketplace's waybill.", "content": {"application/pdf": {}}},
        "502": {"description": "The marketplace did not give it (the message names it)."},
    },
)
@authenticated
def marketplace_waybill(order_id: int) -> Response:
    """The shipping label (waybill) the order's marketplace prints for it, as PDF."""
    pdf, marketplace = channel_orders.marketplace_waybill(
        new_uow(), client_for, channels(), current_actor(), order_id
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{marketplace}-waybill-{order_id}.pdf"'
        },
    )
