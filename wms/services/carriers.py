"""Carriers and their cut-offs at an FC, and the shelf-life rules per channel and country."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from wms.db.base import utcnow
from wms.db.models import Carrier, FulfillmentCenter, ShelfLifeRule
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.errors import Conflict, InvalidInput, NotFound
from wms.domain.orders import CHANNELS
from wms.services.facilities import destination_fc, managed_fc, visible_fc
from wms.services.views import iso

CARRIER_CODE = re.compile(r"^[A-Z0-9-]{2,16}$")
TRACKING_PREFIX = re.compile(r"^[A-Z]{2,6}$")
ANY = "*"


def carrier_view(carrier: Carrier) -> dict[str, Any]:
    return {
        "id": carrier.id,
        "fc_id": carrier.fc_id,
        "code": carrier.code,
        "name": carrier.name,
        "cutoff_local": carrier.cutoff_local.strftime("%H:%M"),
        "own_fleet": carrier.own_fleet,
        "tracking_prefix": carrier.tracking_prefix,
    }


def create_carrier(
    uow: UnitOfWork, actor: Actor, fc_id: int, data: dict[str, Any]
) -> dict[str, Any]:
    """Add a carrier that collects at the FC every day at its cut-off (FC local time)."""
    with uow:
        fc = managed_fc(uow, actor, fc_id)
        code = str(data["code"]).strip().upper()
        if not CARRIER_CODE.match(code):
            raise InvalidInput("2 to 16 capital letters, digits or '-'.", "code")
        prefix = str(data["tracking_prefix"]).strip().upper()
        if not TRACKING_PREFIX.match(prefix):
            raise InvalidInput("2 to 6 capital letters.", "tracking_prefix")
        cutoff = data["cutoff_local"]
        if not isinstance(cutoff, time):
            raise InvalidInput("Give the cut-off as HH:MM.", "cutoff_local")
        exists = uow.session.scalar(
            select(Carrier.id).where(Carrier.fc_id == fc.id, Carrier.code == code)
        )
        if exists is not None:
            raise Conflict(f"{fc.code} already has a carrier {code}.", "code")
        carrier = Carrier(
            fc_id=fc.id,
            code=code,
            name=str(data["name"]).strip(),
            cutoff_local=cutoff.replace(second=0, microsecond=0, tzinfo=None),
            own_fleet=bool(data.get("own_fleet", False)),
            tracking_prefix=prefix,
        )
        if not carrier.name:
            raise InvalidInput("Give the carrier's name.", "name")
        uow.session.add(carrier)
        uow.commit()
        return carrier_view(carrier)


def list_carriers(uow: UnitOfWork, actor: Actor, fc_id: int) -> list[dict[str, Any]]:
    with uow:
        fc = destination_fc(uow, actor, fc_id)
        carriers = uow.session.scalars(
            select(Carrier)
            .where(Carrier.fc_id == fc.id)
            .order_by(Carrier.cutoff_local, Carrier.code)
        )
        return [carrier_view(carrier) for carrier in carriers]


def upcoming_cutoffs(uow: UnitOfWork, actor: Actor, fc_id: int) -> list[dict[str, Any]]:
    """Each carrier's next collection at the FC after now, soonest first."""
    with uow:
        fc = destination_fc(uow, actor, fc_id)
        now = utcnow()
        found = [
            {"cutoff": next_cutoff(carrier, fc.timezone, now), "carrier": carrier_view(carrier)}
            for carrier in uow.session.scalars(select(Carrier).where(Carrier.fc_id == fc.id))
        ]
        return sorted(found, key=lambda item: (item["cutoff"], item["carrier"]["code"]))


def carrier_of(uow: UnitOfWork, fc: FulfillmentCenter, carrier_id: int) -> Carrier:
    carrier = uow.session.get(Carrier, carrier_id)
    if carrier is None or carrier.fc_id != fc.id:
        raise NotFound(f"{fc.code} has no such carrier.", "carrier_id")
    return carrier


def due_cutoff(carrier: Carrier, timezone: str, ship_by: datetime) -> datetime:
    """The last collection by the carrier at or before `ship_by` (UTC): the order's deadline."""
    zone = ZoneInfo(timezone)
    local = ship_by.astimezone(zone)
    cutoff = datetime.combine(local.date(), carrier.cutoff_local, tzinfo=zone)
    if cutoff > local:
        cutoff -= timedelta(days=1)
    return cutoff.astimezone(ship_by.tzinfo)


def next_cutoff(carrier: Carrier, timezone: str, now: datetime) -> datetime:
    """The carrier's next collection after `now` (UTC)."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    cutoff = datetime.combine(local.date(), carrier.cutoff_local, tzinfo=zone)
    if cutoff <= local:
        cutoff += timedelta(days=1)
    return cutoff.astimezone(now.tzinfo)


def rule_view(rule: ShelfLifeRule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "fc_id": rule.fc_id,
        "channel": rule.channel,
        "country": rule.country,
        "min_remaining_days": rule.min_remaining_days,
        "created_at": iso(rule.created_at),
    }


def set_shelf_life_rule(
    uow: UnitOfWork, actor: Actor, fc_id: int, data: dict[str, Any]
) -> dict[str, Any]:
    """Set how many days of shelf life a lot must keep when shipped on a channel to a country
    ('*' for any); the most specific rule wins, then the FC's receiving minimum."""
    with uow:
        fc = managed_fc(uow, actor, fc_id)
        channel = str(data.get("channel") or ANY).lower()
        if channel != ANY and channel not in CHANNELS:
            raise InvalidInput(f"Choose one of {', '.join(CHANNELS)} or '*'.", "channel")
        country = str(data.get("country") or ANY).upper()
        if country != ANY and not re.match(r"^[A-Z]{2}$", country):
            raise InvalidInput("Give a two-letter country code or '*'.", "country")
        days = int(data["min_remaining_days"])
        if not 0 <= days <= 3650:
            raise InvalidInput("Between 0 and 3650 days.", "min_remaining_days")
        rule = uow.session.scalar(
            select(ShelfLifeRule).where(
                ShelfLifeRule.fc_id == fc.id,
                ShelfLifeRule.channel == channel,
                ShelfLifeRule.country == country,
            )
        )
        if rule is None:
            rule = ShelfLifeRule(fc_id=fc.id, channel=channel, country=country)
            uow.session.add(rule)
        rule.min_remaining_days = days
        uow.commit()
        return rule_view(rule)


def list_shelf_life_rules(uow: UnitOfWork, actor: Actor, fc_id: int) -> list[dict[str, Any]]:
    with uow:
        fc = visible_fc(uow, actor, fc_id)
        rules = uow.session.scalars(
            select(ShelfLifeRule)
            .where(ShelfLifeRule.fc_id == fc.id)
            .order_by(ShelfLifeRule.channel, ShelfLifeRule.country)
        )
        return [rule_view(rule) for rule in rules]


def min_remaining_days(uow: UnitOfWork, fc: FulfillmentCenter, channel: str, country: str) -> int:
    """The shelf life an order's lots must keep: channel and country, then either, then any."""
    rules = {
        (rule.channel, rule.country): rule.min_remaining_days
        for rule in uow.session.scalars(select(ShelfLifeRule).where(ShelfLifeRule.fc_id == fc.id))
    }
    for key in ((channel, country), (channel, ANY), (ANY, country), (ANY, ANY)):
        if key in rules:
            return rules[key]
    return fc.min_remaining_shelf_life_days
