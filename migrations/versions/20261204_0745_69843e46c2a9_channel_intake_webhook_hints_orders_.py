"""channel intake: verified webhook hints, marketplace orders linked to WMS orders with their
shipment push, each shop's order-poll window, and what stock reconciliation last read

Revision ID: 69843e46c2a9
Revises: b7d41e2a9c05
Create Date: 2026-12-04 07:19:22.318163
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "69843e46c2a9"
down_revision: str | None = "b7d41e2a9c05"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=24)


def upgrade() -> None:
    op.create_table(
        "channel_hints",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "marketplace", _enum("marketplace", "shopee", "lazada", "tiktok"), nullable=False
        ),
        sa.Column("shop_ref", sa.String(length=64), nullable=False),
        sa.Column("order_ref", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            _enum("hint_status", "pending", "done", "ignored", "parked"),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_hints")),
        sa.UniqueConstraint(
            "marketplace", "digest", name=op.f("uq_channel_hints_marketplace_digest")
        ),
    )
    op.create_index(
        "ix_channel_hints_status_next_attempt",
        "channel_hints",
        ["status", "next_attempt_at"],
        unique=False,
    )
    op.create_table(
        "channel_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("raw_status", sa.String(length=200), nullable=False),
        sa.Column(
            "state",
            _enum(
                "marketplace_order_state",
                "unpaid",
                "ready",
                "shipped",
                "delivered",
                "cancelled",
                "other",
            ),
            nullable=False,
        ),
        sa.Column("marketplace_updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("problem_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "shipment_status",
            _enum("shipment_push", "waiting", "pushed", "parked", "not_ours"),
            nullable=False,
        ),
        sa.Column("shipment_attempts", sa.Integer(), nullable=False),
        sa.Column("shipment_next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shipment_error", sa.Text(), nullable=False),
        sa.Column("shipment_tracking", sa.String(length=64), nullable=False),
        sa.Column("shipment_pushed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "shipment_attempts >= 0",
            name=op.f("ck_channel_orders_shipment_attempts_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_channel_orders_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["channel_shops.id"],
            name=op.f("fk_channel_orders_shop_id_channel_shops"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_orders")),
        sa.UniqueConstraint("order_id", name=op.f("uq_channel_orders_order_id")),
        sa.UniqueConstraint(
            "shop_id", "external_id", name=op.f("uq_channel_orders_shop_id_external_id")
        ),
    )
    op.create_index(
        "ix_channel_orders_shipment",
        "channel_orders",
        ["shipment_status", "shipment_next_attempt_at"],
        unique=False,
    )
    with op.batch_alter_table("channel_shops", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("orders_polled_until", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("listing_stock", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("checked_quantity", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("checked_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("drift_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("drift_reason", sa.Text(), server_default=sa.text("''"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("listing_stock", schema=None) as batch_op:
        batch_op.drop_column("drift_reason")
        batch_op.drop_column("drift_at")
        batch_op.drop_column("checked_version")
        batch_op.drop_column("checked_quantity")
        batch_op.drop_column("checked_at")
    with op.batch_alter_table("channel_shops", schema=None) as batch_op:
        batch_op.drop_column("orders_polled_until")
    op.drop_index("ix_channel_orders_shipment", table_name="channel_orders")
    op.drop_table("channel_orders")
    op.drop_index("ix_channel_hints_status_next_attempt", table_name="channel_hints")
    op.drop_table("channel_hints")
