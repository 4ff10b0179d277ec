"""deliveries: own-fleet vehicles and drivers, delivery plans with their routes and stops; the
FC's depot point, each order's delivery point and window, parcels out for delivery

Revision ID: 9339846d6289
Revises: 001a12572c2f
Create Date: 2026-12-04 04:12:42.808474
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9339846d6289"
down_revision: str | None = "001a12572c2f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PACKAGE_STATUSES = ("open", "packed", "manifested", "shipped", "cancelled")


def upgrade() -> None:
    op.create_table(
        "drivers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fc_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["fc_id"], ["fulfillment_centers.id"], name=op.f("fk_drivers_fc_id_fulfillment_centers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drivers")),
        sa.UniqueConstraint("fc_id", "phone", name=op.f("uq_drivers_fc_id_phone")),
    )
    op.create_index(op.f("ix_drivers_fc_id"), "drivers", ["fc_id"], unique=False)
    op.create_table(
        "vehicles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fc_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("plate", sa.String(length=16), nullable=False),
        sa.Column("capacity_kg", sa.Float(), nullable=False),
        sa.Column("capacity_litres", sa.Float(), nullable=False),
        sa.Column("capacity_parcels", sa.Integer(), nullable=False),
        sa.Column("fixed_cost", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("cost_per_km", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("shift_start", sa.Time(), nullable=False),
        sa.Column("shift_end", sa.Time(), nullable=False),
        sa.Column("max_route_hours", sa.Float(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "capacity_kg > 0 AND capacity_litres > 0 AND capacity_parcels > 0",
            name=op.f("ck_vehicles_capacities_positive"),
        ),
        sa.CheckConstraint(
            "fixed_cost >= 0 AND cost_per_km >= 0", name=op.f("ck_vehicles_costs_not_negative")
        ),
        sa.CheckConstraint(
            "max_route_hours > 0 AND max_route_hours <= 24",
            name=op.f("ck_vehicles_route_hours_in_day"),
        ),
        sa.CheckConstraint("shift_end > shift_start", name=op.f("ck_vehicles_shift_ends_later")),
        sa.ForeignKeyConstraint(
            ["fc_id"],
            ["fulfillment_centers.id"],
            name=op.f("fk_vehicles_fc_id_fulfillment_centers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vehicles")),
        sa.UniqueConstraint("fc_id", "name", name=op.f("uq_vehicles_fc_id_name")),
        sa.UniqueConstraint("fc_id", "plate", name=op.f("uq_vehicles_fc_id_plate")),
    )
    op.create_index(op.f("ix_vehicles_fc_id"), "vehicles", ["fc_id"], unique=False)
    op.create_table(
        "delivery_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("fc_id", sa.Integer(), nullable=False),
        sa.Column("delivery_date", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "dispatched",
                "discarded",
                name="delivery_plan_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "objective",
            sa.Enum(
                "vehicles",
                "distance",
                name="plan_objective",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("time_limit_s", sa.Float(), nullable=False),
        sa.Column("road_network", sa.String(length=200), nullable=False),
        sa.Column("depot_latitude", sa.Float(), nullable=False),
        sa.Column("depot_longitude", sa.Float(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("cost", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("gather_ms", sa.Integer(), nullable=False),
        sa.Column("matrix_ms", sa.Integer(), nullable=False),
        sa.Column("solve_ms", sa.Integer(), nullable=False),
        sa.Column("store_ms", sa.Integer(), nullable=False),
        sa.Column("solver_stats", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dispatched_by", sa.Integer(), nullable=True),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("discarded_by", sa.Integer(), nullable=True),
        sa.Column("discarded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("time_limit_s > 0", name=op.f("ck_delivery_plans_time_limit_positive")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_delivery_plans_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["discarded_by"], ["users.id"], name=op.f("fk_delivery_plans_discarded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["dispatched_by"], ["users.id"], name=op.f("fk_delivery_plans_dispatched_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["fc_id"],
            ["fulfillment_centers.id"],
            name=op.f("fk_delivery_plans_fc_id_fulfillment_centers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_plans")),
        sa.UniqueConstraint("reference", name=op.f("uq_delivery_plans_reference")),
    )
    op.create_index(
        "ix_delivery_plans_fc_date", "delivery_plans", ["fc_id", "delivery_date"], unique=False
    )
    op.create_table(
        "delivery_routes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=False),
        sa.Column("driver_id", sa.Integer(), nullable=True),
        sa.Column("delivery_date", sa.Date(), nullable=False),
        sa.Column("dispatched", sa.Boolean(), nullable=False),
        sa.Column("capacity_kg", sa.Float(), nullable=False),
        sa.Column("capacity_litres", sa.Float(), nullable=False),
        sa.Column("capacity_parcels", sa.Integer(), nullable=False),
        sa.Column("fixed_cost", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("cost_per_km", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("shift_start", sa.Time(), nullable=False),
        sa.Column("shift_end", sa.Time(), nullable=False),
        sa.Column("max_route_hours", sa.Float(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column("leave_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("back_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("load_kg", sa.Float(), nullable=False),
        sa.Column("load_litres", sa.Float(), nullable=False),
        sa.Column("load_parcels", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.CheckConstraint(
            "NOT dispatched OR driver_id IS NOT NULL",
            name=op.f("ck_delivery_routes_dispatched_with_driver"),
        ),
        sa.CheckConstraint(
            "capacity_kg > 0 AND capacity_litres > 0 AND capacity_parcels > 0",
            name=op.f("ck_delivery_routes_capacities_positive"),
        ),
        sa.CheckConstraint(
            "shift_end > shift_start", name=op.f("ck_delivery_routes_shift_ends_later")
        ),
        sa.ForeignKeyConstraint(
            ["driver_id"], ["drivers.id"], name=op.f("fk_delivery_routes_driver_id_drivers")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["delivery_plans.id"],
            name=op.f("fk_delivery_routes_plan_id_delivery_plans"),
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["vehicles.id"], name=op.f("fk_delivery_routes_vehicle_id_vehicles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_routes")),
        sa.UniqueConstraint(
            "plan_id", "driver_id", name=op.f("uq_delivery_routes_plan_id_driver_id")
        ),
        sa.UniqueConstraint("plan_id", "number", name=op.f("uq_delivery_routes_plan_id_number")),
        sa.UniqueConstraint(
            "plan_id", "vehicle_id", name=op.f("uq_delivery_routes_plan_id_vehicle_id")
        ),
    )
    op.create_index(
        op.f("ix_delivery_routes_driver_id"), "delivery_routes", ["driver_id"], unique=False
    )
    op.create_index(
        op.f("ix_delivery_routes_plan_id"), "delivery_routes", ["plan_id"], unique=False
    )
    op.create_index(
        op.f("ix_delivery_routes_vehicle_id"), "delivery_routes", ["vehicle_id"], unique=False
    )
    op.create_index(
        "uq_delivery_routes_driver_out",
        "delivery_routes",
        ["driver_id", "delivery_date"],
        unique=True,
        postgresql_where=sa.text("dispatched"),
        sqlite_where=sa.text("dispatched"),
    )
    op.create_index(
        "uq_delivery_routes_vehicle_out",
        "delivery_routes",
        ["vehicle_id", "delivery_date"],
        unique=True,
        postgresql_where=sa.text("dispatched"),
        sqlite_where=sa.text("dispatched"),
    )
    op.create_table(
        "delivery_stops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("route_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("window_open", sa.Time(), nullable=True),
        sa.Column("window_close", sa.Time(), nullable=True),
        sa.Column("service_s", sa.Float(), nullable=False),
        sa.Column("weight_kg", sa.Float(), nullable=False),
        sa.Column("volume_l", sa.Float(), nullable=False),
        sa.Column("parcels", sa.Integer(), nullable=False),
        sa.Column("cod_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("arrival_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("departure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("load_kg_after", sa.Float(), nullable=True),
        sa.Column("load_litres_after", sa.Float(), nullable=True),
        sa.Column("load_parcels_after", sa.Integer(), nullable=True),
        sa.Column(
            "left_out_reason",
            sa.Enum(
                "over_capacity",
                "out_of_hours",
                "too_far",
                "fleet_full",
                "no_location",
                "no_road",
                "removed",
                name="left_out_reason",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("left_out_detail", sa.String(length=200), nullable=False),
        sa.Column("dispatched", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "(latitude IS NULL) = (longitude IS NULL)",
            name=op.f("ck_delivery_stops_point_both_or_neither"),
        ),
        sa.CheckConstraint(
            "(route_id IS NULL) = (left_out_reason IS NOT NULL)",
            name=op.f("ck_delivery_stops_on_route_or_left_out"),
        ),
        sa.CheckConstraint(
            "(route_id IS NULL) = (sequence IS NULL)",
            name=op.f("ck_delivery_stops_sequenced_on_route"),
        ),
        sa.CheckConstraint(
            "NOT dispatched OR route_id IS NOT NULL",
            name=op.f("ck_delivery_stops_dispatched_on_route"),
        ),
        sa.CheckConstraint(
            "latitude BETWEEN -90 AND 90", name=op.f("ck_delivery_stops_latitude_in_range")
        ),
        sa.CheckConstraint(
            "longitude BETWEEN -180 AND 180", name=op.f("ck_delivery_stops_longitude_in_range")
        ),
        sa.CheckConstraint(
            "route_id IS NULL OR latitude IS NOT NULL",
            name=op.f("ck_delivery_stops_routed_stops_have_a_point"),
        ),
        sa.CheckConstraint("sequence > 0", name=op.f("ck_delivery_stops_sequence_positive")),
        sa.CheckConstraint(
            "weight_kg >= 0 AND volume_l >= 0 AND parcels > 0 AND service_s >= 0",
            name=op.f("ck_delivery_stops_demand_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_delivery_stops_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["delivery_plans.id"],
            name=op.f("fk_delivery_stops_plan_id_delivery_plans"),
        ),
        sa.ForeignKeyConstraint(
            ["route_id"],
            ["delivery_routes.id"],
            name=op.f("fk_delivery_stops_route_id_delivery_routes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_stops")),
        sa.UniqueConstraint("plan_id", "order_id", name=op.f("uq_delivery_stops_plan_id_order_id")),
        sa.UniqueConstraint(
            "route_id", "sequence", name=op.f("uq_delivery_stops_route_id_sequence")
        ),
    )
    op.create_index(
        op.f("ix_delivery_stops_order_id"), "delivery_stops", ["order_id"], unique=False
    )
    op.create_index(op.f("ix_delivery_stops_plan_id"), "delivery_stops", ["plan_id"], unique=False)
    op.create_index(
        op.f("ix_delivery_stops_route_id"), "delivery_stops", ["route_id"], unique=False
    )
    op.create_index(
        "uq_delivery_stops_order_out",
        "delivery_stops",
        ["order_id"],
        unique=True,
        postgresql_where=sa.text("dispatched"),
        sqlite_where=sa.text("dispatched"),
    )
    with op.batch_alter_table("fulfillment_centers") as batch:
        batch.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("longitude", sa.Float(), nullable=True))
        batch.create_check_constraint(
            "coordinates_both_or_neither", "(latitude IS NULL) = (longitude IS NULL)"
        )
        batch.create_check_constraint("latitude_in_range", "latitude BETWEEN -90 AND 90")
        batch.create_check_constraint("longitude_in_range", "longitude BETWEEN -180 AND 180")
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("delivery_latitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("delivery_longitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("delivery_window_open", sa.Time(), nullable=True))
        batch.add_column(sa.Column("delivery_window_close", sa.Time(), nullable=True))
        batch.create_check_constraint(
            "delivery_point_both_or_neither",
            "(delivery_latitude IS NULL) = (delivery_longitude IS NULL)",
        )
        batch.create_check_constraint(
            "delivery_latitude_in_range", "delivery_latitude BETWEEN -90 AND 90"
        )
        batch.create_check_constraint(
            "delivery_longitude_in_range", "delivery_longitude BETWEEN -180 AND 180"
        )
        batch.create_check_constraint(
            "delivery_window_both_or_neither",
            "(delivery_window_open IS NULL) = (delivery_window_close IS NULL)",
        )
        batch.create_check_constraint(
            "delivery_window_closes_later", "delivery_window_close > delivery_window_open"
        )
    _package_statuses((*PACKAGE_STATUSES, "out_for_delivery"))


def downgrade() -> None:
    op.execute("UPDATE packages SET status = 'shipped' WHERE status = 'out_for_delivery'")
    _package_statuses(PACKAGE_STATUSES)
    with op.batch_alter_table("orders") as batch:
        for name in (
            "delivery_window_closes_later",
            "delivery_window_both_or_neither",
            "delivery_longitude_in_range",
            "delivery_latitude_in_range",
            "delivery_point_both_or_neither",
        ):
            batch.drop_constraint(op.f(f"ck_orders_{name}"), type_="check")
        batch.drop_column("delivery_window_close")
        batch.drop_column("delivery_window_open")
        batch.drop_column("delivery_longitude")
        batch.drop_column("delivery_latitude")
    with op.batch_alter_table("fulfillment_centers") as batch:
        for name in ("longitude_in_range", "latitude_in_range", "coordinates_both_or_neither"):
            batch.drop_constraint(op.f(f"ck_fulfillment_centers_{name}"), type_="check")
        batch.drop_column("longitude")
        batch.drop_column("latitude")
    op.drop_index(
        "uq_delivery_stops_order_out",
        table_name="delivery_stops",
        postgresql_where=sa.text("dispatched"),
        sqlite_where=sa.text("dispatched"),
    )
    op.drop_index(op.f("ix_delivery_stops_route_id"), table_name="delivery_stops")
    op.drop_index(op.f("ix_delivery_stops_plan_id"), table_name="delivery_stops")
    op.drop_index(op.f("ix_delivery_stops_order_id"), table_name="delivery_stops")
    op.drop_table("delivery_stops")
    op.drop_index(
        "uq_delivery_routes_vehicle_out",
        table_name="delivery_routes",
        postgresql_where=sa.text("dispatched"),
        sqlite_where=sa.text("dispatched"),
    )
    op.drop_index(
        "uq_delivery_routes_driver_out",
        table_name="delivery_routes",
        postgresql_where=sa.text("dispatched"),
        sqlite_where=sa.text("dispatched"),
    )
    op.drop_index(op.f("ix_delivery_routes_vehicle_id"), table_name="delivery_routes")
    op.drop_index(op.f("ix_delivery_routes_plan_id"), table_name="delivery_routes")
    op.drop_index(op.f("ix_delivery_routes_driver_id"), table_name="delivery_routes")
    op.drop_table("delivery_routes")
    op.drop_index("ix_delivery_plans_fc_date", table_name="delivery_plans")
    op.drop_table("delivery_plans")
    op.drop_index(op.f("ix_vehicles_fc_id"), table_name="vehicles")
    op.drop_table("vehicles")
    op.drop_index(op.f("ix_drivers_fc_id"), table_name="drivers")
    op.drop_table("drivers")


def _package_statuses(statuses: tuple[str, ...]) -> None:
    """The CHECK constraint of packages.status, allowing these values."""
    listed = ", ".join(f"'{status}'" for status in statuses)
    with op.batch_alter_table("packages") as batch:
        batch.drop_constraint(op.f("ck_packages_package_status"), type_="check")
        batch.create_check_constraint(op.f("ck_packages_package_status"), f"status IN ({listed})")
