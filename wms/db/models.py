"""Tables of the WMS as typed SQLAlchemy 2.0 models."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from labels.printing import PrinterLanguage, PrintProtocol
from wms.channels.marketplace import Marketplace, OrderState
from wms.db.base import Base, UTCDateTime, utcnow
from wms.domain.actors import Role
from wms.domain.catalogue import LocationStatus, TemperatureClass, VelocityClass, ZonePurpose
from wms.domain.channel_orders import HintStatus, ShipmentPush
from wms.domain.channels import ListingStockStatus, ShopStatus, StockErrorKind
from wms.domain.consignments import ConsignmentStatus, ShipmentMode
from wms.domain.deliveries import DeliveryPlanStatus, LeftOutReason, PlanObjective
from wms.domain.orders import AllocationStatus, OrderStatus
from wms.domain.outbox import OutboxStatus
from wms.domain.packing import ManifestStatus, PackageStatus
from wms.domain.printing import PrintJobStatus
from wms.domain.receiving import Condition, DiscrepancyKind, ReceiptStatus
from wms.domain.stock import MovementReason
from wms.domain.tasks import PlanStatus, TaskKind, TaskStatus
from wms.domain.waves import BatchStatus, ExceptionKind, ExceptionStatus, WaveStatus


def _enum(kind: type[enum.StrEnum], name: str) -> Enum:
    return Enum(
        kind,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Merchant(Base):
    """A tenant: a Thai seller whose goods the FCs hold."""

    __tablename__ = "merchants"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_th: Mapped[str] = mapped_column(String(200))
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    webhook_secret: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FulfillmentCenter(Base):
    """A warehouse in one country, with its currency and timezone."""

    __tablename__ = "fulfillment_centers"
    __table_args__ = (
        CheckConstraint(
            "(latitude IS NULL) = (longitude IS NULL)", name="coordinates_both_or_neither"
        ),
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_in_range"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    timezone: Mapped[str] = mapped_column(String(64))
    min_remaining_shelf_life_days: Mapped[int] = mapped_column(
        Integer, default=30, server_default="30"
    )
    mix_lots: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    mix_merchants: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    gs1_company_prefix: Mapped[str | None] = mapped_column(String(12))
    sscc_extension_digit: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_sscc_serial: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    zones: Mapped[list[Zone]] = relationship(back_populates="fc", order_by="Zone.code")


user_fcs = Table(
    "user_fcs",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("fc_id", ForeignKey("fulfillment_centers.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    """A person who logs in: admin, manager, staff (assigned FCs) or merchant user."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "(role = 'merchant') = (merchant_id IS NOT NULL)", name="merchant_users_have_merchant"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"), index=True)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    fcs: Mapped[list[FulfillmentCenter]] = relationship(secondary=user_fcs)
    merchant: Mapped[Merchant | None] = relationship()


class ApiToken(Base):
    """A bearer token; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class Zone(Base):
    """An area of an FC with one temperature class and one purpose."""

    __tablename__ = "zones"
    __table_args__ = (UniqueConstraint("fc_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fc_id: Mapped[int] = mapped_column(ForeignKey("fulfillment_centers.id"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    temperature_class: Mapped[TemperatureClass] = mapped_column(
        _enum(TemperatureClass, "temperature_class")
    )
    purpose: Mapped[ZonePurpose] = mapped_column(_enum(ZonePurpose, "zone_purpose"))

    fc: Mapped[FulfillmentCenter] = relationship(back_populates="zones")


class Location(Base):
    """A bin: a coded place in a zone, with coordinates and capacity."""

    __tablename__ = "locations"
    __table_args__ = (
        UniqueConstraint("fc_id", "code"),
        CheckConstraint("volume_cm3 > 0", name="volume_positive"),
        CheckConstraint("max_weight_g > 0", name="weight_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fc_id: Mapped[int] = mapped_column(ForeignKey("fulfillment_centers.id"), index=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    aisle: Mapped[str] = mapped_column(String(4))
    bay: Mapped[int] = mapped_column(Integer)
    level: Mapped[int] = mapped_column(Integer)
    position: Mapped[str | None] = mapped_column(String(2))
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)
    z: Mapped[float] = mapped_column(Float)
    volume_cm3: Mapped[int] = mapped_column(Integer)
    max_weight_g: Mapped[int] = mapped_column(Integer)
    pickable: Mapped[bool] = mapped_column(Boolean, default=True)
    pick_sequence: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[LocationStatus] = mapped_column(
        _enum(LocationStatus, "location_status"), default=LocationStatus.ACTIVE
    )

    zone: Mapped[Zone] = relationship()


class Sku(Base):
    """A merchant's stock-keeping unit."""

    __tablename__ = "skus"
    __table_args__ = (
        UniqueConstraint("merchant_id", "code"),
        UniqueConstraint("merchant_id", "gtin"),
        CheckConstraint(
            "length_mm > 0 AND width_mm > 0 AND height_mm > 0", name="dimensions_positive"
        ),
        CheckConstraint("weight_g > 0", name="weight_positive"),
        CheckConstraint("declared_value >= 0", name="declared_value_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    gtin: Mapped[str] = mapped_column(String(14), index=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_th: Mapped[str] = mapped_column(String(200))
    length_mm: Mapped[int] = mapped_column(Integer)
    width_mm: Mapped[int] = mapped_column(Integer)
    height_mm: Mapped[int] = mapped_column(Integer)
    weight_g: Mapped[int] = mapped_column(Integer)
    temperature_class: Mapped[TemperatureClass] = mapped_column(
        _enum(TemperatureClass, "temperature_class")
    )
    shelf_life_days: Mapped[int | None] = mapped_column(Integer)
    lot_tracked: Mapped[bool] = mapped_column(Boolean, default=False)
    expiry_tracked: Mapped[bool] = mapped_column(Boolean, default=False)
    hs_code: Mapped[str] = mapped_column(String(12), default="")
    declared_value: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    declared_currency: Mapped[str] = mapped_column(String(3), default="THB")
    hazardous: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    high_value: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    velocity_class: Mapped[VelocityClass] = mapped_column(
        _enum(VelocityClass, "velocity_class"), default=VelocityClass.C, server_default="C"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    merchant: Mapped[Merchant] = relationship()


class Lot(Base):
    """A production lot of a SKU, with its expiry date."""

    __tablename__ = "lots"
    __table_args__ = (UniqueConstraint("sku_id", "lot_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), index=True)
    lot_number: Mapped[str] = mapped_column(String(40))
    expiry_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StockBalance(Base):
    """Quantity on hand and reserved of one SKU and lot in one bin."""

    __tablename__ = "stock_balances"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
        Index(
            "uq_stock_balances_location_sku_lot",
            "location_id",
            "sku_id",
            "lot_id",
            unique=True,
            postgresql_where=text("lot_id IS NOT NULL"),
            sqlite_where=text("lot_id IS NOT NULL"),
        ),
        Index(
            "uq_stock_balances_location_sku_no_lot",
            "location_id",
            "sku_id",
            unique=True,
            postgresql_where=text("lot_id IS NULL"),
            sqlite_where=text("lot_id IS NULL"),
        ),
        Index("ix_stock_balances_sku_fc", "sku_id", "fc_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fc_id: Mapped[int] = mapped_column(ForeignKey("fulfillment_centers.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"), index=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    location: Mapped[Location] = relationship()
    sku: Mapped[Sku] = relationship()
    lot: Mapped[Lot | None] = relationship()


class StockMovement(Base):
    """One line of the append-only stock ledger."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "from_location_id IS NOT NULL OR to_location_id IS NOT NULL", name="has_a_side"
        ),
        Index("ix_stock_movements_sku_created", "sku_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    fc_id: Mapped[int] = mapped_column(ForeignKey("fulfillment_centers.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    from_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    to_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    reason: Mapped[MovementReason] = mapped_column(_enum(MovementReason, "movement_reason"))
    note: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reference: Mapped[str] = mapped_column(String(100), default="")
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sku: Mapped[Sku] = relationship()
    lot: Mapped[Lot | None] = relationship()
    from_location: Mapped[Location | None] = relationship(foreign_keys=[from_location_id])
    to_location: Mapped[Location | None] = relationship(foreign_keys=[to_location_id])
    actor: Mapped[User | None] = relationship()


class IdempotencyRecord(Base):
    """The first answer to a keyed write, returned again on every replay of that key."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    operation: Mapped[str] = mapped_column(String(64))
    request_hash: Mapped[str] = mapped_column(String(64))
    result: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExchangeRate(Base):
    """How many units of an FC currency one THB buys, from a given day on."""

    __tablename__ = "exchange_rates"
    __table_args__ = (
        UniqueConstraint("base_currency", "quote_currency", "valid_from"),
        CheckConstraint("rate > 0", name="rate_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    base_currency: Mapped[str] = mapped_column(String(3), default="THB")
    quote_currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(Numeric(18, 8))
    valid_from: Mapped[date] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Consignment(Base):
    """A cross-border shipment from Thailand to an FC, with its customs data and ASN."""

    __tablename__ = "consignments"
    __table_args__ = (
        CheckConstraint("exchange_rate > 0", name="exchange_rate_positive"),
        Index("ix_consignments_fc_status_eta", "fc_id", "status", "eta"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    fc_id: Mapped[int] = mapped_column(ForeignKey("fulfillment_centers.id"))
    status: Mapped[ConsignmentStatus] = mapped_column(
        _enum(ConsignmentStatus, "consignment_status"), default=ConsignmentStatus.DRAFT
    )
    mode: Mapped[ShipmentMode] = mapped_column(_enum(ShipmentMode, "shipment_mode"))
    border_crossing: Mapped[str] = mapped_column(String(80), default="")
    origin_name: Mapped[str] = mapped_column(String(200))
    origin_address: Mapped[str] = mapped_column(Text)
    origin_country: Mapped[str] = mapped_column(String(2), default="TH")
    carrier: Mapped[str] = mapped_column(String(80), default="")
    tracking_number: Mapped[str] = mapped_column(String(80), default="")
    eta: Mapped[date] = mapped_column(Date)
    form_d_reference: Mapped[str] = mapped_column(String(40), default="")
    customs_declaration_number: Mapped[str] = mapped_column(String(40), default="")
    fc_currency: Mapped[str] = mapped_column(String(3))
    exchange_rate: Mapped[Decimal] = mapped_column(Numeric(18, 8))
    exchange_rate_date: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    merchant: Mapped[Merchant] = relationship()
    fc: Mapped[FulfillmentCenter] = relationship()
    lines: Mapped[list[ConsignmentLine]] = relationship(
        back_populates="consignment", order_by="ConsignmentLine.line_number"
    )
    cartons: Mapped[list[Carton]] = relationship(back_populates="consignment", order_by="Carton.id")
    events: Mapped[list[ConsignmentEvent]] = relationship(order_by="ConsignmentEvent.id")


class ConsignmentLine(Base):
    """An ASN line: so many units of a SKU and lot, with its customs value."""

    __tablename__ = "consignment_lines"
    __table_args__ = (
        UniqueConstraint("consignment_id", "line_number"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_value_thb >= 0", name="unit_value_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consignment_id: Mapped[int] = mapped_column(
        ForeignKey("consignments.id", ondelete="CASCADE"), index=True
    )
    line_number: Mapped[int] = mapped_column(Integer)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    lot_number: Mapped[str | None] = mapped_column(String(40))
    expiry_date: Mapped[date | None] = mapped_column(Date)
    hs_code: Mapped[str] = mapped_column(String(12))
    unit_value_thb: Mapped[Decimal] = mapped_column(Numeric(14, 2))

    consignment: Mapped[Consignment] = relationship(back_populates="lines")
    sku: Mapped[Sku] = relationship()


class Carton(Base):
    """A carton of a consignment (or of a blind receipt), known by its SSCC-18."""

    __tablename__ = "cartons"

    id: Mapped[int] = mapped_column(primary_key=True)
    consignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("consignments.id", ondelete="CASCADE"), index=True
    )
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    sscc: Mapped[str] = mapped_column(String(18), unique=True)
    generated: Mapped[bool] = mapped_column(Boolean, default=False)
    gross_weight_g: Mapped[int | None] = mapped_column(Integer)
    length_mm: Mapped[int | None] = mapped_column(Integer)
    width_mm: Mapped[int | None] = mapped_column(Integer)
    height_mm: Mapped[int | None] = mapped_column(Integer)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    consignment: Mapped[Consignment | None] = relationship(back_populates="cartons")
    contents: Mapped[list[CartonContent]] = relationship(
        back_populates="carton", order_by="CartonContent.id"
    )


class CartonContent(Base):
    """Units of one ASN line packed in one carton."""

    __tablename__ = "carton_contents"
    __table_args__ = (
        UniqueConstraint("carton_id", "line_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    carton_id: Mapped[int] = mapped_column(ForeignKey("cartons.id", ondelete="CASCADE"))
    line_id: Mapped[int] = mapped_column(
        ForeignKey("consignment_lines.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[int] = mapped_column(Integer)

    carton: Mapped[Carton] = relationship(back_populates="contents")
    line: Mapped[ConsignmentLine] = relationship()


class ConsignmentEvent(Base):
    """One status change of a consignment: from, to, who and when."""

    __tablename__ = "consignment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    consignment_id: Mapped[int] = mapped_column(
        ForeignKey("consignments.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[ConsignmentStatus | None] = mapped_column(
        _enum(ConsignmentStatus, "from_status")
    )
    to_status: Mapped[ConsignmentStatus] = mapped_column(_enum(ConsignmentStatus, "to_status"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


class Receipt(Base):
    """Receiving on the dock: what was counted for a consignment, or for a carton with no ASN."""

    __tablename__ = "receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    fc_id: Mapped[int] = mapped_column(ForeignKey("fulfillment_centers.id"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    consignment_id: Mapped[int | None] = mapped_column(ForeignKey("consignments.id"), index=True)
    status: Mapped[ReceiptStatus] = mapped_column(
        _enum(ReceiptStatus, "receipt_status"), default=ReceiptStatus.OPEN
    )
    receiving_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    quarantine_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    current_carton_id: Mapped[int | None] = mapped_column(ForeignKey("cartons.id"))
    started_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    consignment: Mapped[Consignment | None] = relationship()
    merchant: Mapped[Merchant] = relationship()
    receiving_location: Mapped[Location] = relationship(foreign_keys=[receiving_location_id])
    quarantine_location: Mapped[Location] = relationship(foreign_keys=[quarantine_location_id])
    current_carton: Mapped[Carton | None] = relationship()
    counts: Mapped[list[ReceiptCount]] = relationship(order_by="ReceiptCount.id")


class ReceiptCount(Base):
    """Units of a SKU and lot counted on the dock from one scan, in one condition."""

    __tablename__ = "receipt_counts"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id"), index=True)
    carton_id: Mapped[int | None] = mapped_column(ForeignKey("cartons.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    lot_number: Mapped[str | None] = mapped_column(String(40))
    expiry_date: Mapped[date | None] = mapped_column(Date)
    quantity: Mapped[int] = mapped_column(Integer)
    condition: Mapped[Condition] = mapped_column(_enum(Condition, "condition"))
    counted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sku: Mapped[Sku] = relationship()


class Discrepancy(Base):
    """A difference between ASN and receipt (or unfit goods), until a manager resolves it."""

    __tablename__ = "discrepancies"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id"), index=True)
    fc_id: Mapped[int] = mapped_column(ForeignKey("fulfillment_centers.id"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    consignment_id: Mapped[int | None] = mapped_column(ForeignKey("consignments.id"), index=True)
    kind: Mapped[DiscrepancyKind] = mapped_column(_enum(DiscrepancyKind, "discrepancy_kind"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    lot_number: Mapped[str | None] = mapped_column(String(40))
    expected: Mapped[int] = mapped_column(Integer)
    received: Mapped[int] = mapped_column(Integer)
    resolution: Mapped[str | None] = mapped_column(String(24))
    resolution_note: Mapped[str] = mapped_column(Text, default="")
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sku: Mapped[Sku] = relationship()
    consignment: Mapped[Consignment | None] = relationship()


class ScanEvent(Base):
    """Every accepted scan from a handheld, with the device's idempotency key."""

    __tablename__ = "scan_events"
    __table_args__ = (Index("ix_scan_events_workflow_subject", "workflow", "subject_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    fc_id: Mapped[int] = mapped_column(ForeignKey("fulfillment_centers.id"))
    workflow: Mapped[str] = mapped_column(String(24))
    subject_id: Mapped[int] = mapped_column(Integer)
    raw: Mapped[str] = mapped_column(String(200))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SlottingPlan(Base):
    """A proposed reassignment of SKUs to pick faces, with its predicted walking saving."""

    __tablename__ = "slotting_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    fc_id: Mapped[int] = mapped_column(ForeignKey("fulfillment_centers.id"), index=True)
    status: Mapped[PlanStatus] = mapped_column(
        _enum(PlanStatus, "plan_status"), default=PlanStatus.PROPOSED
    )
    current_walking_m: Mapped[float] = mapped_column(Float)
    planned_walking_m: Mapped[float] = mapped_column(Float)
    solver_status: Mapped[str] = mapped_column(String(16))
    solve_seconds: Mapped[float] = mapped_column(Float)
    moves: Mapped[str] = mapped_column(Text, default="[]")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tasks: Mapped[list[MoveTask]] = relationship(order_by="MoveTask.id")


class MoveTask(Base):
    """Stock to move on the floor: received goods to put away, or a SKU to re-slot."""

    __tablename__ = "move_tasks"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_move_tasks_fc_status", "fc_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fc_id: Mapped[int] = mapped_column(ForeignKey("fulfillment_centers.id"))
    kind: Mapped[TaskKind] = mapped_column(_enum(TaskKind, "task_kind"))
    status: Mapped[TaskStatus] = mapped_column(
        _enum(TaskStatus, "task_status"), default=TaskStatus.OPEN
    )
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    from_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    suggested_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    to_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    override_reason: Mapped[str] = mapped_column(Text, default="")
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("slotting_plans.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sku: Mapped[Sku] = relationship()
    lot: Mapped[Lot | None] = relationship()
    from_location: Mapped[Location] = relationship(foreign_keys=[from_location_id])
    suggested_location: Mapped[Location | None] = relationship(foreign_keys=[suggested_location_id])
    to_location: Mapped[Location | None] = relationship(foreign_keys=[to_location_id])


class OutboxEvent(Base):
    """An event written with the change that caused it, delivered later by a relay."""

    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_events_status_available", "status", "available_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(64))
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"), index=True)
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(
        _enum(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Carrier(Base):
    """A carrier that collects parcels from an FC, with its daily cut-off in local time."""

    __tablename__ = "carriers"
    __table_args__ = (UniqueConstraint("fc_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fc_id: Mapped[int] = mapped_column(ForeignKey("fulfillment_centers.id"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    cutoff_local: Mapped[time] = mapped_column(Time)
    own_fleet: Mapped[bool] = mapped_column(Boolean, default=False)
    tracking_prefix: Mapped[str] = mapped_column(String(6))
    last_tracking_serial: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ShelfLifeRule(Base):
    """Minimum days of shelf life a lot must keep when it ships on a channel to a country."""

    __tablename__ = "shelf_life_rules"
    __table_args__ = (
        UniqueConstraint("fc_id", "channel", "country"),
        CheckConstraint("min_remaining_days >= 0", name="days_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fc_id: Mapped[int] = mapped_column(ForeignKey("fulfillment_centers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    country: Mapped[str] = mapped_column(String(2))
    min_remaining_days: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Order(Base):
    """A customer order to ship from an FC, from the API or a marketplace channel."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("merchant_id", "channel", "external_id"),
        CheckConstraint("cod_amount >= 0", name="cod_not_negative"),
        CheckConstraint(
            "(delivery_latitude IS NULL) = (delivery_longitude IS NULL)",
            name="delivery_point_both_or_neither",
        ),
        CheckConstraint("delivery_latitude BETWEEN -90 AND 90", name="delivery_latitude_in_range"),
        CheckConstraint(
            "delivery_longitude BETWEEN -180 AND 180", name="delivery_longitude_in_range"
        ),
        CheckConstraint(
            "(delivery_window_open IS NULL) = (delivery_window_close IS NULL)",
            name="delivery_window_both_or_neither",
        ),
        CheckConstraint(
            "delivery_window_close > delivery_window_open", name="delivery_window_closes_later"
        ),
        Index("ix_orders_fc_status_ship_by", "fc_id", "status", "ship_by"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    fc_id: Mapped[int] = mapped_column(ForeignKey("fulfillment_centers.id"))
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[OrderStatus] = mapped_column(
        _enum(OrderStatus, "order_status"), default=OrderStatus.RECEIVED
    )
    carrier_id: Mapped[int] = mapped_column(ForeignKey("carriers.id"), index=True)
    ship_by: Mapped[datetime] = mapped_column(UTCDateTime)
    recipient_name: Mapped[str] = mapped_column(String(200))
    recipient_phone: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(Text)
    city: Mapped[str] = mapped_column(String(120))
    postcode: Mapped[str] = mapped_column(String(12))
    country: Mapped[str] = mapped_column(String(2))
    cod_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3))
    delivery_latitude: Mapped[float | None] = mapped_column(Float)
    delivery_longitude: Mapped[float | None] = mapped_column(Float)
    delivery_window_open: Mapped[time | None] = mapped_column(Time)
    delivery_window_close: Mapped[time | None] = mapped_column(Time)
    min_remaining_days: Mapped[int] = mapped_column(Integer)
    wave_id: Mapped[int | None] = mapped_column(ForeignKey("waves.id"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    merchant: Mapped[Merchant] = relationship()
    fc: Mapped[FulfillmentCenter] = relationship()
    carrier: Mapped[Carrier] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.line_number"
    )
    allocations: Mapped[list[Allocation]] = relationship(
        back_populates="order", order_by="Allocation.id"
    )

    @property
    def delivery_window(self) -> tuple[time, time] | None:
        """The recipient's window in FC local time, when there is one."""
        if self.delivery_window_open is None or self.delivery_window_close is None:
            return None
        return self.delivery_window_open, self.delivery_window_close


class OrderLine(Base):
    """So many units of one SKU on an order."""

    __tablename__ = "order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "line_number"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    line_number: Mapped[int] = mapped_column(Integer)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)

    order: Mapped[Order] = relationship(back_populates="lines")
    sku: Mapped[Sku] = relationship()


class Wave(Base):
    """Orders planned and released together for a cut-off, split into pick batches."""

    __tablename__ = "waves"
    __table_args__ = (Index("ix_waves_fc_status", "fc_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    fc_id: Mapped[int] = mapped_column(ForeignKey("fulfillment_centers.id"))
    status: Mapped[WaveStatus] = mapped_column(
        _enum(WaveStatus, "wave_status"), default=WaveStatus.PLANNED
    )
    cutoff: Mapped[datetime | None] = mapped_column(UTCDateTime)
    carrier_id: Mapped[int | None] = mapped_column(ForeignKey("carriers.id"))
    max_orders: Mapped[int] = mapped_column(Integer)
    max_volume_l: Mapped[float] = mapped_column(Float)
    max_weight_kg: Mapped[float] = mapped_column(Float)
    walking_m: Mapped[float] = mapped_column(Float, default=0.0)
    fcfs_walking_m: Mapped[float] = mapped_column(Float, default=0.0)
    planning_ms: Mapped[int] = mapped_column(Integer, default=0)
    planned_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    fc: Mapped[FulfillmentCenter] = relationship()
    carrier: Mapped[Carrier | None] = relationship()
    batches: Mapped[list[PickBatch]] = relationship(
        back_populates="wave", order_by="PickBatch.number"
    )


class PickBatch(Base):
    """One picker trip: a cart of totes, one per order, and its picks in walking order."""

    __tablename__ = "pick_batches"
    __table_args__ = (
        UniqueConstraint("wave_id", "number"),
        Index("ix_pick_batches_fc_status", "fc_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), index=True)
    fc_id: Mapped[int] = mapped_column(ForeignKey("fulfillment_centers.id"))
    number: Mapped[int] = mapped_column(Integer)
    temperature_class: Mapped[TemperatureClass] = mapped_column(
        _enum(TemperatureClass, "temperature_class")
    )
    single_items: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[BatchStatus] = mapped_column(
        _enum(BatchStatus, "batch_status"), default=BatchStatus.PLANNED
    )
    walking_m: Mapped[float] = mapped_column(Float)
    estimated_minutes: Mapped[float] = mapped_column(Float)
    volume_l: Mapped[float] = mapped_column(Float, default=0.0)
    weight_kg: Mapped[float] = mapped_column(Float, default=0.0)
    route: Mapped[str] = mapped_column(Text, default="[]")
    picker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    wave: Mapped[Wave] = relationship(back_populates="batches")
    totes: Mapped[list[BatchOrder]] = relationship(order_by="BatchOrder.slot")
    picks: Mapped[list[Allocation]] = relationship(
        order_by="Allocation.pick_sequence", viewonly=True
    )


class BatchOrder(Base):
    """An order's place on a pick cart: its slot and the tote scanned for it."""

    __tablename__ = "batch_orders"
    __table_args__ = (
        UniqueConstraint("batch_id", "order_id"),
        UniqueConstraint("batch_id", "slot"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("pick_batches.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    slot: Mapped[int] = mapped_column(Integer)
    tote_code: Mapped[str | None] = mapped_column(String(32), index=True)

    order: Mapped[Order] = relationship()


class Allocation(Base):
    """Stock reserved for an order line in one bin and lot; also the pick instruction."""

    __tablename__ = "allocations"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("picked_quantity >= 0", name="picked_not_negative"),
        CheckConstraint("picked_quantity <= quantity", name="picked_within_quantity"),
        Index("ix_allocations_location_sku", "location_id", "sku_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    picked_from_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    picked_quantity: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[AllocationStatus] = mapped_column(
        _enum(AllocationStatus, "allocation_status"), default=AllocationStatus.RESERVED
    )
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("pick_batches.id"), index=True)
    pick_sequence: Mapped[int | None] = mapped_column(Integer)
    picked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    picked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order] = relationship(back_populates="allocations")
    line: Mapped[OrderLine] = relationship()
    sku: Mapped[Sku] = relationship()
    lot: Mapped[Lot | None] = relationship()
    location: Mapped[Location] = relationship(foreign_keys=[location_id])
    picked_from: Mapped[Location | None] = relationship(foreign_keys=[picked_from_id])


class PickException(Base):
    """A short or damaged pick reported on the floor, queued for a manager."""

    __tablename__ = "pick_exceptions"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_pick_exceptions_fc_status", "fc_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fc_id: Mapped[int] = mapped_column(ForeignKey("fulfillment_centers.id"))
    kind: Mapped[ExceptionKind] = mapped_column(_enum(ExceptionKind, "exception_kind"))
    status: Mapped[ExceptionStatus] = mapped_column(
        _enum(ExceptionStatus, "exception_status"), default=ExceptionStatus.OPEN
    )
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("pick_batches.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    reallocated: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    reported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str] = mapped_column(Text, default="")

    order: Mapped[Order] = relationship()
    location: Mapped[Location] = relationship()
    sku: Mapped[Sku] = relationship()
    lot: Mapped[Lot | None] = relationship()


class Manifest(Base):
    """The parcels handed to one carrier at one pick-up."""

    __tablename__ = "manifests"
    __table_args__ = (Index("ix_manifests_fc_status", "fc_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    fc_id: Mapped[int] = mapped_column(ForeignKey("fulfillment_centers.id"))
    carrier_id: Mapped[int] = mapped_column(ForeignKey("carriers.id"))
    status: Mapped[ManifestStatus] = mapped_column(
        _enum(ManifestStatus, "manifest_status"), default=ManifestStatus.OPEN
    )
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    carrier: Mapped[Carrier] = relationship()
    packages: Mapped[list[Package]] = relationship(order_by="Package.id", viewonly=True)


class Package(Base):
    """A packed parcel of one order: its carton, weight, tracking number and SSCC."""

    __tablename__ = "packages"
    __table_args__ = (Index("ix_packages_fc_status", "fc_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fc_id: Mapped[int] = mapped_column(ForeignKey("fulfillment_centers.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    carrier_id: Mapped[int] = mapped_column(ForeignKey("carriers.id"))
    status: Mapped[PackageStatus] = mapped_column(
        _enum(PackageStatus, "package_status"), default=PackageStatus.OPEN
    )
    sscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    tracking_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    carton_code: Mapped[str] = mapped_column(String(8), default="")
    length_mm: Mapped[int] = mapped_column(Integer, default=0)
    width_mm: Mapped[int] = mapped_column(Integer, default=0)
    height_mm: Mapped[int] = mapped_column(Integer, default=0)
    weight_g: Mapped[int] = mapped_column(Integer, default=0)
    manifest_id: Mapped[int | None] = mapped_column(ForeignKey("manifests.id"), index=True)
    packed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    packed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order: Mapped[Order] = relationship()
    carrier: Mapped[Carrier] = relationship()
    items: Mapped[list[PackageItem]] = relationship(order_by="PackageItem.id")


class PackageItem(Base):
    """Units of one SKU and lot verified by scan into a parcel."""

    __tablename__ = "package_items"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    quantity: Mapped[int] = mapped_column(Integer)

    sku: Mapped[Sku] = relationship()
    lot: Mapped[Lot | None] = relationship()


class Printer(Base):
    """A network label or document printer at one of an FC's workstations."""

    __tablename__ = "printers"
    __table_args__ = (
        UniqueConstraint("fc_id", "name"),
        CheckConstraint("port BETWEEN 1 AND 65535", name="port_in_range"),
        CheckConstraint("dpi IN (203, 300)", name="dpi_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fc_id: Mapped[int] = mapped_column(ForeignKey("fulfillment_centers.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    workstation: Mapped[str] = mapped_column(String(32))
    protocol: Mapped[PrintProtocol] = mapped_column(_enum(PrintProtocol, "print_protocol"))
    address: Mapped[str] = mapped_column(String(500))
    port: Mapped[int] = mapped_column(Integer)
    language: Mapped[PrinterLanguage] = mapped_column(_enum(PrinterLanguage, "printer_language"))
    dpi: Mapped[int] = mapped_column(Integer)
    media: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PrintJob(Base):
    """A document sent (or to be sent again) to a printer, kept with its bytes."""

    __tablename__ = "print_jobs"
    __table_args__ = (CheckConstraint("size_bytes >= 0", name="size_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    printer_id: Mapped[int] = mapped_column(ForeignKey("printers.id"), index=True)
    reference: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    document: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    status: Mapped[PrintJobStatus] = mapped_column(
        _enum(PrintJobStatus, "print_job_status"), default=PrintJobStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    receipt: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    printer: Mapped[Printer] = relationship()


class Waybill(Base):
    """A carrier's or marketplace's shipping document for an order, kept exactly as received."""

    __tablename__ = "waybills"
    __table_args__ = (
        UniqueConstraint("order_id", "sha256"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
        CheckConstraint("page_count > 0", name="pages_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    package_id: Mapped[int | None] = mapped_column(ForeignKey("packages.id"), index=True)
    source: Mapped[str] = mapped_column(String(32))
    tracking_number: Mapped[str] = mapped_column(String(64))
    document: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    page_count: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    order: Mapped[Order] = relationship()


class Vehicle(Base):
    """A vehicle of an FC's own delivery fleet: what it carries, what it costs, its shift."""

    __tablename__ = "vehicles"
    __table_args__ = (
        UniqueConstraint("fc_id", "name"),
        UniqueConstraint("fc_id", "plate"),
        CheckConstraint(
            "capacity_kg > 0 AND capacity_litres > 0 AND capacity_parcels > 0",
            name="capacities_positive",
        ),
        CheckConstraint("fixed_cost >= 0 AND cost_per_km >= 0", name="costs_not_negative"),
        CheckConstraint("shift_end > shift_start", name="shift_ends_later"),
        CheckConstraint("max_route_hours > 0 AND max_route_hours <= 24", name="route_hours_in_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fc_id: Mapped[int] = mapped_column(ForeignKey("fulfillment_centers.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    plate: Mapped[str] = mapped_column(String(16))
    capacity_kg: Mapped[float] = mapped_column(Float)
    capacity_litres: Mapped[float] = mapped_column(Float)
    capacity_parcels: Mapped[int] = mapped_column(Integer)
    fixed_cost: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    cost_per_km: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    shift_start: Mapped[time] = mapped_column(Time)
    shift_end: Mapped[time] = mapped_column(Time)
    max_route_hours: Mapped[float] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Driver(Base):
    """A driver of an FC's own delivery fleet."""

    __tablename__ = "drivers"
    __table_args__ = (UniqueConstraint("fc_id", "phone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fc_id: Mapped[int] = mapped_column(ForeignKey("fulfillment_centers.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DeliveryPlan(Base):
    """One day's own-fleet routes from an FC: a draft to review, then dispatched to drivers.

    The plan keeps what it was made from (the depot, each vehicle's limits and each delivery's
    place, window and demand), so its routes can be timed and checked again as they stood.
    """

    __tablename__ = "delivery_plans"
    __table_args__ = (
        CheckConstraint("time_limit_s > 0", name="time_limit_positive"),
        Index("ix_delivery_plans_fc_date", "fc_id", "delivery_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    fc_id: Mapped[int] = mapped_column(ForeignKey("fulfillment_centers.id"))
    delivery_date: Mapped[date] = mapped_column(Date)
    status: Mapped[DeliveryPlanStatus] = mapped_column(
        _enum(DeliveryPlanStatus, "delivery_plan_status"), default=DeliveryPlanStatus.DRAFT
    )
    objective: Mapped[PlanObjective] = mapped_column(_enum(PlanObjective, "plan_objective"))
    time_limit_s: Mapped[float] = mapped_column(Float)
    road_network: Mapped[str] = mapped_column(String(200))
    depot_latitude: Mapped[float] = mapped_column(Float)
    depot_longitude: Mapped[float] = mapped_column(Float)
    distance_m: Mapped[float] = mapped_column(Float, default=0.0)
    duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    cost: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    gather_ms: Mapped[int] = mapped_column(Integer, default=0)
    matrix_ms: Mapped[int] = mapped_column(Integer, default=0)
    solve_ms: Mapped[int] = mapped_column(Integer, default=0)
    store_ms: Mapped[int] = mapped_column(Integer, default=0)
    solver_stats: Mapped[str] = mapped_column(Text, default="{}")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    dispatched_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    discarded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    discarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    fc: Mapped[FulfillmentCenter] = relationship()
    routes: Mapped[list[DeliveryRoute]] = relationship(
        back_populates="plan", order_by="DeliveryRoute.number"
    )
    stops: Mapped[list[DeliveryStop]] = relationship(
        back_populates="plan", order_by="DeliveryStop.id"
    )


class DeliveryRoute(Base):
    """One vehicle's trip in a plan, with its driver, and the vehicle's limits at planning.

    A vehicle chosen for the plan that the routes do not need has a route with no stops. Once
    dispatched, a vehicle and a driver are out on at most one route a day.
    """

    __tablename__ = "delivery_routes"
    __table_args__ = (
        UniqueConstraint("plan_id", "number"),
        UniqueConstraint("plan_id", "vehicle_id"),
        UniqueConstraint("plan_id", "driver_id"),
        CheckConstraint(
            "capacity_kg > 0 AND capacity_litres > 0 AND capacity_parcels > 0",
            name="capacities_positive",
        ),
        CheckConstraint("shift_end > shift_start", name="shift_ends_later"),
        CheckConstraint("NOT dispatched OR driver_id IS NOT NULL", name="dispatched_with_driver"),
        Index(
            "uq_delivery_routes_vehicle_out",
            "vehicle_id",
            "delivery_date",
            unique=True,
            postgresql_where=text("dispatched"),
            sqlite_where=text("dispatched"),
        ),
        Index(
            "uq_delivery_routes_driver_out",
            "driver_id",
            "delivery_date",
            unique=True,
            postgresql_where=text("dispatched"),
            sqlite_where=text("dispatched"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("delivery_plans.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id"), index=True)
    driver_id: Mapped[int | None] = mapped_column(ForeignKey("drivers.id"), index=True)
    delivery_date: Mapped[date] = mapped_column(Date)
    dispatched: Mapped[bool] = mapped_column(Boolean, default=False)
    capacity_kg: Mapped[float] = mapped_column(Float)
    capacity_litres: Mapped[float] = mapped_column(Float)
    capacity_parcels: Mapped[int] = mapped_column(Integer)
    fixed_cost: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    cost_per_km: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    shift_start: Mapped[time] = mapped_column(Time)
    shift_end: Mapped[time] = mapped_column(Time)
    max_route_hours: Mapped[float] = mapped_column(Float)
    distance_m: Mapped[float] = mapped_column(Float, default=0.0)
    leave_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    back_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    load_kg: Mapped[float] = mapped_column(Float, default=0.0)
    load_litres: Mapped[float] = mapped_column(Float, default=0.0)
    load_parcels: Mapped[int] = mapped_column(Integer, default=0)
    cost: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))

    plan: Mapped[DeliveryPlan] = relationship(back_populates="routes")
    vehicle: Mapped[Vehicle] = relationship()
    driver: Mapped[Driver | None] = relationship()
    stops: Mapped[list[DeliveryStop]] = relationship(
        back_populates="route", order_by="DeliveryStop.sequence"
    )


class DeliveryStop(Base):
    """A delivery of one order's parcels in a plan: on a route at its place in the sequence,
    with its times and the load left after it, or left out with the reason.

    It keeps the place, window, demand and service time the plan was made with. An order is
    on a plan once, and out for delivery on at most one dispatched plan.
    """

    __tablename__ = "delivery_stops"
    __table_args__ = (
        UniqueConstraint("plan_id", "order_id"),
        UniqueConstraint("route_id", "sequence"),
        CheckConstraint("(route_id IS NULL) = (sequence IS NULL)", name="sequenced_on_route"),
        CheckConstraint(
            "(route_id IS NULL) = (left_out_reason IS NOT NULL)", name="on_route_or_left_out"
        ),
        CheckConstraint("sequence > 0", name="sequence_positive"),
        CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="point_both_or_neither"),
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_in_range"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_in_range"),
        CheckConstraint(
            "route_id IS NULL OR latitude IS NOT NULL", name="routed_stops_have_a_point"
        ),
        CheckConstraint(
            "weight_kg >= 0 AND volume_l >= 0 AND parcels > 0 AND service_s >= 0",
            name="demand_not_negative",
        ),
        CheckConstraint("NOT dispatched OR route_id IS NOT NULL", name="dispatched_on_route"),
        Index(
            "uq_delivery_stops_order_out",
            "order_id",
            unique=True,
            postgresql_where=text("dispatched"),
            sqlite_where=text("dispatched"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("delivery_plans.id"), index=True)
    route_id: Mapped[int | None] = mapped_column(ForeignKey("delivery_routes.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    sequence: Mapped[int | None] = mapped_column(Integer)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    window_open: Mapped[time | None] = mapped_column(Time)
    window_close: Mapped[time | None] = mapped_column(Time)
    service_s: Mapped[float] = mapped_column(Float)
    weight_kg: Mapped[float] = mapped_column(Float)
    volume_l: Mapped[float] = mapped_column(Float)
    parcels: Mapped[int] = mapped_column(Integer)
    cod_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    arrival_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    start_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    departure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    load_kg_after: Mapped[float | None] = mapped_column(Float)
    load_litres_after: Mapped[float | None] = mapped_column(Float)
    load_parcels_after: Mapped[int | None] = mapped_column(Integer)
    left_out_reason: Mapped[LeftOutReason | None] = mapped_column(
        _enum(LeftOutReason, "left_out_reason")
    )
    left_out_detail: Mapped[str] = mapped_column(String(200), default="")
    dispatched: Mapped[bool] = mapped_column(Boolean, default=False)

    plan: Mapped[DeliveryPlan] = relationship(back_populates="stops")
    route: Mapped[DeliveryRoute | None] = relationship(back_populates="stops")
    order: Mapped[Order] = relationship()

    @property
    def window(self) -> tuple[time, time] | None:
        """The window the plan was made with, in FC local time, when there is one."""
        if self.window_open is None or self.window_close is None:
            return None
        return self.window_open, self.window_close


class ChannelShop(Base):
    """A merchant's shop on a marketplace in one country, and the access the WMS holds for it.

    The shop's tokens are stored encrypted (`wms.db.encryption.TokenCipher`); their expiry is
    not secret and stays readable, so the relay can find shops whose tokens need refreshing.
    The app's own credentials (partner key, app secret) are the operator's, in the settings.
    """

    __tablename__ = "channel_shops"
    __table_args__ = (
        UniqueConstraint("marketplace", "country", "shop_id"),
        CheckConstraint("length(country) = 2", name="country_code"),
        Index("ix_channel_shops_status_access_expires", "status", "access_expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    marketplace: Mapped[Marketplace] = mapped_column(_enum(Marketplace, "marketplace"))
    country: Mapped[str] = mapped_column(String(2))
    name: Mapped[str] = mapped_column(String(80))
    shop_id: Mapped[str] = mapped_column(String(64))
    shop_cipher: Mapped[str] = mapped_column(String(128), default="")
    base_url: Mapped[str] = mapped_column(String(500))
    access_token_sealed: Mapped[str] = mapped_column(Text)
    refresh_token_sealed: Mapped[str] = mapped_column(Text)
    access_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    refresh_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[ShopStatus] = mapped_column(
        _enum(ShopStatus, "shop_status"), default=ShopStatus.CONNECTED
    )
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    connected_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    orders_polled_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """The end of the last order-list window read in full (the next poll starts a little
    before it)."""

    merchant: Mapped[Merchant] = relationship()


class Listing(Base):
    """A SKU sold from one FC on one shop: the marketplace's ids for it (as in
    `wms.channels.marketplace.ListingRef`) and its stock policy, either a share of the available
    units in percent or a fixed buffer of units held back (exactly one of the two)."""

    __tablename__ = "listings"
    __table_args__ = (
        UniqueConstraint("shop_id", "item_id", "model_id", "warehouse_id"),
        UniqueConstraint("shop_id", "sku_id", "fc_id"),
        CheckConstraint(
            "(share_percent IS NULL) <> (buffer_units IS NULL)", name="one_stock_policy"
        ),
        CheckConstraint("share_percent BETWEEN 0 AND 100", name="share_is_a_percentage"),
        CheckConstraint("buffer_units >= 0", name="buffer_not_negative"),
        CheckConstraint("length(item_id) > 0", name="item_id_given"),
        Index("ix_listings_sku_fc", "sku_id", "fc_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("channel_shops.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    fc_id: Mapped[int] = mapped_column(ForeignKey("fulfillment_centers.id"), index=True)
    item_id: Mapped[str] = mapped_column(String(64))
    model_id: Mapped[str] = mapped_column(String(64), default="")
    seller_sku: Mapped[str] = mapped_column(String(200), default="")
    warehouse_id: Mapped[str] = mapped_column(String(64), default="")
    share_percent: Mapped[int | None] = mapped_column(Integer)
    buffer_units: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    shop: Mapped[ChannelShop] = relationship()
    sku: Mapped[Sku] = relationship()
    fc: Mapped[FulfillmentCenter] = relationship()
    stock: Mapped[ListingStock] = relationship(
        back_populates="listing", cascade="all, delete-orphan", uselist=False
    )


class ListingStock(Base):
    """The stock a listing should show and what the marketplace last took, one row per listing.

    `desired_version` goes up by one each time the desired quantity changes; the relay pushes
    the latest desired quantity and records the version it pushed, never an older version over
    a newer one, so repeated changes coalesce to the latest quantity."""

    __tablename__ = "listing_stock"
    __table_args__ = (
        CheckConstraint("desired_quantity >= 0", name="desired_not_negative"),
        CheckConstraint("pushed_quantity >= 0", name="pushed_not_negative"),
        CheckConstraint("desired_version >= 0", name="desired_version_not_negative"),
        CheckConstraint("pushed_version >= 0", name="pushed_version_not_negative"),
        CheckConstraint("pushed_version <= desired_version", name="pushed_not_ahead"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_listing_stock_status_next_attempt", "status", "next_attempt_at"),
    )

    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True
    )
    desired_quantity: Mapped[int] = mapped_column(Integer, default=0)
    desired_version: Mapped[int] = mapped_column(Integer, default=0)
    pushed_quantity: Mapped[int | None] = mapped_column(Integer)
    pushed_version: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[ListingStockStatus] = mapped_column(
        _enum(ListingStockStatus, "listing_stock_status"), default=ListingStockStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_error_kind: Mapped[StockErrorKind | None] = mapped_column(
        _enum(StockErrorKind, "stock_error_kind")
    )
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_pushed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When reconciliation last read what the marketplace shows."""
    checked_quantity: Mapped[int | None] = mapped_column(Integer)
    checked_version: Mapped[int | None] = mapped_column(Integer)
    """The desired version the reading was compared with."""
    drift_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    drift_reason: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    """Why reconciliation last sent the listing's quantity again, and when."""

    listing: Mapped[Listing] = relationship(back_populates="stock")


class ChannelHint(Base):
    """A verified marketplace webhook, kept as received until intake reads the order it names.

    The same webhook delivered again (same marketplace, same body) is stored once."""

    __tablename__ = "channel_hints"
    __table_args__ = (
        UniqueConstraint("marketplace", "digest"),
        Index("ix_channel_hints_status_next_attempt", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    marketplace: Mapped[Marketplace] = mapped_column(_enum(Marketplace, "marketplace"))
    shop_ref: Mapped[str] = mapped_column(String(64))
    """The marketplace's id of the shop (Shopee shop_id, Lazada seller_id, TikTok shop id)."""
    order_ref: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    status: Mapped[HintStatus] = mapped_column(
        _enum(HintStatus, "hint_status"), default=HintStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ChannelOrder(Base):
    """A marketplace order as intake knows it: the shop it came from, its last state, the WMS
    order made for it (none while unpaid, or while a problem stops intake), and whether the
    marketplace has been told it shipped."""

    __tablename__ = "channel_orders"
    __table_args__ = (
        UniqueConstraint("shop_id", "external_id"),
        CheckConstraint("shipment_attempts >= 0", name="shipment_attempts_not_negative"),
        Index("ix_channel_orders_shipment", "shipment_status", "shipment_next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("channel_shops.id"))
    external_id: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), unique=True)
    raw_status: Mapped[str] = mapped_column(String(200))
    state: Mapped[OrderState] = mapped_column(_enum(OrderState, "marketplace_order_state"))
    marketplace_updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    problem: Mapped[str] = mapped_column(Text, default="")
    """Why no WMS order could be made (or changed) for it; empty when there is none."""
    problem_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shipment_status: Mapped[ShipmentPush] = mapped_column(
        _enum(ShipmentPush, "shipment_push"), default=ShipmentPush.WAITING
    )
    shipment_attempts: Mapped[int] = mapped_column(Integer, default=0)
    shipment_next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    shipment_error: Mapped[str] = mapped_column(Text, default="")
    shipment_tracking: Mapped[str] = mapped_column(String(64), default="")
    """The tracking number sent; empty when the marketplace assigns its own (Lazada)."""
    shipment_pushed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    shop: Mapped[ChannelShop] = relationship()
    order: Mapped[Order | None] = relationship()
