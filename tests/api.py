"""A small client for the JSON API that logs in as a demo user."""

from __future__ import annotations

import uuid
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

ADMIN = "admin@pavilion.test"
MANAGER_KUL1 = "manager.kul1@pavilion.test"
STAFF_KUL1 = "staff.kul1@pavilion.test"
MANAGER_CGK1 = "manager.cgk1@pavilion.test"
STAFF_CGK1 = "staff.cgk1@pavilion.test"
SIAMFRUIT = "owner@siamfruit.test"
CHABATEA = "owner@chaba-tea.test"
HERBSIAM = "owner@herbsiam.test"


def new_key() -> str:
    return f"test-{uuid.uuid4().hex}"


class Api:
    """Calls /api/v1 as one user."""

    def __init__(self, client: FlaskClient, token: str | None) -> None:
        self.client = client
        self.token = token

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        headers.update(extra or {})
        return headers

    def get(self, path: str, **params: Any) -> TestResponse:
        return self.client.get(f"/api/v1{path}", query_string=params, headers=self._headers(None))

    def post(
        self, path: str, json: Any = None, *, key: str | None = None, **kwargs: Any
    ) -> TestResponse:
        headers = {"Idempotency-Key": key} if key else {}
        headers.update(kwargs.pop("headers", {}))
        return self.client.post(
            f"/api/v1{path}", json=json, headers=self._headers(headers), **kwargs
        )

    def patch(self, path: str, json: Any = None) -> TestResponse:
        return self.client.patch(f"/api/v1{path}", json=json, headers=self._headers(None))

    def delete(self, path: str) -> TestResponse:
        return self.client.delete(f"/api/v1{path}", headers=self._headers(None))

    def items(self, path: str, **params: Any) -> list[dict[str, Any]]:
        response = self.get(path, page_size=500, **params)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        return body["items"] if isinstance(body, dict) else body


def spec_operations(spec: dict[str, Any]):  # type: ignore[no-untyped-def]
    """(path below /api/v1, method, operation) for every operation of the OpenAPI document."""
    for full_path, item in spec["paths"].items():
        assert full_path.startswith("/api/v1/"), full_path
        for method in ("get", "post", "put", "patch", "delete"):
            if method in item:
                yield full_path.removeprefix("/api/v1"), method, item[method]


def error_fields(response: TestResponse) -> dict[str, Any]:
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert body["error"]["status"] == response.status_code
    return body["error"]["fields"]


def fc_ids(api: Api) -> dict[str, int]:
    """Demo FC ids by code (ask as a user who sees both, e.g. the admin)."""
    return {fc["code"]: fc["id"] for fc in api.get("/fcs").get_json()}


def zone_ids(api: Api, fc_id: int) -> dict[str, int]:
    return {zone["code"]: zone["id"] for zone in api.get(f"/fcs/{fc_id}/zones").get_json()}


def bins(api: Api, fc_id: int, zone_id: int) -> list[dict[str, Any]]:
    return api.items(f"/fcs/{fc_id}/locations", zone_id=zone_id)


def sku_by_code(api: Api, code: str) -> dict[str, Any]:
    (sku,) = [s for s in api.items("/skus", search=code) if s["code"] == code]
    return sku
