"""The marketplace channel pages through Flask's test client, on shops connected to a real
Shopee sandbox over HTTP: who sees which shops, a shop's listings with their push status and
the marketplace's reasons, retrying parked listings (one, or all of a shop), changing a
listing's policy, importing listings from CSV, disconnecting, and connecting a shop by hand.
Bad input is refused naming the field, and changes nothing."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api import ADMIN, CHABATEA, MANAGER_CGK1, MANAGER_KUL1, SIAMFRUIT, STAFF_KUL1
from tests.channel_pages import (
    REFUSAL,
    ShopWithListings,
    actor_of,
    channel_app,
    push,
    shop_with_listings,
    shopee_sandbox,
)
from tests.integration.test_outbound_pages import field_errors, h1_text, hidden_fields, submit
from tests.integration.test_web_pages import log_in, switch_language, table_rows
from wms.bootstrap import EXTENSION
from wms.channels.sandbox.server import RunningServer
from wms.channels.sandbox.shopee import ShopeeSandbox
from wms.db.unit_of_work import UnitOfWork
from wms.services import channel_shops, listings


@pytest.fixture
def sandbox() -> Iterator[tuple[ShopeeSandbox, RunningServer]]:
    with shopee_sandbox() as running:
        yield running


@pytest.fixture
def web_app(demo_database_url: str) -> Iterator[Flask]:
    """The whole app on its own demo database (its work commits), CSRF on, its Shopee app the
    sandbox's."""
    app = channel_app(demo_database_url)
    yield app
    engine = app.extensions[EXTENSION].engine
    if engine is not None:
        engine.dispose()


@pytest.fixture
def uow(web_app: Flask) -> UnitOfWork:
    return web_app.extensions[EXTENSION].uow()


@pytest.fixture
def shops(web_app: Flask, sandbox) -> dict[str, ShopWithListings]:
    """Siam Fruit's and Chaba Tea's Shopee MY shops, each with a synced and a parked listing."""
    sandbox_state, server = sandbox
    return {
        SIAMFRUIT: shop_with_listings(web_app, sandbox_state, server, SIAMFRUIT, "220011"),
        CHABATEA: shop_with_listings(
            web_app, sandbox_state, server, CHABATEA, "330022", name="Chaba Tea Official"
        ),
    }


def user(web_app: Flask, email: str, language: str = "en") -> FlaskClient:
    client = web_app.test_client()
    assert log_in(client, email).status_code == 200
    page = client.get("/channels")
    if language and f'lang="{language}"' not in page.get_data(as_text=True)[:200]:
        switch_language(client, page, language)
    return client


def text(page) -> str:
    return page.get_data(as_text=True)


def cells(row) -> str:
    return " ".join(row.cells)


def listing_state(uow: UnitOfWork, email: str, listing_id: int) -> dict:
    return listings.get_listing(uow, actor_of(uow, email), listing_id)


# --- seeing the shops ---------------------------------------------------------------------------


def test_a_manager_sees_the_shops_of_the_fcs_merchants_with_status_sync_errors_and_counts(
    web_app, shops
):
    client = user(web_app, MANAGER_KUL1)
    page = client.get("/channels")
    assert page.status_code == 200 and h1_text(page) == "Marketplace channels"
    assert re.search(r'href="/channels"\s+aria-current="page"', text(page))
    rows = table_rows(page, "shop")
    assert set(rows) == {str(shops[SIAMFRUIT].shop_id), str(shops[CHABATEA].shop_id)}
    mine = rows[str(shops[SIAMFRUIT].shop_id)]
    assert mine.attrs["data-status"] == "connected"
    assert "Shopee MY" in cells(mine) and "Shopee" in cells(mine) and "Connected" in cells(mine)
    assert mine.figures["synced"] == "1" and mine.figures["pending"] == "0"
    assert mine.figures["parked"] == "1"
    assert mine.figures["last_sync"] != "–"  # the relay's accepted push
    assert "Chaba Tea Official" in cells(rows[str(shops[CHABATEA].shop_id)])
    # Managers see whose shop it is, and do not connect shops themselves.
    assert "SIAMFRUIT" in cells(mine)
    assert 'id="connect-link"' not in text(page)
    assert client.get("/channels/connect").status_code == 403


def test_a_merchant_sees_only_its_own_shops_in_thai_and_another_merchants_shop_is_not_found(
    web_app, shops
):
    client = user(web_app, SIAMFRUIT, "th")
    page = client.get("/channels")
    assert 'lang="th"' in text(page)
    assert h1_text(page) == "ช่องทางขายบนมาร์เก็ตเพลส"
    rows = table_rows(page, "shop")
    assert list(rows) == [str(shops[SIAMFRUIT].shop_id)]
    assert "เชื่อมต่อแล้ว" in cells(rows[str(shops[SIAMFRUIT].shop_id)])
    assert "Chaba" not in text(page)
    other = shops[CHABATEA]
    assert client.get(f"/channels/{other.shop_id}").status_code == 404
    # Another merchant's listing cannot be retried, nor its policy changed: not found, unchanged.
    shop_page = client.get(f"/channels/{shops[SIAMFRUIT].shop_id}")
    retry = f"/channels/listings/{shops[SIAMFRUIT].parked}/retry"
    refused = client.post(
        f"/channels/listings/{other.parked}/retry", data=hidden_fields(shop_page, retry)
    )
    assert refused.status_code == 404
    policy = client.post(
        f"/channels/listings/{other.synced}/policy",
        data={
            **hidden_fields(shop_page, f"/channels/listings/{shops[SIAMFRUIT].synced}/policy"),
            "policy_kind": "share",
            "policy_value": "10",
        },
    )
    assert policy.status_code == 404
    state = listing_state(web_app.extensions[EXTENSION].uow(), CHABATEA, other.parked)
    assert state["stock"]["status"] == "parked" and state["share_percent"] == 50


def test_staff_do_not_see_the_channel_pages(web_app, shops):
    client = user(web_app, STAFF_KUL1, "")
    assert client.get("/channels").status_code == 403
    assert client.get(f"/channels/{shops[SIAMFRUIT].shop_id}").status_code == 403


def test_a_manager_of_another_fc_sees_the_shops_but_not_the_listings_sold_from_kul1(
    web_app, shops, uow
):
    # Every demo merchant has stock at CGK1, so its manager sees both shops...
    client = user(web_app, MANAGER_CGK1)
    rows = table_rows(client.get("/channels"), "shop")
    assert set(rows) == {str(shops[SIAMFRUIT].shop_id), str(shops[CHABATEA].shop_id)}
    shop = shops[SIAMFRUIT]
    page = client.get(f"/channels/{shop.shop_id}")
    assert page.status_code == 200 and table_rows(page, "listing") == {}
    assert "This shop has no listings yet" in text(page)
    assert 'id="retry-parked-form"' not in text(page)
    # ...but not the listings sold from KUL1: retrying one is not found, and changes nothing.
    # (The page's own CSRF token, from its import form, with a fresh request key.)
    form = {
        **hidden_fields(page, f"/channels/{shop.shop_id}/import"),
        "idempotency_key": "web-cgk1-retry-0001",
    }
    refused = client.post(f"/channels/listings/{shop.parked}/retry", data=form)
    assert refused.status_code == 404
    assert listing_state(uow, SIAMFRUIT, shop.parked)["stock"]["status"] == "parked"
    # Nor may the manager retry the shop's parked listings wholesale: none of them are theirs.
    wholesale = client.post(f"/channels/{shop.shop_id}/retry-parked", data=form)
    assert wholesale.status_code == 409
    assert "No listing of this shop that you may change is parked." in text(wholesale)
    assert listing_state(uow, SIAMFRUIT, shop.parked)["stock"]["status"] == "parked"


# --- a shop's listings ----------------------------------------------------------------------


def test_the_shop_page_lists_listings_with_ids_policy_quantities_status_and_the_reason(
    web_app, shops
):
    shop = shops[SIAMFRUIT]
    client = user(web_app, MANAGER_KUL1)
    page = client.get(f"/channels/{shop.shop_id}")
    assert page.status_code == 200 and h1_text(page) == "Shopee MY Connected"
    rows = table_rows(page, "listing")
    assert set(rows) == {str(shop.synced), str(shop.parked)}
    synced, parked = rows[str(shop.synced)], rows[str(shop.parked)]
    assert synced.attrs["data-status"] == "synced" and parked.attrs["data-status"] == "parked"
    assert shop.synced_sku in cells(synced) and "KUL1" in cells(synced)
    assert "220011001" in cells(synced) and "All available units but 0" in cells(synced)
    # What the marketplace took is what the listing should show, pushed at a recorded time.
    assert re.fullmatch(
        synced.figures["desired"] + r"20\d\d-\d\d-\d\d \d\d:\d\d", synced.figures["pushed"]
    )
    assert "50 % of the available units" in cells(parked)
    assert parked.figures["pushed"] == "–"
    assert REFUSAL in parked.figures["error"]
    assert "Refused by the marketplace" in parked.figures["error"]
    assert re.search(r"marketplaceat 20\d\d-\d\d-\d\d \d\d:\d\d$", parked.figures["error"])  # when
    assert synced.figures["error"] == "–"
    # Filtered by status.
    only_parked = table_rows(client.get(f"/channels/{shop.shop_id}?status=parked"), "listing")
    assert list(only_parked) == [str(shop.parked)]
    only_synced = table_rows(client.get(f"/channels/{shop.shop_id}?status=synced"), "listing")
    assert list(only_synced) == [str(shop.synced)]
    none_pending = client.get(f"/channels/{shop.shop_id}?status=pending")
    assert "No listing of this shop is Pending." in text(none_pending)
    # An unknown filter shows every listing rather than failing.
    assert len(table_rows(client.get(f"/channels/{shop.shop_id}?status=x%00"), "listing")) == 2


def test_a_manager_retries_a_parked_listing_once_even_if_the_form_is_sent_twice(
    web_app, shops, uow
):
    shop = shops[SIAMFRUIT]
    client = user(web_app, MANAGER_KUL1)
    page = client.get(f"/channels/{shop.shop_id}?status=parked")
    retry = f"/channels/listings/{shop.parked}/retry"
    form = {**hidden_fields(page, retry), "status_filter": "parked"}
    done = client.post(retry, data=form)
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/channels/{shop.shop_id}?status=parked")
    state = listing_state(uow, SIAMFRUIT, shop.parked)["stock"]
    assert state["status"] == "pending" and state["attempts"] == 0
    assert state["last_error"] == REFUSAL  # on view until a push succeeds
    after = client.get(f"/channels/{shop.shop_id}")
    assert f"Listing {shop.parked_sku} from KUL1 will be pushed again." in text(after)
    assert table_rows(after, "listing")[str(shop.parked)].attrs["data-status"] == "pending"
    # The same form again (a double click) answers as the first time and changes nothing.
    again = client.post(retry, data=form)
    assert again.status_code == 302
    assert listing_state(uow, SIAMFRUIT, shop.parked)["stock"] == state
    # A fresh form on a listing that is not parked is a conflict, said on the page.
    fresh = {**hidden_fields(page, retry), "idempotency_key": "web-another-key-0001"}
    conflict = client.post(retry, data=fresh)
    assert conflict.status_code == 409
    assert "Only a parked listing is retried; this one is not parked." in text(conflict)
    # A form without its key is a bad request.
    keyless = {k: v for k, v in fresh.items() if k != "idempotency_key"}
    assert client.post(retry, data=keyless).status_code == 400


def test_retry_all_parked_listings_of_a_shop_then_the_relay_pushes_them_again(
    web_app, shops, uow, sandbox
):
    shop = shops[SIAMFRUIT]
    client = user(web_app, SIAMFRUIT, "en")
    page = client.get(f"/channels/{shop.shop_id}")
    assert "Retry the 1 parked listing" in text(page)
    done = submit(client, page, f"/channels/{shop.shop_id}/retry-parked")
    assert done.status_code == 302
    followed = client.get(done.headers["Location"])
    assert "1 parked listing will be pushed again." in text(followed)
    assert 'id="retry-parked-form"' not in text(followed)
    # The marketplace still refuses it: the relay parks it again with the reason.
    counts = push(uow, web_app.extensions[EXTENSION].channels)
    assert counts["parked"] == 1
    assert listing_state(uow, SIAMFRUIT, shop.parked)["stock"]["status"] == "parked"
    # Nothing parked left: a fresh form is a conflict, said on the page, and changes nothing.
    listings.retry_listing(uow, actor_of(uow, SIAMFRUIT), shop.parked)
    action = f"/channels/{shop.shop_id}/retry-parked"
    fresh = {**hidden_fields(page, action), "idempotency_key": "web-retry-all-again-1"}
    empty = client.post(action, data=fresh)
    assert empty.status_code == 409
    assert "No listing of this shop that you may change is parked." in text(empty)
    assert listing_state(uow, SIAMFRUIT, shop.parked)["stock"]["status"] == "pending"


def test_changing_a_listings_policy_goes_through_the_use_case_and_bad_values_name_the_field(
    web_app, shops, uow
):
    shop = shops[SIAMFRUIT]
    client = user(web_app, MANAGER_KUL1)
    page = client.get(f"/channels/{shop.shop_id}")
    action = f"/channels/listings/{shop.synced}/policy"
    for fields, message in (
        ({"policy_kind": "share", "policy_value": "101"}, "From 0 to 100."),
        ({"policy_kind": "share", "policy_value": "-5"}, "A whole number."),
        ({"policy_kind": "share", "policy_value": ""}, "Required."),
        ({"policy_kind": "half", "policy_value": "5"}, "Choose one of the options."),
    ):
        refused = submit(client, page, action, **fields)
        assert refused.status_code == 422, fields
        assert field_errors(refused)[f"policy-value-{shop.synced}"] == message or (
            message in text(refused)
        ), fields
        assert 'id="policy-problem"' in text(refused)
        state = listing_state(uow, SIAMFRUIT, shop.synced)
        assert state["share_percent"] is None and state["buffer_units"] == 0
    saved = submit(client, page, action, policy_kind="share", policy_value="40")
    assert saved.status_code == 302
    state = listing_state(uow, SIAMFRUIT, shop.synced)
    assert state["share_percent"] == 40 and state["buffer_units"] is None
    after = client.get(saved.headers["Location"])
    assert f"Listing {shop.synced_sku} from KUL1 now shows: 40 % of the available units." in text(
        after
    )
    assert "40 % of the available units" in cells(table_rows(after, "listing")[str(shop.synced)])
    buffered = submit(client, page, action, policy_kind="buffer", policy_value="3")
    assert buffered.status_code == 302
    state = listing_state(uow, SIAMFRUIT, shop.synced)
    assert state["share_percent"] is None and state["buffer_units"] == 3


def test_a_csv_import_shows_every_bad_line_and_imports_nothing_then_a_good_file_imports(
    web_app, shops, uow
):
    shop = shops[SIAMFRUIT]
    client = user(web_app, SIAMFRUIT, "en")
    page = client.get(f"/channels/{shop.shop_id}")
    action = f"/channels/{shop.shop_id}/import"
    before = listings.list_listings(uow, actor_of(uow, SIAMFRUIT), shop_id=shop.shop_id)
    bad = (
        "sku_code,fc_code,item_id,model_id,seller_sku,warehouse_id,policy\n"
        f"{shop.synced_sku},KUL1,220011001,,,,share:70\n"
        "NO-SUCH-SKU,KUL1,220011900,,,,share:10\n"
        f"{shop.parked_sku},XXX9,220011901,,,,buffer:2\n"
        f"{shop.parked_sku},KUL1,220011002,,,,half\n"
        f"{shop.synced_sku},KUL1,,,,,share:5\n"
    )
    refused = client.post(
        action,
        data={**hidden_fields(page, action), "file": (io.BytesIO(bad.encode()), "listings.csv")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    errors = table_rows(refused, "line")
    assert set(errors) == {"3", "4", "5", "6"}
    assert "The merchant has no SKU NO-SUCH-SKU." in cells(errors["3"])
    assert errors["3"].attrs["data-field"] == "sku_code"
    assert "There is no FC XXX9." in cells(errors["4"])
    assert "Write share:60, 60% or buffer:5." in cells(errors["5"])
    assert errors["6"].attrs["data-field"] == "item_id"
    assert "Nothing was imported: 4 lines are wrong." in text(refused)
    after = listings.list_listings(uow, actor_of(uow, SIAMFRUIT), shop_id=shop.shop_id)
    assert after == before

    # No file, or a file that is no CSV of listings: refused naming the file.
    empty = client.post(
        action, data=hidden_fields(page, action), content_type="multipart/form-data"
    )
    assert empty.status_code == 422 and field_errors(empty)["file"].startswith("Choose")
    wrong = client.post(
        action,
        data={**hidden_fields(page, action), "file": (io.BytesIO(b"a,b\n1,2\n"), "x.csv")},
        content_type="multipart/form-data",
    )
    assert wrong.status_code == 422 and "missing" in field_errors(wrong)["file"]
    latin1 = client.post(
        action,
        data={**hidden_fields(page, action), "file": (io.BytesIO(b"sku_code\xff\n"), "x.csv")},
        content_type="multipart/form-data",
    )
    assert latin1.status_code == 422 and field_errors(latin1)["file"] == "The CSV must be UTF-8."
    assert listings.list_listings(uow, actor_of(uow, SIAMFRUIT), shop_id=shop.shop_id) == before

    good = (
        "sku_code,fc_code,item_id,policy\n"
        f"{shop.synced_sku},KUL1,220011001,share:70\n"
        f"{shop.parked_sku},KUL1,220011002,buffer:2\n"
    )
    imported = client.post(
        action,
        data={**hidden_fields(page, action), "file": (io.BytesIO(good.encode()), "listings.csv")},
        content_type="multipart/form-data",
    )
    assert imported.status_code == 302
    assert "Listings imported: 0 new, 2 updated." in text(client.get(imported.headers["Location"]))
    state = listing_state(uow, SIAMFRUIT, shop.synced)
    assert state["share_percent"] == 70
    assert listing_state(uow, SIAMFRUIT, shop.parked)["buffer_units"] == 2


# --- disconnecting and connecting -----------------------------------------------------------


def test_the_merchant_disconnects_its_shop_and_a_manager_may_not(web_app, shops, uow):
    shop = shops[SIAMFRUIT]
    manager = user(web_app, MANAGER_KUL1)
    manager_page = manager.get(f"/channels/{shop.shop_id}")
    assert 'id="disconnect-form"' not in text(manager_page)
    merchant = user(web_app, SIAMFRUIT, "en")
    page = merchant.get(f"/channels/{shop.shop_id}")
    action = f"/channels/{shop.shop_id}/disconnect"
    # A manager sending the merchant's form is refused and nothing changes.
    forged = manager.post(
        action,
        data={**hidden_fields(manager_page, f"/channels/listings/{shop.parked}/retry")},
    )
    assert forged.status_code == 403
    assert channel_shops.get_shop(uow, actor_of(uow, ADMIN), shop.shop_id)["status"] == "connected"
    done = submit(merchant, page, action)
    assert done.status_code == 302
    after = merchant.get(done.headers["Location"])
    assert "Shopee MY is disconnected: nothing more is sent to it." in text(after)
    assert h1_text(after) == "Shopee MY Disconnected"
    assert 'id="import-form"' not in text(after) and 'id="reconnect-link"' in text(after)
    assert (
        channel_shops.get_shop(uow, actor_of(uow, ADMIN), shop.shop_id)["status"] == "disconnected"
    )


def connect_form(**changes: str) -> dict[str, str]:
    return {
        "marketplace": "shopee",
        "country": "MY",
        "shop_id": "550055",
        "base_url": "http://127.0.0.1:5100",
        "access_token": "acc-typed-by-hand-0001",
        "refresh_token": "ref-typed-by-hand-0001",
        "access_expires_at": "2030-01-01T12:00:00+08:00",
        "name": "Siam Fruit Sandbox",
        **changes,
    }


def test_a_merchant_connects_a_shop_by_hand_and_bad_fields_are_named_and_nothing_stored(
    web_app, uow
):
    client = user(web_app, SIAMFRUIT, "en")
    listing_page = client.get("/channels")
    assert 'id="connect-link"' in text(listing_page)
    page = client.get("/channels/connect")
    assert page.status_code == 200 and h1_text(page) == "Connect a shop by hand"
    assert 'id="manual-path"' in text(page)
    merchant = actor_of(uow, SIAMFRUIT)
    for changes, field in (
        ({"country": "my1"}, "country"),
        ({"country": "M1"}, "country"),
        ({"shop_id": ""}, "shop_id"),
        ({"base_url": "ftp://x"}, "base_url"),
        ({"access_token": ""}, "access_token"),
        ({"access_expires_at": "2030-01-01T12:00:00"}, "access_expires_at"),
        ({"access_expires_at": "tomorrow"}, "access_expires_at"),
        ({"access_expires_at": "0001-01-01T00:00:00+14:00"}, "access_expires_at"),
        ({"access_expires_at": "２０３０-01-01T12:00:00+08:00"}, "access_expires_at"),
        ({"shop_id": "22\x0011"}, "shop_id"),
        ({"refresh_expires_at": "2030-02-30T00:00:00Z"}, "refresh_expires_at"),
        ({"marketplace": "ebay"}, "marketplace"),
        ({"marketplace": "tiktok"}, "shop_cipher"),
        ({"name": "x" * 81}, "name"),
    ):
        refused = submit(client, page, "/channels/connect", **connect_form(**changes))
        assert refused.status_code == 422, (changes, text(refused)[-2000:])
        assert field in field_errors(refused), (changes, field_errors(refused))
        assert 'id="form-problems"' in text(refused)
        assert channel_shops.list_shops(uow, merchant) == []
    done = submit(client, page, "/channels/connect", **connect_form())
    assert done.status_code == 302
    (shop,) = channel_shops.list_shops(uow, merchant)
    assert shop["name"] == "Siam Fruit Sandbox" and shop["shop_id"] == "550055"
    assert shop["access_expires_at"] == "2030-01-01T04:00:00+00:00"
    assert done.headers["Location"].endswith(f"/channels/{shop['id']}")
    shown = client.get(done.headers["Location"])
    assert "Siam Fruit Sandbox is connected." in text(shown)
    assert "acc-typed-by-hand" not in text(shown)
    # Another merchant cannot take the shop: a conflict naming the shop id, nothing changes.
    other = user(web_app, CHABATEA, "en")
    taken = submit(other, other.get("/channels/connect"), "/channels/connect", **connect_form())
    assert taken.status_code == 409
    assert field_errors(taken)["shop_id"] == "This shop is connected to another merchant."
    assert channel_shops.list_shops(uow, actor_of(uow, CHABATEA)) == []


def test_an_admin_connects_a_shop_for_a_merchant_who_must_be_named(web_app, uow):
    client = user(web_app, ADMIN)
    page = client.get("/channels/connect")
    refused = submit(client, page, "/channels/connect", **connect_form())
    assert refused.status_code == 422 and "merchant_id" in field_errors(refused)
    merchant = actor_of(uow, CHABATEA)
    done = submit(
        client, page, "/channels/connect", **connect_form(merchant_id=str(merchant.merchant_id))
    )
    assert done.status_code == 302
    assert [s["shop_id"] for s in channel_shops.list_shops(uow, merchant)] == ["550055"]
    missing = submit(client, page, "/channels/connect", **connect_form(merchant_id="999999"))
    assert missing.status_code == 422 and "merchant_id" in field_errors(missing)


def test_the_channel_pages_answer_in_thai(web_app, shops):
    shop = shops[SIAMFRUIT]
    client = user(web_app, SIAMFRUIT, "th")
    page = client.get(f"/channels/{shop.shop_id}")
    body = text(page)
    for words in ("รายการสินค้า", "พักไว้", "ซิงก์แล้ว", "นำเข้ารายการสินค้าจาก CSV", "ลองใหม่"):
        assert words in body, words
    assert "Refused by the marketplace" not in body
    connect = client.get("/channels/connect")
    assert h1_text(connect) == "เชื่อมต่อร้านค้าด้วยตนเอง"
    refused = submit(client, connect, "/channels/connect", **connect_form(country="M1"))
    assert refused.status_code == 422
    assert (
        field_errors(refused)["country"] == "รหัสประเทศ ISO 3166-1 สองตัวอักษรพิมพ์ใหญ่ (MY, ID, VN...)"
    )
