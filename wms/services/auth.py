"""Logging in, bearer tokens, and turning a user into an Actor."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from wms.db.base import utcnow
from wms.db.models import ApiToken, FulfillmentCenter, Merchant, User
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor, Role
from wms.domain.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound
from wms.services.passwords import hash_password, verify_password
from wms.services.views import iso, user_view

TOKEN_PREFIX = "pvl_"  # noqa: S105 - a prefix, not a secret
_DUMMY_HASH = hash_password("timing-equaliser")


def _token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _actor(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        role=user.role,
        merchant_id=user.merchant_id,
        fc_ids=frozenset(fc.id for fc in user.fcs),
        name=user.name,
        locale=user.locale,
    )


def _find_user_by_email(uow: UnitOfWork, email: str) -> User | None:
    return uow.session.scalar(
        select(User).options(selectinload(User.fcs)).where(User.email == email.strip().lower())
    )


def check_password(uow: UnitOfWork, email: str, password: str) -> User:
    user = _find_user_by_email(uow, email)
    if user is None or not user.active:
        verify_password(password, _DUMMY_HASH)
        raise AuthenticationFailed("Wrong email or password.", "password")
    if not verify_password(password, user.password_hash):
        raise AuthenticationFailed("Wrong email or password.", "password")
    return user


def authenticate(uow: UnitOfWork, email: str, password: str) -> tuple[Actor, dict[str, Any]]:
    """The actor for an email and password (web login); refuses wrong or inactive accounts."""
    with uow:
        user = check_password(uow, email, password)
        return _actor(user), user_view(user)


def issue_token(
    uow: UnitOfWork, email: str, password: str, label: str, ttl: timedelta
) -> dict[str, Any]:
    """Log in for the API: a new bearer token, shown once, stored only as a digest."""
    with uow:
        user = check_password(uow, email, password)
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken(
            user_id=user.id,
            token_hash=_token_digest(raw),
            label=label,
            expires_at=utcnow() + ttl,
        )
        uow.session.add(token)
        uow.commit()
        return {"token": raw, "expires_at": iso(token.expires_at), "user": user_view(user)}


def actor_for_token(uow: UnitOfWork, raw: str) -> Actor:
    """The actor a bearer token stands for; refuses unknown, revoked and expired tokens."""
    with uow:
        token = uow.session.scalar(
            select(ApiToken)
            .options(selectinload(ApiToken.user).selectinload(User.fcs))
            .where(ApiToken.token_hash == _token_digest(raw))
        )
        if token is None or token.revoked_at is not None or token.expires_at <= utcnow():
            raise AuthenticationFailed("The bearer token is unknown, revoked or expired.")
        if not token.user.active:
            raise AuthenticationFailed("This account is disabled.")
        return _actor(token.user)


def revoke_token(uow: UnitOfWork, raw: str) -> None:
    """Log out of the API: the token stops working at once."""
    with uow:
        token = uow.session.scalar(
            select(ApiToken).where(ApiToken.token_hash == _token_digest(raw))
        )
        if token is not None and token.revoked_at is None:
            token.revoked_at = utcnow()
            uow.commit()


def actor_for_user(uow: UnitOfWork, user_id: int) -> Actor | None:
    """The actor of a logged-in web session, or None if the account is gone or disabled."""
    with uow:
        user = uow.session.scalar(
            select(User).options(selectinload(User.fcs)).where(User.id == user_id)
        )
        if user is None or not user.active:
            return None
        return _actor(user)


def describe_user(uow: UnitOfWork, actor: Actor) -> dict[str, Any]:
    with uow:
        user = uow.session.get(User, actor.user_id)
        if user is None:
            raise NotFound("No such user.")
        return user_view(user)


def set_locale(uow: UnitOfWork, actor: Actor, locale: str, allowed: tuple[str, ...]) -> None:
    """Remember the user's language for the next login."""
    if locale not in allowed:
        raise InvalidInput(f"Language must be one of {', '.join(allowed)}.", "locale")
    with uow:
        user = uow.session.get(User, actor.user_id)
        if user is not None:
            user.locale = locale
            uow.commit()


def create_user(
    uow: UnitOfWork,
    *,
    email: str,
    name: str,
    password: str,
    role: Role,
    merchant_code: str | None = None,
    fc_codes: tuple[str, ...] = (),
    locale: str = "en",
) -> dict[str, Any]:
    """Create a login (operators' CLI and the demo); merchants need a merchant, others FCs."""
    if len(password) < 8:
        raise InvalidInput("A password has at least 8 characters.", "password")
    with uow:
        if _find_user_by_email(uow, email) is not None:
            raise Conflict("A user with this email exists.", "email")
        merchant_id = None
        if role is Role.MERCHANT:
            merchant = uow.session.scalar(select(Merchant).where(Merchant.code == merchant_code))
            if merchant is None:
                raise NotFound(f"No merchant '{merchant_code}'.", "merchant")
            merchant_id = merchant.id
        fcs = list(
            uow.session.scalars(
                select(FulfillmentCenter).where(FulfillmentCenter.code.in_(fc_codes))
            )
        )
        if len(fcs) != len(set(fc_codes)):
            raise NotFound("An FC code is unknown.", "fcs")
        user = User(
            email=email.strip().lower(),
            name=name,
            password_hash=hash_password(password),
            role=role,
            merchant_id=merchant_id,
            locale=locale,
            fcs=fcs,
        )
        uow.session.add(user)
        uow.flush_unique("A user with this email exists.", "email")
        uow.commit()
        return user_view(user)
