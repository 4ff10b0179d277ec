"""Schemas of the label API: how a label document is rendered and what a print asks for."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, fields, validate

from labels.media import LABEL_MEDIA, RESOLUTIONS
from wms.api.schemas import IdField, QueryInteger, Text, WmsSchema
from wms.services.idempotency import KEY_PATTERN, KEY_RULE
from wms.services.labels import FORMATS, MAX_CODES, MAX_COPIES

CODES_LENGTH = 40 * MAX_CODES


def _media(**kwargs: Any) -> fields.String:
    return fields.String(
        validate=validate.OneOf(LABEL_MEDIA),
        metadata={"enum": list(LABEL_MEDIA), "description": "Label stock; the kind's usual one."},
        **kwargs,
    )


class OutputArgs(WmsSchema):
    """How a label document is rendered."""

    format = fields.String(
        load_default="pdf",
        validate=validate.OneOf(FORMATS),
        metadata={"enum": list(FORMATS), "description": "pdf, or zpl for thermal printers."},
    )
    media = _media(load_default=None)
    dpi = QueryInteger(
        load_default=203,
        validate=validate.OneOf(RESOLUTIONS),
        metadata={"enum": list(RESOLUTIONS), "description": "Printer dots per inch."},
    )


class SheetArgs(WmsSchema):
    """Shelf strips: A4 sheets, as PDF, at a resolution."""

    dpi = QueryInteger(load_default=203, validate=validate.OneOf(RESOLUTIONS))


def _zone(**kwargs: Any) -> fields.String:
    return Text(16, required=False, load_default=None, metadata={"description": "A zone code."})


def _codes() -> fields.String:
    return Text(
        CODES_LENGTH,
        required=False,
        load_default=None,
        metadata={"description": "Bin codes separated by commas or spaces."},
    )


class BinSelectionArgs(WmsSchema):
    """Which bins: every bin of the FC, a zone's, or the listed codes."""

    zone = _zone()
    codes = _codes()


class BinLabelArgs(OutputArgs, BinSelectionArgs):
    """Bin labels: which bins, and how they are rendered."""


class ShelfStripArgs(SheetArgs, BinSelectionArgs):
    """Shelf strips: which bins, at which resolution."""


class SkuLabelArgs(OutputArgs):
    """SKU labels: a lot of the SKU (its expiry comes with it) and how many copies."""

    lot = Text(40, required=False, load_default=None)
    copies = QueryInteger(load_default=1, validate=validate.Range(min=1, max=MAX_COPIES))


class OptionalKeyHeader(WmsSchema):
    """An Idempotency-Key for a print: a resent request does not print twice."""

    class Meta:
        unknown = EXCLUDE

    key = fields.String(
        data_key="Idempotency-Key",
        load_default=None,
        validate=validate.Regexp(KEY_PATTERN, error=KEY_RULE),
        metadata={"description": "Optional; a replay answers the first print job."},
    )


class PrintSchema(WmsSchema):
    """Print on one of the FC's printers (rendered in its language, media and resolution)."""

    printer_id = IdField(required=True)


class BinPrintSchema(PrintSchema):
    zone = _zone()
    codes = _codes()


class SkuPrintSchema(PrintSchema):
    lot = Text(40, required=False, load_default=None)
    copies = fields.Integer(
        strict=True, load_default=1, validate=validate.Range(min=1, max=MAX_COPIES)
    )
