"""Printing and carrier documents: the states of a print job and the limits of a waybill."""

from __future__ import annotations

import enum


class PrintJobStatus(enum.StrEnum):
    """A print job: recorded before it is sent, then sent or failed (a failed job can be sent
    again from its stored bytes)."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


MAX_WAYBILL_BYTES = 5 * 1024 * 1024
"""The largest carrier or marketplace waybill stored (5 MiB)."""

PDF_MAGIC = b"%PDF-"
