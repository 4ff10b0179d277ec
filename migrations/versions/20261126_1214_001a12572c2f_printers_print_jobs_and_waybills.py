"""labels: printers per FC workstation, print jobs, carrier and marketplace waybills

Revision ID: 001a12572c2f
Revises: 97135272eeee
Create Date: 2026-11-26 12:14:35.205215
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "001a12572c2f"
down_revision: str | None = "97135272eeee"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "printers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fc_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("workstation", sa.String(length=32), nullable=False),
        sa.Column(
            "protocol",
            sa.Enum(
                "raw",
                "ipp",
                name="print_protocol",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column(
            "language",
            sa.Enum(
                "zpl",
                "pdf",
                name="printer_language",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("dpi", sa.Integer(), nullable=False),
        sa.Column("media", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("dpi IN (203, 300)", name=op.f("ck_printers_dpi_known")),
        sa.CheckConstraint("port BETWEEN 1 AND 65535", name=op.f("ck_printers_port_in_range")),
        sa.ForeignKeyConstraint(
            ["fc_id"],
            ["fulfillment_centers.id"],
            name=op.f("fk_printers_fc_id_fulfillment_centers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_printers")),
        sa.UniqueConstraint("fc_id", "name", name=op.f("uq_printers_fc_id_name")),
    )
    op.create_index(op.f("ix_printers_fc_id"), "printers", ["fc_id"], unique=False)

    op.create_table(
        "print_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("printer_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "sent",
                "failed",
                name="print_job_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("receipt", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("size_bytes >= 0", name=op.f("ck_print_jobs_size_not_negative")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_print_jobs_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["printer_id"], ["printers.id"], name=op.f("fk_print_jobs_printer_id_printers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_jobs")),
    )
    op.create_index(op.f("ix_print_jobs_printer_id"), "print_jobs", ["printer_id"], unique=False)

    op.create_table(
        "waybills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("tracking_number", sa.String(length=64), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("page_count > 0", name=op.f("ck_waybills_pages_positive")),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_waybills_size_positive")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_waybills_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["package_id"], ["packages.id"], name=op.f("fk_waybills_package_id_packages")
        ),
        sa.ForeignKeyConstraint(
            ["received_by"], ["users.id"], name=op.f("fk_waybills_received_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waybills")),
        sa.UniqueConstraint("order_id", "sha256", name=op.f("uq_waybills_order_id_sha256")),
    )
    op.create_index(op.f("ix_waybills_order_id"), "waybills", ["order_id"], unique=False)
    op.create_index(op.f("ix_waybills_package_id"), "waybills", ["package_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_waybills_package_id"), table_name="waybills")
    op.drop_index(op.f("ix_waybills_order_id"), table_name="waybills")

    op.drop_table("waybills")
    op.drop_index(op.f("ix_print_jobs_printer_id"), table_name="print_jobs")

    op.drop_table("print_jobs")
    op.drop_index(op.f("ix_printers_fc_id"), table_name="printers")

    op.drop_table("printers")
