"""listing_stock.last_error_at: when a listing's last push failed, shown with its reason

Revision ID: b7d41e2a9c05
Revises: f92269948645
Create Date: 2026-12-04 07:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7d41e2a9c05"
down_revision: str | None = "f92269948645"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("listing_stock") as batch:
        batch.add_column(sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("listing_stock") as batch:
        batch.drop_column("last_error_at")
