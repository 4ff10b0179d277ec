"""Demo data that looks like a real network: two FCs, three Thai merchants, stock and logins.

Everything is created through the same use cases the API calls, so the demo's stock is in the
ledger like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, select

from wms.db.models import FulfillmentCenter, User
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor, Role
from wms.domain.catalogue import TemperatureClass, ZonePurpose
from wms.domain.commands import AdjustStock, SkuDetails
from wms.domain.consignments import (
    AsnLine,
    CartonPlan,
    ConsignmentHeader,
    ConsignmentStatus,
    ShipmentMode,
)
from wms.domain.identifiers import with_check_digit
from wms.domain.layout import RackLayout
from wms.domain.orders import NewOrder, NewOrderLine
from wms.domain.stock import MovementReason
from wms.services import (
    auth,
    carriers,
    catalogue,
    consignments,
    demo_deliveries,
    facilities,
    orders,
    printing,
    stock,
)
from wms.services.paging import PageRequest
from wms.services.printing import PrinterDetails

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - published demo credential
ADMIN_EMAIL = "admin@pavilion.test"

FCS = [
    {
        "code": "KUL1",
        "name": "Pavilion KUL1 Shah Alam",
        "city": "Shah Alam",
        "country": "MY",
        "currency": "MYR",
        "timezone": "Asia/Kuala_Lumpur",
    },
    {
        "code": "CGK1",
        "name": "Pavilion CGK1 Cikarang",
        "city": "Cikarang",
        "country": "ID",
        "currency": "IDR",
        "timezone": "Asia/Jakarta",
    },
]


@dataclass(frozen=True)
class ZonePlan:
    code: str
    name: str
    temperature: TemperatureClass
    purpose: ZonePurpose
    layout: RackLayout


ZONES = [
    ZonePlan(
        "AMB",
        "Ambient racking",
        TemperatureClass.AMBIENT,
        ZonePurpose.STORAGE,
        RackLayout(
            aisles=("A", "B", "C", "D", "E", "F", "G", "H"),
            bays=8,
            levels=4,
            origin_x=10.0,
            origin_y=5.0,
            pickable_levels=(1, 2),
        ),
    ),
    ZonePlan(
        "CHL",
        "Chilled room 2-8 °C",
        TemperatureClass.CHILLED,
        ZonePurpose.STORAGE,
        RackLayout(
            aisles=("R", "S"),
            bays=6,
            levels=3,
            origin_x=40.0,
            origin_y=5.0,
            volume_cm3=180_000,
            max_weight_g=100_000,
            pickable_levels=(1, 2),
        ),
    ),
    ZonePlan(
        "CAGE",
        "High-value cage",
        TemperatureClass.AMBIENT,
        ZonePurpose.HIGH_VALUE,
        RackLayout(
            aisles=("V",),
            bays=4,
            levels=3,
            origin_x=48.0,
            origin_y=5.0,
            volume_cm3=60_000,
            max_weight_g=40_000,
        ),
    ),
    ZonePlan(
        "RCV",
        "Receiving dock",
        TemperatureClass.AMBIENT,
        ZonePurpose.RECEIVING,
        RackLayout(
            aisles=("RCV",),
            bays=6,
            levels=1,
            origin_x=0.0,
            origin_y=0.0,
            bay_width_m=4.0,
            volume_cm3=2_000_000,
            max_weight_g=1_000_000,
        ),
    ),
    ZonePlan(
        "QUA",
        "Quarantine",
        TemperatureClass.AMBIENT,
        ZonePurpose.QUARANTINE,
        RackLayout(
            aisles=("QUA",),
            bays=4,
            levels=1,
            origin_x=0.0,
            origin_y=30.0,
            bay_width_m=2.0,
            volume_cm3=1_000_000,
            max_weight_g=500_000,
        ),
    ),
    ZonePlan(
        "DSP",
        "Dispatch",
        TemperatureClass.AMBIENT,
        ZonePurpose.DISPATCH,
        # Packing benches in a row in front of the racking, where pick trips start and end.
        RackLayout(
            aisles=("D1", "D2", "D3", "D4"),
            bays=1,
            levels=1,
            origin_x=14.0,
            origin_y=-2.0,
            aisle_spacing_m=4.0,
            volume_cm3=2_000_000,
            max_weight_g=1_000_000,
        ),
    ),
]

MERCHANTS = [
    ("SIAMFRUIT", "Siam Dried Fruit Co., Ltd.", "บริษัท สยามผลไม้อบแห้ง จำกัด", "8851961"),
    ("CHABATEA", "Chaba Thai Tea & Coffee", "ชบา ชาไทยและกาแฟ", "8852340"),
    ("HERBSIAM", "Herb Siam Cosmetics", "เฮิร์บสยาม เครื่องสำอางสมุนไพร", "8853577"),
]

# (merchant, code, English name, Thai name, (L, W, H mm), grams, temperature, shelf life days,
#  HS code, declared value THB)
SKUS = [
    (
        "SIAMFRUIT",
        "SF-MANGO-200",
        "Dried mango slices 200 g",
        "มะม่วงอบแห้ง 200 กรัม",
        (180, 120, 40),
        215,
        TemperatureClass.AMBIENT,
        365,
        "081340",
        "89.00",
    ),
    (
        "SIAMFRUIT",
        "SF-DURIAN-100",
        "Freeze-dried durian 100 g",
        "ทุเรียนฟรีซดราย 100 กรัม",
        (200, 140, 60),
        120,
        TemperatureClass.AMBIENT,
        540,
        "081340",
        "259.00",
    ),
    (
        "SIAMFRUIT",
        "SF-TAMARIND-250",
        "Sweet tamarind 250 g",
        "มะขามหวาน 250 กรัม",
        (220, 150, 50),
        260,
        TemperatureClass.AMBIENT,
        270,
        "081090",
        "75.00",
    ),
    (
        "SIAMFRUIT",
        "SF-BANANA-150",
        "Crispy banana chips 150 g",
        "กล้วยกรอบ 150 กรัม",
        (200, 130, 60),
        160,
        TemperatureClass.AMBIENT,
        300,
        "200899",
        "45.00",
    ),
    (
        "SIAMFRUIT",
        "SF-COCONUT-120",
        "Toasted coconut chips 120 g",
        "มะพร้าวอบกรอบ 120 กรัม",
        (190, 120, 60),
        130,
        TemperatureClass.AMBIENT,
        365,
        "200819",
        "55.00",
    ),
    (
        "CHABATEA",
        "CB-THAITEA-400",
        "Thai tea mix 400 g",
        "ชาไทยปรุงสำเร็จ 400 กรัม",
        (160, 100, 60),
        420,
        TemperatureClass.AMBIENT,
        730,
        "090240",
        "120.00",
    ),
    (
        "CHABATEA",
        "CB-GREENTEA-200",
        "Thai green tea leaves 200 g",
        "ใบชาเขียวไทย 200 กรัม",
        (150, 90, 50),
        210,
        TemperatureClass.AMBIENT,
        730,
        "090210",
        "95.00",
    ),
    (
        "CHABATEA",
        "CB-DOICHANG-250",
        "Doi Chang arabica beans 250 g",
        "เมล็ดกาแฟอาราบิก้าดอยช้าง 250 กรัม",
        (180, 90, 60),
        265,
        TemperatureClass.AMBIENT,
        365,
        "090121",
        "320.00",
    ),
    (
        "CHABATEA",
        "CB-MILKTEA-RTD",
        "Thai milk tea, ready to drink 250 ml",
        "ชานมไทยพร้อมดื่ม 250 มล.",
        (60, 60, 130),
        280,
        TemperatureClass.CHILLED,
        30,
        "220299",
        "35.00",
    ),
    (
        "CHABATEA",
        "CB-DRIPBAG-10",
        "Drip coffee bags, 10 pack",
        "กาแฟดริปแบบซอง 10 ซอง",
        (170, 110, 70),
        140,
        TemperatureClass.AMBIENT,
        540,
        "090121",
        "150.00",
    ),
    (
        "HERBSIAM",
        "HS-BALM-50",
        "Herbal balm 50 g",
        "ยาหม่องสมุนไพร 50 กรัม",
        (60, 60, 40),
        75,
        TemperatureClass.AMBIENT,
        1095,
        "330499",
        "99.00",
    ),
    (
        "HERBSIAM",
        "HS-SCRUB-100",
        "Tamarind facial scrub 100 g",
        "สครับมะขามขัดหน้า 100 กรัม",
        (80, 80, 60),
        130,
        TemperatureClass.AMBIENT,
        730,
        "330499",
        "159.00",
    ),
    (
        "HERBSIAM",
        "HS-SOAP-JASMINE",
        "Jasmine rice milk soap",
        "สบู่น้ำนมข้าวหอมมะลิ",
        (90, 60, 35),
        110,
        TemperatureClass.AMBIENT,
        1095,
        "340111",
        "69.00",
    ),
    (
        "HERBSIAM",
        "HS-SERUM-TURMERIC",
        "Turmeric brightening serum 30 ml",
        "เซรั่มขมิ้นชันหน้าใส 30 มล.",
        (40, 40, 110),
        90,
        TemperatureClass.AMBIENT,
        730,
        "330499",
        "890.00",
    ),
    (
        "HERBSIAM",
        "HS-ALOE-GEL",
        "Fresh aloe vera gel 200 ml",
        "เจลว่านหางจระเข้สด 200 มล.",
        (70, 70, 150),
        230,
        TemperatureClass.CHILLED,
        120,
        "330499",
        "129.00",
    ),
]

USERS = [
    (ADMIN_EMAIL, "Ploy Admin", Role.ADMIN, None, ()),
    ("manager.kul1@pavilion.test", "Aisyah Rahman", Role.MANAGER, None, ("KUL1",)),
    ("staff.kul1@pavilion.test", "Hafiz Ismail", Role.STAFF, None, ("KUL1",)),
    ("manager.cgk1@pavilion.test", "Dewi Lestari", Role.MANAGER, None, ("CGK1",)),
    ("staff.cgk1@pavilion.test", "Budi Santoso", Role.STAFF, None, ("CGK1",)),
    ("owner@siamfruit.test", "Somchai Jaidee", Role.MERCHANT, "SIAMFRUIT", ()),
    ("owner@chaba-tea.test", "Malee Srisuk", Role.MERCHANT, "CHABATEA", ()),
    ("owner@herbsiam.test", "Nattaya Boonmee", Role.MERCHANT, "HERBSIAM", ()),
]


def demo_logins() -> list[tuple[str, str]]:
    return [(str(role), email) for email, _, role, _, _ in USERS]


def _has_data(uow: UnitOfWork) -> bool:
    with uow:
        return bool(uow.session.scalar(select(exists().where(FulfillmentCenter.id.is_not(None)))))


def load(uow: UnitOfWork, *, if_empty: bool = False, today: date | None = None) -> bool:
    """Load the demo; with `if_empty`, only into a database without FCs. True if loaded."""
    if if_empty and _has_data(uow):
        return False
    today = today or date.today()  # noqa: DTZ011 - expiry dates are calendar dates
    admin_view = auth.create_user(
        uow,
        email=ADMIN_EMAIL,
        name="Ploy Admin",
        password=DEMO_PASSWORD,
        role=Role.ADMIN,
    )
    admin = Actor(user_id=admin_view["id"], role=Role.ADMIN, name=admin_view["name"])

    fcs = {data["code"]: facilities.create_fc(uow, admin, data) for data in FCS}
    zone_ids: dict[tuple[str, str], int] = {}
    for fc_code, fc in fcs.items():
        for plan in ZONES:
            zone = facilities.create_zone(
                uow,
                admin,
                fc["id"],
                {
                    "code": plan.code,
                    "name": plan.name,
                    "temperature_class": plan.temperature,
                    "purpose": plan.purpose,
                },
            )
            zone_ids[(fc_code, plan.code)] = zone["id"]
            facilities.create_locations_from_layout(uow, admin, fc["id"], zone["id"], plan.layout)

    merchant_ids: dict[str, int] = {}
    prefixes: dict[str, str] = {}
    for code, name_en, name_th, prefix in MERCHANTS:
        merchant_ids[code] = catalogue.create_merchant(uow, admin, code, name_en, name_th)["id"]
        prefixes[code] = prefix

    for email, name, role, merchant, fc_codes in USERS[1:]:
        auth.create_user(
            uow,
            email=email,
            name=name,
            password=DEMO_PASSWORD,
            role=role,
            merchant_code=merchant,
            fc_codes=fc_codes,
            locale="th" if role is Role.MERCHANT else "en",
        )

    item_numbers: dict[str, int] = {}
    for index, row in enumerate(SKUS):
        merchant, code, name_en, name_th, (length, width, height), grams = row[:6]
        temperature, shelf_life, hs_code, value = row[6:]
        item_numbers[merchant] = item_numbers.get(merchant, 0) + 1
        gtin = with_check_digit(f"{prefixes[merchant]}{item_numbers[merchant]:05d}")
        sku = catalogue.create_sku(
            uow,
            admin,
            SkuDetails(
                code=code,
                gtin=gtin,
                name_en=name_en,
                name_th=name_th,
                length_mm=length,
                width_mm=width,
                height_mm=height,
                weight_g=grams,
                temperature_class=temperature,
                shelf_life_days=shelf_life,
                lot_tracked=True,
                expiry_tracked=True,
                hs_code=hs_code,
                declared_value=Decimal(value),
                declared_currency="THB",
                merchant_id=merchant_ids[merchant],
            ),
        )
        _stock_sku(uow, admin, fcs, zone_ids, sku, index, today)
    _inbound(uow, admin, fcs, today)
    for fc_code, fc in fcs.items():
        for code, name, cutoff, own_fleet, prefix in CARRIERS[fc_code]:
            carriers.create_carrier(
                uow,
                admin,
                int(str(fc["id"])),
                {
                    "code": code,
                    "name": name,
                    "cutoff_local": cutoff,
                    "own_fleet": own_fleet,
                    "tracking_prefix": prefix,
                },
            )
    staff = {
        code: auth.actor_for_user(uow, _user_id(uow, f"staff.{code.lower()}@pavilion.test"))
        for code in fcs
    }
    demo_deliveries.load(uow, admin, {code: a for code, a in staff.items() if a}, merchant_ids)
    _outbound(uow, admin, fcs, merchant_ids)
    for fc in fcs.values():
        for details in PRINTERS:
            printing.create_printer(uow, admin, int(str(fc["id"])), details)
    return True


# A thermal label printer at the packing bench (raw port 9100, ZPL) and an office printer for
# PDF documents (IPP), per FC; nothing answers at these addresses in the demo.
PRINTERS = (
    PrinterDetails(
        name="Zebra ZD421 packing",
        workstation="PACK-1",
        protocol="raw",
        address="127.0.0.1",
        port=9100,
        language="zpl",
        dpi=203,
        media="4x6",
    ),
    PrinterDetails(
        name="Office laser",
        workstation="OFFICE",
        protocol="ipp",
        address="ipp://127.0.0.1:631/ipp/print",
        language="pdf",
        dpi=300,
        media="A4",
    ),
)


CARRIERS = {
    "KUL1": [
        ("JNT", "J&T Express Malaysia", time(15, 0), False, "JTM"),
        ("NINJA", "Ninja Van Malaysia", time(17, 0), False, "NVM"),
        ("PVL", "Pavilion own fleet", time(18, 30), True, "PVK"),
    ],
    "CGK1": [
        ("JNE", "JNE Express", time(16, 0), False, "JNE"),
        ("SICEPAT", "SiCepat Ekspres", time(17, 0), False, "SCP"),
        ("PVL", "Pavilion own fleet", time(18, 0), True, "PVC"),
    ],
}


GS1_PREFIXES = {"KUL1": "9551234", "CGK1": "8991234"}
THB_RATES = {"MYR": Decimal("0.1300"), "IDR": Decimal("468.50")}


def _inbound(uow: UnitOfWork, admin: Actor, fcs: dict[str, dict[str, Any]], today: date) -> None:
    """Receiving rules, THB rates, and consignments on their way: one for each stage."""
    for code, fc in fcs.items():
        facilities.set_receiving_policy(
            uow,
            admin,
            int(fc["id"]),
            {"gs1_company_prefix": GS1_PREFIXES[code], "min_remaining_shelf_life_days": 30},
        )
    for currency, rate in THB_RATES.items():
        consignments.record_exchange_rate(uow, admin, currency, rate, today - timedelta(days=30))
    manager = auth.actor_for_user(uow, _user_id(uow, "manager.kul1@pavilion.test"))
    plans = [
        ("owner@siamfruit.test", "KUL1", ShipmentMode.ROAD, 0, ConsignmentStatus.ARRIVED),
        ("owner@siamfruit.test", "KUL1", ShipmentMode.ROAD, 2, ConsignmentStatus.AT_CUSTOMS),
        ("owner@chaba-tea.test", "KUL1", ShipmentMode.SEA, 6, ConsignmentStatus.IN_TRANSIT),
        ("owner@herbsiam.test", "KUL1", ShipmentMode.AIR, 1, ConsignmentStatus.SUBMITTED),
        ("owner@chaba-tea.test", "CGK1", ShipmentMode.SEA, 9, ConsignmentStatus.SUBMITTED),
    ]
    for number, (email, fc_code, mode, eta_days, status) in enumerate(plans, start=1):
        merchant = auth.actor_for_user(uow, _user_id(uow, email))
        assert merchant is not None and manager is not None
        skus = catalogue.list_skus(uow, merchant, PageRequest(1, 3))["items"]
        made = today - timedelta(days=10)
        lines = [
            AsnLine(
                sku_code=str(sku["code"]),
                quantity=48 * (index + 1),
                lot_number=f"L{made:%y%m%d}T{number}",
                expiry_date=made + timedelta(days=int(sku["shelf_life_days"] or 365)),
                hs_code=None,
                unit_value_thb=None,
            )
            for index, sku in enumerate(skus)
        ]
        cartons = [
            CartonPlan(
                sscc=None,
                gross_weight_g=12_000,
                contents=((index + 1, line.quantity),),
                dimensions_mm=(600, 400, 400),
            )
            for index, line in enumerate(lines)
        ]
        created = consignments.create_consignment(
            uow,
            merchant,
            ConsignmentHeader(
                fc_id=int(fcs[fc_code]["id"]),
                mode=mode,
                origin_name=str(merchant.name),
                origin_address="88 Moo 3, Sadao, Songkhla 90120, Thailand"
                if mode is ShipmentMode.ROAD
                else "1 Rama IV Road, Khlong Toei, Bangkok 10110, Thailand",
                eta=today + timedelta(days=eta_days),
                carrier={"road": "Kerry Cross-Border", "sea": "Evergreen", "air": "Thai Cargo"}[
                    mode.value
                ],
                tracking_number=f"TH{today:%y%m%d}{number:04d}",
                form_d_reference=f"TH-FD-{today:%Y}-{number:05d}",
            ),
            lines,
            cartons,
        )
        path = [
            ConsignmentStatus.SUBMITTED,
            ConsignmentStatus.IN_TRANSIT,
            ConsignmentStatus.AT_CUSTOMS,
            ConsignmentStatus.ARRIVED,
        ]
        for step in path[: path.index(status) + 1]:
            actor = manager if step is ConsignmentStatus.ARRIVED else merchant
            if fc_code != "KUL1" and step is ConsignmentStatus.ARRIVED:
                break
            consignments.change_status(uow, actor, int(created["id"]), step)


def _user_id(uow: UnitOfWork, email: str) -> int:
    with uow:
        found = uow.session.scalar(select(User.id).where(User.email == email))
        assert found is not None
        return int(found)


def _stock_sku(
    uow: UnitOfWork,
    admin: Actor,
    fcs: dict[str, dict[str, object]],
    zone_ids: dict[tuple[str, str], int],
    sku: dict[str, object],
    index: int,
    today: date,
) -> None:
    """Two or three lots per SKU in each FC, in storage bins of the right temperature."""
    zone_code = "CHL" if sku["temperature_class"] == TemperatureClass.CHILLED else "AMB"
    if str(sku["code"]).startswith("HS-SERUM"):
        zone_code = "CAGE"
    shelf_life = int(str(sku["shelf_life_days"]))
    for fc_number, (fc_code, fc) in enumerate(fcs.items()):
        bins = facilities.list_locations(
            uow,
            admin,
            int(str(fc["id"])),
            PageRequest(1, 500),
            zone_id=zone_ids[(fc_code, zone_code)],
        )["items"]
        lots = 3 if (index + fc_number) % 2 == 0 else 2
        for lot_index in range(lots):
            # Lots made 1..lots "batches" ago; the oldest of some SKUs is close to expiry.
            age_days = int(shelf_life * (0.25 + 0.3 * lot_index))
            if lot_index == lots - 1 and index % 4 == 0:
                age_days = shelf_life - 20
            made = today - timedelta(days=age_days)
            expiry = made + timedelta(days=shelf_life)
            lot_number = f"L{made:%y%m%d}{chr(65 + fc_number)}"
            location = bins[(index * 5 + lot_index * 2 + fc_number) % len(bins)]
            quantity = 24 * (lot_index + 1) + (index * 7) % 40
            stock.adjust_stock(
                uow,
                admin,
                AdjustStock(
                    location_id=int(location["id"]),
                    sku_id=int(str(sku["id"])),
                    reason=MovementReason.OPENING_BALANCE,
                    delta=quantity,
                    lot_number=lot_number,
                    expiry_date=expiry,
                    reference="DEMO-OPENING",
                    note="Opening stock of the demo",
                ),
                f"demo-open-{fc_code}-{sku['code']}-{lot_index}",
            )


RECIPIENTS = {
    "KUL1": [
        ("Nurul Aisyah binti Ahmad", "+60 12-384 5521", "12 Jalan Ampang", "Kuala Lumpur", "50450"),
        ("Tan Wei Ming", "+60 16-229 8830", "8 Jalan SS2/24", "Petaling Jaya", "47300"),
        ("Siti Hajar Ismail", "+60 13-771 0456", "21 Persiaran Gurney", "Georgetown", "10250"),
        ("Rajesh a/l Kumar", "+60 17-540 9912", "5 Jalan Tun Razak", "Kuala Lumpur", "50400"),
    ],
    "CGK1": [
        (
            "Putri Ayu Lestari",
            "+62 812-3456-7890",
            "Jl. Kemang Raya No. 8",
            "Jakarta Selatan",
            "12730",
        ),
        ("Budi Hartono", "+62 813-9988-1122", "Jl. Dago No. 117", "Bandung", "40135"),
        ("Dewi Sartika", "+62 821-7766-5544", "Jl. Malioboro No. 52", "Yogyakarta", "55213"),
    ],
}
# (merchant, SKU code → units) per demo order; repeated round the FCs' carriers.
BASKETS = [
    ("SIAMFRUIT", {"SF-MANGO-200": 2, "SF-DURIAN-100": 1}),
    ("SIAMFRUIT", {"SF-MANGO-200": 1}),
    ("CHABATEA", {"CB-THAITEA-400": 1, "CB-GREENTEA-200": 2}),
    ("CHABATEA", {"CB-DRIPBAG-10": 1}),
    ("SIAMFRUIT", {"SF-TAMARIND-250": 3}),
    ("CHABATEA", {"CB-MILKTEA-RTD": 4}),
    ("SIAMFRUIT", {"SF-DURIAN-100": 1}),
    ("CHABATEA", {"CB-DOICHANG-250": 1, "CB-THAITEA-400": 1}),
]


def _outbound(
    uow: UnitOfWork, admin: Actor, fcs: dict[str, dict[str, Any]], merchant_ids: dict[str, int]
) -> None:
    """Orders waiting at each FC for today's and tomorrow's cut-offs, so the backlog and wave
    planning have work; chilled ready-to-drink tea may ship with 5 days of shelf life left."""
    now = datetime.now(UTC)
    for fc_code, fc in fcs.items():
        fc_id = int(str(fc["id"]))
        carriers.set_shelf_life_rule(
            uow, admin, fc_id, {"channel": "*", "country": "*", "min_remaining_days": 5}
        )
        fc_carriers = carriers.list_carriers(uow, admin, fc_id)
        people = RECIPIENTS[fc_code]
        for number in range(24):
            merchant, basket = BASKETS[number % len(BASKETS)]
            carrier = fc_carriers[number % len(fc_carriers)]
            name, phone, address, city, postcode = people[number % len(people)]
            orders.create_order(
                uow,
                admin,
                NewOrder(
                    fc_id=fc_id,
                    carrier_id=int(carrier["id"]),
                    external_id=f"DEMO-{fc_code}-{number + 1:04d}",
                    channel=("shopee", "lazada", "tiktok", "api")[number % 4],
                    ship_by=now + timedelta(hours=6 + 5 * (number % 6)),
                    recipient_name=name,
                    recipient_phone=phone,
                    address=address,
                    city=city,
                    postcode=postcode,
                    country=str(fc["country"]),
                    lines=tuple(NewOrderLine(code, units) for code, units in basket.items()),
                    cod_amount=Decimal("0") if number % 3 else Decimal("59.00"),
                    merchant_id=merchant_ids[merchant],
                ),
                f"demo-order-{fc_code}-{number}",
            )
