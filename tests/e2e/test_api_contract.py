"""The OpenAPI document covers every endpoint, and every endpoint answers bad input with a
4xx in the one error shape, naming the field and the reason."""

import re

import pytest

from tests.api import ADMIN, error_fields, fc_ids, new_key, spec_operations, zone_ids

# Label downloads answer a PDF or ZPL document, not JSON.
LABEL_DOCUMENTS = ("/label", "/labels", "/carton-labels", "/bin-labels", "/shelf-strips")
# Marketplaces post signed raw bodies here with no login (the signature authenticates) and
# want an empty answer.
WEBHOOKS = {"/channels/{marketplace}/webhook"}


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_every_api_route_is_in_the_document(app, spec):
    documented = {
        (re.sub(r"\{(\w+)\}", r"<\1>", path), method.upper())
        for path, method, _ in spec_operations(spec)
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith(
            ("api-docs", "api_docs")
        ):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", rule.rule).removeprefix("/api/v1")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, (path, method)


def test_every_operation_has_schemas_and_security(spec):
    schemas = spec["components"]["schemas"]
    assert {"Sku", "Move", "Adjustment", "Balance", "Movement", "Layout", "Login"} <= set(schemas)
    csv_uploads = {
        "/skus/import",
        "/consignments/{consignment_id}/asn.csv",
        "/shops/{shop_id}/listings/import",
    }
    # A POST that needs no body (closing a package takes its carton and weight).
    actions = ("/close", "/release", "/discard", "/cancel", "/allocate", "/start", "/retry")
    actions += ("/dispatch", "/disconnect")
    with_body = {"/packages/{package_id}/close"}
    for path, method, operation in spec_operations(spec):
        if path in WEBHOOKS:
            assert operation.get("security") == [], (path, method)
            assert "requestBody" not in operation and "200" in operation["responses"]
            assert "content" not in operation["responses"]["200"], (path, method)
            continue
        if method in ("post", "patch", "put") and path not in csv_uploads:
            if path.endswith(actions) and path not in with_body:
                assert "requestBody" not in operation, (path, method)
            else:
                content = operation["requestBody"]["content"]["application/json"]
                assert "$ref" in content["schema"], (path, method)
        successes = [code for code in operation["responses"] if code.startswith("2")]
        assert successes, (path, method)
        for code in successes:
            if code == "204":
                continue
            content = operation["responses"][code]["content"]
            if path.endswith(".pdf"):
                assert set(content) == {"application/pdf"}, (path, method)
            elif method == "get" and path.endswith(LABEL_DOCUMENTS):
                assert content and set(content) <= {"application/pdf", "application/zpl"}, path
            else:
                assert content["application/json"]["schema"], (path, method)
        if path != "/auth/tokens":
            assert operation.get("security") == [{"bearerAuth": []}], (path, method)
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def _fill(path, ids):
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)


def test_every_endpoint_refuses_bad_input_naming_the_field(client, api_as, spec):
    admin = api_as(ADMIN)
    fc = fc_ids(admin)["KUL1"]
    location = admin.items(f"/fcs/{fc}/locations", zone_id=zone_ids(admin, fc)["AMB"])[0]
    sku = admin.items("/skus")[0]
    ids = {"fc_id": fc, "location_id": location["id"], "sku_id": sku["id"]}
    ids |= {
        name: 1
        for name in (
            "consignment_id",
            "receipt_id",
            "task_id",
            "discrepancy_id",
            "plan_id",
            "order_id",
            "wave_id",
            "batch_id",
            "pick_id",
            "exception_id",
            "package_id",
            "manifest_id",
            "printer_id",
            "job_id",
            "waybill_id",
            "carton_id",
            "vehicle_id",
            "driver_id",
            "delivery_plan_id",
            "route_id",
            "shop_id",
            "listing_id",
        )
    }
    ids["marketplace"] = "shopee"
    checked = 0
    for path, method, operation in spec_operations(spec):
        url = _fill(path, ids)
        if (
            method in ("post", "patch", "put")
            and "requestBody" not in operation
            and (path != "/skus/import")
        ):
            continue  # an action with no input (close, release, ...)
        if path.endswith(".csv"):
            response = admin.post(
                url, data=b"sku_code,bogus\nx,y\n", headers={"Content-Type": "text/csv"}
            )
        elif method in ("post", "patch", "put"):
            if path == "/skus/import":
                response = admin.post(
                    url + "?merchant_id=abc", data=b"x", headers={"Content-Type": "text/csv"}
                )
            elif path == "/auth/tokens":
                response = client.post("/api/v1" + url, json={"email": 5, "bogus": True})
            else:
                headers = {"Idempotency-Key": new_key()}
                response = getattr(admin.client, method)(
                    "/api/v1" + url,
                    json={"bogus_field": "x"},
                    headers={"Authorization": f"Bearer {admin.token}", **headers},
                )
        elif method == "get":
            params = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            if not params:
                continue
            response = admin.get(url, **{name: "not-a-number!" for name in params})
        else:
            continue
        assert 400 <= response.status_code < 500, (method, path, response.status_code)
        fields = error_fields(response)
        assert fields, (method, path, response.get_json())
        assert all(isinstance(reasons, list) and reasons for reasons in fields.values()), (
            method,
            path,
            fields,
        )
        checked += 1
    assert checked >= 14


def test_malformed_json_is_a_400_in_the_error_shape(api_as):
    api = api_as(ADMIN)
    response = api.client.post(
        "/api/v1/skus",
        data=b'{"code": ',
        headers={"Authorization": f"Bearer {api.token}", "Content-Type": "application/json"},
    )
    assert response.status_code in (400, 422)
    assert response.get_json()["error"]["status"] == response.status_code


@pytest.mark.parametrize("body", [[1, 2], "text", 42, None])
def test_a_body_that_is_not_an_object_is_refused(api_as, body):
    response = api_as(ADMIN).post("/stock/moves", body, key=new_key())
    assert response.status_code == 422
    assert error_fields(response)


def test_unknown_paths_and_methods_answer_in_json(client, api_as):
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    wrong = api_as(ADMIN).delete("/skus")
    assert wrong.status_code == 405 and wrong.get_json()["error"]["code"] == "method_not_allowed"


def test_oversized_upload_is_413(api_as):
    api = api_as(ADMIN)
    response = api.post(
        "/skus/import", data=b"x" * (11 * 1024 * 1024), headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_docs_page_lists_every_endpoint(client, spec):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for path, method, _ in spec_operations(spec):
        assert f'id="{method.upper()}-/api/v1{path}"' in html


def test_deeply_nested_json_is_a_400(api_as):
    api = api_as(ADMIN)
    response = api.client.post(
        "/api/v1/consignments",
        data=b"[" * 100_000,
        headers={"Authorization": f"Bearer {api.token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["status"] == 400
