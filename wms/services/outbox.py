"""The outbox: events written in the caller's transaction, delivered later by `deliver_webhooks`.

Webhooks go to the merchant's URL, signed with HMAC-SHA256 over `timestamp.body`; failures are
retried with exponential backoff and jitter, and parked with their reason after MAX_ATTEMPTS.
Events of one merchant leave in the order they were written: one that waits holds back the rest.
"""

from __future__ import annotations

import json
import random
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from wms.db.base import utcnow
from wms.db.models import Merchant, OutboxEvent
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.errors import InvalidInput, PermissionDenied
from wms.domain.outbox import (
    EVENT_HEADER,
    MAX_ATTEMPTS,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    OutboxStatus,
    retry_delay,
    webhook_signature,
)


def emit(uow: UnitOfWork, topic: str, merchant_id: int | None, payload: dict[str, Any]) -> None:
    """Write an event in the current transaction; it leaves only if that transaction commits."""
    body = {"topic": topic, "occurred_at": utcnow().isoformat(), "data": payload}
    uow.session.add(
        OutboxEvent(
            topic=topic,
            merchant_id=merchant_id,
            payload=json.dumps(body, ensure_ascii=False, sort_keys=True),
            available_at=utcnow(),
        )
    )


@dataclass(frozen=True)
class Delivery:
    """What a receiver answered: an HTTP status, or None when it could not be reached."""

    status: int | None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def permanent(self) -> bool:
        """A 4xx other than timeout or throttling will not get better by retrying."""
        return (
            self.status is not None
            and 400 <= self.status < 500
            and self.status
            not in (
                408,
                429,
            )
        )


Poster = Callable[[str, bytes, dict[str, str]], Delivery]


def post_json(url: str, body: bytes, headers: dict[str, str], timeout: float = 10.0) -> Delivery:
    """POST over HTTP(S); any transport failure is a Delivery with no status."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return Delivery(response.status)
    except urllib.error.HTTPError as error:
        return Delivery(error.code, f"HTTP {error.code} {error.reason}")
    except (urllib.error.URLError, OSError, ValueError) as error:
        return Delivery(None, f"{type(error).__name__}: {error}")


def signed_headers(secret: str, topic: str, body: bytes, now: datetime) -> dict[str, str]:
    timestamp = str(int(now.timestamp()))
    return {
        "Content-Type": "application/json; charset=utf-8",
        EVENT_HEADER: topic,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: webhook_signature(secret, timestamp, body),
    }


def _pending(uow: UnitOfWork, limit: int) -> list[OutboxEvent]:
    query = (
        select(OutboxEvent)
        .where(
            OutboxEvent.status == OutboxStatus.PENDING,
            OutboxEvent.topic.like("consignment.%") | OutboxEvent.topic.like("receipt.%"),
        )
        .order_by(OutboxEvent.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(uow.session.scalars(query))


def deliver_webhooks(
    uow: UnitOfWork,
    *,
    post: Poster = post_json,
    now: Callable[[], datetime] = utcnow,
    rng: random.Random | None = None,
    limit: int = 100,
) -> dict[str, int]:
    """Send due merchant webhooks once; returns counts by outcome."""
    rng = rng or random.Random()  # noqa: S311 - jitter, not security
    counts = {"delivered": 0, "retrying": 0, "parked": 0, "skipped": 0}
    with uow:
        held_back: set[int] = set()
        for event in _pending(uow, limit):
            merchant_id = event.merchant_id
            if merchant_id is not None and merchant_id in held_back:
                continue
            if event.available_at > now():
                if merchant_id is not None:
                    held_back.add(merchant_id)
                continue
            merchant = uow.session.get(Merchant, merchant_id) if merchant_id else None
            if merchant is None or not merchant.webhook_url or not merchant.webhook_secret:
                event.status = OutboxStatus.SKIPPED
                event.last_error = "The merchant has no webhook URL."
                counts["skipped"] += 1
                continue
            body = event.payload.encode()
            headers = signed_headers(merchant.webhook_secret, event.topic, body, now())
            result = post(merchant.webhook_url, body, headers)
            event.attempts += 1
            if result.ok:
                event.status = OutboxStatus.DELIVERED
                event.delivered_at = now()
                event.last_error = ""
                counts["delivered"] += 1
                continue
            event.last_error = result.detail or f"HTTP {result.status}"
            if result.permanent or event.attempts >= MAX_ATTEMPTS:
                event.status = OutboxStatus.PARKED
                counts["parked"] += 1
            else:
                event.available_at = now() + retry_delay(event.attempts, rng.random())
                counts["retrying"] += 1
            if merchant_id is not None:
                held_back.add(merchant_id)
        uow.commit()
    return counts


def configure_webhook(uow: UnitOfWork, actor: Actor, url: str | None) -> dict[str, Any]:
    """Set (or with None, remove) the merchant's webhook URL; a new signing secret is returned
    once and only its holder can verify the signatures from then on."""
    if not actor.is_merchant or actor.merchant_id is None:
        raise PermissionDenied("Merchants set their own webhook.")
    if url is not None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
            raise InvalidInput("An http(s) URL of at most 500 characters.", "url")
    with uow:
        merchant = uow.session.get(Merchant, actor.merchant_id)
        assert merchant is not None
        merchant.webhook_url = url
        merchant.webhook_secret = secrets.token_hex(32) if url else None
        result = {"url": merchant.webhook_url, "secret": merchant.webhook_secret}
        uow.commit()
        return result
