"""One merchant never sees or changes another's data, whatever ids it sends; staff stay in
their FCs. Every endpoint that takes an id is tried with other tenants' ids."""

from tests.api import (
    ADMIN,
    CHABATEA,
    MANAGER_CGK1,
    SIAMFRUIT,
    STAFF_CGK1,
    bins,
    fc_ids,
    new_key,
    sku_by_code,
    zone_ids,
)


def test_a_merchant_gets_404_for_every_id_of_another_merchant(api_as):
    admin = api_as(ADMIN)
    theirs = sku_by_code(admin, "CB-THAITEA-400")
    (balance, *_) = admin.items("/stock", sku_id=theirs["id"])
    api = api_as(SIAMFRUIT)
    responses = {
        "get sku": api.get(f"/skus/{theirs['id']}"),
        "patch sku": api.patch(f"/skus/{theirs['id']}", {"name_en": "stolen"}),
        "lots": api.get(f"/skus/{theirs['id']}/lots"),
    }
    for name, response in responses.items():
        assert response.status_code == 404, name
        assert theirs["name_en"] not in response.get_data(as_text=True), name
    assert api.items("/stock", sku_id=theirs["id"]) == []
    assert api.items("/stock", merchant_id=theirs["merchant_id"]) == []
    assert api.items("/stock/movements", sku_id=theirs["id"]) == []
    assert all(s["merchant_id"] != theirs["merchant_id"] for s in api.items("/skus"))
    assert [m["code"] for m in api.get("/merchants").get_json()] == ["SIAMFRUIT"]
    # Creating into another merchant's catalogue:
    other = api.post(
        "/skus",
        {
            "merchant_id": theirs["merchant_id"],
            "code": "X-1",
            "gtin": "8851961000996",
            "name_en": "x",
            "name_th": "x",
            "length_mm": 1,
            "width_mm": 1,
            "height_mm": 1,
            "weight_g": 1,
        },
    )
    assert other.status_code == 404
    # Nothing changed for the owner:
    assert api_as(CHABATEA).get(f"/skus/{theirs['id']}").get_json()["name_en"] == theirs["name_en"]
    assert admin.items("/stock", sku_id=theirs["id"])[0]["on_hand"] == balance["on_hand"]


def test_merchants_see_no_bins(api_as):
    admin = api_as(ADMIN)
    fc = fc_ids(admin)["KUL1"]
    location = bins(admin, fc, zone_ids(admin, fc)["AMB"])[0]
    api = api_as(SIAMFRUIT)
    assert api.get(f"/fcs/{fc}").status_code == 200  # FCs are public to merchants
    for path in (f"/fcs/{fc}/zones", f"/fcs/{fc}/locations", f"/locations/{location['id']}"):
        assert api.get(path).status_code == 404, path
    assert api.patch(f"/locations/{location['id']}", {"status": "blocked"}).status_code == 404


def test_staff_of_one_fc_get_404_for_another_fcs_ids(api_as):
    admin = api_as(ADMIN)
    kul1 = fc_ids(admin)["KUL1"]
    zone = zone_ids(admin, kul1)["AMB"]
    location = bins(admin, kul1, zone)[0]
    (balance, *_) = admin.items("/stock", fc_id=kul1)
    for email in (STAFF_CGK1, MANAGER_CGK1):
        api = api_as(email)
        assert [fc["code"] for fc in api.get("/fcs").get_json()] == ["CGK1"]
        for path in (
            f"/fcs/{kul1}",
            f"/fcs/{kul1}/zones",
            f"/fcs/{kul1}/locations",
            f"/locations/{location['id']}",
        ):
            assert api.get(path).status_code == 404, (email, path)
        assert api.items("/stock", fc_id=kul1) == []
        assert api.items("/stock/movements", fc_id=kul1) == []
        assert api.patch(f"/locations/{location['id']}", {"status": "blocked"}).status_code == 404
        assert (
            api.post(
                f"/fcs/{kul1}/zones",
                {"code": "Z", "name": "Z", "temperature_class": "ambient", "purpose": "storage"},
            ).status_code
            == 404
        )
        assert (
            api.post(
                f"/fcs/{kul1}/locations/layout",
                {"zone_id": zone, "aisles": ["Z"], "bays": 1, "levels": 1},
            ).status_code
            == 404
        )
        move = api.post(
            "/stock/moves",
            {
                "sku_id": balance["sku_id"],
                "from_location_id": balance["location_id"],
                "to_location_id": location["id"],
                "quantity": 1,
                "lot_number": balance["lot_number"],
            },
            key=new_key(),
        )
        assert move.status_code == 404, move.get_json()
        adjust = api.post(
            "/stock/adjustments",
            {
                "location_id": balance["location_id"],
                "sku_id": balance["sku_id"],
                "lot_number": balance["lot_number"],
                "delta": -1,
                "reason": "lost",
            },
            key=new_key(),
        )
        assert adjust.status_code == 404
    assert (
        admin.items(
            "/stock",
            location_id=balance["location_id"],
            sku_id=balance["sku_id"],
            lot_number=balance["lot_number"],
        )[0]["on_hand"]
        == balance["on_hand"]
    )


def test_idempotency_keys_are_per_user(api_as):
    """The same key from two users is two requests; neither sees the other's answer."""
    admin = api_as(ADMIN)
    kul1 = fc_ids(admin)["KUL1"]
    (balance, *_) = admin.items("/stock", fc_id=kul1)
    key = new_key()
    body = {
        "location_id": balance["location_id"],
        "sku_id": balance["sku_id"],
        "lot_number": balance["lot_number"],
        "delta": -1,
        "reason": "lost",
    }
    first = admin.post("/stock/adjustments", body, key=key)
    second = api_as("manager.kul1@pavilion.test").post("/stock/adjustments", body, key=key)
    assert first.status_code == second.status_code == 201
    assert first.get_json()["id"] != second.get_json()["id"]
