"""channels: merchants' marketplace shops (tokens encrypted), listings mapping a SKU and FC to the
marketplace's ids with a stock policy, and each listing's stock to push

Revision ID: f92269948645
Revises: 9339846d6289
Create Date: 2026-12-04 06:43:28.969345
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f92269948645"
down_revision: str | None = "9339846d6289"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_shops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column(
            "marketplace",
            sa.Enum(
                "shopee",
                "lazada",
                "tiktok",
                name="marketplace",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("shop_id", sa.String(length=64), nullable=False),
        sa.Column("shop_cipher", sa.String(length=128), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=False),
        sa.Column("access_token_sealed", sa.Text(), nullable=False),
        sa.Column("refresh_token_sealed", sa.Text(), nullable=False),
        sa.Column("access_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refresh_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "connected",
                "needs_reauthorisation",
                "disconnected",
                name="shop_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("connected_by", sa.Integer(), nullable=True),
        sa.Column("connected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(country) = 2", name=op.f("ck_channel_shops_country_code")),
        sa.ForeignKeyConstraint(
            ["connected_by"], ["users.id"], name=op.f("fk_channel_shops_connected_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_channel_shops_merchant_id_merchants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_shops")),
        sa.UniqueConstraint(
            "marketplace",
            "country",
            "shop_id",
            name=op.f("uq_channel_shops_marketplace_country_shop_id"),
        ),
    )
    op.create_index(
        op.f("ix_channel_shops_merchant_id"), "channel_shops", ["merchant_id"], unique=False
    )
    op.create_index(
        "ix_channel_shops_status_access_expires",
        "channel_shops",
        ["status", "access_expires_at"],
        unique=False,
    )
    op.create_table(
        "listings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("fc_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("model_id", sa.String(length=64), nullable=False),
        sa.Column("seller_sku", sa.String(length=200), nullable=False),
        sa.Column("warehouse_id", sa.String(length=64), nullable=False),
        sa.Column("share_percent", sa.Integer(), nullable=True),
        sa.Column("buffer_units", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(share_percent IS NULL) <> (buffer_units IS NULL)",
            name=op.f("ck_listings_one_stock_policy"),
        ),
        sa.CheckConstraint("buffer_units >= 0", name=op.f("ck_listings_buffer_not_negative")),
        sa.CheckConstraint("length(item_id) > 0", name=op.f("ck_listings_item_id_given")),
        sa.CheckConstraint(
            "share_percent BETWEEN 0 AND 100", name=op.f("ck_listings_share_is_a_percentage")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_listings_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["fc_id"],
            ["fulfillment_centers.id"],
            name=op.f("fk_listings_fc_id_fulfillment_centers"),
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["channel_shops.id"], name=op.f("fk_listings_shop_id_channel_shops")
        ),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_listings_sku_id_skus")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listings")),
        sa.UniqueConstraint(
            "shop_id",
            "item_id",
            "model_id",
            "warehouse_id",
            name=op.f("uq_listings_shop_id_item_id_model_id_warehouse_id"),
        ),
        sa.UniqueConstraint(
            "shop_id", "sku_id", "fc_id", name=op.f("uq_listings_shop_id_sku_id_fc_id")
        ),
    )
    op.create_index(op.f("ix_listings_fc_id"), "listings", ["fc_id"], unique=False)
    op.create_index("ix_listings_sku_fc", "listings", ["sku_id", "fc_id"], unique=False)
    op.create_table(
        "listing_stock",
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("desired_quantity", sa.Integer(), nullable=False),
        sa.Column("desired_version", sa.Integer(), nullable=False),
        sa.Column("pushed_quantity", sa.Integer(), nullable=True),
        sa.Column("pushed_version", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "synced",
                "parked",
                name="listing_stock_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column(
            "last_error_kind",
            sa.Enum(
                "throttled",
                "transient",
                "permanent",
                "auth",
                name="stock_error_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("last_pushed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_listing_stock_attempts_not_negative")),
        sa.CheckConstraint(
            "desired_quantity >= 0", name=op.f("ck_listing_stock_desired_not_negative")
        ),
        sa.CheckConstraint(
            "desired_version >= 0", name=op.f("ck_listing_stock_desired_version_not_negative")
        ),
        sa.CheckConstraint(
            "pushed_quantity >= 0", name=op.f("ck_listing_stock_pushed_not_negative")
        ),
        sa.CheckConstraint(
            "pushed_version <= desired_version", name=op.f("ck_listing_stock_pushed_not_ahead")
        ),
        sa.CheckConstraint(
            "pushed_version >= 0", name=op.f("ck_listing_stock_pushed_version_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
            name=op.f("fk_listing_stock_listing_id_listings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("listing_id", name=op.f("pk_listing_stock")),
    )
    op.create_index(
        "ix_listing_stock_status_next_attempt",
        "listing_stock",
        ["status", "next_attempt_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_listing_stock_status_next_attempt", table_name="listing_stock")
    op.drop_table("listing_stock")
    op.drop_index("ix_listings_sku_fc", table_name="listings")
    op.drop_index(op.f("ix_listings_fc_id"), table_name="listings")
    op.drop_table("listings")
    op.drop_index("ix_channel_shops_status_access_expires", table_name="channel_shops")
    op.drop_index(op.f("ix_channel_shops_merchant_id"), table_name="channel_shops")
    op.drop_table("channel_shops")
