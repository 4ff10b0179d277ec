"""Labels: carton (SSCC), bin and shelf-strip, parcel and SKU labels, to download or print."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint

from wms.api.label_schemas import (
    BinLabelArgs,
    BinPrintSchema,
    OptionalKeyHeader,
    OutputArgs,
    PrintSchema,
    ShelfStripArgs,
    SkuLabelArgs,
    SkuPrintSchema,
)
from wms.api.printing_schemas import PrintJobSchema
from wms.api.security import BEARER, authenticated, current_actor
from wms.bootstrap import new_uow
from wms.services import labels
from wms.services.labels import Document, Output, parse_codes

PREFIX = ""
blp = Blueprint("labels", __name__, description="Labels to download or print.")

LABEL_RESPONSE = {
    "200": {
        "description": "The labels: a PDF page or a ZPL label each.",
        "content": {"application/pdf": {}, "application/zpl": {}},
    }
}
SHEET_RESPONSE = {"200": {"description": "A4 sheets.", "content": {"application/pdf": {}}}}


def _output(args: dict[str, Any]) -> Output:
    return Output(format=args["format"], media=args["media"], dpi=args["dpi"])


def _send(document: Document) -> Response:
    return Response(
        document.content,
        mimetype=document.content_type,
        headers={"Content-Disposition": f'inline; filename="{document.filename}"'},
    )


@blp.route("/consignments/<id:consignment_id>/carton-labels", methods=["GET"])
@blp.doc(security=BEARER, responses=LABEL_RESPONSE)
@blp.arguments(OutputArgs, location="query")
@authenticated
def consignment_carton_labels(args: dict[str, Any], consignment_id: int) -> Response:
    """GS1 logistic labels (SSCC) of every carton announced on the consignment."""
    return _send(
        labels.consignment_carton_labels(new_uow(), current_actor(), consignment_id, _output(args))
    )


@blp.route("/consignments/<id:consignment_id>/carton-labels/print", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(OptionalKeyHeader, location="headers")
@blp.arguments(PrintSchema)
@blp.response(200, PrintJobSchema)
@authenticated
def print_consignment_carton_labels(
    header: dict[str, Any], data: dict[str, Any], consignment_id: int
) -> dict[str, Any]:
    """Print the consignment's carton labels on one of its FC's printers."""
    return labels.print_consignment_carton_labels(
        new_uow(), current_actor(), consignment_id, data["printer_id"], header["key"]
    )


@blp.route("/cartons/<id:carton_id>/label", methods=["GET"])
@blp.doc(security=BEARER, responses=LABEL_RESPONSE)
@blp.arguments(OutputArgs, location="query")
@authenticated
def carton_label(args: dict[str, Any], carton_id: int) -> Response:
    """One carton's GS1 logistic label, announced or received blind."""
    return _send(labels.carton_label(new_uow(), current_actor(), carton_id, _output(args)))


@blp.route("/cartons/<id:carton_id>/label/print", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(OptionalKeyHeader, location="headers")
@blp.arguments(PrintSchema)
@blp.response(200, PrintJobSchema)
@authenticated
def print_carton_label(header: dict[str, Any], data: dict[str, Any], carton_id: int) -> Any:
    """Print one carton's label."""
    return labels.print_carton_label(
        new_uow(), current_actor(), carton_id, data["printer_id"], header["key"]
    )


@blp.route("/fcs/<id:fc_id>/bin-labels", methods=["GET"])
@blp.doc(security=BEARER, responses=LABEL_RESPONSE)
@blp.arguments(BinLabelArgs, location="query")
@authenticated
def bin_labels(args: dict[str, Any], fc_id: int) -> Response:
    """Bin labels (code, check digits, zone) of every bin, a zone's or the listed codes."""
    return _send(
        labels.bin_labels(
            new_uow(),
            current_actor(),
            fc_id,
            _output(args),
            zone=args["zone"],
            codes=parse_codes(args["codes"]),
        )
    )


@blp.route("/fcs/<id:fc_id>/bin-labels/print", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(OptionalKeyHeader, location="headers")
@blp.arguments(BinPrintSchema)
@blp.response(200, PrintJobSchema)
@authenticated
def print_bin_labels(header: dict[str, Any], data: dict[str, Any], fc_id: int) -> Any:
    """Print bin labels of every bin, a zone's or the listed codes."""
    return labels.print_bin_labels(
        new_uow(),
        current_actor(),
        fc_id,
        data["printer_id"],
        zone=data["zone"],
        codes=parse_codes(data["codes"]),
        key=header["key"],
    )


@blp.route("/fcs/<id:fc_id>/shelf-strips", methods=["GET"])
@blp.doc(security=BEARER, responses=SHEET_RESPONSE)
@blp.arguments(ShelfStripArgs, location="query")
@authenticated
def shelf_strips(args: dict[str, Any], fc_id: int) -> Response:
    """The bins' labels as strips on A4 sheets, to cut and fix on shelf edges."""
    return _send(
        labels.shelf_strip_sheets(
            new_uow(),
            current_actor(),
            fc_id,
            zone=args["zone"],
            codes=parse_codes(args["codes"]),
            dpi=args["dpi"],
        )
    )


@blp.route("/fcs/<id:fc_id>/shelf-strips/print", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(OptionalKeyHeader, location="headers")
@blp.arguments(BinPrintSchema)
@blp.response(200, PrintJobSchema)
@authenticated
def print_shelf_strips(header: dict[str, Any], data: dict[str, Any], fc_id: int) -> Any:
    """Print shelf strips on an office (PDF) printer of the FC."""
    return labels.print_shelf_strips(
        new_uow(),
        current_actor(),
        fc_id,
        data["printer_id"],
        zone=data["zone"],
        codes=parse_codes(data["codes"]),
        key=header["key"],
    )


@blp.route("/locations/<id:location_id>/label", methods=["GET"])
@blp.doc(security=BEARER, responses=LABEL_RESPONSE)
@blp.arguments(OutputArgs, location="query")
@authenticated
def location_label(args: dict[str, Any], location_id: int) -> Response:
    """One bin's label."""
    return _send(labels.location_label(new_uow(), current_actor(), location_id, _output(args)))


@blp.route("/locations/<id:location_id>/label/print", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(OptionalKeyHeader, location="headers")
@blp.arguments(PrintSchema)
@blp.response(200, PrintJobSchema)
@authenticated
def print_location_label(header: dict[str, Any], data: dict[str, Any], location_id: int) -> Any:
    """Print one bin's label."""
    return labels.print_location_label(
        new_uow(), current_actor(), location_id, data["printer_id"], header["key"]
    )


@blp.route("/packages/<id:package_id>/label", methods=["GET"])
@blp.doc(security=BEARER, responses=LABEL_RESPONSE)
@blp.arguments(OutputArgs, location="query")
@authenticated
def package_label(args: dict[str, Any], package_id: int) -> Response:
    """A closed parcel's label: the carrier's stored waybill (PDF) when the order has one,
    else our own shipping label."""
    return _send(labels.package_label(new_uow(), current_actor(), package_id, _output(args)))


@blp.route("/packages/<id:package_id>/label/print", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(OptionalKeyHeader, location="headers")
@blp.arguments(PrintSchema)
@blp.response(200, PrintJobSchema)
@authenticated
def print_package_label(header: dict[str, Any], data: dict[str, Any], package_id: int) -> Any:
    """Print a closed parcel's label (the stored waybill when there is one)."""
    return labels.print_package_label(
        new_uow(), current_actor(), package_id, data["printer_id"], header["key"]
    )


@blp.route("/skus/<id:sku_id>/labels", methods=["GET"])
@blp.doc(security=BEARER, responses=LABEL_RESPONSE)
@blp.arguments(SkuLabelArgs, location="query")
@authenticated
def sku_labels(args: dict[str, Any], sku_id: int) -> Response:
    """Item labels of a SKU: EAN-13 and GS1-128 with the lot and its expiry; 1 to 500 copies."""
    return _send(
        labels.sku_labels(
            new_uow(),
            current_actor(),
            sku_id,
            _output(args),
            lot=args["lot"],
            copies=args["copies"],
        )
    )


@blp.route("/skus/<id:sku_id>/labels/print", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(OptionalKeyHeader, location="headers")
@blp.arguments(SkuPrintSchema)
@blp.response(200, PrintJobSchema)
@authenticated
def print_sku_labels(header: dict[str, Any], data: dict[str, Any], sku_id: int) -> Any:
    """Print item labels of a SKU on one of the FC's printers."""
    return labels.print_sku_labels(
        new_uow(),
        current_actor(),
        sku_id,
        data["printer_id"],
        lot=data["lot"],
        copies=data["copies"],
        key=header["key"],
    )
