"""outbound: orders, allocation, waves, pick exceptions, packing and manifests

Revision ID: 97135272eeee
Revises: 4c688dae0ceb
Create Date: 2026-11-26 09:52:03.891382
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "97135272eeee"
down_revision: str | None = "4c688dae0ceb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


OLD_REASONS = (
    "move",
    "count_correction",
    "damaged",
    "expired",
    "found",
    "lost",
    "opening_balance",
    "received",
    "putaway",
)
NEW_REASONS = (*OLD_REASONS, "picked", "shipped", "short_pick")
REASON_CHECK = "ck_stock_movements_movement_reason"
APPEND_ONLY_MESSAGE = "stock_movements is append-only: write a correcting movement instead"


def _reason_check(reasons: tuple[str, ...]) -> str:
    return "reason IN (" + ", ".join(f"'{reason}'" for reason in reasons) + ")"


def _set_movement_reasons(reasons: tuple[str, ...]) -> None:
    """Replace the ledger's list of reasons; SQLite rebuilds the table, so re-arm its guard."""
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f(REASON_CHECK), "stock_movements", type_="check")
        op.create_check_constraint("movement_reason", "stock_movements", _reason_check(reasons))
        return
    op.execute("DROP TRIGGER stock_movements_no_update")
    op.execute("DROP TRIGGER stock_movements_no_delete")
    with op.batch_alter_table("stock_movements") as batch_op:
        batch_op.drop_constraint(op.f(REASON_CHECK), type_="check")
        batch_op.create_check_constraint("movement_reason", _reason_check(reasons))
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER stock_movements_no_{action.lower()} BEFORE {action} "
            f"ON stock_movements BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
        )


def upgrade() -> None:
    op.create_table(
        "carriers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fc_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("cutoff_local", sa.Time(), nullable=False),
        sa.Column("own_fleet", sa.Boolean(), nullable=False),
        sa.Column("tracking_prefix", sa.String(length=6), nullable=False),
        sa.Column("last_tracking_serial", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["fc_id"],
            ["fulfillment_centers.id"],
            name=op.f("fk_carriers_fc_id_fulfillment_centers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carriers")),
        sa.UniqueConstraint("fc_id", "code", name=op.f("uq_carriers_fc_id_code")),
    )
    op.create_index(op.f("ix_carriers_fc_id"), "carriers", ["fc_id"], unique=False)

    op.create_table(
        "shelf_life_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fc_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("min_remaining_days", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "min_remaining_days >= 0", name=op.f("ck_shelf_life_rules_days_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["fc_id"],
            ["fulfillment_centers.id"],
            name=op.f("fk_shelf_life_rules_fc_id_fulfillment_centers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shelf_life_rules")),
        sa.UniqueConstraint(
            "fc_id", "channel", "country", name=op.f("uq_shelf_life_rules_fc_id_channel_country")
        ),
    )
    op.create_index(op.f("ix_shelf_life_rules_fc_id"), "shelf_life_rules", ["fc_id"], unique=False)

    op.create_table(
        "manifests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("fc_id", sa.Integer(), nullable=False),
        sa.Column("carrier_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "closed",
                name="manifest_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["carrier_id"], ["carriers.id"], name=op.f("fk_manifests_carrier_id_carriers")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["users.id"], name=op.f("fk_manifests_closed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_manifests_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["fc_id"],
            ["fulfillment_centers.id"],
            name=op.f("fk_manifests_fc_id_fulfillment_centers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manifests")),
        sa.UniqueConstraint("reference", name=op.f("uq_manifests_reference")),
    )
    op.create_index("ix_manifests_fc_status", "manifests", ["fc_id", "status"], unique=False)

    op.create_table(
        "waves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("fc_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "released",
                "done",
                "discarded",
                name="wave_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("cutoff", sa.DateTime(timezone=True), nullable=True),
        sa.Column("carrier_id", sa.Integer(), nullable=True),
        sa.Column("max_orders", sa.Integer(), nullable=False),
        sa.Column("max_volume_l", sa.Float(), nullable=False),
        sa.Column("max_weight_kg", sa.Float(), nullable=False),
        sa.Column("walking_m", sa.Float(), nullable=False),
        sa.Column("fcfs_walking_m", sa.Float(), nullable=False),
        sa.Column("planning_ms", sa.Integer(), nullable=False),
        sa.Column("planned_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["carrier_id"], ["carriers.id"], name=op.f("fk_waves_carrier_id_carriers")
        ),
        sa.ForeignKeyConstraint(
            ["fc_id"], ["fulfillment_centers.id"], name=op.f("fk_waves_fc_id_fulfillment_centers")
        ),
        sa.ForeignKeyConstraint(
            ["planned_by"], ["users.id"], name=op.f("fk_waves_planned_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waves")),
        sa.UniqueConstraint("reference", name=op.f("uq_waves_reference")),
    )
    op.create_index("ix_waves_fc_status", "waves", ["fc_id", "status"], unique=False)

    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("fc_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "received",
                "backordered",
                "allocated",
                "waved",
                "picked",
                "packed",
                "shipped",
                "cancelled",
                name="order_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("carrier_id", sa.Integer(), nullable=False),
        sa.Column("ship_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("recipient_phone", sa.String(length=32), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("city", sa.String(length=120), nullable=False),
        sa.Column("postcode", sa.String(length=12), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("cod_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("min_remaining_days", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("cod_amount >= 0", name=op.f("ck_orders_cod_not_negative")),
        sa.ForeignKeyConstraint(
            ["carrier_id"], ["carriers.id"], name=op.f("fk_orders_carrier_id_carriers")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_orders_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["fc_id"], ["fulfillment_centers.id"], name=op.f("fk_orders_fc_id_fulfillment_centers")
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_orders_merchant_id_merchants")
        ),
        sa.ForeignKeyConstraint(["wave_id"], ["waves.id"], name=op.f("fk_orders_wave_id_waves")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint(
            "merchant_id",
            "channel",
            "external_id",
            name=op.f("uq_orders_merchant_id_channel_external_id"),
        ),
        sa.UniqueConstraint("reference", name=op.f("uq_orders_reference")),
    )
    op.create_index(op.f("ix_orders_carrier_id"), "orders", ["carrier_id"], unique=False)
    op.create_index(
        "ix_orders_fc_status_ship_by", "orders", ["fc_id", "status", "ship_by"], unique=False
    )
    op.create_index(op.f("ix_orders_merchant_id"), "orders", ["merchant_id"], unique=False)
    op.create_index(op.f("ix_orders_wave_id"), "orders", ["wave_id"], unique=False)

    op.create_table(
        "pick_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("fc_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
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
        sa.Column("single_items", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "released",
                "picking",
                "picked",
                "discarded",
                name="batch_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("walking_m", sa.Float(), nullable=False),
        sa.Column("estimated_minutes", sa.Float(), nullable=False),
        sa.Column("volume_l", sa.Float(), nullable=False),
        sa.Column("weight_kg", sa.Float(), nullable=False),
        sa.Column("route", sa.Text(), nullable=False),
        sa.Column("picker_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["fc_id"],
            ["fulfillment_centers.id"],
            name=op.f("fk_pick_batches_fc_id_fulfillment_centers"),
        ),
        sa.ForeignKeyConstraint(
            ["picker_id"], ["users.id"], name=op.f("fk_pick_batches_picker_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["waves.id"], name=op.f("fk_pick_batches_wave_id_waves")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pick_batches")),
        sa.UniqueConstraint("wave_id", "number", name=op.f("uq_pick_batches_wave_id_number")),
    )
    op.create_index("ix_pick_batches_fc_status", "pick_batches", ["fc_id", "status"], unique=False)
    op.create_index(op.f("ix_pick_batches_wave_id"), "pick_batches", ["wave_id"], unique=False)

    op.create_table(
        "batch_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("tote_code", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["pick_batches.id"], name=op.f("fk_batch_orders_batch_id_pick_batches")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_batch_orders_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_orders")),
        sa.UniqueConstraint("batch_id", "order_id", name=op.f("uq_batch_orders_batch_id_order_id")),
        sa.UniqueConstraint("batch_id", "slot", name=op.f("uq_batch_orders_batch_id_slot")),
    )
    op.create_index(op.f("ix_batch_orders_batch_id"), "batch_orders", ["batch_id"], unique=False)
    op.create_index(op.f("ix_batch_orders_order_id"), "batch_orders", ["order_id"], unique=False)
    op.create_index(op.f("ix_batch_orders_tote_code"), "batch_orders", ["tote_code"], unique=False)

    op.create_table(
        "order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_order_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_lines_order_id_orders")
        ),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_order_lines_sku_id_skus")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
        sa.UniqueConstraint(
            "order_id", "line_number", name=op.f("uq_order_lines_order_id_line_number")
        ),
    )
    op.create_index(op.f("ix_order_lines_order_id"), "order_lines", ["order_id"], unique=False)
    op.create_index(op.f("ix_order_lines_sku_id"), "order_lines", ["sku_id"], unique=False)

    op.create_table(
        "packages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fc_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("carrier_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "packed",
                "manifested",
                "shipped",
                "cancelled",
                name="package_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("sscc", sa.String(length=18), nullable=True),
        sa.Column("tracking_number", sa.String(length=40), nullable=True),
        sa.Column("carton_code", sa.String(length=8), nullable=False),
        sa.Column("length_mm", sa.Integer(), nullable=False),
        sa.Column("width_mm", sa.Integer(), nullable=False),
        sa.Column("height_mm", sa.Integer(), nullable=False),
        sa.Column("weight_g", sa.Integer(), nullable=False),
        sa.Column("manifest_id", sa.Integer(), nullable=True),
        sa.Column("packed_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("packed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["carrier_id"], ["carriers.id"], name=op.f("fk_packages_carrier_id_carriers")
        ),
        sa.ForeignKeyConstraint(
            ["fc_id"],
            ["fulfillment_centers.id"],
            name=op.f("fk_packages_fc_id_fulfillment_centers"),
        ),
        sa.ForeignKeyConstraint(
            ["manifest_id"], ["manifests.id"], name=op.f("fk_packages_manifest_id_manifests")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_packages_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["packed_by"], ["users.id"], name=op.f("fk_packages_packed_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_packages")),
        sa.UniqueConstraint("sscc", name=op.f("uq_packages_sscc")),
        sa.UniqueConstraint("tracking_number", name=op.f("uq_packages_tracking_number")),
    )
    op.create_index("ix_packages_fc_status", "packages", ["fc_id", "status"], unique=False)
    op.create_index(op.f("ix_packages_manifest_id"), "packages", ["manifest_id"], unique=False)
    op.create_index(op.f("ix_packages_order_id"), "packages", ["order_id"], unique=False)

    op.create_table(
        "pick_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fc_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "short",
                "damaged",
                name="exception_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "resolved",
                name="exception_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reallocated", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reported_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_pick_exceptions_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["pick_batches.id"], name=op.f("fk_pick_exceptions_batch_id_pick_batches")
        ),
        sa.ForeignKeyConstraint(
            ["fc_id"],
            ["fulfillment_centers.id"],
            name=op.f("fk_pick_exceptions_fc_id_fulfillment_centers"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_pick_exceptions_location_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["lots.id"], name=op.f("fk_pick_exceptions_lot_id_lots")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_pick_exceptions_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["reported_by"], ["users.id"], name=op.f("fk_pick_exceptions_reported_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by"], ["users.id"], name=op.f("fk_pick_exceptions_resolved_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["sku_id"], ["skus.id"], name=op.f("fk_pick_exceptions_sku_id_skus")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pick_exceptions")),
    )
    op.create_index(
        "ix_pick_exceptions_fc_status", "pick_exceptions", ["fc_id", "status"], unique=False
    )
    op.create_index(
        op.f("ix_pick_exceptions_order_id"), "pick_exceptions", ["order_id"], unique=False
    )

    op.create_table(
        "allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=True),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("picked_from_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("picked_quantity", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "reserved",
                "picked",
                "shipped",
                "short",
                "cancelled",
                name="allocation_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("pick_sequence", sa.Integer(), nullable=True),
        sa.Column("picked_by", sa.Integer(), nullable=True),
        sa.Column("picked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "picked_quantity <= quantity", name=op.f("ck_allocations_picked_within_quantity")
        ),
        sa.CheckConstraint("picked_quantity >= 0", name=op.f("ck_allocations_picked_not_negative")),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_allocations_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["pick_batches.id"], name=op.f("fk_allocations_batch_id_pick_batches")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_allocations_location_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["picked_from_id"],
            ["locations.id"],
            name=op.f("fk_allocations_picked_from_id_locations"),
        ),
        sa.ForeignKeyConstraint(["lot_id"], ["lots.id"], name=op.f("fk_allocations_lot_id_lots")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_allocations_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_allocations_order_line_id_order_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["picked_by"], ["users.id"], name=op.f("fk_allocations_picked_by_users")
        ),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_allocations_sku_id_skus")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocations")),
    )
    op.create_index(op.f("ix_allocations_batch_id"), "allocations", ["batch_id"], unique=False)
    op.create_index(
        "ix_allocations_location_sku", "allocations", ["location_id", "sku_id"], unique=False
    )
    op.create_index(op.f("ix_allocations_order_id"), "allocations", ["order_id"], unique=False)
    op.create_index(
        op.f("ix_allocations_order_line_id"), "allocations", ["order_line_id"], unique=False
    )

    op.create_table(
        "package_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_package_items_quantity_positive")),
        sa.ForeignKeyConstraint(["lot_id"], ["lots.id"], name=op.f("fk_package_items_lot_id_lots")),
        sa.ForeignKeyConstraint(
            ["package_id"], ["packages.id"], name=op.f("fk_package_items_package_id_packages")
        ),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_package_items_sku_id_skus")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_package_items")),
    )
    op.create_index(
        op.f("ix_package_items_package_id"), "package_items", ["package_id"], unique=False
    )

    _set_movement_reasons(NEW_REASONS)


def downgrade() -> None:
    _set_movement_reasons(OLD_REASONS)
    op.drop_index(op.f("ix_package_items_package_id"), table_name="package_items")

    op.drop_table("package_items")
    op.drop_index(op.f("ix_allocations_order_line_id"), table_name="allocations")
    op.drop_index(op.f("ix_allocations_order_id"), table_name="allocations")
    op.drop_index("ix_allocations_location_sku", table_name="allocations")
    op.drop_index(op.f("ix_allocations_batch_id"), table_name="allocations")

    op.drop_table("allocations")
    op.drop_index(op.f("ix_pick_exceptions_order_id"), table_name="pick_exceptions")
    op.drop_index("ix_pick_exceptions_fc_status", table_name="pick_exceptions")

    op.drop_table("pick_exceptions")
    op.drop_index(op.f("ix_packages_order_id"), table_name="packages")
    op.drop_index(op.f("ix_packages_manifest_id"), table_name="packages")
    op.drop_index("ix_packages_fc_status", table_name="packages")

    op.drop_table("packages")
    op.drop_index(op.f("ix_order_lines_sku_id"), table_name="order_lines")
    op.drop_index(op.f("ix_order_lines_order_id"), table_name="order_lines")

    op.drop_table("order_lines")
    op.drop_index(op.f("ix_batch_orders_tote_code"), table_name="batch_orders")
    op.drop_index(op.f("ix_batch_orders_order_id"), table_name="batch_orders")
    op.drop_index(op.f("ix_batch_orders_batch_id"), table_name="batch_orders")

    op.drop_table("batch_orders")
    op.drop_index(op.f("ix_pick_batches_wave_id"), table_name="pick_batches")
    op.drop_index("ix_pick_batches_fc_status", table_name="pick_batches")

    op.drop_table("pick_batches")
    op.drop_index(op.f("ix_orders_wave_id"), table_name="orders")
    op.drop_index(op.f("ix_orders_merchant_id"), table_name="orders")
    op.drop_index("ix_orders_fc_status_ship_by", table_name="orders")
    op.drop_index(op.f("ix_orders_carrier_id"), table_name="orders")

    op.drop_table("orders")
    op.drop_index("ix_waves_fc_status", table_name="waves")

    op.drop_table("waves")
    op.drop_index("ix_manifests_fc_status", table_name="manifests")

    op.drop_table("manifests")
    op.drop_index(op.f("ix_shelf_life_rules_fc_id"), table_name="shelf_life_rules")

    op.drop_table("shelf_life_rules")
    op.drop_index(op.f("ix_carriers_fc_id"), table_name="carriers")

    op.drop_table("carriers")
