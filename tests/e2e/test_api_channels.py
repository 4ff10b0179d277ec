"""Marketplace shops and listings through the API: connect, list, map SKUs, import, retry."""

from __future__ import annotations

from sqlalchemy import select

from tests.api import (
    ADMIN,
    CHABATEA,
    MANAGER_CGK1,
    MANAGER_KUL1,
    SIAMFRUIT,
    STAFF_KUL1,
    error_fields,
    fc_ids,
    sku_by_code,
)
from tests.channels import TEST_CIPHER
from wms.db.models import ChannelShop, Listing, ListingStock, Merchant
from wms.domain.channels import ListingStockStatus

SHOP = {
    "marketplace": "shopee",
    "country": "MY",
    "shop_id": "220011",
    "base_url": "https://partner.shopeemobile.com",
    "access_token": "acc-5f1e2d3c4b5a",
    "refresh_token": "ref-0a9b8c7d6e5f",
    "access_expires_at": "2030-01-01T12:00:00+08:00",
}


def _connect(api, **changes):
    response = api.post("/shops", {**SHOP, **changes})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _listing(api, shop_id, sku_code, fc_code="KUL1", item_id="800100", **policy):
    body = {
        "sku_id": sku_by_code(api, sku_code)["id"],
        "fc_id": fc_ids(api)[fc_code],
        "item_id": item_id,
        **(policy or {"buffer_units": 0}),
    }
    return api.post(f"/shops/{shop_id}/listings", body)


def _merchant_fc_ids(api_as):
    return fc_ids(api_as(ADMIN))


def test_a_merchant_connects_a_shop_whose_tokens_are_stored_encrypted(api_as, uow):
    shop = _connect(api_as(SIAMFRUIT))
    assert shop["name"] == "Shopee MY" and shop["status"] == "connected"
    assert "access_token" not in shop and "refresh_token" not in shop
    assert shop["access_expires_at"] == "2030-01-01T04:00:00+00:00"
    with uow:
        row = uow.session.get(ChannelShop, shop["id"])
        assert "5f1e2d3c4b5a" not in row.access_token_sealed
        assert TEST_CIPHER.open(row.access_token_sealed) == SHOP["access_token"]
        assert TEST_CIPHER.open(row.refresh_token_sealed) == SHOP["refresh_token"]


def test_connecting_again_replaces_the_tokens_and_another_merchant_cannot_take_the_shop(
    api_as, uow
):
    first = _connect(api_as(SIAMFRUIT))
    again = _connect(api_as(SIAMFRUIT), access_token="acc-new", name="Siam Fruit Official")
    assert again["id"] == first["id"] and again["name"] == "Siam Fruit Official"
    with uow:
        row = uow.session.get(ChannelShop, first["id"])
        assert TEST_CIPHER.open(row.access_token_sealed) == "acc-new"
    taken = api_as(CHABATEA).post("/shops", SHOP)
    assert taken.status_code == 409 and "shop_id" in error_fields(taken)


def test_bad_connections_are_refused_naming_the_field_and_nothing_is_stored(api_as):
    api = api_as(SIAMFRUIT)
    for changes, field in (
        ({"country": "my"}, "country"),
        ({"marketplace": "amazon"}, "marketplace"),
        ({"access_expires_at": "2030-01-01T12:00:00"}, "access_expires_at"),
        ({"base_url": "ftp://x"}, "base_url"),
        ({"marketplace": "tiktok"}, "shop_cipher"),
        ({"access_token": ""}, "access_token"),
    ):
        response = api.post("/shops", {**SHOP, **changes})
        assert response.status_code == 422, (changes, response.get_json())
        assert field in error_fields(response), (changes, response.get_json())
    assert api.get("/shops").get_json() == []


def test_who_sees_a_shop(api_as, uow):
    shop = _connect(api_as(SIAMFRUIT))
    assert [s["id"] for s in api_as(SIAMFRUIT).get("/shops").get_json()] == [shop["id"]]
    assert api_as(CHABATEA).get("/shops").get_json() == []
    assert api_as(CHABATEA).get(f"/shops/{shop['id']}").status_code == 404
    assert api_as(STAFF_KUL1).get("/shops").status_code == 403
    # The merchant has stock at KUL1: KUL1's manager sees its shops, and so does the admin.
    assert [s["id"] for s in api_as(MANAGER_KUL1).get("/shops").get_json()] == [shop["id"]]
    assert api_as(ADMIN).get(f"/shops/{shop['id']}").status_code == 200
    # A new merchant with no stock and no listings anywhere is no FC manager's business.
    with uow:
        newcomer = Merchant(code="NEWSHOP1", name_en="Newcomer", name_th="ร้านใหม่")
        uow.session.add(newcomer)
        uow.commit()
    other = api_as(ADMIN).post("/shops", {**SHOP, "shop_id": "777", "merchant_id": newcomer.id})
    assert other.status_code == 201, other.get_json()
    assert api_as(MANAGER_KUL1).get(f"/shops/{other.get_json()['id']}").status_code == 404
    assert [s["id"] for s in api_as(MANAGER_KUL1).get("/shops").get_json()] == [shop["id"]]
    admin_without_merchant = api_as(ADMIN).post("/shops", {**SHOP, "shop_id": "778"})
    assert admin_without_merchant.status_code == 422
    assert "merchant_id" in error_fields(admin_without_merchant)
    # Managers do not connect or disconnect a merchant's shop.
    assert api_as(MANAGER_KUL1).post(f"/shops/{shop['id']}/disconnect").status_code == 403


def test_listings_map_a_sku_and_fc_to_the_marketplace_ids_with_their_stock(api_as):
    api = api_as(SIAMFRUIT)
    shop = _connect(api)
    created = _listing(api, shop["id"], "SF-MANGO-200", share_percent=50)
    assert created.status_code == 201, created.get_json()
    listing = created.get_json()
    assert (listing["sku_code"], listing["fc_code"], listing["share_percent"]) == (
        "SF-MANGO-200",
        "KUL1",
        50,
    )
    stock = listing["stock"]
    assert stock["status"] == "pending" and stock["desired_version"] == 1
    assert stock["pushed_quantity"] is None and stock["pushed_version"] == 0

    twice = _listing(api, shop["id"], "SF-MANGO-200", item_id="800200")
    assert twice.status_code == 409 and "sku_id" in error_fields(twice)
    same_ids = _listing(api, shop["id"], "SF-DURIAN-100")
    assert same_ids.status_code == 409 and "item_id" in error_fields(same_ids)
    both = _listing(api, shop["id"], "SF-DURIAN-100", item_id="1", share_percent=5, buffer_units=1)
    assert both.status_code == 422 and "share_percent" in error_fields(both)
    theirs = sku_by_code(api_as(CHABATEA), api_as(CHABATEA).items("/skus")[0]["code"])
    foreign = api.post(
        f"/shops/{shop['id']}/listings",
        {"sku_id": theirs["id"], "fc_id": listing["fc_id"], "item_id": "3", "buffer_units": 0},
    )
    assert foreign.status_code == 404 and "sku_id" in error_fields(foreign)

    # All of it, then half: the desired quantity follows the policy, one version per change.
    full = api.patch(f"/listings/{listing['id']}", {"buffer_units": 0}).get_json()
    assert full["share_percent"] is None and full["buffer_units"] == 0
    assert full["stock"]["desired_version"] == 2
    assert full["stock"]["desired_quantity"] >= stock["desired_quantity"]
    half = api.patch(f"/listings/{listing['id']}", {"share_percent": 50}).get_json()
    assert half["stock"]["desired_quantity"] == full["stock"]["desired_quantity"] // 2
    assert api.get("/listings", status="pending").get_json()[0]["id"] == listing["id"]
    assert api_as(CHABATEA).get(f"/listings/{listing['id']}").status_code == 404
    assert api_as(MANAGER_CGK1).get(f"/listings/{listing['id']}").status_code == 404
    assert api_as(MANAGER_KUL1).get(f"/listings/{listing['id']}").status_code == 200

    deleted = api.delete(f"/listings/{listing['id']}")
    assert deleted.status_code == 200
    assert api.get(f"/listings/{listing['id']}").status_code == 404


def test_two_shops_selling_one_sku_split_it(api_as):
    api = api_as(SIAMFRUIT)
    shopee = _connect(api)
    lazada = _connect(api, marketplace="lazada", shop_id="MY1L2Z")
    alone = _listing(api, shopee["id"], "SF-BANANA-150").get_json()["stock"]["desired_quantity"]
    assert alone > 1
    second = _listing(api, lazada["id"], "SF-BANANA-150", item_id="L-9").get_json()
    first = api.items("/listings", shop_id=shopee["id"])[0]
    shown = first["stock"]["desired_quantity"] + second["stock"]["desired_quantity"]
    assert shown == alone
    assert abs(first["stock"]["desired_quantity"] - second["stock"]["desired_quantity"]) <= 1
    # Disconnecting one shop gives everything back to the other.
    assert api.post(f"/shops/{lazada['id']}/disconnect").get_json()["status"] == "disconnected"
    first = api.items("/listings", shop_id=shopee["id"])[0]
    assert first["stock"]["desired_quantity"] == alone
    refused = _listing(api, lazada["id"], "SF-MANGO-200", item_id="L-10")
    assert refused.status_code == 409 and "shop_id" in error_fields(refused)


CSV_GOOD = (
    "sku_code,fc_code,item_id,model_id,seller_sku,warehouse_id,policy\n"
    "SF-MANGO-200,KUL1,1001,2001,SF-MANGO-200,,60%\n"
    "SF-DURIAN-100,KUL1,1002,,SF-DURIAN-100,,buffer:3\n"
)


def _post_csv(api, shop_id, text):
    return api.client.post(
        f"/api/v1/shops/{shop_id}/listings/import",
        data=text.encode(),
        headers={"Authorization": f"Bearer {api.token}", "Content-Type": "text/csv"},
    )


def test_a_csv_creates_listings_and_a_second_one_updates_them(api_as):
    api = api_as(SIAMFRUIT)
    shop = _connect(api)
    report = _post_csv(api, shop["id"], CSV_GOOD)
    assert report.status_code == 200, report.get_json()
    assert report.get_json() == {
        "applied": True,
        "rows": 2,
        "created": 2,
        "updated": 0,
        "errors": [],
    }
    listings = {item["sku_code"]: item for item in api.items("/listings", shop_id=shop["id"])}
    assert listings["SF-MANGO-200"]["share_percent"] == 60
    assert listings["SF-MANGO-200"]["model_id"] == "2001"
    assert listings["SF-DURIAN-100"]["buffer_units"] == 3
    again = _post_csv(api, shop["id"], CSV_GOOD.replace("buffer:3", "share:10"))
    assert again.get_json()["updated"] == 2
    assert api.get(f"/listings/{listings['SF-DURIAN-100']['id']}").get_json()["share_percent"] == 10


def test_a_csv_with_bad_rows_reports_each_line_and_field_and_imports_nothing(api_as):
    api = api_as(SIAMFRUIT)
    shop = _connect(api)
    text = (
        "sku_code,fc_code,item_id,model_id,seller_sku,warehouse_id,policy\n"
        "SF-MANGO-200,KUL1,1001,,,,50%\n"
        "NO-SUCH-SKU,KUL1,1002,,,,50%\n"
        "SF-DURIAN-100,KUL9,1003,,,,50%\n"
        "SF-BANANA-150,KUL1,1004,,,,half\n"
        "SF-COCONUT-120,KUL1,,,,,buffer:1\n"
        "SF-MANGO-200,KUL1,1005,,,,share:101\n"
        "SF-TAMARIND-250,KUL1,1001,,,,buffer:0\n"
    )
    response = _post_csv(api, shop["id"], text)
    assert response.status_code == 422
    report = response.get_json()
    assert report["applied"] is False and report["created"] == 0
    assert [(e["line"], e["field"]) for e in report["errors"]] == [
        (3, "sku_code"),
        (4, "fc_code"),
        (5, "policy"),
        (6, "item_id"),
        (7, "policy"),
        (8, "item_id"),
    ]
    assert api.get("/listings", shop_id=shop["id"]).get_json() == []
    header_only = _post_csv(api, shop["id"], "sku_code,fc_code,item_id\n")
    assert header_only.status_code == 422 and "file" in error_fields(header_only)


def test_the_shops_product_list_maps_by_seller_sku(api_as):
    api = api_as(SIAMFRUIT)
    shop = _connect(api)
    fc = _merchant_fc_ids(api_as)["KUL1"]
    products = [
        {"item_id": "5001", "model_id": "1", "seller_sku": "SF-MANGO-200", "title": "Mango"},
        {"item_id": "5001", "model_id": "2", "seller_sku": "SF-DURIAN-100", "title": "Durian"},
        {"item_id": "5002", "seller_sku": "UNKNOWN-1", "title": "Something else"},
    ]
    response = api.post(
        f"/shops/{shop['id']}/listings/import-products",
        {"fc_id": fc, "products": products, "share_percent": 80},
    )
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["created"] == 2 and report["already_listed"] == 0
    assert [(s["seller_sku"], s["reason"]) for s in report["skipped"]] == [
        ("UNKNOWN-1", "No SKU has this seller SKU as its code.")
    ]
    listed = api.items("/listings", shop_id=shop["id"])
    assert sorted((item["sku_code"], item["model_id"]) for item in listed) == [
        ("SF-DURIAN-100", "2"),
        ("SF-MANGO-200", "1"),
    ]
    assert {item["share_percent"] for item in listed} == {80}
    again = api.post(
        f"/shops/{shop['id']}/listings/import-products", {"fc_id": fc, "products": products}
    ).get_json()
    assert (again["created"], again["already_listed"]) == (0, 2)


def test_a_parked_listing_is_retried_and_others_are_not(api_as, uow):
    api = api_as(SIAMFRUIT)
    shop = _connect(api)
    listing = _listing(api, shop["id"], "SF-MANGO-200").get_json()
    not_parked = api.post(f"/listings/{listing['id']}/retry")
    assert not_parked.status_code == 409
    with uow:
        row = uow.session.scalar(
            select(ListingStock).where(ListingStock.listing_id == listing["id"])
        )
        row.status = ListingStockStatus.PARKED
        row.attempts = 3
        row.last_error = "Model 2001 does not exist."
        uow.commit()
    parked = api.get("/listings", status="parked").get_json()
    assert [(p["id"], p["stock"]["last_error"]) for p in parked] == [
        (listing["id"], "Model 2001 does not exist.")
    ]
    assert api.get(f"/shops/{shop['id']}").get_json()["listings_parked"] == 1
    assert api_as(CHABATEA).post(f"/listings/{listing['id']}/retry").status_code == 404
    retried = api.post(f"/listings/{listing['id']}/retry").get_json()
    assert retried["stock"]["status"] == "pending" and retried["stock"]["attempts"] == 0


def test_the_database_refuses_a_listing_with_two_policies(uow, api_as):
    import pytest
    from sqlalchemy.exc import IntegrityError

    api = api_as(SIAMFRUIT)
    shop = _connect(api)
    sku = sku_by_code(api, "SF-MANGO-200")
    with uow, pytest.raises(IntegrityError):
        uow.session.add(
            Listing(
                shop_id=shop["id"],
                sku_id=sku["id"],
                fc_id=_merchant_fc_ids(api_as)["KUL1"],
                item_id="1",
                share_percent=50,
                buffer_units=2,
            )
        )
        uow.session.flush()
