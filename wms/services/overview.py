"""What an FC holds, zone by zone: bins used and free, units on hand and reserved, SKUs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import distinct, func, select

from wms.db.models import Location, StockBalance, Zone
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.services.facilities import visible_fc
from wms.services.views import fc_view

FIGURES = ("bins_total", "bins_used", "bins_free", "on_hand", "reserved", "skus")


def fc_overview(uow: UnitOfWork, actor: Actor, fc_id: int) -> dict[str, Any]:
    """Per zone and for the whole FC: bins (total, used, free), units on hand and reserved, SKUs.

    A bin is used when it holds stock (units on hand). Staff and managers see only their FCs,
    admins every FC; anyone else gets NotFound.
    """
    with uow:
        fc = visible_fc(uow, actor, fc_id)
        session = uow.session
        zones = session.scalars(select(Zone).where(Zone.fc_id == fc.id).order_by(Zone.code)).all()
        bins_by_zone: dict[int, int] = {
            zone_id: count
            for zone_id, count in session.execute(
                select(Location.zone_id, func.count(Location.id))
                .where(Location.fc_id == fc.id)
                .group_by(Location.zone_id)
            )
        }
        held = (
            select(
                StockBalance.location_id,
                StockBalance.sku_id,
                StockBalance.on_hand,
                StockBalance.reserved,
            )
            .where(StockBalance.fc_id == fc.id, StockBalance.on_hand > 0)
            .subquery()
        )
        stock_by_zone: dict[int, tuple[int, int, int, int]] = {
            row.zone_id: (row.bins_used, row.on_hand, row.reserved, row.skus)
            for row in session.execute(
                select(
                    Location.zone_id.label("zone_id"),
                    func.count(distinct(held.c.location_id)).label("bins_used"),
                    func.coalesce(func.sum(held.c.on_hand), 0).label("on_hand"),
                    func.coalesce(func.sum(held.c.reserved), 0).label("reserved"),
                    func.count(distinct(held.c.sku_id)).label("skus"),
                )
                .join(held, held.c.location_id == Location.id)
                .group_by(Location.zone_id)
            )
        }
        fc_skus = session.scalar(select(func.count(distinct(held.c.sku_id)))) or 0
        zone_rows = [_zone_row(zone, bins_by_zone, stock_by_zone) for zone in zones]
        summary = fc_view(fc)
    totals: dict[str, int] = {
        name: sum(row[name] for row in zone_rows) for name in FIGURES if name != "skus"
    }
    # A SKU stored in two zones counts once for the FC.
    totals["skus"] = fc_skus
    return {"fc": summary, "zones": zone_rows, "totals": totals}


def _zone_row(
    zone: Zone,
    bins_by_zone: dict[int, int],
    stock_by_zone: dict[int, tuple[int, int, int, int]],
) -> dict[str, Any]:
    total = bins_by_zone.get(zone.id, 0)
    used, on_hand, reserved, skus = stock_by_zone.get(zone.id, (0, 0, 0, 0))
    return {
        "id": zone.id,
        "code": zone.code,
        "name": zone.name,
        "purpose": str(zone.purpose),
        "temperature_class": str(zone.temperature_class),
        "bins_total": total,
        "bins_used": used,
        "bins_free": total - used,
        "on_hand": int(on_hand),
        "reserved": int(reserved),
        "skus": skus,
    }
