from tests.api import ADMIN, SIAMFRUIT, STAFF_KUL1, Api, error_fields
from wms.services.demo import DEMO_PASSWORD


def test_login_returns_a_token_that_works_until_logout(client):
    response = client.post(
        "/api/v1/auth/tokens", json={"email": STAFF_KUL1, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["token"].startswith("pvl_")
    assert body["user"]["role"] == "staff"

    api = Api(client, body["token"])
    me = api.get("/auth/me")
    assert me.status_code == 200
    assert me.get_json()["email"] == STAFF_KUL1
    assert len(me.get_json()["fc_ids"]) == 1

    assert api.delete("/auth/tokens/current").status_code == 204
    after = api.get("/auth/me")
    assert after.status_code == 401
    assert after.get_json()["error"]["code"] == "unauthenticated"


def test_wrong_password_is_401_and_issues_nothing(client):
    response = client.post("/api/v1/auth/tokens", json={"email": ADMIN, "password": "nope-nope"})
    assert response.status_code == 401
    assert error_fields(response) == {"password": ["Wrong email or password."]}
    unknown = client.post(
        "/api/v1/auth/tokens", json={"email": "ghost@pavilion.test", "password": "whatever1"}
    )
    assert unknown.status_code == 401


def test_login_validates_its_fields(client):
    response = client.post("/api/v1/auth/tokens", json={"email": "not-an-email"})
    assert response.status_code == 422
    fields = error_fields(response)
    assert "email" in fields and "password" in fields


def test_every_endpoint_but_login_needs_a_token(client):
    for path in ("/fcs", "/skus", "/stock", "/stock/movements", "/merchants", "/auth/me"):
        response = client.get(f"/api/v1{path}")
        assert response.status_code == 401, path
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    bad = Api(client, "pvl_forged").get("/fcs")
    assert bad.status_code == 401


def test_token_is_stored_only_as_a_digest(client, uow):
    from sqlalchemy import select

    from wms.db.models import ApiToken

    token = client.post(
        "/api/v1/auth/tokens", json={"email": SIAMFRUIT, "password": DEMO_PASSWORD}
    ).get_json()["token"]
    with uow:
        stored = list(uow.session.scalars(select(ApiToken.token_hash)))
    assert token not in stored
    assert all(len(digest) == 64 for digest in stored)
