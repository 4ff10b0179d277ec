"""Printing: the network printers at an FC's workstations, and the print jobs sent to them.

Every document printed is kept as a print job with its bytes, so a job that failed can be sent
again as it was. Network I/O never holds a database transaction: one transaction records the
job (queued) and commits, the document then goes to the printer, and a second transaction
records whether it was sent or failed and why.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from labels.content import Label
from labels.errors import InvalidLabelData
from labels.media import MEDIA, check_dpi, media_named
from labels.pdf import label_pdf
from labels.printing import (
    IPP_PORT,
    RAW_PORT,
    InvalidPrinterConfig,
    PrinterLanguage,
    PrintError,
    PrintProtocol,
    send,
)
from labels.printing import Printer as Device
from labels.zpl import label_zpl, pdf_to_zpl
from wms.db.base import utcnow
from wms.db.models import Printer, PrintJob
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.errors import Conflict, ExternalFailure, InvalidInput, NotFound, PermissionDenied
from wms.domain.printing import PrintJobStatus
from wms.services.facilities import managed_fc, visible_fc
from wms.services.idempotency import run_once
from wms.services.views import iso

PDF_CONTENT_TYPE = "application/pdf"
ZPL_CONTENT_TYPE = "application/zpl"
CONTENT_TYPES = {PrinterLanguage.PDF: PDF_CONTENT_TYPE, PrinterLanguage.ZPL: ZPL_CONTENT_TYPE}
RESOLUTIONS = (203, 300)
MAX_LABELS = 500
JOB_LIST_LIMIT = 100
MAX_REFERENCE = 200
# A job still queued this long after it was handed to the network is taken as lost (the
# process that sent it died) and may be sent again.
IN_FLIGHT = timedelta(minutes=2)


class PrintFailed(ExternalFailure):
    """The printer did not take the document; the job is kept (failed) with the reason."""

    def __init__(self, message: str, job: dict[str, Any]) -> None:
        super().__init__(message, "printer_id")
        self.job = job


# --- printers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrinterDetails:
    """A printer's set-up as entered: where it is, how it is reached and what it prints on.

    `address` is a host name or IP for a raw printer (with `port`, usually 9100) and an
    ipp:// URI for an IPP printer; `language` follows from the protocol when not given (raw
    printers are sent ZPL, IPP printers PDF)."""

    name: str
    workstation: str
    protocol: str
    address: str
    port: int | None = None
    language: str | None = None
    dpi: int = 203
    media: str = "4x6"
    active: bool = True


DETAIL_FIELDS = ("name", "workstation", "protocol", "address", "port", "language")
DETAIL_FIELDS += ("dpi", "media", "active")


def _checked_text(value: str, field: str, max_length: int) -> str:
    text = value.strip()
    if not text:
        raise InvalidInput("Must not be empty.", field)
    if len(text) > max_length:
        raise InvalidInput(f"At most {max_length} characters.", field)
    if any(not character.isprintable() for character in text):
        raise InvalidInput("Contains a control character.", field)
    return text


def _reason(error: InvalidPrinterConfig) -> str:
    text = str(error).removeprefix(f"{error.field}: ")
    return text[:1].upper() + text[1:]


def checked_details(details: PrinterDetails) -> PrinterDetails:
    """The details trimmed and complete (language and port filled in), or InvalidInput naming
    the field that cannot work."""
    name = _checked_text(details.name, "name", 80)
    workstation = _checked_text(details.workstation, "workstation", 32).upper()
    if details.protocol not in set(PrintProtocol):
        raise InvalidInput("Choose raw (port 9100, ZPL) or ipp (PDF).", "protocol")
    protocol = PrintProtocol(details.protocol)
    address = _checked_text(details.address, "address", 500)
    language_value = details.language or (
        PrinterLanguage.ZPL if protocol is PrintProtocol.RAW else PrinterLanguage.PDF
    )
    if language_value not in set(PrinterLanguage):
        raise InvalidInput("Choose zpl or pdf.", "language")
    language = PrinterLanguage(language_value)
    port = details.port
    if protocol is PrintProtocol.IPP:
        try:
            port = urlsplit(address).port or IPP_PORT
        except ValueError:
            raise InvalidInput(f"{address!r} has a port that is not a number.", "address") from None
    elif port is None:
        port = RAW_PORT
    device = Device(name=name, protocol=protocol, address=address, language=language, port=port)
    try:
        device.check()
    except InvalidPrinterConfig as error:
        raise InvalidInput(_reason(error), error.field) from None
    try:
        check_dpi(details.dpi)
        media_named(details.media)
    except InvalidLabelData as error:
        raise InvalidInput(str(error), error.field) from None
    return PrinterDetails(
        name=name,
        workstation=workstation,
        protocol=str(protocol),
        address=address,
        port=port,
        language=str(language),
        dpi=details.dpi,
        media=details.media,
        active=details.active,
    )


def printer_view(printer: Printer) -> dict[str, Any]:
    return {
        "id": printer.id,
        "fc_id": printer.fc_id,
        "name": printer.name,
        "workstation": printer.workstation,
        "protocol": str(printer.protocol),
        "address": printer.address,
        "port": printer.port,
        "location": _device(printer).location,
        "language": str(printer.language),
        "dpi": printer.dpi,
        "media": printer.media,
        "active": printer.active,
        "created_at": iso(printer.created_at),
    }


def _details_of(printer: Printer) -> PrinterDetails:
    return PrinterDetails(
        name=printer.name,
        workstation=printer.workstation,
        protocol=str(printer.protocol),
        address=printer.address,
        port=printer.port,
        language=str(printer.language),
        dpi=printer.dpi,
        media=printer.media,
        active=printer.active,
    )


def _apply(printer: Printer, details: PrinterDetails) -> None:
    printer.name = details.name
    printer.workstation = details.workstation
    printer.protocol = PrintProtocol(details.protocol)
    printer.address = details.address
    printer.port = details.port or RAW_PORT
    printer.language = PrinterLanguage(details.language or PrinterLanguage.ZPL)
    printer.dpi = details.dpi
    printer.media = details.media
    printer.active = details.active


def _device(printer: Printer) -> Device:
    return Device(
        name=printer.name,
        protocol=PrintProtocol(printer.protocol),
        address=printer.address,
        language=PrinterLanguage(printer.language),
        port=printer.port,
    )


def visible_printer(
    uow: UnitOfWork, actor: Actor, printer_id: int, field: str = "printer_id"
) -> Printer:
    """A printer of an FC the actor works in."""
    printer = uow.session.get(Printer, printer_id)
    if printer is None or not actor.works_in(printer.fc_id):
        raise NotFound("No such printer.", field)
    return printer


def _managed_printer(uow: UnitOfWork, actor: Actor, printer_id: int) -> Printer:
    printer = visible_printer(uow, actor, printer_id)
    managed_fc(uow, actor, printer.fc_id)
    return printer


NAME_TAKEN = "This FC already has a printer with this name."


def create_printer(
    uow: UnitOfWork, actor: Actor, fc_id: int, details: PrinterDetails
) -> dict[str, Any]:
    """Set up a printer at one of the FC's workstations (managers and admins)."""
    with uow:
        fc = managed_fc(uow, actor, fc_id)
        checked = checked_details(details)
        printer = Printer(fc_id=fc.id, created_at=utcnow())
        _apply(printer, checked)
        uow.session.add(printer)
        uow.flush_unique(NAME_TAKEN, "name")
        uow.commit()
        return printer_view(printer)


def update_printer(
    uow: UnitOfWork, actor: Actor, printer_id: int, changes: Mapping[str, Any]
) -> dict[str, Any]:
    """Change some of a printer's details (the others stay); the whole is checked again."""
    unknown = set(changes) - set(DETAIL_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidInput("Not a printer setting.", name)
    with uow:
        printer = _managed_printer(uow, actor, printer_id)
        current = _details_of(printer)
        if "protocol" in changes and "language" not in changes:
            # A new protocol brings its own language unless one is given.
            current = replace(current, language=None)
        if changes.get("protocol") == str(PrintProtocol.RAW) and "port" not in changes:
            current = replace(current, port=None)
        checked = checked_details(replace(current, **changes))
        _apply(printer, checked)
        uow.flush_unique(NAME_TAKEN, "name")
        uow.commit()
        return printer_view(printer)


def deactivate_printer(uow: UnitOfWork, actor: Actor, printer_id: int) -> dict[str, Any]:
    """Take a printer out of use; its jobs stay on record (set it active again to reuse it)."""
    with uow:
        printer = _managed_printer(uow, actor, printer_id)
        printer.active = False
        uow.commit()
        return printer_view(printer)


def get_printer(uow: UnitOfWork, actor: Actor, printer_id: int) -> dict[str, Any]:
    with uow:
        return printer_view(visible_printer(uow, actor, printer_id))


def list_printers(
    uow: UnitOfWork, actor: Actor, fc_id: int, *, include_inactive: bool = False
) -> list[dict[str, Any]]:
    """The FC's printers by workstation and name; active ones unless asked for all."""
    with uow:
        fc = visible_fc(uow, actor, fc_id)
        query = (
            select(Printer)
            .where(Printer.fc_id == fc.id)
            .order_by(Printer.workstation, Printer.name, Printer.id)
        )
        if not include_inactive:
            query = query.where(Printer.active.is_(True))
        return [printer_view(printer) for printer in uow.session.scalars(query)]


def media_names() -> list[str]:
    """The label stocks a printer may be loaded with."""
    return list(MEDIA)


# --- rendering --------------------------------------------------------------------------------


def render_labels(
    labels: Sequence[Label], *, media: str, dpi: int, language: str
) -> tuple[str, bytes]:
    """(content type, bytes) of the labels as "pdf" or "zpl"; InvalidLabelData becomes
    InvalidInput with the same field."""
    if language not in set(PrinterLanguage):
        raise InvalidInput("Choose pdf or zpl.", "language")
    if not labels:
        raise InvalidInput("There is no label to print.", "labels")
    if len(labels) > MAX_LABELS:
        raise InvalidInput(f"At most {MAX_LABELS} labels at a time.", "labels")
    try:
        stock = media_named(media)
        check_dpi(dpi)
        if language == PrinterLanguage.PDF:
            return PDF_CONTENT_TYPE, label_pdf(labels, stock, dpi=dpi)
        return ZPL_CONTENT_TYPE, label_zpl(labels, stock, dpi=dpi)
    except InvalidLabelData as error:
        raise InvalidInput(str(error), error.field) from None


def _pdf_for(printer: Printer, pdf: bytes) -> tuple[str, bytes]:
    """A finished PDF as the printer takes it: as it is, or as ZPL graphics."""
    if printer.language == PrinterLanguage.PDF:
        return PDF_CONTENT_TYPE, pdf
    try:
        return ZPL_CONTENT_TYPE, pdf_to_zpl(pdf, dpi=printer.dpi)
    except InvalidLabelData as error:
        raise InvalidInput(str(error), error.field) from None


# --- print jobs -------------------------------------------------------------------------------


def job_view(job: PrintJob) -> dict[str, Any]:
    printer = job.printer
    return {
        "id": job.id,
        "printer_id": job.printer_id,
        "printer_name": printer.name,
        "workstation": printer.workstation,
        "printer_location": _device(printer).location,
        "fc_id": printer.fc_id,
        "reference": job.reference,
        "content_type": job.content_type,
        "size_bytes": job.size_bytes,
        "status": str(job.status),
        "attempts": job.attempts,
        "error": job.error or None,
        "receipt": job.receipt or None,
        "created_by": job.created_by,
        "created_at": iso(job.created_at),
        "sent_at": iso(job.sent_at),
    }


def _floor_role(actor: Actor) -> None:
    if not actor.handles_stock:
        raise PermissionDenied("Warehouse staff print labels and documents.")


def _usable_printer(uow: UnitOfWork, actor: Actor, printer_id: int) -> Printer:
    _floor_role(actor)
    printer = visible_printer(uow, actor, printer_id)
    if not printer.active:
        raise Conflict(f"Printer {printer.name} is not in use; choose another.", "printer_id")
    return printer


def _reference(reference: str) -> str:
    text = " ".join(reference.split())
    if not text:
        raise InvalidInput("Say what is printed.", "reference")
    return text[:MAX_REFERENCE]


def _failure(job: dict[str, Any]) -> PrintFailed:
    return PrintFailed(
        f"Printer {job['printer_name']} at {job['workstation']} did not print job {job['id']}: "
        f"{job['error']} The job is kept; send it again when the printer is back.",
        job,
    )


def _deliver(uow: UnitOfWork, job_id: int) -> dict[str, Any]:
    """Send a queued job (outside any transaction) and record the outcome; PrintFailed when
    the printer did not take it."""
    with uow:
        job = uow.session.get(PrintJob, job_id)
        assert job is not None
        device = _device(job.printer)
        document = job.document
        name = job.reference
    receipt, error = "", ""
    try:
        receipt = send(device, document, job_name=name)
    except PrintError as failure:
        error = f"{failure.printer}: {failure.reason}."
    except InvalidPrinterConfig as failure:
        error = f"its set-up cannot work: {_reason(failure)}"
    with uow:
        job = uow.session.get(PrintJob, job_id)
        assert job is not None
        job.attempts += 1
        if error:
            job.status = PrintJobStatus.FAILED
            job.error = error
            job.receipt = ""
        else:
            job.status = PrintJobStatus.SENT
            job.error = ""
            job.receipt = receipt
            job.sent_at = utcnow()
        uow.commit()
        view = job_view(job)
    if error:
        raise _failure(view)
    return view


def _recorded_job(uow: UnitOfWork, job_id: int) -> dict[str, Any]:
    with uow:
        job = uow.session.get(PrintJob, job_id)
        assert job is not None
        return job_view(job)


def _submit(
    uow: UnitOfWork,
    actor: Actor,
    printer_id: int,
    render: Callable[[Printer], tuple[str, bytes]],
    *,
    reference: str,
    key: str | None,
    operation: str,
    payload: dict[str, Any],
) -> tuple[dict[str, Any], bool]:
    """Record a job for the printer (rendered for it) and send it; (job view, replayed).

    A replayed key answers as the first request did (the job's current state, or the same
    failure) and sends nothing."""
    text = _reference(reference)

    def perform() -> dict[str, Any]:
        printer = _usable_printer(uow, actor, printer_id)
        content_type, document = render(printer)
        now = utcnow()
        job = PrintJob(
            printer_id=printer.id,
            printer=printer,
            reference=text,
            content_type=content_type,
            document=document,
            size_bytes=len(document),
            status=PrintJobStatus.QUEUED,
            attempts=0,
            error="",
            receipt="",
            created_by=actor.user_id,
            created_at=now,
            attempted_at=now,
        )
        uow.session.add(job)
        uow.session.flush()
        return {"job_id": job.id}

    if key is None:
        with uow:
            recorded = perform()
            uow.commit()
        replayed = False
    else:
        recorded, replayed = run_once(uow, actor, key, operation, payload, perform)
    if not replayed:
        return _deliver(uow, recorded["job_id"]), False
    view = _recorded_job(uow, recorded["job_id"])
    if view["status"] == PrintJobStatus.FAILED:
        raise _failure(view)
    return view, True


def _labels_payload(labels: Sequence[Label]) -> str:
    return hashlib.sha256(repr(list(labels)).encode()).hexdigest()


def submit_labels(
    uow: UnitOfWork,
    actor: Actor,
    printer_id: int,
    labels: Sequence[Label],
    *,
    reference: str,
    key: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """`print_labels`, also saying whether the key was a replay."""

    def render(printer: Printer) -> tuple[str, bytes]:
        return render_labels(
            labels, media=printer.media, dpi=printer.dpi, language=str(printer.language)
        )

    payload = {"printer_id": printer_id, "labels": _labels_payload(labels), "ref": reference}
    return _submit(
        uow,
        actor,
        printer_id,
        render,
        reference=reference,
        key=key,
        operation="printing.labels",
        payload=payload,
    )


def print_labels(
    uow: UnitOfWork,
    actor: Actor,
    printer_id: int,
    labels: Sequence[Label],
    *,
    reference: str,
    key: str | None = None,
) -> dict[str, Any]:
    """Render for the printer (its language, media, dpi) and send; returns the print job view.

    PrintFailed (an ExternalFailure) when the printer did not take it: the job is kept as
    failed, to be sent again with `retry_job`."""
    view, _replayed = submit_labels(uow, actor, printer_id, labels, reference=reference, key=key)
    return view


def submit_pdf(
    uow: UnitOfWork,
    actor: Actor,
    printer_id: int,
    pdf: bytes,
    *,
    reference: str,
    key: str | None = None,
    operation: str = "printing.pdf",
    payload: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], bool]:
    """`print_pdf`, also saying whether the key was a replay."""
    digest = hashlib.sha256(pdf).hexdigest()
    return _submit(
        uow,
        actor,
        printer_id,
        lambda printer: _pdf_for(printer, pdf),
        reference=reference,
        key=key,
        operation=operation,
        payload=payload or {"printer_id": printer_id, "sha256": digest, "ref": reference},
    )


def print_pdf(
    uow: UnitOfWork,
    actor: Actor,
    printer_id: int,
    pdf: bytes,
    *,
    reference: str,
    key: str | None = None,
) -> dict[str, Any]:
    """A finished PDF (e.g. a carrier waybill) to the printer: as is for PDF printers, via
    labels.zpl.pdf_to_zpl for ZPL printers; returns the print job view."""
    view, _replayed = submit_pdf(uow, actor, printer_id, pdf, reference=reference, key=key)
    return view


def _visible_job(uow: UnitOfWork, actor: Actor, job_id: int) -> PrintJob:
    job = uow.session.get(PrintJob, job_id)
    if job is None or not actor.works_in(job.printer.fc_id):
        raise NotFound("No such print job.", "job_id")
    return job


def retry_job(
    uow: UnitOfWork, actor: Actor, job_id: int, key: str | None = None
) -> tuple[dict[str, Any], bool]:
    """Send a job's stored bytes to its printer again (a failed job, or a reprint)."""

    def perform() -> dict[str, Any]:
        _floor_role(actor)
        job = _visible_job(uow, actor, job_id)
        locked = uow.session.scalar(select(PrintJob).where(PrintJob.id == job.id).with_for_update())
        assert locked is not None
        _usable_printer(uow, actor, locked.printer_id)
        now = utcnow()
        if (
            locked.status is PrintJobStatus.QUEUED
            and locked.attempted_at is not None
            and now - locked.attempted_at < IN_FLIGHT
        ):
            raise Conflict(f"Print job {locked.id} is being sent right now.", "job_id")
        locked.status = PrintJobStatus.QUEUED
        locked.attempted_at = now
        uow.session.flush()
        return {"job_id": locked.id}

    if key is None:
        with uow:
            recorded = perform()
            uow.commit()
        replayed = False
    else:
        recorded, replayed = run_once(
            uow, actor, key, "printing.retry", {"job_id": job_id}, perform
        )
    if not replayed:
        return _deliver(uow, recorded["job_id"]), False
    view = _recorded_job(uow, recorded["job_id"])
    if view["status"] == PrintJobStatus.FAILED:
        raise _failure(view)
    return view, True


def get_job(uow: UnitOfWork, actor: Actor, job_id: int) -> dict[str, Any]:
    with uow:
        return job_view(_visible_job(uow, actor, job_id))


def list_jobs(
    uow: UnitOfWork, actor: Actor, fc_id: int, status: PrintJobStatus | None = None
) -> list[dict[str, Any]]:
    """The FC's latest print jobs, newest first (failed ones, to send again, when asked)."""
    with uow:
        fc = visible_fc(uow, actor, fc_id)
        query = (
            select(PrintJob)
            .join(Printer, Printer.id == PrintJob.printer_id)
            .where(Printer.fc_id == fc.id)
            .order_by(PrintJob.id.desc())
            .limit(JOB_LIST_LIMIT)
        )
        if status is not None:
            query = query.where(PrintJob.status == status)
        return [job_view(job) for job in uow.session.scalars(query)]
