"""An FC's own delivery fleet: its vehicles and its drivers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import select

from wms.db.base import utcnow
from wms.db.models import Driver, FulfillmentCenter, Vehicle
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.deliveries import DRIVER_FIELDS, VEHICLE_FIELDS, DriverDetails, VehicleDetails
from wms.domain.errors import InvalidInput, NotFound, PermissionDenied
from wms.services.facilities import visible_fc
from wms.services.views import iso

VEHICLE_TAKEN = "This FC already has a vehicle with this name or plate."
DRIVER_TAKEN = "This FC already has a driver with this phone number."


def vehicle_view(vehicle: Vehicle) -> dict[str, Any]:
    return {
        "id": vehicle.id,
        "fc_id": vehicle.fc_id,
        "name": vehicle.name,
        "plate": vehicle.plate,
        "capacity_kg": vehicle.capacity_kg,
        "capacity_litres": vehicle.capacity_litres,
        "capacity_parcels": vehicle.capacity_parcels,
        "fixed_cost": str(vehicle.fixed_cost),
        "cost_per_km": str(vehicle.cost_per_km),
        "shift_start": vehicle.shift_start.strftime("%H:%M"),
        "shift_end": vehicle.shift_end.strftime("%H:%M"),
        "max_route_hours": vehicle.max_route_hours,
        "active": vehicle.active,
        "created_at": iso(vehicle.created_at),
    }


def driver_view(driver: Driver) -> dict[str, Any]:
    return {
        "id": driver.id,
        "fc_id": driver.fc_id,
        "name": driver.name,
        "phone": driver.phone,
        "active": driver.active,
        "created_at": iso(driver.created_at),
    }


def _vehicle_details(vehicle: Vehicle) -> VehicleDetails:
    return VehicleDetails(**{name: getattr(vehicle, name) for name in VEHICLE_FIELDS})


def _driver_details(driver: Driver) -> DriverDetails:
    return DriverDetails(**{name: getattr(driver, name) for name in DRIVER_FIELDS})


def _apply(record: Vehicle | Driver, details: VehicleDetails | DriverDetails) -> None:
    for name in details.__dataclass_fields__:
        setattr(record, name, getattr(details, name))


def _unknown(changes: Mapping[str, Any], known: tuple[str, ...], what: str) -> None:
    unknown = sorted(set(changes) - set(known))
    if unknown:
        raise InvalidInput(f"Not a {what} setting.", unknown[0])


def delivery_fc(uow: UnitOfWork, actor: Actor, fc_id: int) -> FulfillmentCenter:
    """An FC whose fleet and delivery plans the actor runs: its managers, and admins. Staff of
    the FC are refused; anyone else does not see it."""
    fc = visible_fc(uow, actor, fc_id)
    if not actor.manages(fc.id):
        raise PermissionDenied("Managers run the FC's fleet and plan its deliveries.")
    return fc


def fleet_vehicle(
    uow: UnitOfWork, actor: Actor, vehicle_id: int, field: str = "vehicle_id"
) -> Vehicle:
    """A vehicle of an FC whose fleet the actor runs."""
    vehicle = uow.session.get(Vehicle, vehicle_id)
    if vehicle is None or not actor.works_in(vehicle.fc_id):
        raise NotFound("No such vehicle.", field)
    delivery_fc(uow, actor, vehicle.fc_id)
    return vehicle


def fleet_driver(uow: UnitOfWork, actor: Actor, driver_id: int, field: str = "driver_id") -> Driver:
    """A driver of an FC whose fleet the actor runs."""
    driver = uow.session.get(Driver, driver_id)
    if driver is None or not actor.works_in(driver.fc_id):
        raise NotFound("No such driver.", field)
    delivery_fc(uow, actor, driver.fc_id)
    return driver


def create_vehicle(
    uow: UnitOfWork, actor: Actor, fc_id: int, details: VehicleDetails
) -> dict[str, Any]:
    """Add a vehicle to the FC's own fleet (the FC's managers and admins)."""
    checked = details.checked()
    with uow:
        fc = delivery_fc(uow, actor, fc_id)
        vehicle = Vehicle(fc_id=fc.id, created_at=utcnow())
        _apply(vehicle, checked)
        uow.session.add(vehicle)
        uow.flush_unique(VEHICLE_TAKEN, "name")
        uow.commit()
        return vehicle_view(vehicle)


def update_vehicle(
    uow: UnitOfWork, actor: Actor, vehicle_id: int, changes: Mapping[str, Any]
) -> dict[str, Any]:
    """Change some of a vehicle's details; the whole is checked again. Plans already made keep
    the limits they were made with."""
    _unknown(changes, VEHICLE_FIELDS, "vehicle")
    with uow:
        vehicle = fleet_vehicle(uow, actor, vehicle_id)
        _apply(vehicle, replace(_vehicle_details(vehicle), **changes).checked())
        uow.flush_unique(VEHICLE_TAKEN, "name")
        uow.commit()
        return vehicle_view(vehicle)


def deactivate_vehicle(uow: UnitOfWork, actor: Actor, vehicle_id: int) -> dict[str, Any]:
    """Take a vehicle out of the fleet; its past routes stay on record."""
    return update_vehicle(uow, actor, vehicle_id, {"active": False})


def get_vehicle(uow: UnitOfWork, actor: Actor, vehicle_id: int) -> dict[str, Any]:
    with uow:
        return vehicle_view(fleet_vehicle(uow, actor, vehicle_id))


def list_vehicles(
    uow: UnitOfWork, actor: Actor, fc_id: int, *, include_inactive: bool = False
) -> list[dict[str, Any]]:
    """The FC's vehicles by name; active ones unless asked for all."""
    with uow:
        fc = delivery_fc(uow, actor, fc_id)
        query = select(Vehicle).where(Vehicle.fc_id == fc.id).order_by(Vehicle.name, Vehicle.id)
        if not include_inactive:
            query = query.where(Vehicle.active.is_(True))
        return [vehicle_view(vehicle) for vehicle in uow.session.scalars(query)]


def create_driver(
    uow: UnitOfWork, actor: Actor, fc_id: int, details: DriverDetails
) -> dict[str, Any]:
    """Add a driver to the FC's own fleet (the FC's managers and admins)."""
    checked = details.checked()
    with uow:
        fc = delivery_fc(uow, actor, fc_id)
        driver = Driver(fc_id=fc.id, created_at=utcnow())
        _apply(driver, checked)
        uow.session.add(driver)
        uow.flush_unique(DRIVER_TAKEN, "phone")
        uow.commit()
        return driver_view(driver)


def update_driver(
    uow: UnitOfWork, actor: Actor, driver_id: int, changes: Mapping[str, Any]
) -> dict[str, Any]:
    """Change some of a driver's details; the whole is checked again."""
    _unknown(changes, DRIVER_FIELDS, "driver")
    with uow:
        driver = fleet_driver(uow, actor, driver_id)
        _apply(driver, replace(_driver_details(driver), **changes).checked())
        uow.flush_unique(DRIVER_TAKEN, "phone")
        uow.commit()
        return driver_view(driver)


def deactivate_driver(uow: UnitOfWork, actor: Actor, driver_id: int) -> dict[str, Any]:
    """Take a driver off the roster; their past routes stay on record."""
    return update_driver(uow, actor, driver_id, {"active": False})


def get_driver(uow: UnitOfWork, actor: Actor, driver_id: int) -> dict[str, Any]:
    with uow:
        return driver_view(fleet_driver(uow, actor, driver_id))


def list_drivers(
    uow: UnitOfWork, actor: Actor, fc_id: int, *, include_inactive: bool = False
) -> list[dict[str, Any]]:
    """The FC's drivers by name; active ones unless asked for all."""
    with uow:
        fc = delivery_fc(uow, actor, fc_id)
        query = select(Driver).where(Driver.fc_id == fc.id).order_by(Driver.name, Driver.id)
        if not include_inactive:
            query = query.where(Driver.active.is_(True))
        return [driver_view(driver) for driver in uow.session.scalars(query)]
