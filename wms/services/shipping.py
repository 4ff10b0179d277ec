"""Shipping: parcels scanned onto a carrier's manifest; closing it hands them over.

Closing a manifest takes the shipped units out of the FC's dispatch bin through the ledger, marks
the orders shipped and tells the merchants (outbox), all in one transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from wms.db.base import utcnow
from wms.db.models import Allocation, Manifest, Package
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from wms.domain.orders import AllocationStatus, OrderStatus
from wms.domain.packing import ManifestStatus, PackageStatus
from wms.domain.stock import MovementReason
from wms.services import allocation, stock
from wms.services.carriers import carrier_of
from wms.services.facilities import visible_fc
from wms.services.idempotency import run_once
from wms.services.order_status import set_status
from wms.services.outbox import emit
from wms.services.views import iso


def _floor_role(actor: Actor) -> None:
    if not actor.handles_stock:
        raise PermissionDenied("Warehouse staff ship parcels.")


def manifest_view(manifest: Manifest) -> dict[str, Any]:
    return {
        "id": manifest.id,
        "reference": manifest.reference,
        "fc_id": manifest.fc_id,
        "carrier_id": manifest.carrier_id,
        "carrier_code": manifest.carrier.code,
        "carrier_name": manifest.carrier.name,
        "status": str(manifest.status),
        "parcels": [
            {
                "id": package.id,
                "tracking_number": package.tracking_number,
                "sscc": package.sscc,
                "order_reference": package.order.reference,
                "weight_g": package.weight_g,
                "status": str(package.status),
            }
            for package in manifest.packages
        ],
        "weight_g": sum(package.weight_g for package in manifest.packages),
        "created_at": iso(manifest.created_at),
        "closed_at": iso(manifest.closed_at),
    }


def _visible_manifest(uow: UnitOfWork, actor: Actor, manifest_id: int) -> Manifest:
    _floor_role(actor)
    manifest = uow.session.get(Manifest, manifest_id)
    if manifest is None or not actor.works_in(manifest.fc_id):
        raise NotFound("No such manifest.", "manifest_id")
    return manifest


def open_manifest(
    uow: UnitOfWork, actor: Actor, fc_id: int, carrier_id: int, key: str | None
) -> tuple[dict[str, Any], bool]:
    """The carrier's open manifest at the FC, started now if there is none."""

    def perform() -> dict[str, Any]:
        _floor_role(actor)
        fc = visible_fc(uow, actor, fc_id)
        carrier = carrier_of(uow, fc, carrier_id)
        manifest = uow.session.scalar(
            select(Manifest).where(
                Manifest.fc_id == fc.id,
                Manifest.carrier_id == carrier.id,
                Manifest.status == ManifestStatus.OPEN,
            )
        )
        if manifest is None:
            manifest = Manifest(
                reference=f"NEW-{utcnow().timestamp()}-{actor.user_id}",
                fc_id=fc.id,
                carrier_id=carrier.id,
                carrier=carrier,
                created_by=actor.user_id,
                created_at=utcnow(),
            )
            uow.session.add(manifest)
            uow.session.flush()
            manifest.reference = f"MF-{fc.code}-{manifest.id:06d}"
        uow.session.flush()
        uow.session.refresh(manifest, ["packages"])
        return manifest_view(manifest)

    payload = {"fc_id": fc_id, "carrier_id": carrier_id}
    return run_once(uow, actor, key, "shipping.open", payload, perform)


def add_parcel(
    uow: UnitOfWork, actor: Actor, manifest_id: int, parcel: str, key: str | None
) -> tuple[dict[str, Any], bool]:
    """Scan a parcel (tracking number or SSCC) onto the manifest; another carrier's parcel is
    refused."""
    code = parcel.strip().upper()
    if not code:
        raise InvalidInput("Scan the parcel's label.", "parcel")
    # An SSCC comes as its 18 digits or as its element string, "00" + 18 digits.
    sscc = code[2:] if len(code) == 20 and code.startswith("00") else code

    def perform() -> dict[str, Any]:
        manifest = _visible_manifest(uow, actor, manifest_id)
        if manifest.status is not ManifestStatus.OPEN:
            raise Conflict("This manifest is closed.", "manifest_id")
        package = uow.session.scalar(
            select(Package).where(
                Package.fc_id == manifest.fc_id,
                or_(Package.tracking_number == code, Package.sscc == sscc),
            )
        )
        if package is None:
            raise NotFound(f"No parcel {code} at this FC.", "parcel")
        if package.carrier_id != manifest.carrier_id:
            raise Conflict(
                f"Parcel {code} goes with {package.carrier.name}, not {manifest.carrier.name}.",
                "parcel",
            )
        if package.manifest_id == manifest.id:
            pass
        elif package.status is not PackageStatus.PACKED:
            raise Conflict(f"Parcel {code} is {package.status}; it cannot ship.", "parcel")
        else:
            package.manifest_id = manifest.id
            package.status = PackageStatus.MANIFESTED
        uow.session.flush()
        uow.session.refresh(manifest, ["packages"])
        return manifest_view(manifest)

    payload = {"manifest_id": manifest_id, "parcel": code}
    return run_once(uow, actor, key, "shipping.add", payload, perform)


def close_manifest(
    uow: UnitOfWork, actor: Actor, manifest_id: int, key: str | None
) -> tuple[dict[str, Any], bool]:
    """Hand the manifest's parcels to the carrier: stock leaves, orders are shipped."""

    def perform() -> dict[str, Any]:
        manifest = _visible_manifest(uow, actor, manifest_id)
        if manifest.status is not ManifestStatus.OPEN:
            raise Conflict("This manifest is closed already.", "manifest_id")
        packages = [p for p in manifest.packages if p.status is PackageStatus.MANIFESTED]
        if not packages:
            raise Conflict("Scan at least one parcel onto the manifest first.", "manifest_id")
        now = utcnow()
        for package in packages:
            order = package.order
            picked = list(
                uow.session.scalars(
                    select(Allocation)
                    .options(joinedload(Allocation.location), joinedload(Allocation.sku))
                    .where(
                        Allocation.order_id == order.id,
                        Allocation.status == AllocationStatus.PICKED,
                    )
                )
            )
            allocation.lock_skus(uow, (item.sku for item in picked))
            for item in picked:
                stock.move_reserved(
                    uow,
                    actor,
                    sku=item.sku,
                    lot=item.lot,
                    source=item.location,
                    destination=None,
                    quantity=item.quantity,
                    reason=MovementReason.SHIPPED,
                    reference=f"{order.reference} {package.tracking_number}",
                    key=key,
                )
                item.status = AllocationStatus.SHIPPED
            package.status = PackageStatus.SHIPPED
            package.shipped_at = now
            order.shipped_at = now
            set_status(uow, order, OrderStatus.SHIPPED)
            emit(
                uow,
                "order.shipped",
                order.merchant_id,
                {
                    "order": order.reference,
                    "external_id": order.external_id,
                    "carrier": manifest.carrier.code,
                    "tracking_number": package.tracking_number,
                },
            )
        manifest.status = ManifestStatus.CLOSED
        manifest.closed_by = actor.user_id
        manifest.closed_at = now
        uow.session.flush()
        uow.session.refresh(manifest, ["packages"])
        return manifest_view(manifest)

    return run_once(uow, actor, key, "shipping.close", {"manifest_id": manifest_id}, perform)


def get_manifest(uow: UnitOfWork, actor: Actor, manifest_id: int) -> dict[str, Any]:
    with uow:
        return manifest_view(_visible_manifest(uow, actor, manifest_id))


def list_manifests(
    uow: UnitOfWork, actor: Actor, fc_id: int, status: ManifestStatus | None = None
) -> list[dict[str, Any]]:
    with uow:
        _floor_role(actor)
        fc = visible_fc(uow, actor, fc_id)
        query = select(Manifest).where(Manifest.fc_id == fc.id).order_by(Manifest.id.desc())
        if status is not None:
            query = query.where(Manifest.status == status)
        return [manifest_view(manifest) for manifest in uow.session.scalars(query.limit(100))]
