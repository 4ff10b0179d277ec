"""FCs, zones and bins."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from wms.api.schemas import (
    FcSchema,
    LayoutResultSchema,
    LayoutSchema,
    LocationArgs,
    LocationPageSchema,
    LocationSchema,
    LocationStatusSchema,
    ZoneSchema,
)
from wms.api.security import BEARER, authenticated, current_actor
from wms.bootstrap import new_uow
from wms.domain.catalogue import LocationStatus
from wms.domain.layout import RackLayout
from wms.services import facilities
from wms.services.paging import PageRequest

PREFIX = ""
blp = Blueprint("facilities", __name__, description="Fulfillment centers, zones and bins.")


@blp.route("/fcs", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, FcSchema(many=True))
@authenticated
def list_fcs() -> list[dict[str, Any]]:
    """The FCs you work in (merchants: every FC)."""
    return facilities.list_fcs(new_uow(), current_actor())


@blp.route("/fcs", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(FcSchema)
@blp.response(201, FcSchema)
@authenticated
def create_fc(data: dict[str, Any]) -> dict[str, Any]:
    """Open an FC (admins)."""
    return facilities.create_fc(new_uow(), current_actor(), data)


@blp.route("/fcs/<id:fc_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, FcSchema)
@authenticated
def get_fc(fc_id: int) -> dict[str, Any]:
    return facilities.get_fc(new_uow(), current_actor(), fc_id)


@blp.route("/fcs/<id:fc_id>/zones", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, ZoneSchema(many=True))
@authenticated
def list_zones(fc_id: int) -> list[dict[str, Any]]:
    return facilities.list_zones(new_uow(), current_actor(), fc_id)


@blp.route("/fcs/<id:fc_id>/zones", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(ZoneSchema)
@blp.response(201, ZoneSchema)
@authenticated
def create_zone(data: dict[str, Any], fc_id: int) -> dict[str, Any]:
    """Add a zone (FC managers, admins)."""
    return facilities.create_zone(new_uow(), current_actor(), fc_id, data)


@blp.route("/fcs/<id:fc_id>/locations", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(LocationArgs, location="query")
@blp.response(200, LocationPageSchema)
@authenticated
def list_locations(args: dict[str, Any], fc_id: int) -> dict[str, Any]:
    """The FC's bins, by code; filter by zone or code prefix."""
    return facilities.list_locations(
        new_uow(),
        current_actor(),
        fc_id,
        PageRequest(args["page"], args["page_size"]),
        zone_id=args.get("zone_id"),
        code_prefix=args.get("code_prefix"),
    )


@blp.route("/fcs/<id:fc_id>/locations/layout", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(LayoutSchema)
@blp.response(201, LayoutResultSchema)
@authenticated
def create_layout(data: tuple[int, RackLayout], fc_id: int) -> dict[str, Any]:
    """Create the bins of aisles × bays × levels in a zone, all or none."""
    zone_id, layout = data
    return facilities.create_locations_from_layout(
        new_uow(), current_actor(), fc_id, zone_id, layout
    )


@blp.route("/locations/<id:location_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, LocationSchema)
@authenticated
def get_location(location_id: int) -> dict[str, Any]:
    return facilities.get_location(new_uow(), current_actor(), location_id)


@blp.route("/locations/<id:location_id>", methods=["PATCH"])
@blp.doc(security=BEARER)
@blp.arguments(LocationStatusSchema)
@blp.response(200, LocationSchema)
@authenticated
def set_location_status(data: dict[str, Any], location_id: int) -> dict[str, Any]:
    """Block, open or retire a bin (FC managers, admins)."""
    return facilities.set_location_status(
        new_uow(), current_actor(), location_id, LocationStatus(data["status"])
    )
