"""Delivery planning at scale: 1,000 stops planned from one FC end to end through the use case.

On a SQLite database with the demo (KUL1 in Shah Alam), 1,000 shipped own-fleet parcels are
generated around the FC (neighbourhoods up to about 30 km away, a third with a delivery window,
some with cash on delivery, one or two parcels each) and a fleet of vans and motorbikes with
9-hour shifts. `deliveries.plan_deliveries` then gathers them, asks the road network
(great-circle x 1.3 at 30 km/h), solves and stores the draft; the time of each phase and the
total are printed against the 60 s goal. The stored plan is timed again with
`routing.vrp_check.evaluate` and must break no rule.

Baselines in the same run, on the same problem: nearest neighbour (each vehicle in turn drives
to the nearest stop it can still serve within capacity, window, shift and route hours, until
none is left), and one round trip per stop (a lower bound on no planning at all: the distance if
every parcel went out on its own).

    .venv/bin/python bench/deliveries.py [--stops 1000] [--time-limit 45] [--objective vehicles]
"""

from __future__ import annotations

import argparse
import math
import random
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from routing.vrp import Problem
from routing.vrp_check import evaluate
from routing.vrp_solver import warm_up
from wms.bootstrap import road_setup
from wms.db.models import Carrier, FulfillmentCenter, Merchant, Order, Package, User
from wms.db.session import make_engine, make_session_factory
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Role
from wms.domain.deliveries import PlanObjective, VehicleDetails
from wms.domain.orders import OrderStatus
from wms.domain.packing import PackageStatus
from wms.migrate import upgrade
from wms.services import auth, deliveries, demo, fleet
from wms.services.demo_deliveries import AREAS, JITTER_KM, KM_PER_DEGREE, RECIPIENTS
from wms.settings import load_settings

GOAL_SECONDS = 60.0
VANS = 24
BIKES = 8
WINDOWS = [(clock(9), clock(12)), (clock(12), clock(15)), (clock(14), clock(18))]


def _point(rng: random.Random, latitude: float, longitude: float) -> tuple[float, float]:
    spread = 2.5 * JITTER_KM
    distance = spread * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    north = distance * math.cos(bearing) / KM_PER_DEGREE
    east = distance * math.sin(bearing) / (KM_PER_DEGREE * math.cos(math.radians(latitude)))
    return round(latitude + north, 6), round(longitude + east, 6)


def generate(url: str, stops: int, seed: int) -> tuple[UnitOfWork, int, object]:
    """The demo plus shipped own-fleet parcels up to `stops` orders at KUL1, and the fleet."""
    upgrade(url)
    uow = UnitOfWork(make_session_factory(make_engine(url)))
    demo.load(uow)
    rng = random.Random(seed)
    with uow:
        fc = uow.session.scalars(
            select(FulfillmentCenter).where(FulfillmentCenter.code == "KUL1")
        ).one()
        carrier = uow.session.scalars(
            select(Carrier).where(Carrier.fc_id == fc.id, Carrier.own_fleet.is_(True))
        ).one()
        merchant = uow.session.scalars(select(Merchant).order_by(Merchant.id)).first()
        assert merchant is not None
        waiting = deliveries.waiting_parcels(fc.id)
        already = len(uow.session.scalars(waiting).all())
        now = datetime.now(UTC)
        for number in range(stops - already):
            area, latitude, longitude, postcode, streets = rng.choice(AREAS["KUL1"])
            name, phone = RECIPIENTS["KUL1"][number % len(RECIPIENTS["KUL1"])]
            window = WINDOWS[number % 3] if number % 3 == 0 else None
            lat, lon = _point(rng, latitude, longitude)
            order = Order(
                reference=f"SO-KUL1-B{number:06d}",
                merchant_id=merchant.id,
                fc_id=fc.id,
                channel="shopee",
                external_id=f"BENCH-{uuid.uuid4().hex[:12]}",
                status=OrderStatus.SHIPPED,
                carrier_id=carrier.id,
                ship_by=now,
                recipient_name=name,
                recipient_phone=phone,
                address=f"{rng.randint(1, 200)}, {rng.choice(streets)}",
                city=area,
                postcode=postcode,
                country="MY",
                cod_amount=Decimal("49.90") if number % 4 == 1 else Decimal("0"),
                currency="MYR",
                min_remaining_days=5,
                delivery_latitude=lat,
                delivery_longitude=lon,
                delivery_window_open=window[0] if window else None,
                delivery_window_close=window[1] if window else None,
                shipped_at=now,
            )
            uow.session.add(order)
            uow.session.flush()
            for parcel in range(1 if number % 5 else 2):
                uow.session.add(
                    Package(
                        fc_id=fc.id,
                        order_id=order.id,
                        carrier_id=carrier.id,
                        status=PackageStatus.SHIPPED,
                        tracking_number=f"PVB{number:07d}{parcel}",
                        carton_code="M",
                        length_mm=300,
                        width_mm=220,
                        height_mm=150,
                        weight_g=rng.randint(300, 4000),
                        shipped_at=now,
                    )
                )
        fc_id = fc.id
        admin_id = uow.session.scalars(select(User.id).where(User.role == Role.ADMIN)).one()
        uow.commit()
    admin = auth.actor_for_user(uow, admin_id)
    assert admin is not None
    for number in range(VANS + BIKES):
        bike = number >= VANS
        fleet.create_vehicle(
            uow,
            admin,
            fc_id,
            VehicleDetails(
                name=f"Bench {'bike' if bike else 'van'} {number + 1:02d}",
                plate=f"BNC {number + 1:04d}",
                capacity_kg=25 if bike else 1000,
                capacity_litres=90 if bike else 6000,
                capacity_parcels=15 if bike else 120,
                fixed_cost=Decimal("60") if bike else Decimal("180"),
                cost_per_km=Decimal("0.20") if bike else Decimal("0.85"),
                shift_start=clock(8),
                shift_end=clock(18),
                max_route_hours=9,
            ),
        )
    return uow, fc_id, admin


def nearest_neighbour(problem: Problem) -> dict[str, list[str]]:
    """Each vehicle in turn drives to the nearest stop it can still serve, until none is left."""
    distances, durations = problem.distance_matrix, problem.duration_matrix
    left = {stop.id: stop for stop in problem.stops}
    routes: dict[str, list[str]] = {}
    for vehicle in problem.vehicles:
        if not left:
            break
        shift = vehicle.shift
        assert shift is not None
        place, now, load, route = problem.depot, shift.open, [0.0] * len(vehicle.capacity), []
        while True:
            best = None
            for stop in sorted(left.values(), key=lambda s: distances[place, s.location]):
                arrival = now + durations[place, stop.location]
                start = max(arrival, stop.window.open) if stop.window else arrival
                if stop.window and start > stop.window.close:
                    continue
                if any(
                    have + need > room
                    for have, need, room in zip(load, stop.demand, vehicle.capacity, strict=True)
                ):
                    continue
                back = start + stop.service_time + durations[stop.location, problem.depot]
                if back > shift.close or back - shift.open > (vehicle.max_duration or math.inf):
                    continue
                best = (stop, start + stop.service_time)
                break
            if best is None:
                break
            stop, now = best
            place = stop.location
            load = [have + need for have, need in zip(load, stop.demand, strict=True)]
            route.append(stop.id)
            del left[stop.id]
        if route:
            routes[vehicle.id] = route
    return routes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stops", type=int, default=1000, help="deliveries to plan")
    parser.add_argument(
        "--time-limit", type=float, default=45.0, help="the solver's time limit, seconds"
    )
    parser.add_argument("--objective", choices=[o.value for o in PlanObjective], default="vehicles")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        began = time.perf_counter()
        uow, fc_id, admin = generate(url, args.stops, args.seed)
        print(
            f"set-up: demo + {args.stops} shipped parcels at KUL1, {VANS} vans and {BIKES} "
            f"motorbikes, in {time.perf_counter() - began:.1f} s"
        )
        began = time.perf_counter()
        warm_up()
        print(
            f"solver warm-up (numba cache, once per process): {time.perf_counter() - began:.1f} s"
        )

        roads = road_setup(load_settings(environ={}))
        day = datetime.now(ZoneInfo("Asia/Kuala_Lumpur")).date() + timedelta(days=1)
        request = deliveries.PlanRequest(
            fc_id=fc_id,
            delivery_date=day,
            objective=PlanObjective(args.objective),
            time_limit_s=args.time_limit,
        )
        began = time.perf_counter()
        plan, _ = deliveries.plan_deliveries(
            uow, admin, request, roads, f"bench-{uuid.uuid4().hex}"
        )
        total = time.perf_counter() - began
        timings = plan["timings_ms"]
        print()
        print(
            f"plan {plan['reference']}: {plan['stops']} stops on {plan['routes_used']} of "
            f"{len(plan['routes'])} vehicles, {plan['left_out']} left out, "
            f"{plan['distance_m'] / 1000:,.1f} km, MYR {Decimal(plan['cost']):,.2f}"
        )
        print("| phase | seconds |")
        print("|---|---|")
        for phase in ("gather", "road_matrices", "solve", "store"):
            print(f"| {phase.replace('_', ' ')} | {timings[phase] / 1000:.2f} |")
        other = total - sum(timings.values()) / 1000
        print(f"| views, idempotency record | {other:.2f} |")
        print(f"| total, end to end | {total:.2f} (goal <= {GOAL_SECONDS:.0f}) |")

        problem, sequences, unserved = deliveries.plan_problem(uow, admin, plan["id"], roads)
        check = evaluate(problem, sequences, unserved)
        verdict = "feasible" if check.feasible else "; ".join(check.violations[:3])
        print(f"stored plan re-checked by vrp_check: {verdict}")

        began = time.perf_counter()
        greedy = evaluate(problem, nearest_neighbour(problem))
        greedy_s = time.perf_counter() - began
        served = sum(len(route.visits) for route in greedy.plan.routes)
        print()
        print("| plan | vehicles | stops served | km | cost (MYR) |")
        print("|---|---|---|---|---|")
        print(
            f"| planner ({args.objective}, {args.time_limit:g} s) | {check.plan.vehicles} | "
            f"{sum(len(r.visits) for r in check.plan.routes)} | "
            f"{check.plan.distance / 1000:,.1f} | "
            f"{check.plan.cost:,.2f} |"
        )
        print(
            f"| nearest neighbour ({greedy_s:.1f} s) | {greedy.plan.vehicles} | {served} | "
            f"{greedy.plan.distance / 1000:,.1f} | {greedy.plan.cost:,.2f} |"
        )
        alone = sum(
            problem.distance_matrix[0, stop.location] + problem.distance_matrix[stop.location, 0]
            for stop in problem.stops
        )
        print(
            f"| one round trip per stop | {len(problem.stops)} | {len(problem.stops)} | "
            f"{alone / 1000:,.1f} | - |"
        )
        if served and greedy.feasible:
            print()
            print(
                "planner / nearest neighbour: distance "
                f"{check.plan.distance / greedy.plan.distance:.3f}, "
                f"vehicles {check.plan.vehicles / greedy.plan.vehicles:.3f}, "
                f"cost {check.plan.cost / greedy.plan.cost:.3f}"
                + (
                    ""
                    if served == len(problem.stops)
                    else f" (nearest neighbour left {len(problem.stops) - served} out)"
                )
            )
        verdict = "met" if total <= GOAL_SECONDS and check.feasible else "NOT met"
        print(
            f"goal: {args.stops} stops planned end to end in <= {GOAL_SECONDS:.0f} s: "
            f"{verdict} ({total:.1f} s)"
        )


if __name__ == "__main__":
    main()
