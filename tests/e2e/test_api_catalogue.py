from tests.api import (
    ADMIN,
    CHABATEA,
    MANAGER_KUL1,
    SIAMFRUIT,
    STAFF_KUL1,
    error_fields,
    sku_by_code,
)

NEW_SKU = {
    "code": "SF-LONGAN-150",
    "gtin": "8851961000200",
    "name_en": "Dried longan 150 g",
    "name_th": "ลำไยอบแห้ง 150 กรัม",
    "length_mm": 180,
    "width_mm": 120,
    "height_mm": 50,
    "weight_g": 165,
    "temperature_class": "ambient",
    "shelf_life_days": 365,
    "lot_tracked": True,
    "expiry_tracked": True,
    "hs_code": "081340",
    "declared_value": "79.50",
}


def _gtin(body12: str) -> str:
    from wms.domain.identifiers import with_check_digit

    return with_check_digit(body12)


def test_merchant_creates_a_sku_in_its_own_catalogue(api_as):
    api = api_as(SIAMFRUIT)
    body = {**NEW_SKU, "gtin": _gtin("885196100020")}
    response = api.post("/skus", body)
    assert response.status_code == 201, response.get_json()
    sku = response.get_json()
    assert sku["name_th"] == "ลำไยอบแห้ง 150 กรัม"
    assert sku["declared_value"] == "79.50" and sku["declared_currency"] == "THB"
    me = api.get("/auth/me").get_json()
    assert sku["merchant_id"] == me["merchant_id"]
    assert api.get(f"/skus/{sku['id']}").get_json()["code"] == "SF-LONGAN-150"


def test_bad_check_digit_is_refused_and_nothing_is_created(api_as):
    api = api_as(SIAMFRUIT)
    good = _gtin("885196100020")
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    response = api.post("/skus", {**NEW_SKU, "gtin": bad})
    assert response.status_code == 422
    assert "gtin" in error_fields(response)
    assert api.get("/skus", search="SF-LONGAN").get_json()["total"] == 0


def test_duplicate_code_or_gtin_is_a_conflict(api_as):
    api = api_as(SIAMFRUIT)
    existing = sku_by_code(api, "SF-MANGO-200")
    assert error_fields(
        api.post("/skus", {**NEW_SKU, "code": "SF-MANGO-200", "gtin": _gtin("885196100021")})
    ) == {"code": ["This merchant already has a SKU with this code."]}
    clash = api.post("/skus", {**NEW_SKU, "gtin": existing["gtin"]})
    assert clash.status_code == 409 and "gtin" in error_fields(clash)


def test_sku_rules_name_their_field(api_as):
    api = api_as(SIAMFRUIT)
    cases = [
        ({"weight_g": 0}, "weight_g"),
        ({"expiry_tracked": True, "lot_tracked": False}, "lot_tracked"),
        ({"shelf_life_days": None}, "shelf_life_days"),
        ({"temperature_class": "lukewarm"}, "temperature_class"),
        ({"declared_currency": "baht"}, "declared_currency"),
        ({"code": "bad code!"}, "code"),
        ({"name_th": ""}, "name_th"),
        ({"colour": "red"}, "colour"),
    ]
    for change, field in cases:
        response = api.post("/skus", {**NEW_SKU, "gtin": _gtin("885196100022"), **change})
        assert response.status_code == 422, change
        assert field in error_fields(response), (change, response.get_json())


def test_staff_roles_must_name_the_merchant(api_as):
    merchants = {m["code"]: m["id"] for m in api_as(ADMIN).get("/merchants").get_json()}
    manager = api_as(MANAGER_KUL1)
    body = {**NEW_SKU, "gtin": _gtin("885196100023")}
    assert "merchant_id" in error_fields(manager.post("/skus", body))
    created = manager.post("/skus", {**body, "merchant_id": merchants["SIAMFRUIT"]})
    assert created.status_code == 201
    assert (
        api_as(STAFF_KUL1)
        .post(
            "/skus",
            {
                **body,
                "code": "X-1",
                "gtin": _gtin("885196100024"),
                "merchant_id": merchants["SIAMFRUIT"],
            },
        )
        .status_code
        == 403
    )


def test_patch_changes_only_what_is_sent(api_as):
    api = api_as(SIAMFRUIT)
    sku = sku_by_code(api, "SF-MANGO-200")
    response = api.patch(f"/skus/{sku['id']}", {"name_en": "Dried mango cheeks 200 g"})
    assert response.status_code == 200
    updated = response.get_json()
    assert updated["name_en"] == "Dried mango cheeks 200 g"
    assert updated["name_th"] == sku["name_th"] and updated["gtin"] == sku["gtin"]
    assert api.patch(f"/skus/{sku['id']}", {}).status_code == 422
    locked = api.patch(f"/skus/{sku['id']}", {"lot_tracked": False, "expiry_tracked": False})
    assert locked.status_code == 409  # the demo holds stock of it
    assert api.patch(f"/skus/{sku['id']}", {"merchant_id": 2}).status_code == 422


def test_lots_are_listed_soonest_expiry_first(api_as):
    api = api_as(SIAMFRUIT)
    sku = sku_by_code(api, "SF-MANGO-200")
    lots = api.get(f"/skus/{sku['id']}/lots").get_json()
    assert len(lots) >= 2
    expiries = [lot["expiry_date"] for lot in lots]
    assert expiries == sorted(expiries)


CSV_HEADER = "code,gtin,name_en,name_th,length_mm,width_mm,height_mm,weight_g,temperature_class,shelf_life_days,lot_tracked,expiry_tracked\n"


def test_csv_import_creates_and_updates_by_code(api_as):
    api = api_as(CHABATEA)
    rows = (
        CSV_HEADER
        + f"CB-OOLONG-100,{_gtin('885234000100')},Oolong tea 100 g,ชาอูหลง 100 กรัม,120,80,60,110,ambient,730,true,true\n"
        + f"CB-THAITEA-400,{sku_by_code(api, 'CB-THAITEA-400')['gtin']},Thai tea mix 400 g (new pack),ชาไทยปรุงสำเร็จ 400 กรัม,160,100,60,420,ambient,730,true,true\n"
    )
    response = api.post("/skus/import", data=rows.encode(), headers={"Content-Type": "text/csv"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "applied": True,
        "dry_run": False,
        "rows": 2,
        "created": 1,
        "updated": 1,
        "errors": [],
    }
    assert sku_by_code(api, "CB-THAITEA-400")["name_en"] == "Thai tea mix 400 g (new pack)"
    assert sku_by_code(api, "CB-OOLONG-100")["name_th"] == "ชาอูหลง 100 กรัม"


def test_csv_import_reports_every_bad_row_and_writes_nothing(api_as):
    api = api_as(CHABATEA)
    rows = (
        CSV_HEADER
        + f"CB-GOOD-1,{_gtin('885234000101')},Good,ดี,1,1,1,1,ambient,,false,false\n"
        + "CB-BAD-GTIN,8852340001019,Bad,เสีย,1,1,1,1,ambient,,false,false\n"
        + f"CB-BAD-WEIGHT,{_gtin('885234000102')},Bad,เสีย,1,1,1,zero,ambient,,false,false\n"
        + f"CB-GOOD-1,{_gtin('885234000103')},Dup,ซ้ำ,1,1,1,1,ambient,,false,false\n"
    )
    response = api.post(
        "/skus/import", data=rows.encode("utf-8-sig"), headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 422
    report = response.get_json()
    assert report["applied"] is False
    assert [(e["row"], e["field"]) for e in report["errors"]] == [
        (3, "gtin"),
        (4, "weight_g"),
        (5, "code"),
    ]
    assert api.get("/skus", search="CB-GOOD").get_json()["total"] == 0


def test_csv_import_refuses_unknown_columns_and_non_utf8(api_as):
    api = api_as(CHABATEA)
    response = api.post(
        "/skus/import",
        data=b"code,gtin,name_en,name_th,colour\n",
        headers={"Content-Type": "text/csv"},
    )
    assert response.status_code == 422 and "file" in error_fields(response)
    latin = (CSV_HEADER + "X,1,Caf\xe9,x,1,1,1,1,ambient,,false,false\n").encode("latin-1")
    assert "file" in error_fields(
        api.post("/skus/import", data=latin, headers={"Content-Type": "text/csv"})
    )


def test_csv_import_as_a_file_upload_with_dry_run(api_as):
    import io

    api = api_as(CHABATEA)
    rows = (
        CSV_HEADER
        + f"CB-MATCHA-50,{_gtin('885234000104')},Matcha 50 g,มัทฉะ 50 กรัม,80,80,80,55,ambient,365,true,true\n"
    )
    response = api.post(
        "/skus/import?dry_run=true",
        data={"file": (io.BytesIO(rows.encode()), "skus.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert response.get_json()["applied"] is False and response.get_json()["created"] == 1
    assert api.get("/skus", search="CB-MATCHA").get_json()["total"] == 0


def test_thai_names_come_back_as_readable_utf8(api_as):
    response = api_as(SIAMFRUIT).get("/skus", search="SF-MANGO-200")
    assert response.content_type == "application/json"
    assert "มะม่วงอบแห้ง".encode() in response.data
