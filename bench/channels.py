"""Marketplace stock sync at scale: 10,000 stock changes on 2,000 SKUs, each SKU listed on
Shopee MY, Lazada MY and TikTok Shop MY (the three sandboxes over HTTP).

The stock changes go through the stock use case (each writes its `stock.changed` event in its
own transaction) while the worker's rounds (`relay_round`: events to listing quantities,
quantities pushed in each API's batches) run beside them in another thread. It prints the time
until every sandbox shows every listing's final quantity, the API calls made and the listings
lost (a sandbox showing anything else at the end; must be 0). The baseline, in the same run: a
naive sync that calls the marketplace once per stock change and listing, with no batching and
no coalescing, on the first `--baseline-changes` changes (its calls scale exactly with the
changes, its time is extrapolated from them).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from wms.channels.clients import client_for
from wms.channels.marketplace import (
    AppCredentials,
    ListingRef,
    Marketplace,
    ShopAccess,
    StockUpdate,
)
from wms.channels.sandbox.__main__ import start_sandboxes
from wms.db.base import utcnow
from wms.db.encryption import TokenCipher, derived_key
from wms.db.models import (
    ChannelShop,
    FulfillmentCenter,
    Listing,
    ListingStock,
    Location,
    Merchant,
    Sku,
    User,
)
from wms.db.session import make_engine, make_session_factory
from wms.db.unit_of_work import UnitOfWork
from wms.domain.catalogue import TemperatureClass
from wms.domain.commands import AdjustStock
from wms.domain.identifiers import with_check_digit
from wms.domain.stock import MovementReason
from wms.migrate import upgrade
from wms.services import auth, demo
from wms.services.channel_shops import ChannelSetup, ShopConnection, connect_shop, shop_access
from wms.services.relay import relay_round
from wms.services.stock import adjust_stock

APPS = {
    Marketplace.SHOPEE: AppCredentials("3000001", "bench-shopee-key"),
    Marketplace.LAZADA: AppCredentials("300001", "bench-lazada-secret"),
    Marketplace.TIKTOK: AppCredentials("benchtiktok", "bench-tiktok-secret"),
}
SHARES = {Marketplace.SHOPEE: 50, Marketplace.LAZADA: 30, Marketplace.TIKTOK: 20}
TIKTOK_WAREHOUSE = "7000000000000000001"


def listing_ref(marketplace: Marketplace, n: int, code: str) -> ListingRef:
    """Shopee: 50 models per item; Lazada: an item per SKU; TikTok: 100 SKUs per product."""
    if marketplace is Marketplace.SHOPEE:
        return ListingRef(str(810000 + n // 50), str(910000 + n), code)
    if marketplace is Marketplace.LAZADA:
        return ListingRef(str(3100000 + n), str(4100000 + n), code)
    return ListingRef(
        f"17290000{n // 100:08d}", f"17291000{n:08d}", code, warehouse_id=TIKTOK_WAREHOUSE
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skus", type=int, default=2000)
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--baseline-changes", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    setup = ChannelSetup(cipher=TokenCipher([derived_key("bench-not-secret")]), apps=APPS)

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        began = time.perf_counter()
        upgrade(url)
        factory = make_session_factory(make_engine(url))
        uow = UnitOfWork(factory)
        demo.load(uow)
        with uow:
            merchant = uow.session.scalars(select(Merchant).order_by(Merchant.id)).first()
            assert merchant is not None
            fc = uow.session.scalars(
                select(FulfillmentCenter).where(FulfillmentCenter.code == "KUL1")
            ).one()
            owner_id = uow.session.scalar(
                select(User.id).where(User.merchant_id == merchant.id).order_by(User.id)
            )
            staff_id = uow.session.scalar(
                select(User.id).where(User.email == "manager.kul1@pavilion.test")
            )
            bins = list(
                uow.session.scalars(
                    select(Location.id)
                    .where(Location.fc_id == fc.id, Location.code.like("KUL1-A-%"))
                    .order_by(Location.id)
                )
            )
            skus = []
            for n in range(args.skus):
                sku = Sku(
                    merchant_id=merchant.id,
                    code=f"BENCH-{n:05d}",
                    gtin=with_check_digit(f"8850{n:08d}"),
                    name_en=f"Bench item {n}",
                    name_th=f"สินค้าทดสอบ {n}",
                    length_mm=100,
                    width_mm=80,
                    height_mm=40,
                    weight_g=150,
                    temperature_class=TemperatureClass.AMBIENT,
                )
                uow.session.add(sku)
                skus.append(sku)
            uow.session.flush()
            sku_ids = [sku.id for sku in skus]
            fc_id = fc.id
            uow.commit()
        assert owner_id is not None and staff_id is not None and bins
        owner = auth.actor_for_user(uow, owner_id)
        staff = auth.actor_for_user(uow, staff_id)
        assert owner is not None and staff is not None

        running = start_sandboxes(APPS)
        sandboxes = {marketplace: sandbox for marketplace, (sandbox, _) in running.items()}
        for sandbox in sandboxes.values():
            sandbox.rate_limit = None
            if hasattr(sandbox, "inventory_rate_limit"):
                sandbox.inventory_rate_limit = None  # Lazada's 50 stock calls/s per seller
        refs: dict[int, tuple[Marketplace, str, ListingRef]] = {}
        for marketplace, (sandbox, server) in running.items():
            access: ShopAccess = sandbox.add_shop(f"{5550000 + len(refs)}", "MY", server.url)
            shop = connect_shop(
                uow,
                owner,
                setup,
                ShopConnection(
                    marketplace=marketplace,
                    country="MY",
                    shop_id=access.shop_id,
                    base_url=access.base_url,
                    access_token=access.access_token,
                    refresh_token=access.refresh_token,
                    access_expires_at=utcnow() + timedelta(hours=4),
                    shop_cipher=access.shop_cipher,
                ),
            )
            with uow:
                for n, sku_id in enumerate(sku_ids):
                    ref = listing_ref(marketplace, n, f"BENCH-{n:05d}")
                    sandbox.add_listing(access.shop_id, ref, f"Bench item {n}")
                    listing = Listing(
                        shop_id=shop["id"],
                        sku_id=sku_id,
                        fc_id=fc_id,
                        item_id=ref.item_id,
                        model_id=ref.model_id,
                        seller_sku=ref.seller_sku,
                        warehouse_id=ref.warehouse_id,
                        share_percent=SHARES[marketplace],
                        created_by=owner.user_id,
                    )
                    uow.session.add(listing)
                    uow.session.flush()
                    refs[listing.id] = (marketplace, access.shop_id, ref)
                uow.commit()

        def change(sku_id: int, location_id: int, delta: int) -> None:
            adjust_stock(
                uow,
                staff,
                AdjustStock(
                    location_id=location_id,
                    sku_id=sku_id,
                    reason=MovementReason.FOUND if delta > 0 else MovementReason.LOST,
                    delta=delta,
                ),
                uuid.uuid4().hex,
            )

        home = {sku_id: bins[n % len(bins)] for n, sku_id in enumerate(sku_ids)}
        for sku_id in sku_ids:
            change(sku_id, home[sku_id], 40)
        worker_uow = UnitOfWork(factory)
        while relay_round(worker_uow, client_for, setup, push_limit=2000).get("push.claimed"):
            pass
        print(
            f"set-up: demo, {args.skus} SKUs with 40 units each in KUL1, "
            f"{len(refs)} listings on 3 shops, first push done, in "
            f"{time.perf_counter() - began:.1f} s"
        )
        for sandbox in sandboxes.values():
            sandbox.calls.clear()

        # The measured run: changes in this thread, the worker in another.
        plan = [
            (rng.choice(sku_ids), rng.choice([-2, -1, -1, 1, 2, 3])) for _ in range(args.changes)
        ]
        stop = threading.Event()
        rounds = [0]

        def worker() -> None:
            own = UnitOfWork(factory)
            while not stop.is_set():
                counts = relay_round(own, client_for, setup, push_limit=2000)
                rounds[0] += 1
                if not counts.get("push.claimed") and not counts.get("stock.events"):
                    time.sleep(0.05)

        thread = threading.Thread(target=worker, daemon=True)
        started = time.perf_counter()
        thread.start()
        for sku_id, delta in plan:
            change(sku_id, home[sku_id], delta)
        changed = time.perf_counter() - started

        def final() -> dict[int, int]:
            with uow:
                return {
                    row.listing_id: row.desired_quantity
                    for row in uow.session.scalars(select(ListingStock))
                    if row.listing_id in refs
                }

        def differing(wanted: dict[int, int]) -> list[int]:
            return [
                listing_id
                for listing_id, (marketplace, shop_id, ref) in refs.items()
                if sandboxes[marketplace].quantity(shop_id, ref) != wanted.get(listing_id)
            ]

        deadline = started + args.timeout
        wanted = final()
        while time.perf_counter() < deadline:
            wanted = final()
            if not differing(wanted):
                break
            time.sleep(0.1)
        converged = time.perf_counter() - started
        stop.set()
        thread.join(timeout=30)
        lost = differing(final())
        calls = {m.value: sum(s.calls.values()) for m, s in sandboxes.items()}

        # The baseline: one call per change and listing, the quantity computed the same way.
        sample = plan[: args.baseline_changes]
        with uow:
            accesses = {
                shop.marketplace: shop_access(shop, setup)
                for shop in uow.session.scalars(select(ChannelShop))
            }
        naive = {marketplace: client_for(access) for marketplace, access in accesses.items()}
        with uow:
            sku_of = {
                row.id: row.sku_id
                for row in uow.session.execute(select(Listing.id, Listing.sku_id))
            }
        by_sku: dict[int, list[tuple[Marketplace, ListingRef, int]]] = {}
        for listing_id, (marketplace, _, ref) in refs.items():
            by_sku.setdefault(sku_of[listing_id], []).append((marketplace, ref, wanted[listing_id]))
        baseline_calls = 0
        baseline_began = time.perf_counter()
        for sku_id, _ in sample:
            for marketplace, ref, quantity in by_sku[sku_id]:
                naive[marketplace].push_stock([StockUpdate(ref, quantity)])
                baseline_calls += 1
        baseline_seconds = time.perf_counter() - baseline_began
        scale = len(plan) / max(len(sample), 1)
        for _, server in running.values():
            server.stop()

    total_calls = sum(calls.values())
    print()
    print("| run | changes | listings | API calls | seconds to every final quantity | lost |")
    print("|---|---|---|---|---|---|")
    print(
        f"| ours (batched, coalesced) | {len(plan):,} | {len(refs):,} | {total_calls:,} "
        f"({', '.join(f'{k} {v:,}' for k, v in calls.items())}) | {converged:.1f} "
        f"(changes applied in {changed:.1f}) | {len(lost)} |"
    )
    print(
        f"| naive, one call per change and listing | {len(plan):,} | {len(refs):,} | "
        f"{baseline_calls * scale:,.0f} (measured {baseline_calls:,} on {len(sample):,} changes) "
        f"| {baseline_seconds * scale:.1f} (extrapolated; pushes alone) | - |"
    )
    print()
    print(
        f"ours / naive: API calls {total_calls / (baseline_calls * scale):.3f}, "
        f"time {converged / (baseline_seconds * scale):.3f}; worker rounds {rounds[0]}"
    )
    print(f"lost: {len(lost)} (must be 0)")


if __name__ == "__main__":
    main()
