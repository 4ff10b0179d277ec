"""Orders by API, their carriers and cut-offs, and the shelf-life rules allocation follows."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from wms.api.outbound_schemas import (
    BacklogGroupSchema,
    BackorderResultSchema,
    CarrierSchema,
    FcArgs,
    FcBodySchema,
    NewOrderSchema,
    OrderArgs,
    OrderPageSchema,
    OrderSchema,
    ShelfLifeRuleSchema,
)
from wms.api.schemas import IdempotencyHeader
from wms.api.security import BEARER, authenticated, current_actor
from wms.api.stock import replayable
from wms.bootstrap import new_uow
from wms.services import carriers, orders
from wms.services.paging import PageRequest

PREFIX = "/orders"
blp = Blueprint("orders", __name__, description="Orders to ship: intake, allocation, cancel.")
carriers_blp = Blueprint("carriers", __name__, description="Carriers and their daily cut-offs.")
rules_blp = Blueprint(
    "shelf_life_rules", __name__, description="Shelf life lots must keep per channel and country."
)
CARRIERS_PREFIX = "/carriers"
RULES_PREFIX = "/shelf-life-rules"


@blp.route("", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(IdempotencyHeader, location="headers")
@blp.arguments(NewOrderSchema)
@blp.response(201, OrderSchema)
@authenticated
def create_order(header: dict[str, Any], new: Any) -> Any:
    """Take an order in; its stock is reserved first-expiry-first-out, the rest backordered."""
    return replayable(orders.create_order(new_uow(), current_actor(), new, header["key"]), 201)


@blp.route("", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(OrderArgs, location="query")
@blp.response(200, OrderPageSchema)
@authenticated
def list_orders(args: dict[str, Any]) -> dict[str, Any]:
    """Orders the caller may see, earliest ship-by first."""
    return orders.list_orders(
        new_uow(),
        current_actor(),
        PageRequest(args["page"], args["page_size"]),
        fc_id=args.get("fc_id"),
        status=args.get("status"),
        external_id=args.get("external_id"),
    )


@blp.route("/backlog", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(FcArgs, location="query")
@blp.response(200, BacklogGroupSchema(many=True))
@authenticated
def backlog(args: dict[str, Any]) -> list[dict[str, Any]]:
    """Open orders by carrier and due cut-off, earliest first."""
    return orders.backlog(new_uow(), current_actor(), args["fc_id"])


@blp.route("/allocate-backorders", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(IdempotencyHeader, location="headers")
@blp.arguments(FcBodySchema)
@blp.response(200, BackorderResultSchema)
@authenticated
def allocate_backorders(header: dict[str, Any], data: dict[str, Any]) -> Any:
    """Try again to reserve stock for the FC's backordered orders."""
    return replayable(
        orders.allocate_backorders(new_uow(), current_actor(), data["fc_id"], header["key"])
    )


@blp.route("/<id:order_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, OrderSchema)
@authenticated
def get_order(order_id: int) -> dict[str, Any]:
    """An order with its lines and where its units are reserved."""
    return orders.get_order(new_uow(), current_actor(), order_id)


@blp.route("/<id:order_id>/allocate", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(IdempotencyHeader, location="headers")
@blp.response(200, OrderSchema)
@authenticated
def allocate(header: dict[str, Any], order_id: int) -> Any:
    """Try again to reserve what a backordered order misses."""
    return replayable(orders.allocate_order(new_uow(), current_actor(), order_id, header["key"]))


@blp.route("/<id:order_id>/cancel", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(IdempotencyHeader, location="headers")
@blp.response(200, OrderSchema)
@authenticated
def cancel(header: dict[str, Any], order_id: int) -> Any:
    """Cancel an order before it ships; every reservation is released."""
    return replayable(orders.cancel_order(new_uow(), current_actor(), order_id, header["key"]))


@carriers_blp.route("", methods=["GET"])
@carriers_blp.doc(security=BEARER)
@carriers_blp.arguments(FcArgs, location="query")
@carriers_blp.response(200, CarrierSchema(many=True))
@authenticated
def list_carriers(args: dict[str, Any]) -> list[dict[str, Any]]:
    """The carriers that collect at an FC, earliest cut-off first."""
    return carriers.list_carriers(new_uow(), current_actor(), args["fc_id"])


@carriers_blp.route("", methods=["POST"])
@carriers_blp.doc(security=BEARER)
@carriers_blp.arguments(CarrierSchema)
@carriers_blp.response(201, CarrierSchema)
@authenticated
def create_carrier(data: dict[str, Any]) -> dict[str, Any]:
    """Add a carrier with its daily cut-off (FC local time) and tracking number prefix."""
    return carriers.create_carrier(new_uow(), current_actor(), data["fc_id"], data)


@rules_blp.route("", methods=["GET"])
@rules_blp.doc(security=BEARER)
@rules_blp.arguments(FcArgs, location="query")
@rules_blp.response(200, ShelfLifeRuleSchema(many=True))
@authenticated
def list_rules(args: dict[str, Any]) -> list[dict[str, Any]]:
    """The FC's minimum remaining shelf life per channel and destination country."""
    return carriers.list_shelf_life_rules(new_uow(), current_actor(), args["fc_id"])


@rules_blp.route("", methods=["PUT"])
@rules_blp.doc(security=BEARER)
@rules_blp.arguments(ShelfLifeRuleSchema)
@rules_blp.response(200, ShelfLifeRuleSchema)
@authenticated
def set_rule(data: dict[str, Any]) -> dict[str, Any]:
    """Set the days of shelf life lots must keep when shipped on a channel to a country."""
    return carriers.set_shelf_life_rule(new_uow(), current_actor(), data["fc_id"], data)
