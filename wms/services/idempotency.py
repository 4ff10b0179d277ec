"""Keyed writes: the first answer to an Idempotency-Key is stored with the change it made."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from wms.db.models import IdempotencyRecord
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.errors import Conflict, InvalidInput

KEY_FIELD = "Idempotency-Key"
KEY_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{8,100}$")
KEY_RULE = "8 to 100 characters: letters, digits, '.', '_', ':' or '-'."


def _digest(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _recorded(uow: UnitOfWork, actor: Actor, key: str) -> IdempotencyRecord | None:
    return uow.session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == actor.user_id, IdempotencyRecord.key == key
        )
    )


def _replay(record: IdempotencyRecord, operation: str, digest: str) -> dict[str, Any]:
    if record.operation != operation or record.request_hash != digest:
        raise Conflict("This Idempotency-Key was already used for a different request.", KEY_FIELD)
    result: dict[str, Any] = json.loads(record.result)
    return result


def _checked_key(key: str | None) -> str:
    if key is None:
        raise InvalidInput("Send an Idempotency-Key header with every stock change.", KEY_FIELD)
    if not KEY_PATTERN.match(key):
        raise InvalidInput(KEY_RULE, KEY_FIELD)
    return key


def earlier_answer(
    uow: UnitOfWork, actor: Actor, key: str | None, operation: str, payload: dict[str, Any]
) -> dict[str, Any] | None:
    """The first answer to a key already used for this request, or None if the key is new.

    For writes that do slow work before `run_once` (planning, network calls): a replay is
    answered before the work starts. The same key with another request is a Conflict."""
    checked = _checked_key(key)
    with uow:
        record = _recorded(uow, actor, checked)
        return _replay(record, operation, _digest(payload)) if record is not None else None


def run_once(
    uow: UnitOfWork,
    actor: Actor,
    key: str | None,
    operation: str,
    payload: dict[str, Any],
    perform: Callable[[], dict[str, Any]],
) -> tuple[dict[str, Any], bool]:
    """Run `perform` inside `uow` once per key and commit; a replay returns (first result, True)."""
    key = _checked_key(key)
    digest = _digest(payload)
    with uow:
        record = _recorded(uow, actor, key)
        if record is not None:
            return _replay(record, operation, digest), True
        result = perform()
        uow.session.add(
            IdempotencyRecord(
                user_id=actor.user_id,
                key=key,
                operation=operation,
                request_hash=digest,
                result=json.dumps(result, sort_keys=True),
            )
        )
        try:
            uow.commit()
        except IntegrityError:
            uow.rollback()
        else:
            return result, False
    # Another request with the same key committed first: answer as it did.
    with uow:
        record = _recorded(uow, actor, key)
        if record is None:
            raise Conflict("The request could not be recorded; send it again.", KEY_FIELD)
        return _replay(record, operation, digest), True


def once_per_key(
    uow: UnitOfWork,
    actor: Actor,
    key: str | None,
    operation: str,
    payload: dict[str, Any],
    perform: Callable[[], dict[str, Any]],
) -> tuple[dict[str, Any], bool]:
    """`run_once` when the caller sent a key (the pages' forms do), else `perform` in a plain
    transaction of `uow` (the API's calls that are safe to repeat)."""
    if key is not None:
        return run_once(uow, actor, key, operation, payload, perform)
    with uow:
        result = perform()
        uow.commit()
        return result, False
