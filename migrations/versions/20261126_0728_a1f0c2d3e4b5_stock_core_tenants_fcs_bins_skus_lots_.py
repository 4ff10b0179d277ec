"""stock core: tenants, FCs, bins, SKUs, lots, ledger

Revision ID: a1f0c2d3e4b5
Revises:
Create Date: 2026-11-26 07:28:34.529277
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a1f0c2d3e4b5"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


APPEND_ONLY_MESSAGE = "stock_movements is append-only: write a correcting movement instead"


def _create_append_only_guard() -> None:
    """The ledger refuses UPDATE and DELETE of its rows, whoever connects."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION stock_movements_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER stock_movements_append_only BEFORE UPDATE OR DELETE "
            "ON stock_movements FOR EACH ROW EXECUTE FUNCTION stock_movements_append_only()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER stock_movements_no_{action.lower()} BEFORE {action} "
                f"ON stock_movements BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
            )


def _drop_append_only_guard() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER stock_movements_append_only ON stock_movements")
        op.execute("DROP FUNCTION stock_movements_append_only()")
    else:
        op.execute("DROP TRIGGER stock_movements_no_update")
        op.execute("DROP TRIGGER stock_movements_no_delete")


def upgrade() -> None:
    op.create_table(
        "fulfillment_centers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=120), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fulfillment_centers")),
        sa.UniqueConstraint("code", name=op.f("uq_fulfillment_centers_code")),
    )
    op.create_table(
        "merchants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("name_th", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merchants")),
        sa.UniqueConstraint("code", name=op.f("uq_merchants_code")),
    )
    op.create_table(
        "skus",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("gtin", sa.String(length=14), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("name_th", sa.String(length=200), nullable=False),
        sa.Column("length_mm", sa.Integer(), nullable=False),
        sa.Column("width_mm", sa.Integer(), nullable=False),
        sa.Column("height_mm", sa.Integer(), nullable=False),
        sa.Column("weight_g", sa.Integer(), nullable=False),
        sa.Column(
            "temperature_class",
            sa.Enum(
                "ambient",
                "chilled",
                "frozen",
                name="temperature_class",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("shelf_life_days", sa.Integer(), nullable=True),
        sa.Column("lot_tracked", sa.Boolean(), nullable=False),
        sa.Column("expiry_tracked", sa.Boolean(), nullable=False),
        sa.Column("hs_code", sa.String(length=12), nullable=False),
        sa.Column("declared_value", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("declared_currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("declared_value >= 0", name=op.f("ck_skus_declared_value_not_negative")),
        sa.CheckConstraint(
            "length_mm > 0 AND width_mm > 0 AND height_mm > 0",
            name=op.f("ck_skus_dimensions_positive"),
        ),
        sa.CheckConstraint("weight_g > 0", name=op.f("ck_skus_weight_positive")),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_skus_merchant_id_merchants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skus")),
        sa.UniqueConstraint("merchant_id", "code", name=op.f("uq_skus_merchant_id_code")),
        sa.UniqueConstraint("merchant_id", "gtin", name=op.f("uq_skus_merchant_id_gtin")),
    )
    op.create_index(op.f("ix_skus_gtin"), "skus", ["gtin"], unique=False)
    op.create_index(op.f("ix_skus_merchant_id"), "skus", ["merchant_id"], unique=False)
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "manager",
                "staff",
                "merchant",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("merchant_id", sa.Integer(), nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(role = 'merchant') = (merchant_id IS NOT NULL)",
            name=op.f("ck_users_merchant_users_have_merchant"),
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_users_merchant_id_merchants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_index(op.f("ix_users_merchant_id"), "users", ["merchant_id"], unique=False)
    op.create_table(
        "zones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fc_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column(
            "temperature_class",
            sa.Enum(
                "ambient",
                "chilled",
                "frozen",
                name="temperature_class",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "purpose",
            sa.Enum(
                "storage",
                "high_value",
                "hazmat",
                "receiving",
                "quarantine",
                "staging",
                "dispatch",
                name="zone_purpose",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["fc_id"], ["fulfillment_centers.id"], name=op.f("fk_zones_fc_id_fulfillment_centers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zones")),
        sa.UniqueConstraint("fc_id", "code", name=op.f("uq_zones_fc_id_code")),
    )
    op.create_index(op.f("ix_zones_fc_id"), "zones", ["fc_id"], unique=False)
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"], unique=False)
    op.create_table(
        "idempotency_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("operation", sa.String(length=64), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_idempotency_records_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_records")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_idempotency_records_user_id_key")),
    )
    op.create_table(
        "locations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fc_id", sa.Integer(), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("aisle", sa.String(length=4), nullable=False),
        sa.Column("bay", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("position", sa.String(length=2), nullable=True),
        sa.Column("x", sa.Float(), nullable=False),
        sa.Column("y", sa.Float(), nullable=False),
        sa.Column("z", sa.Float(), nullable=False),
        sa.Column("volume_cm3", sa.Integer(), nullable=False),
        sa.Column("max_weight_g", sa.Integer(), nullable=False),
        sa.Column("pickable", sa.Boolean(), nullable=False),
        sa.Column("pick_sequence", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "active",
                "blocked",
                "inactive",
                name="location_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.CheckConstraint("max_weight_g > 0", name=op.f("ck_locations_weight_positive")),
        sa.CheckConstraint("volume_cm3 > 0", name=op.f("ck_locations_volume_positive")),
        sa.ForeignKeyConstraint(
            ["fc_id"],
            ["fulfillment_centers.id"],
            name=op.f("fk_locations_fc_id_fulfillment_centers"),
        ),
        sa.ForeignKeyConstraint(["zone_id"], ["zones.id"], name=op.f("fk_locations_zone_id_zones")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_locations")),
        sa.UniqueConstraint("fc_id", "code", name=op.f("uq_locations_fc_id_code")),
    )
    op.create_index(op.f("ix_locations_fc_id"), "locations", ["fc_id"], unique=False)
    op.create_index(op.f("ix_locations_zone_id"), "locations", ["zone_id"], unique=False)
    op.create_table(
        "lots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("lot_number", sa.String(length=40), nullable=False),
        sa.Column("expiry_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_lots_sku_id_skus")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lots")),
        sa.UniqueConstraint("sku_id", "lot_number", name=op.f("uq_lots_sku_id_lot_number")),
    )
    op.create_index(op.f("ix_lots_sku_id"), "lots", ["sku_id"], unique=False)
    op.create_table(
        "user_fcs",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("fc_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fc_id"],
            ["fulfillment_centers.id"],
            name=op.f("fk_user_fcs_fc_id_fulfillment_centers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_fcs_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "fc_id", name=op.f("pk_user_fcs")),
    )
    op.create_table(
        "stock_balances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fc_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=True),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("on_hand >= 0", name=op.f("ck_stock_balances_on_hand_not_negative")),
        sa.CheckConstraint(
            "reserved <= on_hand", name=op.f("ck_stock_balances_reserved_within_on_hand")
        ),
        sa.CheckConstraint("reserved >= 0", name=op.f("ck_stock_balances_reserved_not_negative")),
        sa.ForeignKeyConstraint(
            ["fc_id"],
            ["fulfillment_centers.id"],
            name=op.f("fk_stock_balances_fc_id_fulfillment_centers"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_stock_balances_location_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["lots.id"], name=op.f("fk_stock_balances_lot_id_lots")
        ),
        sa.ForeignKeyConstraint(
            ["sku_id"], ["skus.id"], name=op.f("fk_stock_balances_sku_id_skus")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_balances")),
    )
    op.create_index(op.f("ix_stock_balances_fc_id"), "stock_balances", ["fc_id"], unique=False)
    op.create_index(
        op.f("ix_stock_balances_location_id"), "stock_balances", ["location_id"], unique=False
    )
    op.create_index(op.f("ix_stock_balances_lot_id"), "stock_balances", ["lot_id"], unique=False)
    op.create_index("ix_stock_balances_sku_fc", "stock_balances", ["sku_id", "fc_id"], unique=False)
    op.create_index(
        "uq_stock_balances_location_sku_lot",
        "stock_balances",
        ["location_id", "sku_id", "lot_id"],
        unique=True,
        postgresql_where=sa.text("lot_id IS NOT NULL"),
        sqlite_where=sa.text("lot_id IS NOT NULL"),
    )
    op.create_index(
        "uq_stock_balances_location_sku_no_lot",
        "stock_balances",
        ["location_id", "sku_id"],
        unique=True,
        postgresql_where=sa.text("lot_id IS NULL"),
        sqlite_where=sa.text("lot_id IS NULL"),
    )
    op.create_table(
        "stock_movements",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("fc_id", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=True),
        sa.Column("from_location_id", sa.Integer(), nullable=True),
        sa.Column("to_location_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "move",
                "count_correction",
                "damaged",
                "expired",
                "found",
                "lost",
                "opening_balance",
                name="movement_reason",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "from_location_id IS NOT NULL OR to_location_id IS NOT NULL",
            name=op.f("ck_stock_movements_has_a_side"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_stock_movements_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_stock_movements_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["fc_id"],
            ["fulfillment_centers.id"],
            name=op.f("fk_stock_movements_fc_id_fulfillment_centers"),
        ),
        sa.ForeignKeyConstraint(
            ["from_location_id"],
            ["locations.id"],
            name=op.f("fk_stock_movements_from_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["lots.id"], name=op.f("fk_stock_movements_lot_id_lots")
        ),
        sa.ForeignKeyConstraint(
            ["sku_id"], ["skus.id"], name=op.f("fk_stock_movements_sku_id_skus")
        ),
        sa.ForeignKeyConstraint(
            ["to_location_id"],
            ["locations.id"],
            name=op.f("fk_stock_movements_to_location_id_locations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movements")),
    )
    op.create_index(op.f("ix_stock_movements_fc_id"), "stock_movements", ["fc_id"], unique=False)
    op.create_index(
        op.f("ix_stock_movements_from_location_id"),
        "stock_movements",
        ["from_location_id"],
        unique=False,
    )
    op.create_index(
        "ix_stock_movements_sku_created", "stock_movements", ["sku_id", "created_at"], unique=False
    )
    op.create_index(
        op.f("ix_stock_movements_to_location_id"),
        "stock_movements",
        ["to_location_id"],
        unique=False,
    )
    _create_append_only_guard()


def downgrade() -> None:
    _drop_append_only_guard()
    op.drop_index(op.f("ix_stock_movements_to_location_id"), table_name="stock_movements")
    op.drop_index("ix_stock_movements_sku_created", table_name="stock_movements")
    op.drop_index(op.f("ix_stock_movements_from_location_id"), table_name="stock_movements")
    op.drop_index(op.f("ix_stock_movements_fc_id"), table_name="stock_movements")
    op.drop_table("stock_movements")
    op.drop_index(
        "uq_stock_balances_location_sku_no_lot",
        table_name="stock_balances",
        postgresql_where=sa.text("lot_id IS NULL"),
        sqlite_where=sa.text("lot_id IS NULL"),
    )
    op.drop_index(
        "uq_stock_balances_location_sku_lot",
        table_name="stock_balances",
        postgresql_where=sa.text("lot_id IS NOT NULL"),
        sqlite_where=sa.text("lot_id IS NOT NULL"),
    )
    op.drop_index("ix_stock_balances_sku_fc", table_name="stock_balances")
    op.drop_index(op.f("ix_stock_balances_lot_id"), table_name="stock_balances")
    op.drop_index(op.f("ix_stock_balances_location_id"), table_name="stock_balances")
    op.drop_index(op.f("ix_stock_balances_fc_id"), table_name="stock_balances")
    op.drop_table("stock_balances")
    op.drop_table("user_fcs")
    op.drop_index(op.f("ix_lots_sku_id"), table_name="lots")
    op.drop_table("lots")
    op.drop_index(op.f("ix_locations_zone_id"), table_name="locations")
    op.drop_index(op.f("ix_locations_fc_id"), table_name="locations")
    op.drop_table("locations")
    op.drop_table("idempotency_records")
    op.drop_index(op.f("ix_api_tokens_user_id"), table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_index(op.f("ix_zones_fc_id"), table_name="zones")
    op.drop_table("zones")
    op.drop_index(op.f("ix_users_merchant_id"), table_name="users")
    op.drop_table("users")
    op.drop_index(op.f("ix_skus_merchant_id"), table_name="skus")
    op.drop_index(op.f("ix_skus_gtin"), table_name="skus")
    op.drop_table("skus")
    op.drop_table("merchants")
    op.drop_table("fulfillment_centers")
