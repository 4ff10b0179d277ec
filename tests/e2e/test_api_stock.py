from tests.api import (
    ADMIN,
    MANAGER_KUL1,
    SIAMFRUIT,
    STAFF_CGK1,
    STAFF_KUL1,
    bins,
    error_fields,
    fc_ids,
    new_key,
    sku_by_code,
    zone_ids,
)
from wms.services.ledger import audit_ledger


def _a_balance(api, sku_code="SF-MANGO-200", fc_code="KUL1"):
    sku = sku_by_code(api, sku_code)
    fc = fc_ids(api)[fc_code]
    # A balance none of whose units the demo's orders have reserved.
    balance = next(b for b in api.items("/stock", sku_id=sku["id"], fc_id=fc) if b["reserved"] == 0)
    return sku, fc, balance


def _empty_bin(api, fc, zone_code="AMB"):
    zone = zone_ids(api, fc)[zone_code]
    used = {b["location_id"] for b in api.items("/stock", fc_id=fc)}
    return next(b for b in bins(api, fc, zone) if b["id"] not in used)


def test_move_updates_both_bins_and_writes_the_ledger(api_as, uow):
    api = api_as(STAFF_KUL1)
    sku, fc, balance = _a_balance(api)
    target = _empty_bin(api, fc)
    response = api.post(
        "/stock/moves",
        {
            "sku_id": sku["id"],
            "from_location_id": balance["location_id"],
            "to_location_id": target["id"],
            "quantity": 5,
            "lot_number": balance["lot_number"],
            "reference": "REPLEN-1",
        },
        key=new_key(),
    )
    assert response.status_code == 201, response.get_json()
    movement = response.get_json()
    assert (movement["from_location_code"], movement["to_location_code"]) == (
        balance["location_code"],
        target["code"],
    )
    assert movement["reason"] == "move" and movement["quantity"] == 5
    after = {b["location_id"]: b for b in api.items("/stock", sku_id=sku["id"], fc_id=fc)}
    assert after[balance["location_id"]]["on_hand"] == balance["on_hand"] - 5
    assert after[target["id"]]["on_hand"] == 5
    assert after[target["id"]]["lot_number"] == balance["lot_number"]
    ledger = api.items("/stock/movements", location_id=target["id"])
    assert [m["id"] for m in ledger] == [movement["id"]]
    assert audit_ledger(uow) == []


def test_replayed_idempotency_key_returns_the_first_answer_and_moves_nothing(api_as):
    api = api_as(STAFF_KUL1)
    sku, fc, balance = _a_balance(api)
    target = _empty_bin(api, fc)
    body = {
        "sku_id": sku["id"],
        "from_location_id": balance["location_id"],
        "to_location_id": target["id"],
        "quantity": 2,
        "lot_number": balance["lot_number"],
    }
    key = new_key()
    first = api.post("/stock/moves", body, key=key)
    second = api.post("/stock/moves", body, key=key)
    assert first.status_code == second.status_code == 201
    assert second.get_json() == first.get_json()
    assert (first.headers["Idempotent-Replayed"], second.headers["Idempotent-Replayed"]) == (
        "false",
        "true",
    )
    assert api.items("/stock", location_id=target["id"])[0]["on_hand"] == 2
    reused = api.post("/stock/moves", {**body, "quantity": 3}, key=key)
    assert reused.status_code == 409
    assert "Idempotency-Key" in error_fields(reused)


def test_stock_changes_need_an_idempotency_key(api_as):
    api = api_as(STAFF_KUL1)
    sku, fc, balance = _a_balance(api)
    body = {
        "sku_id": sku["id"],
        "from_location_id": balance["location_id"],
        "to_location_id": _empty_bin(api, fc)["id"],
        "quantity": 1,
        "lot_number": balance["lot_number"],
    }
    missing = api.post("/stock/moves", body)
    assert missing.status_code == 422
    assert "Idempotency-Key" in error_fields(missing)
    assert "Idempotency-Key" in error_fields(api.post("/stock/moves", body, key="short"))


def test_cannot_move_more_than_is_unreserved(api_as, uow):
    api = api_as(STAFF_KUL1)
    sku, fc, balance = _a_balance(api)
    response = api.post(
        "/stock/moves",
        {
            "sku_id": sku["id"],
            "from_location_id": balance["location_id"],
            "to_location_id": _empty_bin(api, fc)["id"],
            "quantity": balance["on_hand"] + 1,
            "lot_number": balance["lot_number"],
        },
        key=new_key(),
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "insufficient_stock"
    assert "quantity" in error_fields(response)
    assert (
        api.items("/stock", location_id=balance["location_id"], sku_id=sku["id"])[0]["on_hand"]
        == balance["on_hand"]
    )
    assert audit_ledger(uow) == []


def test_moving_everything_empties_the_bin(api_as):
    api = api_as(STAFF_KUL1)
    sku, fc, balance = _a_balance(api)
    target = _empty_bin(api, fc)
    response = api.post(
        "/stock/moves",
        {
            "sku_id": sku["id"],
            "from_location_id": balance["location_id"],
            "to_location_id": target["id"],
            "quantity": balance["on_hand"],
            "lot_number": balance["lot_number"],
        },
        key=new_key(),
    )
    assert response.status_code == 201
    left = api.items(
        "/stock",
        location_id=balance["location_id"],
        sku_id=sku["id"],
        lot_number=balance["lot_number"],
    )
    assert left == []


def test_move_rules_name_their_field(api_as):
    api = api_as(STAFF_KUL1)
    sku, fc, balance = _a_balance(api)
    chilled_bin = bins(api, fc, zone_ids(api, fc)["CHL"])[0]
    base = {
        "sku_id": sku["id"],
        "from_location_id": balance["location_id"],
        "to_location_id": _empty_bin(api, fc)["id"],
        "quantity": 1,
        "lot_number": balance["lot_number"],
    }
    cases = [
        ({"to_location_id": balance["location_id"]}, 422, "to_location_id"),
        ({"to_location_id": chilled_bin["id"]}, 422, "to_location_id"),  # ambient SKU
        ({"lot_number": None}, 422, "lot_number"),
        ({"lot_number": "NO-SUCH-LOT"}, 404, "lot_number"),
        ({"quantity": 0}, 422, "quantity"),
        ({"quantity": 1.5}, 422, "quantity"),
        ({"quantity": "3"}, 422, "quantity"),
        ({"sku_id": 987654}, 404, "sku_id"),
        ({"from_location_id": 987654}, 404, "from_location_id"),
    ]
    for change, status, field in cases:
        response = api.post("/stock/moves", {**base, **change}, key=new_key())
        assert response.status_code == status, (change, response.get_json())
        assert field in error_fields(response), (change, response.get_json())


def test_blocked_bins_neither_give_nor_take(api_as):
    manager = api_as(MANAGER_KUL1)
    sku, fc, balance = _a_balance(manager)
    target = _empty_bin(manager, fc)
    manager.patch(f"/locations/{target['id']}", {"status": "blocked"})
    response = manager.post(
        "/stock/moves",
        {
            "sku_id": sku["id"],
            "from_location_id": balance["location_id"],
            "to_location_id": target["id"],
            "quantity": 1,
            "lot_number": balance["lot_number"],
        },
        key=new_key(),
    )
    assert response.status_code == 422
    assert error_fields(response)["to_location_id"][0].endswith("is blocked.")


def test_count_correction_sets_the_counted_quantity(api_as, uow):
    api = api_as(STAFF_KUL1)
    sku, _, balance = _a_balance(api)
    response = api.post(
        "/stock/adjustments",
        {
            "location_id": balance["location_id"],
            "sku_id": sku["id"],
            "lot_number": balance["lot_number"],
            "counted_quantity": balance["on_hand"] - 3,
            "reason": "count_correction",
            "note": "cycle count aisle A",
        },
        key=new_key(),
    )
    assert response.status_code == 201, response.get_json()
    movement = response.get_json()
    assert movement["quantity"] == 3 and movement["from_location_id"] == balance["location_id"]
    assert movement["to_location_id"] is None
    assert (
        api.items(
            "/stock",
            location_id=balance["location_id"],
            sku_id=sku["id"],
            lot_number=balance["lot_number"],
        )[0]["on_hand"]
        == balance["on_hand"] - 3
    )
    assert audit_ledger(uow) == []


def test_found_stock_of_a_new_lot_needs_its_expiry(api_as):
    api = api_as(STAFF_KUL1)
    sku, fc, _ = _a_balance(api)
    target = _empty_bin(api, fc)
    body = {
        "location_id": target["id"],
        "sku_id": sku["id"],
        "lot_number": "FOUND-1",
        "delta": 4,
        "reason": "found",
    }
    assert "expiry_date" in error_fields(api.post("/stock/adjustments", body, key=new_key()))
    ok = api.post("/stock/adjustments", {**body, "expiry_date": "2027-06-30"}, key=new_key())
    assert ok.status_code == 201
    lots = {lot["lot_number"]: lot for lot in api.get(f"/skus/{sku['id']}/lots").get_json()}
    assert lots["FOUND-1"]["expiry_date"] == "2027-06-30"


def test_adjustment_validation_names_the_field(api_as):
    api = api_as(STAFF_KUL1)
    sku, _, balance = _a_balance(api)
    base = {
        "location_id": balance["location_id"],
        "sku_id": sku["id"],
        "lot_number": balance["lot_number"],
        "reason": "damaged",
    }
    for change, field in [
        ({}, "counted_quantity"),
        ({"delta": 2}, "delta"),  # damage only removes
        ({"delta": -1, "counted_quantity": 3}, "counted_quantity"),
        ({"delta": 0}, "delta"),
        ({"delta": -1, "reason": "move"}, "reason"),
        ({"delta": -1, "expiry_date": "31/12/2027"}, "expiry_date"),
        ({"counted_quantity": -1, "reason": "count_correction"}, "counted_quantity"),
    ]:
        response = api.post("/stock/adjustments", {**base, **change}, key=new_key())
        assert response.status_code == 422, (change, response.get_json())
        assert field in error_fields(response), (change, response.get_json())


def test_merchants_see_their_stock_but_cannot_move_it(api_as):
    api = api_as(SIAMFRUIT)
    stock = api.items("/stock")
    assert stock and all(b["sku_code"].startswith("SF-") for b in stock)
    assert {b["fc_id"] for b in stock} == set(fc_ids(api_as(ADMIN)).values())
    balance = stock[0]
    response = api.post(
        "/stock/adjustments",
        {
            "location_id": balance["location_id"],
            "sku_id": balance["sku_id"],
            "lot_number": balance["lot_number"],
            "delta": 100,
            "reason": "found",
        },
        key=new_key(),
    )
    assert response.status_code == 403


def test_staff_see_only_their_fcs_stock(api_as):
    kul = api_as(STAFF_KUL1).items("/stock")
    cgk = api_as(STAFF_CGK1).items("/stock")
    assert len({b["fc_id"] for b in kul}) == 1 and len({b["fc_id"] for b in cgk}) == 1
    assert {b["fc_id"] for b in kul} != {b["fc_id"] for b in cgk}


def test_stock_queries_filter_and_page(api_as):
    api = api_as(ADMIN)
    fc = fc_ids(api)["KUL1"]
    chilled = api.items("/stock", fc_id=fc, zone_id=zone_ids(api, fc)["CHL"])
    assert chilled and {b["sku_code"] for b in chilled} <= {"CB-MILKTEA-RTD", "HS-ALOE-GEL"}
    page = api.get("/stock", page=2, page_size=5).get_json()
    assert page["page"] == 2 and len(page["items"]) == 5 and page["total"] > 10
    assert api.get("/stock", page=0).status_code == 422
    assert api.get("/stock", page_size=5000).status_code == 422
    assert "fc_id" in error_fields(api.get("/stock", fc_id="KUL1"))
