"""Labels built from the database: carton (GS1 logistic) labels, bin labels and shelf strips,
parcel shipping labels and SKU labels, as documents to download or jobs for a printer.

Every label set is looked up with the caller's tenancy (merchants see their own goods, staff
and managers their FCs; another tenant's id is not found). A download is rendered in the format,
media and resolution asked for; a print goes to one of the FC's printers, rendered for it.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select

from labels.content import BinLabel, Label, LogisticLabel, SkuLabel
from labels.errors import InvalidLabelData
from labels.media import LABEL_MEDIA, MEDIA, check_dpi
from labels.media import RESOLUTIONS as RESOLUTIONS
from labels.pdf import shelf_strips_pdf
from labels.printing import PrinterLanguage
from wms.db.models import (
    Carton,
    Consignment,
    FulfillmentCenter,
    Location,
    Lot,
    Merchant,
    Receipt,
    ReceiptCount,
    Zone,
)
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.errors import Conflict, InvalidInput, NotFound
from wms.domain.identifiers import location_check_code
from wms.services import printing, waybills
from wms.services.catalogue import visible_sku
from wms.services.consignments import visible_consignment
from wms.services.facilities import visible_fc
from wms.services.packing import shipping_label, visible_package

MAX_COPIES = 500
MAX_LABELS = printing.MAX_LABELS
MAX_CODES = 500


class Kind(enum.StrEnum):
    """What a label is for; each kind has the media it usually prints on."""

    CARTON = "carton"
    BIN = "bin"
    SHIPPING = "shipping"
    SKU = "sku"


DEFAULT_MEDIA: dict[Kind, str] = {
    Kind.CARTON: "100x150",
    Kind.BIN: "100x75",
    Kind.SHIPPING: "100x150",
    Kind.SKU: "100x75",
}


FORMATS = (PrinterLanguage.PDF.value, PrinterLanguage.ZPL.value)  # PDF first: the default


@dataclass(frozen=True)
class Output:
    """How a download is rendered: format, media (None: the kind's usual one) and resolution."""

    format: str = PrinterLanguage.PDF
    media: str | None = None
    dpi: int = 203


@dataclass(frozen=True)
class Document:
    """A rendered label document: its file name, content type and bytes."""

    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class LabelSet:
    """The labels of one request, what they are called in file and job names, and the FC."""

    kind: Kind
    labels: list[Label]
    reference: str
    fc_id: int | None


def check_output(output: Output, kind: Kind) -> tuple[str, int, str]:
    """(media, dpi, format) of the output, or InvalidInput naming the field at fault."""
    media = output.media or DEFAULT_MEDIA[kind]
    if media not in LABEL_MEDIA:
        raise InvalidInput(
            f"Unknown label media {media!r}; use one of {', '.join(LABEL_MEDIA)}.", "media"
        )
    if output.format not in FORMATS:
        raise InvalidInput(f"A label downloads as {' or '.join(FORMATS)}.", "format")
    try:
        dpi = check_dpi(output.dpi)
    except InvalidLabelData as error:
        raise InvalidInput(str(error), "dpi") from None
    return media, dpi, str(output.format)


def render(found: LabelSet, output: Output) -> Document:
    """The label set as one document (one page or label per label)."""
    media, dpi, language = check_output(output, found.kind)
    if not found.labels:
        raise Conflict("There is no label to print.", "labels")
    content_type, content = printing.render_labels(
        found.labels,
        media=media,
        dpi=dpi,
        language=language,  # type: ignore[arg-type]
    )
    return Document(f"{_file_stem(found)}.{language}", content_type, content)


def _file_stem(found: LabelSet) -> str:
    safe = "".join(char if char.isalnum() or char in "-_." else "-" for char in found.reference)
    return f"{found.kind}-labels-{safe}".strip("-")[:120]


def send(
    uow: UnitOfWork,
    actor: Actor,
    found: LabelSet,
    printer_id: int,
    key: str | None = None,
) -> dict[str, Any]:
    """Print the label set on one of the FC's printers; the print job's view."""
    if not found.labels:
        raise Conflict("There is no label to print.", "labels")
    if found.fc_id is not None:
        with uow:
            printer = printing.visible_printer(uow, actor, printer_id)
            if printer.fc_id != found.fc_id:
                raise NotFound("No such printer at this FC.", "printer_id")
    return printing.print_labels(
        uow, actor, printer_id, found.labels, reference=found.reference, key=key
    )


# --- cartons ----------------------------------------------------------------------------------


def _fc_address(fc: FulfillmentCenter) -> str:
    address = getattr(fc, "address", "") or ""
    return address or f"{fc.city}, {fc.country}"


def _counted_contents(
    uow: UnitOfWork, carton: Carton
) -> list[tuple[Any, str | None, date | None, int]]:
    """(SKU, lot, expiry, units) counted into a carton that came without an ASN."""
    totals: dict[tuple[int, str | None, date | None], int] = defaultdict(int)
    skus: dict[int, Any] = {}
    for count in uow.session.scalars(
        select(ReceiptCount).where(ReceiptCount.carton_id == carton.id).order_by(ReceiptCount.id)
    ):
        skus[count.sku_id] = count.sku
        totals[(count.sku_id, count.lot_number, count.expiry_date)] += count.quantity
    return [(skus[sku_id], lot, expiry, units) for (sku_id, lot, expiry), units in totals.items()]


def _contents(uow: UnitOfWork, carton: Carton) -> list[tuple[Any, str | None, date | None, int]]:
    """(SKU, lot, expiry, units) the carton holds: its ASN contents, or what was counted in it."""
    if carton.contents:
        return [
            (item.line.sku, item.line.lot_number, item.line.expiry_date, item.quantity)
            for item in carton.contents
        ]
    return _counted_contents(uow, carton)


def _carton_label(
    uow: UnitOfWork,
    carton: Carton,
    merchant: Merchant,
    fc: FulfillmentCenter,
    consignment: Consignment | None,
) -> LogisticLabel:
    contents = _contents(uow, carton)
    gtin: str | None = None
    count: int | None = None
    lot: str | None = None
    expiry: date | None = None
    if len(contents) == 1 and contents[0][3] > 0:
        sku, lot, expiry, count = contents[0]
        gtin = sku.gtin
    return LogisticLabel(
        sscc=carton.sscc,
        from_name=merchant.name_en,
        from_address=consignment.origin_address if consignment else "",
        to_name=fc.name,
        to_address=_fc_address(fc),
        content_gtin=gtin,
        count=count,
        lot=lot,
        expiry=expiry,
        reference=consignment.reference if consignment else "",
        gross_weight_g=carton.gross_weight_g,
    )


def _blind_receipt(uow: UnitOfWork, carton: Carton) -> Receipt | None:
    """The receipt a carton without an ASN was received on."""
    receipt = uow.session.scalar(
        select(Receipt).where(Receipt.current_carton_id == carton.id).order_by(Receipt.id)
    )
    if receipt is not None:
        return receipt
    return uow.session.scalar(
        select(Receipt)
        .join(ReceiptCount, ReceiptCount.receipt_id == Receipt.id)
        .where(ReceiptCount.carton_id == carton.id)
        .order_by(Receipt.id)
    )


def _visible_carton(
    uow: UnitOfWork, actor: Actor, carton_id: int, field: str = "carton_id"
) -> tuple[Carton, FulfillmentCenter]:
    """The carton and the FC it goes to, if the caller may see it."""
    carton = uow.session.get(Carton, carton_id)
    if carton is None:
        raise NotFound("No such carton.", field)
    fc_id: int | None = None
    if carton.consignment is not None:
        fc_id = carton.consignment.fc_id
    else:
        receipt = _blind_receipt(uow, carton)
        fc_id = receipt.fc_id if receipt is not None else None
    if actor.is_merchant:
        visible = carton.merchant_id == actor.merchant_id
    else:
        visible = fc_id is not None and actor.works_in(fc_id)
    if not visible or fc_id is None:
        raise NotFound("No such carton.", field)
    fc = uow.session.get(FulfillmentCenter, fc_id)
    assert fc is not None
    return carton, fc


def _carton_set(uow: UnitOfWork, carton: Carton, fc: FulfillmentCenter) -> LabelSet:
    merchant = uow.session.get(Merchant, carton.merchant_id)
    assert merchant is not None
    label = _carton_label(uow, carton, merchant, fc, carton.consignment)
    return LabelSet(Kind.CARTON, [label], carton.sscc, fc.id)


def consignment_cartons(uow: UnitOfWork, actor: Actor, consignment_id: int) -> LabelSet:
    """The GS1 logistic labels of every carton announced on the consignment (inside `uow`)."""
    consignment = visible_consignment(uow, actor, consignment_id)
    if not consignment.cartons:
        raise Conflict(
            "This consignment announces no cartons; they are labelled at receiving.",
            "consignment_id",
        )
    labels: list[Label] = [
        _carton_label(uow, carton, consignment.merchant, consignment.fc, consignment)
        for carton in consignment.cartons
    ]
    return LabelSet(Kind.CARTON, labels, consignment.reference, consignment.fc_id)


def carton(uow: UnitOfWork, actor: Actor, carton_id: int) -> LabelSet:
    """One carton's label, announced or received blind (inside `uow`)."""
    found, fc = _visible_carton(uow, actor, carton_id)
    return _carton_set(uow, found, fc)


def receipt_carton(uow: UnitOfWork, actor: Actor, receipt_id: int) -> LabelSet:
    """The label of the carton being counted on a receipt (inside `uow`)."""
    receipt = uow.session.get(Receipt, receipt_id)
    if receipt is None or not actor.works_in(receipt.fc_id):
        raise NotFound("No such receipt.", "receipt_id")
    if receipt.current_carton is None:
        raise Conflict("Scan a carton first: no carton is being counted.", "receipt_id")
    fc = uow.session.get(FulfillmentCenter, receipt.fc_id)
    assert fc is not None
    return _carton_set(uow, receipt.current_carton, fc)


# --- bins -------------------------------------------------------------------------------------


def parse_codes(text: str | None) -> list[str]:
    """Bin codes from a list separated by commas, spaces or new lines, upper case, in order."""
    if not text:
        return []
    seen: dict[str, None] = {}
    for part in text.replace(",", " ").split():
        seen.setdefault(part.strip().upper(), None)
    return list(seen)


def _bin_labels(locations: Sequence[Location], zones: dict[int, Zone]) -> list[Label]:
    return [
        BinLabel(
            code=location.code,
            check_code=location_check_code(location.code),
            zone=zones[location.zone_id].code if location.zone_id in zones else "",
        )
        for location in locations
    ]


def _bin_selection(
    uow: UnitOfWork, fc: FulfillmentCenter, zone: str | None, codes: Sequence[str]
) -> tuple[Select[tuple[Location]], Zone | None]:
    """The FC's bins a bin-label request names (every bin, a zone's or the listed codes) and
    the zone; an unknown zone or too many codes is refused."""
    query = select(Location).where(Location.fc_id == fc.id)
    chosen = None
    if zone:
        chosen = uow.session.scalar(
            select(Zone).where(Zone.fc_id == fc.id, Zone.code == zone.strip().upper())
        )
        if chosen is None:
            known = ", ".join(
                sorted(uow.session.scalars(select(Zone.code).where(Zone.fc_id == fc.id)))
            )
            raise InvalidInput(f"{fc.code} has no zone {zone!r}; its zones: {known}.", "zone")
        query = query.where(Location.zone_id == chosen.id)
    if codes:
        if len(codes) > MAX_CODES:
            raise InvalidInput(f"At most {MAX_CODES} bin codes at a time.", "codes")
        query = query.where(Location.code.in_(list(codes)))
    return query, chosen


def _refuse_unknown_codes(
    fc: FulfillmentCenter, codes: Sequence[str], found: set[str], zone: Zone | None
) -> None:
    unknown = [code for code in codes if code not in found]
    if unknown:
        where = f" in zone {zone.code}" if zone is not None else ""
        raise InvalidInput(f"{fc.code} has no bin {', '.join(unknown[:10])}{where}.", "codes")


def bins(
    uow: UnitOfWork,
    actor: Actor,
    fc_id: int,
    *,
    zone: str | None = None,
    codes: Sequence[str] = (),
) -> LabelSet:
    """Bin labels of the FC: every bin, a zone's (by zone code) or the listed codes, in code
    order (inside `uow`)."""
    fc = visible_fc(uow, actor, fc_id)
    query, chosen = _bin_selection(uow, fc, zone, codes)
    reference = fc.code if chosen is None else f"{fc.code}-{chosen.code}"
    locations = list(uow.session.scalars(query.order_by(Location.code).limit(MAX_LABELS + 1)))
    if codes:
        _refuse_unknown_codes(fc, codes, {item.code for item in locations}, chosen)
        reference = f"{fc.code}-{len(locations)}-bins" if len(locations) > 1 else locations[0].code
    if not locations:
        raise Conflict("There are no bins to label here.", "zone" if zone else "fc_id")
    if len(locations) > MAX_LABELS:
        raise InvalidInput(
            f"At most {MAX_LABELS:,} labels at a time; choose a zone or list the bins.", "zone"
        )
    zones = {item.id: item for item in uow.session.scalars(select(Zone).where(Zone.fc_id == fc.id))}
    return LabelSet(Kind.BIN, _bin_labels(locations, zones), reference, fc.id)


def count_bins(
    uow: UnitOfWork,
    actor: Actor,
    fc_id: int,
    *,
    zone: str | None = None,
    codes: Sequence[str] = (),
) -> int:
    """How many bins of the FC a bin-label request labels; an unknown zone or code is refused
    as `bins` refuses it."""
    with uow:
        fc = visible_fc(uow, actor, fc_id)
        query, chosen = _bin_selection(uow, fc, zone, codes)
        if not codes:
            counted = select(func.count()).select_from(query.subquery())
            return int(uow.session.scalar(counted) or 0)
        found = set(uow.session.scalars(query.with_only_columns(Location.code)))
        _refuse_unknown_codes(fc, codes, found, chosen)
        return len(found)


def location(uow: UnitOfWork, actor: Actor, location_id: int) -> LabelSet:
    """One bin's label (inside `uow`)."""
    found = uow.session.get(Location, location_id)
    if found is None or not actor.works_in(found.fc_id):
        raise NotFound("No such location.", "location_id")
    zone = uow.session.get(Zone, found.zone_id)
    zones = {zone.id: zone} if zone is not None else {}
    return LabelSet(Kind.BIN, _bin_labels([found], zones), found.code, found.fc_id)


def shelf_strips(found: LabelSet, dpi: int = 203) -> Document:
    """The bin labels laid out in strips on A4 sheets, as a PDF."""
    try:
        check_dpi(dpi)
    except InvalidLabelData as error:
        raise InvalidInput(str(error), "dpi") from None
    bin_labels = [label for label in found.labels if isinstance(label, BinLabel)]
    try:
        content = shelf_strips_pdf(bin_labels, sheet=MEDIA["A4"], dpi=dpi)
    except InvalidLabelData as error:
        raise InvalidInput(str(error), error.field) from None
    return Document(f"shelf-strips-{found.reference}.pdf", "application/pdf", content)


# --- parcels ----------------------------------------------------------------------------------


def package(uow: UnitOfWork, actor: Actor, package_id: int) -> LabelSet:
    """A closed parcel's own shipping label (inside `uow`)."""
    found = visible_package(uow, actor, package_id)
    return LabelSet(
        Kind.SHIPPING,
        [shipping_label(uow, found)],
        found.tracking_number or str(found.id),
        found.fc_id,
    )


def package_waybill(uow: UnitOfWork, actor: Actor, package_id: int) -> dict[str, Any] | None:
    """The carrier's or marketplace's stored waybill for the parcel's order, if there is one."""
    with uow:
        found = visible_package(uow, actor, package_id)
        if found.tracking_number is None:
            raise Conflict("The parcel gets its label when it is closed.", "package_id")
        order_id = found.order_id
    return waybills.waybill_for_order(uow, actor, order_id)


# --- SKUs -------------------------------------------------------------------------------------


def sku(
    uow: UnitOfWork,
    actor: Actor,
    sku_id: int,
    *,
    lot: str | None = None,
    copies: int = 1,
) -> LabelSet:
    """`copies` item labels of a SKU, with one of its lots (and its expiry) if given (inside
    `uow`)."""
    if not 1 <= copies <= MAX_COPIES:
        raise InvalidInput(f"From 1 to {MAX_COPIES} copies.", "copies")
    found = visible_sku(uow, actor, sku_id)
    chosen: Lot | None = None
    if lot:
        chosen = uow.session.scalar(
            select(Lot).where(Lot.sku_id == found.id, Lot.lot_number == lot.strip())
        )
        if chosen is None:
            raise InvalidInput(f"SKU {found.code} has no lot {lot.strip()!r}.", "lot")
    label = SkuLabel(
        sku=found.code,
        description=found.name_en,
        gtin=found.gtin,
        merchant_name=found.merchant.name_en,
        lot=chosen.lot_number if chosen else None,
        expiry=chosen.expiry_date if chosen else None,
    )
    reference = f"{found.code}-{chosen.lot_number}" if chosen else found.code
    # A merchant has no printer at an FC: no FC; printers check their own FC.
    return LabelSet(Kind.SKU, [label] * copies, reference, None)


# --- the use cases: download or print each kind -------------------------------------------------


def _download(uow: UnitOfWork, build: Any, output: Output) -> Document:
    with uow:
        found = build()
    return render(found, output)


def _print(
    uow: UnitOfWork, actor: Actor, build: Any, printer_id: int, key: str | None
) -> dict[str, Any]:
    with uow:
        found = build()
    return send(uow, actor, found, printer_id, key)


def consignment_carton_labels(
    uow: UnitOfWork, actor: Actor, consignment_id: int, output: Output
) -> Document:
    """The consignment's carton labels as one document."""
    return _download(uow, lambda: consignment_cartons(uow, actor, consignment_id), output)


def print_consignment_carton_labels(
    uow: UnitOfWork, actor: Actor, consignment_id: int, printer_id: int, key: str | None = None
) -> dict[str, Any]:
    """Print the consignment's carton labels."""
    return _print(
        uow, actor, lambda: consignment_cartons(uow, actor, consignment_id), printer_id, key
    )


def carton_label(uow: UnitOfWork, actor: Actor, carton_id: int, output: Output) -> Document:
    """One carton's label as a document."""
    return _download(uow, lambda: carton(uow, actor, carton_id), output)


def print_carton_label(
    uow: UnitOfWork, actor: Actor, carton_id: int, printer_id: int, key: str | None = None
) -> dict[str, Any]:
    """Print one carton's label."""
    return _print(uow, actor, lambda: carton(uow, actor, carton_id), printer_id, key)


def receipt_carton_label(
    uow: UnitOfWork, actor: Actor, receipt_id: int, output: Output
) -> Document:
    """The label of the carton being counted on a receipt."""
    return _download(uow, lambda: receipt_carton(uow, actor, receipt_id), output)


def print_receipt_carton_label(
    uow: UnitOfWork, actor: Actor, receipt_id: int, printer_id: int, key: str | None = None
) -> dict[str, Any]:
    """Print the label of the carton being counted on a receipt."""
    return _print(uow, actor, lambda: receipt_carton(uow, actor, receipt_id), printer_id, key)


def bin_labels(
    uow: UnitOfWork,
    actor: Actor,
    fc_id: int,
    output: Output,
    *,
    zone: str | None = None,
    codes: Sequence[str] = (),
) -> Document:
    """Bin labels of the FC (all, a zone or listed codes) as one document."""
    return _download(uow, lambda: bins(uow, actor, fc_id, zone=zone, codes=codes), output)


def print_bin_labels(
    uow: UnitOfWork,
    actor: Actor,
    fc_id: int,
    printer_id: int,
    *,
    zone: str | None = None,
    codes: Sequence[str] = (),
    key: str | None = None,
) -> dict[str, Any]:
    """Print bin labels of the FC (all, a zone or listed codes)."""
    return _print(
        uow, actor, lambda: bins(uow, actor, fc_id, zone=zone, codes=codes), printer_id, key
    )


def shelf_strip_sheets(
    uow: UnitOfWork,
    actor: Actor,
    fc_id: int,
    *,
    zone: str | None = None,
    codes: Sequence[str] = (),
    dpi: int = 203,
) -> Document:
    """The FC's bins (all, a zone or listed codes) as shelf strips on A4 sheets."""
    with uow:
        found = bins(uow, actor, fc_id, zone=zone, codes=codes)
    return shelf_strips(found, dpi)


def print_shelf_strips(
    uow: UnitOfWork,
    actor: Actor,
    fc_id: int,
    printer_id: int,
    *,
    zone: str | None = None,
    codes: Sequence[str] = (),
    key: str | None = None,
) -> dict[str, Any]:
    """Print shelf strips (A4 sheets, PDF) on an office printer of the FC."""
    document = shelf_strip_sheets(uow, actor, fc_id, zone=zone, codes=codes)
    reference = document.filename.removesuffix(".pdf")
    return printing.print_pdf(
        uow, actor, printer_id, document.content, reference=reference, key=key
    )


def location_label(uow: UnitOfWork, actor: Actor, location_id: int, output: Output) -> Document:
    """One bin's label as a document."""
    return _download(uow, lambda: location(uow, actor, location_id), output)


def print_location_label(
    uow: UnitOfWork, actor: Actor, location_id: int, printer_id: int, key: str | None = None
) -> dict[str, Any]:
    """Print one bin's label (a worn or missing one, at putaway)."""
    return _print(uow, actor, lambda: location(uow, actor, location_id), printer_id, key)


def package_label(uow: UnitOfWork, actor: Actor, package_id: int, output: Output) -> Document:
    """A closed parcel's label: the stored carrier or marketplace waybill when the order has
    one (a PDF), else our own shipping label in the format asked for."""
    waybill = package_waybill(uow, actor, package_id)
    if waybill is not None:
        if output.format != PrinterLanguage.PDF:
            raise Conflict(
                "This parcel ships on the carrier's waybill, which is a PDF; ask for pdf.",
                "format",
            )
        name, _sha256, pdf = waybills.waybill_document(uow, actor, waybill["id"])
        return Document(name, "application/pdf", pdf)
    return _download(uow, lambda: package(uow, actor, package_id), output)


def print_package_label(
    uow: UnitOfWork, actor: Actor, package_id: int, printer_id: int, key: str | None = None
) -> dict[str, Any]:
    """Print a closed parcel's label: the stored waybill when there is one, else our own."""
    waybill = package_waybill(uow, actor, package_id)
    if waybill is not None:
        job, _replayed = waybills.print_waybill(uow, actor, waybill["id"], printer_id, key)
        return job
    return _print(uow, actor, lambda: package(uow, actor, package_id), printer_id, key)


def sku_labels(
    uow: UnitOfWork,
    actor: Actor,
    sku_id: int,
    output: Output,
    *,
    lot: str | None = None,
    copies: int = 1,
) -> Document:
    """`copies` labels of a SKU (with a lot and its expiry if given) as one document."""
    return _download(uow, lambda: sku(uow, actor, sku_id, lot=lot, copies=copies), output)


def print_sku_labels(
    uow: UnitOfWork,
    actor: Actor,
    sku_id: int,
    printer_id: int,
    *,
    lot: str | None = None,
    copies: int = 1,
    key: str | None = None,
) -> dict[str, Any]:
    """Print `copies` labels of a SKU (with a lot and its expiry if given)."""
    return _print(
        uow, actor, lambda: sku(uow, actor, sku_id, lot=lot, copies=copies), printer_id, key
    )


def printers_of(uow: UnitOfWork, actor: Actor, fc_id: int | None) -> list[dict[str, Any]]:
    """The printers a label form offers: the FC's, or none where the user works in no FC."""
    if fc_id is None or actor.is_merchant:
        return []
    return printing.list_printers(uow, actor, fc_id)
