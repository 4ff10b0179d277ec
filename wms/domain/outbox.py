"""Events that leave the WMS later (webhooks, marketplace pushes), and how retries back off."""

from __future__ import annotations

import enum
import hashlib
import hmac
from datetime import timedelta


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    PARKED = "parked"
    SKIPPED = "skipped"


MAX_ATTEMPTS = 8
SIGNATURE_HEADER = "X-Pavilion-Signature"
TIMESTAMP_HEADER = "X-Pavilion-Timestamp"
EVENT_HEADER = "X-Pavilion-Event"


def retry_delay(attempts: int, jitter: float) -> timedelta:
    """Exponential backoff (2^n seconds, at most an hour), spread by `jitter` in [0, 1)."""
    base = min(2**attempts, 3600)
    return timedelta(seconds=base * (0.5 + jitter / 2))


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over `timestamp.body`, hex: what a receiver recomputes to trust a webhook."""
    message = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
