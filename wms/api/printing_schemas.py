"""Schemas of the printing API: printers per FC workstation, print jobs, carrier waybills."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from marshmallow import ValidationError, fields, post_load, validate

from labels.media import MEDIA, RESOLUTIONS
from labels.printing import PrinterLanguage, PrintProtocol
from wms.api.schemas import Choice, IdField, IsoDateTime, Text, WmsSchema
from wms.domain.printing import MAX_WAYBILL_BYTES, PrintJobStatus
from wms.services.printing import PrinterDetails

# Base64 takes 4 characters per 3 bytes; a little room for line breaks.
MAX_BASE64_CHARS = (MAX_WAYBILL_BYTES + 2) // 3 * 4 + 4096
WHITESPACE = str.maketrans("", "", " \t\r\n")


def _port(**kwargs: Any) -> fields.Integer:
    return fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=65535),
        metadata={
            "description": "A raw printer's TCP port (9100 when left out); an IPP "
            "printer's port is part of its URI."
        },
        **kwargs,
    )


def _dpi(**kwargs: Any) -> fields.Integer:
    return fields.Integer(
        strict=True,
        validate=validate.OneOf(RESOLUTIONS, error="Printers print at 203 or 300 dpi."),
        metadata={"enum": list(RESOLUTIONS)},
        **kwargs,
    )


def _media(**kwargs: Any) -> fields.String:
    names = list(MEDIA)
    return fields.String(
        validate=validate.OneOf(names, error="Use one of " + ", ".join(names) + "."),
        metadata={"enum": names},
        **kwargs,
    )


ADDRESS_HELP = (
    "A raw printer's host name or IP address; an IPP printer's URI, such as "
    "ipp://10.1.2.3/ipp/print."
)


class NewPrinterSchema(WmsSchema):
    name = Text(80)
    workstation = Text(32, metadata={"description": "Where it stands, e.g. PACK-1, RECV-DOCK."})
    protocol = Choice(PrintProtocol, required=True)
    address = Text(500, metadata={"description": ADDRESS_HELP})
    port = _port(load_default=None)
    # zpl for raw printers, pdf for IPP: the default follows the protocol.
    language = Choice(PrinterLanguage, load_default=None)
    dpi = _dpi(load_default=203)
    media = _media(load_default="4x6")
    active = fields.Boolean(load_default=True)

    @post_load
    def to_details(self, data: dict[str, Any], **_: Any) -> PrinterDetails:
        return PrinterDetails(**data)


class PrinterChangesSchema(WmsSchema):
    name = Text(80, required=False)
    workstation = Text(32, required=False)
    protocol = Choice(PrintProtocol)
    address = Text(500, required=False, metadata={"description": ADDRESS_HELP})
    port = _port()
    language = Choice(PrinterLanguage)
    dpi = _dpi()
    media = _media()
    active = fields.Boolean()


class PrinterSchema(WmsSchema):
    id = fields.Integer()
    fc_id = fields.Integer()
    name = fields.String()
    workstation = fields.String()
    protocol = fields.String(metadata={"enum": [p.value for p in PrintProtocol]})
    address = fields.String()
    port = fields.Integer()
    location = fields.String(metadata={"description": "host:port, or the IPP URI."})
    language = fields.String(metadata={"enum": [p.value for p in PrinterLanguage]})
    dpi = fields.Integer()
    media = fields.String()
    active = fields.Boolean()
    created_at = IsoDateTime()


class PrinterArgs(WmsSchema):
    include_inactive = fields.Boolean(load_default=False)


class PrintJobArgs(WmsSchema):
    status = Choice(PrintJobStatus)


class Base64Document(fields.String):
    """A document's bytes as standard base64 (line breaks allowed)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bytes:
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > MAX_BASE64_CHARS:
            raise ValidationError(
                f"The document is larger than {MAX_WAYBILL_BYTES:,} bytes (5 MiB)."
            )
        try:
            return base64.b64decode(text.translate(WHITESPACE).encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raise ValidationError("Not valid base64; send the PDF's bytes as base64.") from None


class NewWaybillSchema(WmsSchema):
    source = Text(
        32, metadata={"description": "The carrier's code (NINJA) or marketplace (shopee)."}
    )
    tracking_number = Text(64)
    document = Base64Document(
        required=True, metadata={"description": "The waybill PDF, base64, at most 5 MiB."}
    )


class WaybillSchema(WmsSchema):
    id = fields.Integer()
    order_id = fields.Integer()
    order_reference = fields.String()
    fc_id = fields.Integer()
    package_id = fields.Integer(allow_none=True)
    source = fields.String()
    tracking_number = fields.String()
    sha256 = fields.String()
    size_bytes = fields.Integer()
    page_count = fields.Integer()
    received_at = IsoDateTime()
    received_by = fields.Integer(allow_none=True)


class PrintWaybillSchema(WmsSchema):
    printer_id = IdField(required=True)


class PrintJobSchema(WmsSchema):
    """A print job: the printer it went to, its status and why it failed, if it did."""

    id = fields.Integer()
    printer_id = fields.Integer()
    printer_name = fields.String()
    workstation = fields.String()
    printer_location = fields.String()
    fc_id = fields.Integer()
    reference = fields.String()
    content_type = fields.String()
    size_bytes = fields.Integer()
    status = fields.String()
    attempts = fields.Integer()
    error = fields.String(allow_none=True)
    receipt = fields.String(allow_none=True)
    created_by = fields.Integer(allow_none=True)
    created_at = fields.String()
    sent_at = fields.String(allow_none=True)
