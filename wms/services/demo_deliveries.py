"""The demo's own-fleet deliveries: each FC's location, its vans and motorbikes, its drivers,
and a day's parcels for the own fleet, picked, packed and shipped through the floor's use cases,
to addresses spread over about 30 km around the FC, some with a time window or cash on
delivery, so a manager can plan the day's routes at once."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.deliveries import DriverDetails, VehicleDetails
from wms.domain.orders import NewOrder, NewOrderLine
from wms.domain.waves import CartLimits
from wms.services import carriers, facilities, fleet, orders, packing, picking, shipping, waves

DEPOTS = {"KUL1": (3.0553, 101.5265), "CGK1": (-6.2940, 107.1530)}
"""Where the FCs are: Shah Alam (Selangor) and the Jababeka estate in Cikarang (Bekasi)."""

# (name, latitude, longitude, postcode, street names) of the neighbourhoods parcels go to.
AREAS = {
    "KUL1": [
        ("Shah Alam", 3.0733, 101.4905, "40000", ("Jalan Plumbum 7/102", "Persiaran Kayangan")),
        ("Klang", 3.0449, 101.4456, "41200", ("Jalan Meru", "Jalan Kapar")),
        ("Setia Alam", 3.1040, 101.4540, "40170", ("Jalan Setia Prima", "Persiaran Setia Dagang")),
        ("Subang Jaya", 3.0567, 101.5851, "47500", ("Jalan SS15/4", "Jalan USJ 2/3")),
        ("Bandar Sunway", 3.0680, 101.6030, "47500", ("Jalan PJS 11/28", "Jalan Lagoon Selatan")),
        ("Petaling Jaya", 3.1190, 101.6230, "47300", ("Jalan SS2/24", "Jalan 17/45")),
        ("Kota Damansara", 3.1500, 101.5800, "47810", ("Jalan PJU 5/1", "Jalan Teknologi")),
        ("Bangsar", 3.1290, 101.6780, "59100", ("Jalan Telawi 3", "Jalan Maarof")),
        ("Kuala Lumpur", 3.1579, 101.7116, "50450", ("Jalan Ampang", "Jalan Sultan Ismail")),
        ("Puchong", 3.0253, 101.6170, "47100", ("Jalan Kenari 5", "Jalan Puteri 2/4")),
        ("Cyberjaya", 2.9213, 101.6559, "63000", ("Persiaran Multimedia", "Jalan Teknokrat 3")),
        ("Kepong", 3.2100, 101.6400, "52100", ("Jalan Kepong", "Jalan Metro Prima")),
    ],
    "CGK1": [
        ("Cikarang", -6.2900, 107.1600, "17530", ("Jl. Niaga Raya", "Jl. Kasuari")),
        ("Lippo Cikarang", -6.3330, 107.1370, "17550", ("Jl. Madiun", "Jl. Permata Boulevard")),
        ("Cibitung", -6.2600, 107.0850, "17520", ("Jl. Raya Setu", "Jl. Sentra Bisnis")),
        ("Tambun", -6.2600, 107.0540, "17510", ("Jl. Sultan Hasanudin", "Jl. Mangga")),
        ("Bekasi", -6.2383, 106.9756, "17141", ("Jl. Ahmad Yani No. 12", "Jl. Kalimalang")),
        ("Bekasi Timur", -6.2470, 107.0250, "17113", ("Jl. Pahlawan", "Jl. Raya Narogong")),
        ("Setu", -6.3530, 107.0280, "17320", ("Jl. Raya Setu", "Jl. Burangkeng")),
        ("Karawang", -6.3063, 107.3019, "41311", ("Jl. Tuparev", "Jl. Galuh Mas Raya")),
        ("Kedungwaringin", -6.2430, 107.2300, "17540", ("Jl. Raya Kedung", "Jl. Pasar Baru")),
        ("Cileungsi", -6.3970, 106.9590, "16820", ("Jl. Raya Narogong", "Jl. Cileungsi")),
    ],
}

RECIPIENTS = {
    "KUL1": [
        ("Nurul Aisyah binti Ahmad", "+60 12-384 5521"),
        ("Tan Wei Ming", "+60 16-229 8830"),
        ("Siti Hajar Ismail", "+60 13-771 0456"),
        ("Rajesh a/l Kumar", "+60 17-540 9912"),
        ("Lee Mei Ling", "+60 12-660 1834"),
        ("Muhammad Hafiz bin Yusof", "+60 19-208 7731"),
        ("สมศรี ใจดี", "+60 11-2345 6789"),
        ("Nguyễn Thị Hương", "+60 11-3456 7812"),
        ("Kavitha a/p Subramaniam", "+60 14-902 3375"),
        ("Wong Jia Hui", "+60 18-775 2206"),
    ],
    "CGK1": [
        ("Putri Ayu Lestari", "+62 812-3456-7890"),
        ("Budi Hartono", "+62 813-9988-1122"),
        ("Dewi Sartika", "+62 821-7766-5544"),
        ("Andi Pratama", "+62 857-1122-3344"),
        ("Siti Rahmawati", "+62 878-5566-7788"),
        ("Yohanes Simanjuntak", "+62 811-2233-4455"),
        ("วิภาวดี ศรีสุข", "+62 812-9090-1212"),
        ("Rina Wulandari", "+62 896-4433-2211"),
    ],
}

# (name, plate, kg, litres, parcels, cost a day, cost per km, shift, max hours) per FC.
FLEETS = {
    "KUL1": [
        ("Van 1 · Toyota Hiace", "BNM 4512", 1000, 6000, 120, "180.00", "0.85", (8, 18), 9.0),
        ("Van 2 · Nissan NV350", "BPK 2087", 1000, 5500, 110, "170.00", "0.80", (8, 18), 9.0),
        ("Van 3 · Daihatsu Gran Max", "WYD 7731", 650, 3200, 70, "140.00", "0.60", (8, 17), 8.0),
        ("Bike 1 · Honda Wave 125", "BKC 316", 25, 90, 15, "60.00", "0.20", (9, 18), 8.0),
        ("Bike 2 · Yamaha LC135", "WVQ 5408", 25, 90, 15, "60.00", "0.20", (9, 18), 8.0),
    ],
    "CGK1": [
        ("Van 1 · Daihatsu Gran Max", "B 9142 FCK", 700, 3200, 80, "350000", "3500", (7, 17), 9.0),
        ("Van 2 · Suzuki Carry", "B 9377 FCK", 700, 3000, 75, "330000", "3200", (7, 17), 9.0),
        ("Van 3 · Mitsubishi L300", "B 9518 FCK", 1000, 5000, 110, "420000", "4200", (7, 17), 9.0),
        ("Bike 1 · Honda Beat", "B 4471 KCB", 20, 80, 12, "120000", "1200", (8, 17), 8.0),
        ("Bike 2 · Yamaha NMAX", "B 5203 KCB", 25, 90, 15, "130000", "1300", (8, 17), 8.0),
    ],
}

DRIVERS = {
    "KUL1": [
        ("Ahmad Faizal bin Osman", "+60 12-318 4470"),
        ("Lim Chee Keong", "+60 16-512 9083"),
        ("Muthu a/l Rajan", "+60 17-266 1459"),
        ("Nurul Izzah binti Kamal", "+60 13-840 2271"),
        ("Wong Kah Wai", "+60 19-377 6610"),
        ("Siti Aminah binti Zakaria", "+60 11-1092 4435"),
    ],
    "CGK1": [
        ("Agus Setiawan", "+62 812-7001-2231"),
        ("Rudi Hartono", "+62 813-4410-9870"),
        ("Joko Susilo", "+62 857-3321-0098"),
        ("Sri Wahyuni", "+62 821-6654-1207"),
        ("Dedi Kurniawan", "+62 878-2290-4416"),
    ],
}

# Baskets that travel well at ambient temperature, one parcel each.
BASKETS = [
    ("SIAMFRUIT", {"SF-MANGO-200": 2}),
    ("CHABATEA", {"CB-THAITEA-400": 1}),
    ("HERBSIAM", {"HS-BALM-50": 2, "HS-SOAP-JASMINE": 1}),
    ("SIAMFRUIT", {"SF-DURIAN-100": 1, "SF-COCONUT-120": 1}),
    ("CHABATEA", {"CB-GREENTEA-200": 1, "CB-DRIPBAG-10": 1}),
    ("HERBSIAM", {"HS-SCRUB-100": 1}),
    ("SIAMFRUIT", {"SF-BANANA-150": 3}),
    ("CHABATEA", {"CB-DOICHANG-250": 2}),
]
WINDOWS = [(time(9, 0), time(12, 0)), (time(13, 0), time(17, 0)), (time(10, 0), time(14, 0))]
COD_AMOUNTS = {
    "KUL1": ["25.90", "49.00", "89.50", "129.00", "189.00"],
    "CGK1": ["45000", "99000", "185000", "349000", "750000"],
}
PARCELS_PER_FC = 40
JITTER_KM = 1.2
KM_PER_DEGREE = 111.32


def load(
    uow: UnitOfWork, admin: Actor, staff: dict[str, Actor], merchant_ids: dict[str, int]
) -> None:
    """Locations, fleets, drivers and a day's shipped parcels for each demo FC."""
    for fc in facilities.list_fcs(uow, admin):
        code = fc["code"]
        if code not in DEPOTS:
            continue
        facilities.set_location(uow, admin, fc["id"], *DEPOTS[code])
        _fleet(uow, admin, fc["id"], code)
        _ship_parcels(uow, admin, staff[code], fc, merchant_ids)


def _fleet(uow: UnitOfWork, admin: Actor, fc_id: int, code: str) -> None:
    for name, plate, kg, litres, parcels, day, per_km, (start, end), hours in FLEETS[code]:
        fleet.create_vehicle(
            uow,
            admin,
            fc_id,
            VehicleDetails(
                name=name,
                plate=plate,
                capacity_kg=kg,
                capacity_litres=litres,
                capacity_parcels=parcels,
                fixed_cost=Decimal(day),
                cost_per_km=Decimal(per_km),
                shift_start=time(start),
                shift_end=time(end),
                max_route_hours=hours,
            ),
        )
    for name, phone in DRIVERS[code]:
        fleet.create_driver(uow, admin, fc_id, DriverDetails(name=name, phone=phone))


def _near(rng: random.Random, latitude: float, longitude: float) -> tuple[float, float]:
    """A point within JITTER_KM of a neighbourhood's centre."""
    distance = JITTER_KM * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    north = distance * math.cos(bearing) / KM_PER_DEGREE
    east = distance * math.sin(bearing) / (KM_PER_DEGREE * math.cos(math.radians(latitude)))
    return round(latitude + north, 6), round(longitude + east, 6)


def _ship_parcels(
    uow: UnitOfWork,
    admin: Actor,
    staff: Actor,
    fc: dict[str, Any],
    merchant_ids: dict[str, int],
) -> None:
    """Own-fleet orders placed, waved, picked, packed and shipped by the FC's staff."""
    code = fc["code"]
    own = next(c for c in carriers.list_carriers(uow, admin, fc["id"]) if c["own_fleet"])
    rng = random.Random(f"deliveries-{code}")  # noqa: S311 - demo data
    now = datetime.now(UTC)
    for number in range(PARCELS_PER_FC):
        merchant, basket = BASKETS[number % len(BASKETS)]
        area, latitude, longitude, postcode, streets = rng.choice(AREAS[code])
        name, phone = RECIPIENTS[code][number % len(RECIPIENTS[code])]
        window = WINDOWS[number % len(WINDOWS)] if number % 3 == 0 else None
        cod = COD_AMOUNTS[code][number % 5] if number % 5 in (1, 3) else "0"
        point = _near(rng, latitude, longitude)
        orders.create_order(
            uow,
            admin,
            NewOrder(
                fc_id=fc["id"],
                carrier_id=own["id"],
                external_id=f"DEMO-{code}-PVL-{number + 1:04d}",
                channel=("shopee", "lazada", "tiktok")[number % 3],
                ship_by=now + timedelta(hours=4),
                recipient_name=name,
                recipient_phone=phone,
                address=f"{rng.randint(1, 120)}, {rng.choice(streets)}",
                city=area,
                postcode=postcode,
                country=fc["country"],
                lines=tuple(NewOrderLine(sku, units) for sku, units in basket.items()),
                cod_amount=Decimal(cod),
                merchant_id=merchant_ids[merchant],
                delivery_latitude=point[0],
                delivery_longitude=point[1],
                delivery_window_open=window[0] if window else None,
                delivery_window_close=window[1] if window else None,
            ),
            f"demo-delivery-{code}-{number}",
        )
    request = waves.WaveRequest(
        fc_id=fc["id"], carrier_id=own["id"], cart=CartLimits(max_orders=12), time_limit_s=0.5
    )
    wave, _ = waves.plan_wave(uow, admin, request, f"demo-wave-{code}")
    waves.release_wave(uow, admin, wave["id"], f"demo-wave-release-{code}")
    totes: list[str] = []
    for trip in wave["batches"]:
        totes += _pick(uow, staff, trip["id"], code)
    manifest, _ = shipping.open_manifest(uow, staff, fc["id"], own["id"], f"demo-mf-{code}")
    for tote in totes:
        parcel = _pack(uow, staff, fc["id"], tote)
        shipping.add_parcel(
            uow, staff, manifest["id"], parcel["tracking_number"], f"demo-mf-{tote}"
        )
    shipping.close_manifest(uow, staff, manifest["id"], f"demo-mf-close-{code}")


def _pick(uow: UnitOfWork, staff: Actor, trip_id: int, code: str) -> list[str]:
    """Pick a trip into one tote per order; the totes' codes."""
    trip, _ = picking.start_batch(uow, staff, trip_id, f"demo-start-{trip_id}")
    codes: dict[int, str] = {}
    for tote in trip["totes"]:
        tote_code = f"T{code}-{trip_id}-{tote['slot']}"
        picking.assign_tote(uow, staff, trip_id, tote["slot"], tote_code, f"demo-tote-{tote_code}")
        codes[tote["slot"]] = tote_code
    for pick in trip["picks"]:
        scan = picking.PickConfirmation(
            location_code=pick["location_code"],
            gtin=pick["gtin"],
            quantity=pick["quantity"],
            tote_code=codes[pick["slot"]],
            lot_number=pick["lot_number"],
        )
        picking.confirm_pick(uow, staff, pick["id"], scan, f"demo-pick-{pick['id']}")
    return list(codes.values())


def _pack(uow: UnitOfWork, staff: Actor, fc_id: int, tote: str) -> dict[str, Any]:
    parcel, _ = packing.start_packing(uow, staff, fc_id, tote, f"demo-pack-{tote}")
    for item in parcel["items"]:
        for unit in range(item["expected"]):
            parcel, _ = packing.verify_item(
                uow,
                staff,
                parcel["id"],
                item["gtin"],
                item["lot_number"],
                f"demo-verify-{tote}-{item['sku_id']}-{item['lot_id']}-{unit}",
            )
    weight = parcel["content_weight_g"] + 180
    parcel, _ = packing.close_package(
        uow, staff, parcel["id"], parcel["suggested_carton"], weight, f"demo-close-{tote}"
    )
    return parcel
