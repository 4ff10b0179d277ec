"""Fulfillment centers, their zones and their bins."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from wms.db.models import FulfillmentCenter, Location, Zone
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.catalogue import LocationStatus, TemperatureClass, ZonePurpose
from wms.domain.delivery_points import check_coordinates
from wms.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from wms.domain.layout import RackLayout, expand
from wms.services.paging import PageRequest, paginate
from wms.services.views import fc_view, location_view, zone_view

COUNTRY_CURRENCIES = {
    "MY": "MYR",
    "ID": "IDR",
    "VN": "VND",
    "PH": "PHP",
    "SG": "SGD",
    "TH": "THB",
    "KH": "KHR",
    "LA": "LAK",
    "MM": "MMK",
    "BN": "BND",
}


def visible_fc(
    uow: UnitOfWork, actor: Actor, fc_id: int, field: str = "fc_id"
) -> FulfillmentCenter:
    """The FC if the actor may see inside it (staff and managers: their FCs; admins: all)."""
    fc = uow.session.get(FulfillmentCenter, fc_id)
    if fc is None or not actor.works_in(fc.id):
        raise NotFound("No such fulfillment center.", field)
    return fc


def destination_fc(
    uow: UnitOfWork, actor: Actor, fc_id: int, field: str = "fc_id"
) -> FulfillmentCenter:
    """An FC goods are sent to or ordered from: any FC for merchants, their own for staff."""
    if actor.is_merchant:
        fc = uow.session.get(FulfillmentCenter, fc_id)
        if fc is None:
            raise NotFound("No such fulfillment center.", field)
        return fc
    return visible_fc(uow, actor, fc_id, field)


def managed_fc(uow: UnitOfWork, actor: Actor, fc_id: int) -> FulfillmentCenter:
    fc = visible_fc(uow, actor, fc_id)
    if not actor.manages(fc.id):
        raise PermissionDenied("Only the FC's managers and admins change its set-up.")
    return fc


def visible_location(
    uow: UnitOfWork, actor: Actor, location_id: int, field: str = "location_id"
) -> Location:
    location = uow.session.get(Location, location_id)
    if location is None or not actor.works_in(location.fc_id):
        raise NotFound("No such location.", field)
    return location


def list_fcs(uow: UnitOfWork, actor: Actor) -> list[dict[str, Any]]:
    """FCs the actor works in; merchants see every FC they can send goods to."""
    with uow:
        query = select(FulfillmentCenter).order_by(FulfillmentCenter.code)
        if not actor.is_admin and not actor.is_merchant:
            query = query.where(FulfillmentCenter.id.in_(actor.fc_ids))
        return [fc_view(fc) for fc in uow.session.scalars(query)]


def get_fc(uow: UnitOfWork, actor: Actor, fc_id: int) -> dict[str, Any]:
    with uow:
        fc = uow.session.get(FulfillmentCenter, fc_id)
        if fc is None or not (actor.is_merchant or actor.works_in(fc.id)):
            raise NotFound("No such fulfillment center.", "fc_id")
        return fc_view(fc)


def create_fc(uow: UnitOfWork, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Open a new FC (admins only)."""
    if not actor.is_admin:
        raise PermissionDenied("Only admins open fulfillment centers.")
    country = data["country"].upper()
    currency = data["currency"].upper()
    if country not in COUNTRY_CURRENCIES:
        raise InvalidInput("FCs are in ASEAN countries (ISO 3166 alpha-2 code).", "country")
    if COUNTRY_CURRENCIES[country] != currency:
        raise InvalidInput(
            f"The currency of {country} is {COUNTRY_CURRENCIES[country]}.", "currency"
        )
    try:
        ZoneInfo(data["timezone"])
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidInput("Not a known IANA timezone.", "timezone") from error
    with uow:
        fc = FulfillmentCenter(
            code=data["code"].upper(),
            name=data["name"],
            city=data["city"],
            country=country,
            currency=currency,
            timezone=data["timezone"],
        )
        uow.session.add(fc)
        uow.flush_unique("An FC with this code exists.", "code")
        uow.commit()
        return fc_view(fc)


def set_location(
    uow: UnitOfWork, actor: Actor, fc_id: int, latitude: float, longitude: float
) -> dict[str, Any]:
    """Where the FC is (WGS 84 degrees): the depot its own delivery routes start and end at."""
    point = check_coordinates(latitude, longitude)
    if point is None:
        raise InvalidInput("Give the latitude and the longitude.", "latitude")
    with uow:
        fc = managed_fc(uow, actor, fc_id)
        fc.latitude, fc.longitude = point
        uow.commit()
        return fc_view(fc)


def list_zones(uow: UnitOfWork, actor: Actor, fc_id: int) -> list[dict[str, Any]]:
    with uow:
        fc = visible_fc(uow, actor, fc_id)
        return [zone_view(zone) for zone in fc.zones]


def create_zone(uow: UnitOfWork, actor: Actor, fc_id: int, data: dict[str, Any]) -> dict[str, Any]:
    with uow:
        fc = managed_fc(uow, actor, fc_id)
        zone = Zone(
            fc_id=fc.id,
            code=data["code"].upper(),
            name=data["name"],
            temperature_class=TemperatureClass(data["temperature_class"]),
            purpose=ZonePurpose(data["purpose"]),
        )
        uow.session.add(zone)
        uow.flush_unique("This FC already has a zone with this code.", "code")
        uow.commit()
        return zone_view(zone)


def _zone_of(uow: UnitOfWork, fc: FulfillmentCenter, zone_id: int) -> Zone:
    zone = uow.session.get(Zone, zone_id)
    if zone is None or zone.fc_id != fc.id:
        raise NotFound("No such zone in this FC.", "zone_id")
    return zone


def create_locations_from_layout(
    uow: UnitOfWork, actor: Actor, fc_id: int, zone_id: int, layout: RackLayout
) -> dict[str, Any]:
    """Create every bin of an aisles × bays × levels layout in one zone, all or nothing."""
    with uow:
        fc = managed_fc(uow, actor, fc_id)
        zone = _zone_of(uow, fc, zone_id)
        specs = expand(fc.code, layout)
        codes = [spec.code for spec in specs]
        slots = {(spec.aisle, spec.bay, spec.level) for spec in specs}
        taken = uow.session.execute(
            select(Location.aisle, Location.bay, Location.level, Location.code).where(
                Location.fc_id == fc.id, Location.aisle.in_(layout.aisles)
            )
        )
        clashes = sorted(code for aisle, bay, level, code in taken if (aisle, bay, level) in slots)
        if clashes:
            shown = ", ".join(clashes[:5])
            raise Conflict(
                f"{len(clashes)} bin(s) already stand in these aisles, bays and levels: {shown}.",
                "aisles",
            )
        offset = (
            uow.session.scalar(
                select(Location.pick_sequence)
                .where(Location.fc_id == fc.id)
                .order_by(Location.pick_sequence.desc())
                .limit(1)
            )
            or 0
        )
        locations = [
            Location(
                fc_id=fc.id,
                zone_id=zone.id,
                code=spec.code,
                aisle=spec.aisle,
                bay=spec.bay,
                level=spec.level,
                position=spec.position,
                x=spec.x,
                y=spec.y,
                z=spec.z,
                volume_cm3=spec.volume_cm3,
                max_weight_g=spec.max_weight_g,
                pickable=spec.pickable and zone.purpose in PICKABLE_PURPOSES,
                pick_sequence=offset + spec.pick_sequence,
                status=LocationStatus.ACTIVE,
            )
            for spec in specs
        ]
        uow.session.add_all(locations)
        uow.flush_unique("Another request created some of these bins first.", "aisles")
        uow.commit()
        return {"created": len(locations), "first_code": codes[0], "last_code": codes[-1]}


PICKABLE_PURPOSES = frozenset({ZonePurpose.STORAGE, ZonePurpose.HIGH_VALUE, ZonePurpose.HAZMAT})


def list_locations(
    uow: UnitOfWork,
    actor: Actor,
    fc_id: int,
    page: PageRequest,
    zone_id: int | None = None,
    code_prefix: str | None = None,
) -> dict[str, Any]:
    with uow:
        fc = visible_fc(uow, actor, fc_id)
        query = select(Location).where(Location.fc_id == fc.id).order_by(Location.code)
        if zone_id is not None:
            query = query.where(Location.zone_id == zone_id)
        if code_prefix:
            query = query.where(Location.code.startswith(code_prefix.upper(), autoescape=True))
        return paginate(uow.session, query, page, location_view)


def get_location(uow: UnitOfWork, actor: Actor, location_id: int) -> dict[str, Any]:
    with uow:
        return location_view(visible_location(uow, actor, location_id))


def set_location_status(
    uow: UnitOfWork, actor: Actor, location_id: int, status: LocationStatus
) -> dict[str, Any]:
    with uow:
        location = visible_location(uow, actor, location_id)
        if not actor.manages(location.fc_id):
            raise PermissionDenied("Only the FC's managers and admins block or open bins.")
        location.status = status
        uow.commit()
        return location_view(location)


RECEIVING_POLICY_FIELDS = (
    "gs1_company_prefix",
    "sscc_extension_digit",
    "min_remaining_shelf_life_days",
    "mix_lots",
    "mix_merchants",
)


def receiving_policy_view(fc: FulfillmentCenter) -> dict[str, Any]:
    return {name: getattr(fc, name) for name in ("id", "code", *RECEIVING_POLICY_FIELDS)}


def set_receiving_policy(
    uow: UnitOfWork, actor: Actor, fc_id: int, changes: dict[str, Any]
) -> dict[str, Any]:
    """An FC's receiving rules: its GS1 prefix for SSCCs, minimum shelf life, bin mixing."""
    prefix = changes.get("gs1_company_prefix")
    if prefix is not None and (not prefix.isdigit() or not 6 <= len(prefix) <= 12):
        raise InvalidInput("A GS1 company prefix has 6 to 12 digits.", "gs1_company_prefix")
    digit = changes.get("sscc_extension_digit")
    if digit is not None and not 0 <= digit <= 9:
        raise InvalidInput("One digit, 0 to 9.", "sscc_extension_digit")
    days = changes.get("min_remaining_shelf_life_days")
    if days is not None and not 0 <= days <= 3650:
        raise InvalidInput("Between 0 and 3,650 days.", "min_remaining_shelf_life_days")
    with uow:
        fc = managed_fc(uow, actor, fc_id)
        for name in RECEIVING_POLICY_FIELDS:
            if name in changes:
                setattr(fc, name, changes[name])
        view = receiving_policy_view(fc)
        uow.commit()
        return view
