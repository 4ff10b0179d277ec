"""Tables of the WMS as typed SQLAlchemy 2.0 models."""

from __future__ import annotations

import enum
from datetime import date, datetime
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
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wms.db.base import Base, UTCDateTime, utcnow
from wms.domain.actors import Role
from wms.domain.catalogue import LocationStatus, TemperatureClass, ZonePurpose
from wms.domain.stock import MovementReason


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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FulfillmentCenter(Base):
    """A warehouse in one country, with its currency and timezone."""

    __tablename__ = "fulfillment_centers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    timezone: Mapped[str] = mapped_column(String(64))
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
