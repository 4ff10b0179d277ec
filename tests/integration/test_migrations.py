"""Migrations go from empty to head and back to base, and the models match them."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from wms.db import models  # noqa: F401 - every table on the metadata
from wms.db.base import Base
from wms.db.session import make_engine
from wms.migrate import alembic_config, downgrade, upgrade


def _tables(url):
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_one_head_and_dated_file_names():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    for revision in script.walk_revisions():
        name = revision.path.rsplit("/", 1)[-1]
        assert name[:8].isdigit() and name[8] == "_", name


def test_upgrade_to_head_and_down_to_base_step_by_step(empty_database_url):
    url = empty_database_url
    script = ScriptDirectory.from_config(alembic_config(url))
    revisions = list(reversed(list(script.walk_revisions())))
    upgrade(url, "head")
    assert _tables(url) == set(Base.metadata.tables)
    for revision in reversed(revisions):
        downgrade(url, revision.down_revision or "base")
    assert _tables(url) == set()
    for revision in revisions:
        upgrade(url, revision.revision)
    assert _tables(url) == set(Base.metadata.tables)


def test_models_match_the_migrations(empty_database_url):
    upgrade(empty_database_url, "head")
    engine = make_engine(empty_database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_deliveries_migration_adds_the_delivery_point_and_parcels_out_for_delivery(
    empty_database_url,
):
    url = empty_database_url
    deliveries, before = "9339846d6289", "001a12572c2f"
    upgrade(url, deliveries)
    engine = make_engine(url)
    try:
        found = inspect(engine)
        statuses = " ".join(c["sqltext"] for c in found.get_check_constraints("packages"))
        assert "out_for_delivery" in statuses
        columns = {c["name"] for c in found.get_columns("orders")}
        assert {"delivery_latitude", "delivery_window_close"} <= columns
        assert {"latitude", "longitude"} <= {
            c["name"] for c in found.get_columns("fulfillment_centers")
        }
    finally:
        engine.dispose()
    downgrade(url, before)
    engine = make_engine(url)
    try:
        found = inspect(engine)
        statuses = " ".join(c["sqltext"] for c in found.get_check_constraints("packages"))
        assert "shipped" in statuses and "out_for_delivery" not in statuses
        assert "delivery_latitude" not in {c["name"] for c in found.get_columns("orders")}
        assert not {"vehicles", "drivers", "delivery_plans"} & set(found.get_table_names())
    finally:
        engine.dispose()


def test_channels_migration_adds_shops_listings_and_their_stock_and_takes_them_away(
    empty_database_url,
):
    url = empty_database_url
    channels, before = "f92269948645", "9339846d6289"
    upgrade(url, channels)
    engine = make_engine(url)
    try:
        found = inspect(engine)
        assert {"channel_shops", "listings", "listing_stock"} <= set(found.get_table_names())
        shop_columns = {c["name"] for c in found.get_columns("channel_shops")}
        assert {"access_token_sealed", "refresh_token_sealed", "shop_cipher"} <= shop_columns
        assert not {"access_token", "refresh_token"} & shop_columns
        uniques = {tuple(u["column_names"]) for u in found.get_unique_constraints("listings")}
        assert ("shop_id", "item_id", "model_id", "warehouse_id") in uniques
        assert ("shop_id", "sku_id", "fc_id") in uniques
        checks = " ".join(c["sqltext"] for c in found.get_check_constraints("listings"))
        assert "share_percent IS NULL" in checks and "buffer_units >= 0" in checks
        keys = found.get_foreign_keys("listing_stock")
        assert [(k["referred_table"], k["options"].get("ondelete")) for k in keys] == [
            ("listings", "CASCADE")
        ]
    finally:
        engine.dispose()
    downgrade(url, before)
    engine = make_engine(url)
    try:
        left = set(inspect(engine).get_table_names())
        assert not {"channel_shops", "listings", "listing_stock"} & left
        assert {"orders", "delivery_plans", "outbox_events"} <= left
    finally:
        engine.dispose()


def test_intake_migration_adds_hints_marketplace_orders_and_reconciliation_and_takes_them_away(
    empty_database_url,
):
    url = empty_database_url
    intake, before = "69843e46c2a9", "b7d41e2a9c05"
    upgrade(url, intake)
    engine = make_engine(url)
    try:
        found = inspect(engine)
        assert {"channel_hints", "channel_orders"} <= set(found.get_table_names())
        hint_uniques = {
            tuple(u["column_names"]) for u in found.get_unique_constraints("channel_hints")
        }
        assert ("marketplace", "digest") in hint_uniques
        order_uniques = {
            tuple(u["column_names"]) for u in found.get_unique_constraints("channel_orders")
        }
        assert {("shop_id", "external_id"), ("order_id",)} <= order_uniques
        assert "orders_polled_until" in {c["name"] for c in found.get_columns("channel_shops")}
        stock_columns = {c["name"] for c in found.get_columns("listing_stock")}
        assert {"checked_at", "checked_quantity", "drift_at", "drift_reason"} <= stock_columns
    finally:
        engine.dispose()
    downgrade(url, before)
    engine = make_engine(url)
    try:
        found = inspect(engine)
        assert not {"channel_hints", "channel_orders"} & set(found.get_table_names())
        assert "drift_at" not in {c["name"] for c in found.get_columns("listing_stock")}
        assert "orders_polled_until" not in {c["name"] for c in found.get_columns("channel_shops")}
    finally:
        engine.dispose()
