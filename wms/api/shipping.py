"""Packing parcels and shipping them on carrier manifests."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint

from wms.api.consignments import PDF_RESPONSE
from wms.api.outbound_schemas import (
    ClosePackageSchema,
    ManifestArgs,
    ManifestSchema,
    OpenManifestSchema,
    PackageSchema,
    ParcelScanSchema,
    StartPackingSchema,
    VerifyItemSchema,
)
from wms.api.schemas import IdempotencyHeader
from wms.api.security import BEARER, authenticated, current_actor
from wms.api.stock import replayable
from wms.bootstrap import new_uow
from wms.services import packing, shipping

PREFIX = "/packages"
blp = Blueprint("packages", __name__, description="Parcels packed from picked totes.")
manifests_blp = Blueprint("manifests", __name__, description="Parcels handed to a carrier.")
MANIFESTS_PREFIX = "/manifests"


@blp.route("", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(IdempotencyHeader, location="headers")
@blp.arguments(StartPackingSchema)
@blp.response(201, PackageSchema)
@authenticated
def start(header: dict[str, Any], data: dict[str, Any]) -> Any:
    """Open (or resume) the parcel of the order in a scanned tote."""
    return replayable(
        packing.start_packing(
            new_uow(), current_actor(), data["fc_id"], data["tote"], header["key"]
        ),
        201,
    )


@blp.route("/<id:package_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, PackageSchema)
@authenticated
def get_package(package_id: int) -> dict[str, Any]:
    """A parcel: expected and verified items, carton, weight, tracking number."""
    return packing.get_package(new_uow(), current_actor(), package_id)


@blp.route("/<id:package_id>/items", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(IdempotencyHeader, location="headers")
@blp.arguments(VerifyItemSchema)
@blp.response(200, PackageSchema)
@authenticated
def verify(header: dict[str, Any], data: dict[str, Any], package_id: int) -> Any:
    """One scanned unit into the parcel."""
    return replayable(
        packing.verify_item(
            new_uow(), current_actor(), package_id, data["gtin"], data["lot_number"], header["key"]
        )
    )


@blp.route("/<id:package_id>/close", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(IdempotencyHeader, location="headers")
@blp.arguments(ClosePackageSchema)
@blp.response(200, PackageSchema)
@authenticated
def close(header: dict[str, Any], data: dict[str, Any], package_id: int) -> Any:
    """Seal the parcel with its carton and weight; it gets its tracking number and label."""
    return replayable(
        packing.close_package(
            new_uow(), current_actor(), package_id, data["carton"], data["weight_g"], header["key"]
        )
    )


@blp.route("/<id:package_id>/label.pdf", methods=["GET"])
@blp.doc(security=BEARER, responses=PDF_RESPONSE)
@authenticated
def label(package_id: int) -> Response:
    """The parcel's shipping label (100 × 150 mm)."""
    name, pdf = packing.label_pdf(new_uow(), current_actor(), package_id)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@manifests_blp.route("", methods=["POST"])
@manifests_blp.doc(security=BEARER)
@manifests_blp.arguments(IdempotencyHeader, location="headers")
@manifests_blp.arguments(OpenManifestSchema)
@manifests_blp.response(201, ManifestSchema)
@authenticated
def open_manifest(header: dict[str, Any], data: dict[str, Any]) -> Any:
    """The carrier's open manifest at the FC (started if there is none)."""
    return replayable(
        shipping.open_manifest(
            new_uow(), current_actor(), data["fc_id"], data["carrier_id"], header["key"]
        ),
        201,
    )


@manifests_blp.route("", methods=["GET"])
@manifests_blp.doc(security=BEARER)
@manifests_blp.arguments(ManifestArgs, location="query")
@manifests_blp.response(200, ManifestSchema(many=True))
@authenticated
def list_manifests(args: dict[str, Any]) -> list[dict[str, Any]]:
    """The FC's manifests, newest first."""
    return shipping.list_manifests(new_uow(), current_actor(), args["fc_id"], args.get("status"))


@manifests_blp.route("/<id:manifest_id>", methods=["GET"])
@manifests_blp.doc(security=BEARER)
@manifests_blp.response(200, ManifestSchema)
@authenticated
def get_manifest(manifest_id: int) -> dict[str, Any]:
    """A manifest with its parcels."""
    return shipping.get_manifest(new_uow(), current_actor(), manifest_id)


@manifests_blp.route("/<id:manifest_id>/parcels", methods=["POST"])
@manifests_blp.doc(security=BEARER)
@manifests_blp.arguments(IdempotencyHeader, location="headers")
@manifests_blp.arguments(ParcelScanSchema)
@manifests_blp.response(200, ManifestSchema)
@authenticated
def add_parcel(header: dict[str, Any], data: dict[str, Any], manifest_id: int) -> Any:
    """Scan a parcel onto the manifest; another carrier's parcel is refused."""
    return replayable(
        shipping.add_parcel(new_uow(), current_actor(), manifest_id, data["parcel"], header["key"])
    )


@manifests_blp.route("/<id:manifest_id>/close", methods=["POST"])
@manifests_blp.doc(security=BEARER)
@manifests_blp.arguments(IdempotencyHeader, location="headers")
@manifests_blp.response(200, ManifestSchema)
@authenticated
def close_manifest(header: dict[str, Any], manifest_id: int) -> Any:
    """Hand the parcels to the carrier: the stock leaves and the orders are shipped."""
    return replayable(
        shipping.close_manifest(new_uow(), current_actor(), manifest_id, header["key"])
    )
