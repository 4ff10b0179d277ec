"""Operators' commands: `flask wms migrate | load-demo | audit | create-user`."""

from __future__ import annotations

import sys
import time

import click
from flask import current_app
from flask.cli import AppGroup

from wms.bootstrap import wiring
from wms.domain.actors import Role
from wms.services import auth
from wms.services.ledger import audit_ledger

wms_cli = AppGroup("wms", help="Pavilion WMS operations.")


@wms_cli.command("migrate")
@click.option("--revision", default="head", show_default=True)
def migrate(revision: str) -> None:
    """Apply database migrations up to REVISION."""
    from wms.migrate import upgrade

    upgrade(wiring().settings.database_url, revision)
    click.echo(f"database at {revision}")


@wms_cli.command("audit")
def audit() -> None:
    """Check that every balance equals the sum of its movements; exit 1 on any mismatch."""
    problems = audit_ledger(wiring().uow())
    for problem in problems:
        click.echo(
            f"MISMATCH location={problem.location_id} sku={problem.sku_id} "
            f"lot={problem.lot_id}: {problem.problem}",
            err=True,
        )
    if problems:
        click.echo(f"ledger audit FAILED: {len(problems)} mismatch(es)", err=True)
        sys.exit(1)
    click.echo("ledger audit passed: balances equal the sum of movements")


@wms_cli.command("load-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database has FCs already.")
def load_demo(if_empty: bool) -> None:
    """Load the demo FCs, merchants, SKUs, stock and users."""
    from wms.services.demo import DEMO_PASSWORD, demo_logins, load

    loaded = load(wiring().uow(), if_empty=if_empty)
    click.echo("demo data loaded" if loaded else "database not empty: demo not loaded")
    click.echo(f"demo logins (password {DEMO_PASSWORD}):")
    for role, email in demo_logins():
        click.echo(f"  {role:<9} {email}")


@wms_cli.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--merchant", "merchant_code", default=None, help="Merchant code (merchant users).")
@click.option("--fc", "fc_codes", multiple=True, help="FC code (staff and managers); repeat.")
@click.password_option()
def create_user(
    email: str,
    name: str,
    role: str,
    merchant_code: str | None,
    fc_codes: tuple[str, ...],
    password: str,
) -> None:
    """Create a login."""
    user = auth.create_user(
        wiring().uow(),
        email=email,
        name=name,
        password=password,
        role=Role(role),
        merchant_code=merchant_code,
        fc_codes=fc_codes,
    )
    current_app.logger.info("created user %s", user["email"])
    click.echo(f"created {user['role']} {user['email']}")


@wms_cli.command("connect-sandbox")
@click.option("--shopee", default="http://127.0.0.1:5100", show_default=True)
@click.option(
    "--webhook",
    default="http://127.0.0.1:5000/api/v1/channels/shopee/webhook",
    show_default=True,
    help="Where the sandbox sends Shopee's order pushes.",
)
def connect_sandbox(shopee: str, webhook: str) -> None:
    """Connect the demo's "Shopee MY" shop in the running Shopee sandbox and list its SKUs."""
    from wms.channels.sandbox.admin import ControlPanel
    from wms.services.demo_channels import connect_demo_shop

    shop = connect_demo_shop(
        wiring().uow(), wiring().channels, ControlPanel(shopee), shopee, webhook
    )
    click.echo(f"connected {shop['name']} (shop {shop['shop_id']}): {shop['listings']} listings")


@wms_cli.command("relay")
@click.option("--once", is_flag=True, help="Deliver what is due once, then exit.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between idle rounds.")
@click.option(
    "--lease",
    default=120.0,
    show_default=True,
    help="Seconds a claimed listing is this worker's before another may send it.",
)
@click.option(
    "--reconcile-every",
    default=300.0,
    show_default=True,
    help="Seconds between readings of what the marketplaces show (drift correction).",
)
def relay(once: bool, interval: float, lease: float, reconcile_every: float) -> None:
    """Deliver the outbox: merchant webhooks, stock changes to listing quantities, quantities
    to the marketplaces (retrying with backoff), marketplace orders in, shipments out, and a
    reconciliation every so often; runs until stopped."""
    from datetime import timedelta

    from wms.channels.clients import client_for
    from wms.services.relay import relay_round

    setup = wiring().channels
    reconciled = 0.0
    while True:
        due = time.monotonic() - reconciled >= reconcile_every
        counts = relay_round(
            wiring().uow(), client_for, setup, lease=timedelta(seconds=lease), reconcile=due
        )
        if due:
            reconciled = time.monotonic()
        busy = {name: count for name, count in counts.items() if count}
        if busy:
            click.echo(" ".join(f"{name}={count}" for name, count in busy.items()), err=True)
        if once:
            return
        if not busy.get("push.claimed"):
            time.sleep(interval)
