from tests.api import ADMIN, MANAGER_KUL1, STAFF_KUL1, bins, error_fields, fc_ids, zone_ids


def test_demo_fcs_have_zones_and_hundreds_of_bins(api_as):
    api = api_as(ADMIN)
    fcs = api.get("/fcs").get_json()
    kul1 = next(fc for fc in fcs if fc["code"] == "KUL1")
    assert (kul1["country"], kul1["currency"], kul1["timezone"]) == (
        "MY",
        "MYR",
        "Asia/Kuala_Lumpur",
    )
    zones = zone_ids(api, kul1["id"])
    assert {"AMB", "CHL", "CAGE", "RCV", "QUA", "DSP"} <= set(zones)
    page = api.get(f"/fcs/{kul1['id']}/locations", page_size=10).get_json()
    assert page["total"] >= 300
    assert len(page["items"]) == 10 and page["pages"] == -(-page["total"] // 10)


def test_manager_lays_out_a_new_block_of_bins(api_as):
    api = api_as(MANAGER_KUL1)
    fc = fc_ids(api)["KUL1"]
    zone = api.post(
        f"/fcs/{fc}/zones",
        {"code": "MEZ", "name": "Mezzanine", "temperature_class": "ambient", "purpose": "storage"},
    )
    assert zone.status_code == 201
    response = api.post(
        f"/fcs/{fc}/locations/layout",
        {
            "zone_id": zone.get_json()["id"],
            "aisles": ["M1", "M2"],
            "bays": 5,
            "levels": 3,
            "positions": 2,
            "origin_x": 60,
            "pickable_levels": [1],
        },
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {
        "created": 60,
        "first_code": "KUL1-M1-01-01-A",
        "last_code": "KUL1-M2-01-03-B",
    }
    created = bins(api, fc, zone.get_json()["id"])
    assert len(created) == 60
    first = next(b for b in created if b["code"] == "KUL1-M1-01-01-A")
    assert first["pickable"] is True and first["x"] == 60.0
    assert next(b for b in created if b["code"] == "KUL1-M1-01-02-A")["pickable"] is False

    again = api.post(
        f"/fcs/{fc}/locations/layout",
        {"zone_id": zone.get_json()["id"], "aisles": ["M2", "M3"], "bays": 5, "levels": 3},
    )
    assert again.status_code == 409
    assert "aisles" in error_fields(again)
    assert len(bins(api, fc, zone.get_json()["id"])) == 60  # nothing of M3 was created


def test_layout_errors_name_the_field(api_as):
    api = api_as(MANAGER_KUL1)
    fc = fc_ids(api)["KUL1"]
    zone = zone_ids(api, fc)["AMB"]
    for body, field in [
        ({"zone_id": zone, "aisles": ["a"], "bays": 1, "levels": 1}, "aisles"),
        ({"zone_id": zone, "aisles": ["Z"], "bays": 0, "levels": 1}, "bays"),
        ({"zone_id": zone, "aisles": ["Z"], "bays": 1}, "levels"),
        ({"zone_id": 999999, "aisles": ["Z"], "bays": 1, "levels": 1}, "zone_id"),
        (
            {"zone_id": zone, "aisles": ["Z"], "bays": 1, "levels": 1, "volume_cm3": -5},
            "volume_cm3",
        ),
    ]:
        response = api.post(f"/fcs/{fc}/locations/layout", body)
        assert response.status_code in (404, 422), body
        assert field in error_fields(response), (body, response.get_json())


def test_staff_read_bins_but_do_not_change_the_set_up(api_as):
    api = api_as(STAFF_KUL1)
    fc = fc_ids(api)["KUL1"]
    zone = zone_ids(api, fc)["AMB"]
    assert api.get(f"/fcs/{fc}/locations", zone_id=zone).status_code == 200
    response = api.post(
        f"/fcs/{fc}/zones",
        {"code": "X", "name": "X", "temperature_class": "ambient", "purpose": "storage"},
    )
    assert response.status_code == 403
    location = bins(api, fc, zone)[0]
    assert api.patch(f"/locations/{location['id']}", {"status": "blocked"}).status_code == 403


def test_manager_blocks_a_bin_and_it_takes_no_stock(api_as):
    api = api_as(MANAGER_KUL1)
    fc = fc_ids(api)["KUL1"]
    location = bins(api, fc, zone_ids(api, fc)["AMB"])[-1]
    blocked = api.patch(f"/locations/{location['id']}", {"status": "blocked"})
    assert blocked.status_code == 200 and blocked.get_json()["status"] == "blocked"
    assert api.patch(f"/locations/{location['id']}", {"status": "gone"}).status_code == 422


def test_only_admins_open_fcs_and_fc_data_is_checked(api_as):
    body = {
        "code": "SGN1",
        "name": "Pavilion SGN1",
        "city": "Thu Duc",
        "country": "VN",
        "currency": "VND",
        "timezone": "Asia/Ho_Chi_Minh",
    }
    assert api_as(MANAGER_KUL1).post("/fcs", body).status_code == 403
    admin = api_as(ADMIN)
    assert error_fields(admin.post("/fcs", {**body, "currency": "THB"})) == {
        "currency": ["The currency of VN is VND."]
    }
    assert "timezone" in error_fields(admin.post("/fcs", {**body, "timezone": "Mars/Olympus"}))
    created = admin.post("/fcs", body)
    assert created.status_code == 201
    assert admin.post("/fcs", body).status_code == 409
