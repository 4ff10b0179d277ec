"""inbound: consignments, receipts, putaway and slotting, outbox

Revision ID: 4c688dae0ceb
Revises: a1f0c2d3e4b5
Create Date: 2026-11-26 08:58:11.076562
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4c688dae0ceb"
down_revision: str | None = "a1f0c2d3e4b5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


OLD_REASONS = ("move", "count_correction", "damaged", "expired", "found", "lost", "opening_balance")
NEW_REASONS = (*OLD_REASONS, "received", "putaway")
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
        "outbox_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "delivered",
                "parked",
                "skipped",
                name="outbox_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_outbox_events_merchant_id_merchants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
    )
    op.create_index(
        op.f("ix_outbox_events_merchant_id"), "outbox_events", ["merchant_id"], unique=False
    )
    op.create_index(
        "ix_outbox_events_status_available",
        "outbox_events",
        ["status", "available_at"],
        unique=False,
    )

    op.create_table(
        "consignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("fc_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "in_transit",
                "at_customs",
                "held",
                "arrived",
                "receiving",
                "received",
                "closed",
                "cancelled",
                name="consignment_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "mode",
            sa.Enum(
                "road",
                "sea",
                "air",
                name="shipment_mode",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("border_crossing", sa.String(length=80), nullable=False),
        sa.Column("origin_name", sa.String(length=200), nullable=False),
        sa.Column("origin_address", sa.Text(), nullable=False),
        sa.Column("origin_country", sa.String(length=2), nullable=False),
        sa.Column("carrier", sa.String(length=80), nullable=False),
        sa.Column("tracking_number", sa.String(length=80), nullable=False),
        sa.Column("eta", sa.Date(), nullable=False),
        sa.Column("form_d_reference", sa.String(length=40), nullable=False),
        sa.Column("customs_declaration_number", sa.String(length=40), nullable=False),
        sa.Column("fc_currency", sa.String(length=3), nullable=False),
        sa.Column("exchange_rate", sa.Numeric(precision=18, scale=8), nullable=False),
        sa.Column("exchange_rate_date", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "exchange_rate > 0", name=op.f("ck_consignments_exchange_rate_positive")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_consignments_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["fc_id"],
            ["fulfillment_centers.id"],
            name=op.f("fk_consignments_fc_id_fulfillment_centers"),
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_consignments_merchant_id_merchants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consignments")),
        sa.UniqueConstraint("reference", name=op.f("uq_consignments_reference")),
    )
    op.create_index(
        "ix_consignments_fc_status_eta", "consignments", ["fc_id", "status", "eta"], unique=False
    )
    op.create_index(
        op.f("ix_consignments_merchant_id"), "consignments", ["merchant_id"], unique=False
    )

    op.create_table(
        "exchange_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("base_currency", sa.String(length=3), nullable=False),
        sa.Column("quote_currency", sa.String(length=3), nullable=False),
        sa.Column("rate", sa.Numeric(precision=18, scale=8), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("rate > 0", name=op.f("ck_exchange_rates_rate_positive")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_exchange_rates_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_rates")),
        sa.UniqueConstraint(
            "base_currency",
            "quote_currency",
            "valid_from",
            name=op.f("uq_exchange_rates_base_currency_quote_currency_valid_from"),
        ),
    )
    op.create_table(
        "scan_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("fc_id", sa.Integer(), nullable=False),
        sa.Column("workflow", sa.String(length=24), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("raw", sa.String(length=200), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["fc_id"],
            ["fulfillment_centers.id"],
            name=op.f("fk_scan_events_fc_id_fulfillment_centers"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_scan_events_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scan_events")),
    )
    op.create_index(
        "ix_scan_events_workflow_subject", "scan_events", ["workflow", "subject_id"], unique=False
    )

    op.create_table(
        "slotting_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fc_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "released",
                "discarded",
                name="plan_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("current_walking_m", sa.Float(), nullable=False),
        sa.Column("planned_walking_m", sa.Float(), nullable=False),
        sa.Column("solver_status", sa.String(length=16), nullable=False),
        sa.Column("solve_seconds", sa.Float(), nullable=False),
        sa.Column("moves", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_by", sa.Integer(), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_slotting_plans_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["fc_id"],
            ["fulfillment_centers.id"],
            name=op.f("fk_slotting_plans_fc_id_fulfillment_centers"),
        ),
        sa.ForeignKeyConstraint(
            ["released_by"], ["users.id"], name=op.f("fk_slotting_plans_released_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slotting_plans")),
    )
    op.create_index(op.f("ix_slotting_plans_fc_id"), "slotting_plans", ["fc_id"], unique=False)

    op.create_table(
        "cartons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consignment_id", sa.Integer(), nullable=True),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("sscc", sa.String(length=18), nullable=False),
        sa.Column("generated", sa.Boolean(), nullable=False),
        sa.Column("gross_weight_g", sa.Integer(), nullable=True),
        sa.Column("length_mm", sa.Integer(), nullable=True),
        sa.Column("width_mm", sa.Integer(), nullable=True),
        sa.Column("height_mm", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["consignment_id"],
            ["consignments.id"],
            name=op.f("fk_cartons_consignment_id_consignments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_cartons_merchant_id_merchants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cartons")),
        sa.UniqueConstraint("sscc", name=op.f("uq_cartons_sscc")),
    )
    op.create_index(op.f("ix_cartons_consignment_id"), "cartons", ["consignment_id"], unique=False)
    op.create_index(op.f("ix_cartons_merchant_id"), "cartons", ["merchant_id"], unique=False)

    op.create_table(
        "consignment_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consignment_id", sa.Integer(), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "draft",
                "submitted",
                "in_transit",
                "at_customs",
                "held",
                "arrived",
                "receiving",
                "received",
                "closed",
                "cancelled",
                name="from_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "draft",
                "submitted",
                "in_transit",
                "at_customs",
                "held",
                "arrived",
                "receiving",
                "received",
                "closed",
                "cancelled",
                name="to_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_consignment_events_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["consignment_id"],
            ["consignments.id"],
            name=op.f("fk_consignment_events_consignment_id_consignments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consignment_events")),
    )
    op.create_index(
        op.f("ix_consignment_events_consignment_id"),
        "consignment_events",
        ["consignment_id"],
        unique=False,
    )

    op.create_table(
        "consignment_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consignment_id", sa.Integer(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("lot_number", sa.String(length=40), nullable=True),
        sa.Column("expiry_date", sa.Date(), nullable=True),
        sa.Column("hs_code", sa.String(length=12), nullable=False),
        sa.Column("unit_value_thb", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_consignment_lines_quantity_positive")),
        sa.CheckConstraint(
            "unit_value_thb >= 0", name=op.f("ck_consignment_lines_unit_value_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["consignment_id"],
            ["consignments.id"],
            name=op.f("fk_consignment_lines_consignment_id_consignments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sku_id"], ["skus.id"], name=op.f("fk_consignment_lines_sku_id_skus")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consignment_lines")),
        sa.UniqueConstraint(
            "consignment_id",
            "line_number",
            name=op.f("uq_consignment_lines_consignment_id_line_number"),
        ),
    )
    op.create_index(
        op.f("ix_consignment_lines_consignment_id"),
        "consignment_lines",
        ["consignment_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_consignment_lines_sku_id"), "consignment_lines", ["sku_id"], unique=False
    )

    op.create_table(
        "carton_contents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("carton_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_carton_contents_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["carton_id"],
            ["cartons.id"],
            name=op.f("fk_carton_contents_carton_id_cartons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["consignment_lines.id"],
            name=op.f("fk_carton_contents_line_id_consignment_lines"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carton_contents")),
        sa.UniqueConstraint(
            "carton_id", "line_id", name=op.f("uq_carton_contents_carton_id_line_id")
        ),
    )
    op.create_index(
        op.f("ix_carton_contents_line_id"), "carton_contents", ["line_id"], unique=False
    )

    op.create_table(
        "receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fc_id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("consignment_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "closed",
                name="receipt_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("receiving_location_id", sa.Integer(), nullable=False),
        sa.Column("quarantine_location_id", sa.Integer(), nullable=False),
        sa.Column("current_carton_id", sa.Integer(), nullable=True),
        sa.Column("started_by", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["users.id"], name=op.f("fk_receipts_closed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["consignment_id"],
            ["consignments.id"],
            name=op.f("fk_receipts_consignment_id_consignments"),
        ),
        sa.ForeignKeyConstraint(
            ["current_carton_id"],
            ["cartons.id"],
            name=op.f("fk_receipts_current_carton_id_cartons"),
        ),
        sa.ForeignKeyConstraint(
            ["fc_id"],
            ["fulfillment_centers.id"],
            name=op.f("fk_receipts_fc_id_fulfillment_centers"),
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_receipts_merchant_id_merchants")
        ),
        sa.ForeignKeyConstraint(
            ["quarantine_location_id"],
            ["locations.id"],
            name=op.f("fk_receipts_quarantine_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["receiving_location_id"],
            ["locations.id"],
            name=op.f("fk_receipts_receiving_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["started_by"], ["users.id"], name=op.f("fk_receipts_started_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipts")),
    )
    op.create_index(
        op.f("ix_receipts_consignment_id"), "receipts", ["consignment_id"], unique=False
    )
    op.create_index(op.f("ix_receipts_fc_id"), "receipts", ["fc_id"], unique=False)
    op.create_index(op.f("ix_receipts_merchant_id"), "receipts", ["merchant_id"], unique=False)

    op.create_table(
        "discrepancies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=False),
        sa.Column("fc_id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("consignment_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "short",
                "over",
                "damaged",
                "unexpected_sku",
                "wrong_lot",
                "expired",
                "near_expiry",
                name="discrepancy_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("lot_number", sa.String(length=40), nullable=True),
        sa.Column("expected", sa.Integer(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("resolution", sa.String(length=24), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=False),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consignment_id"],
            ["consignments.id"],
            name=op.f("fk_discrepancies_consignment_id_consignments"),
        ),
        sa.ForeignKeyConstraint(
            ["fc_id"],
            ["fulfillment_centers.id"],
            name=op.f("fk_discrepancies_fc_id_fulfillment_centers"),
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_discrepancies_merchant_id_merchants")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_id"], ["receipts.id"], name=op.f("fk_discrepancies_receipt_id_receipts")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by"], ["users.id"], name=op.f("fk_discrepancies_resolved_by_users")
        ),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_discrepancies_sku_id_skus")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discrepancies")),
    )
    op.create_index(
        op.f("ix_discrepancies_consignment_id"), "discrepancies", ["consignment_id"], unique=False
    )
    op.create_index(op.f("ix_discrepancies_fc_id"), "discrepancies", ["fc_id"], unique=False)
    op.create_index(
        op.f("ix_discrepancies_merchant_id"), "discrepancies", ["merchant_id"], unique=False
    )
    op.create_index(
        op.f("ix_discrepancies_receipt_id"), "discrepancies", ["receipt_id"], unique=False
    )

    op.create_table(
        "move_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fc_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "putaway",
                "reslot",
                name="task_kind",
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
                "done",
                "cancelled",
                name="task_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("from_location_id", sa.Integer(), nullable=False),
        sa.Column("suggested_location_id", sa.Integer(), nullable=True),
        sa.Column("to_location_id", sa.Integer(), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=True),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_by", sa.Integer(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_move_tasks_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["done_by"], ["users.id"], name=op.f("fk_move_tasks_done_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["fc_id"],
            ["fulfillment_centers.id"],
            name=op.f("fk_move_tasks_fc_id_fulfillment_centers"),
        ),
        sa.ForeignKeyConstraint(
            ["from_location_id"],
            ["locations.id"],
            name=op.f("fk_move_tasks_from_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(["lot_id"], ["lots.id"], name=op.f("fk_move_tasks_lot_id_lots")),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_move_tasks_merchant_id_merchants")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["slotting_plans.id"], name=op.f("fk_move_tasks_plan_id_slotting_plans")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_id"], ["receipts.id"], name=op.f("fk_move_tasks_receipt_id_receipts")
        ),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_move_tasks_sku_id_skus")),
        sa.ForeignKeyConstraint(
            ["suggested_location_id"],
            ["locations.id"],
            name=op.f("fk_move_tasks_suggested_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["to_location_id"],
            ["locations.id"],
            name=op.f("fk_move_tasks_to_location_id_locations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_move_tasks")),
    )
    op.create_index("ix_move_tasks_fc_status", "move_tasks", ["fc_id", "status"], unique=False)
    op.create_index(op.f("ix_move_tasks_merchant_id"), "move_tasks", ["merchant_id"], unique=False)
    op.create_index(op.f("ix_move_tasks_plan_id"), "move_tasks", ["plan_id"], unique=False)
    op.create_index(op.f("ix_move_tasks_receipt_id"), "move_tasks", ["receipt_id"], unique=False)

    op.create_table(
        "receipt_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=False),
        sa.Column("carton_id", sa.Integer(), nullable=True),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("lot_number", sa.String(length=40), nullable=True),
        sa.Column("expiry_date", sa.Date(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column(
            "condition",
            sa.Enum(
                "good",
                "damaged",
                name="condition",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("counted_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_receipt_counts_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["carton_id"], ["cartons.id"], name=op.f("fk_receipt_counts_carton_id_cartons")
        ),
        sa.ForeignKeyConstraint(
            ["counted_by"], ["users.id"], name=op.f("fk_receipt_counts_counted_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_id"], ["receipts.id"], name=op.f("fk_receipt_counts_receipt_id_receipts")
        ),
        sa.ForeignKeyConstraint(
            ["sku_id"], ["skus.id"], name=op.f("fk_receipt_counts_sku_id_skus")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt_counts")),
    )
    op.create_index(
        op.f("ix_receipt_counts_receipt_id"), "receipt_counts", ["receipt_id"], unique=False
    )

    with op.batch_alter_table("fulfillment_centers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "min_remaining_shelf_life_days", sa.Integer(), server_default="30", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("mix_lots", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("mix_merchants", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("gs1_company_prefix", sa.String(length=12), nullable=True))
        batch_op.add_column(
            sa.Column("sscc_extension_digit", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("last_sscc_serial", sa.BigInteger(), server_default="0", nullable=False)
        )

    with op.batch_alter_table("merchants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("webhook_url", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("webhook_secret", sa.String(length=64), nullable=True))

    with op.batch_alter_table("skus", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("hazardous", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("high_value", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "velocity_class",
                sa.Enum(
                    "A",
                    "B",
                    "C",
                    name="velocity_class",
                    native_enum=False,
                    create_constraint=True,
                    length=24,
                ),
                server_default="C",
                nullable=False,
            )
        )

    _set_movement_reasons(NEW_REASONS)


def downgrade() -> None:
    _set_movement_reasons(OLD_REASONS)
    with op.batch_alter_table("skus", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_skus_velocity_class"), type_="check")
        batch_op.drop_column("velocity_class")
        batch_op.drop_column("high_value")
        batch_op.drop_column("hazardous")

    with op.batch_alter_table("merchants", schema=None) as batch_op:
        batch_op.drop_column("webhook_secret")
        batch_op.drop_column("webhook_url")

    with op.batch_alter_table("fulfillment_centers", schema=None) as batch_op:
        batch_op.drop_column("last_sscc_serial")
        batch_op.drop_column("sscc_extension_digit")
        batch_op.drop_column("gs1_company_prefix")
        batch_op.drop_column("mix_merchants")
        batch_op.drop_column("mix_lots")
        batch_op.drop_column("min_remaining_shelf_life_days")

    op.drop_index(op.f("ix_receipt_counts_receipt_id"), table_name="receipt_counts")

    op.drop_table("receipt_counts")
    op.drop_index(op.f("ix_move_tasks_receipt_id"), table_name="move_tasks")
    op.drop_index(op.f("ix_move_tasks_plan_id"), table_name="move_tasks")
    op.drop_index(op.f("ix_move_tasks_merchant_id"), table_name="move_tasks")
    op.drop_index("ix_move_tasks_fc_status", table_name="move_tasks")

    op.drop_table("move_tasks")
    op.drop_index(op.f("ix_discrepancies_receipt_id"), table_name="discrepancies")
    op.drop_index(op.f("ix_discrepancies_merchant_id"), table_name="discrepancies")
    op.drop_index(op.f("ix_discrepancies_fc_id"), table_name="discrepancies")
    op.drop_index(op.f("ix_discrepancies_consignment_id"), table_name="discrepancies")

    op.drop_table("discrepancies")
    op.drop_index(op.f("ix_receipts_merchant_id"), table_name="receipts")
    op.drop_index(op.f("ix_receipts_fc_id"), table_name="receipts")
    op.drop_index(op.f("ix_receipts_consignment_id"), table_name="receipts")

    op.drop_table("receipts")
    op.drop_index(op.f("ix_carton_contents_line_id"), table_name="carton_contents")

    op.drop_table("carton_contents")
    op.drop_index(op.f("ix_consignment_lines_sku_id"), table_name="consignment_lines")
    op.drop_index(op.f("ix_consignment_lines_consignment_id"), table_name="consignment_lines")

    op.drop_table("consignment_lines")
    op.drop_index(op.f("ix_consignment_events_consignment_id"), table_name="consignment_events")

    op.drop_table("consignment_events")
    op.drop_index(op.f("ix_cartons_merchant_id"), table_name="cartons")
    op.drop_index(op.f("ix_cartons_consignment_id"), table_name="cartons")

    op.drop_table("cartons")
    op.drop_index(op.f("ix_slotting_plans_fc_id"), table_name="slotting_plans")

    op.drop_table("slotting_plans")
    op.drop_index("ix_scan_events_workflow_subject", table_name="scan_events")

    op.drop_table("scan_events")
    op.drop_table("exchange_rates")
    op.drop_index(op.f("ix_consignments_merchant_id"), table_name="consignments")
    op.drop_index("ix_consignments_fc_status_eta", table_name="consignments")

    op.drop_table("consignments")
    op.drop_index("ix_outbox_events_status_available", table_name="outbox_events")
    op.drop_index(op.f("ix_outbox_events_merchant_id"), table_name="outbox_events")

    op.drop_table("outbox_events")
