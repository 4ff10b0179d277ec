"""Merchant webhooks leave through the outbox: signed, in order, retried, parked when refused."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from tests.api import SIAMFRUIT, fc_ids
from wms.db.base import utcnow
from wms.db.models import OutboxEvent
from wms.domain.outbox import OutboxStatus
from wms.services.outbox import deliver_webhooks


class Receiver:
    """A merchant's webhook endpoint: checks each signature and answers from a script."""

    def __init__(self) -> None:
        self.secret = ""
        self.received: list[dict] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                timestamp = self.headers["X-Pavilion-Timestamp"]
                expected = (
                    "sha256="
                    + hmac.new(
                        receiver.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
                    ).hexdigest()
                )
                signed = hmac.compare_digest(expected, self.headers["X-Pavilion-Signature"])
                status = receiver.answers.pop(0) if receiver.answers else 200
                if not signed:
                    status = 401
                receiver.received.append(
                    {
                        "body": json.loads(body),
                        "signed": signed,
                        "status": status,
                        "event": self.headers["X-Pavilion-Event"],
                    }
                )
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/pavilion"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def statuses(self) -> list[str]:
        return [item["body"]["data"]["status"] for item in self.received]


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()


def _draft(merchant, fc_id):
    sku = merchant.items("/skus")[0]
    body = {
        "fc_id": fc_id,
        "mode": "air",
        "origin_name": "o",
        "origin_address": "Bangkok",
        "eta": "2030-01-10",
        "lines": [
            {
                "sku_code": sku["code"],
                "quantity": 5,
                "lot_number": "W1",
                "expiry_date": "2030-06-01",
            }
        ],
    }
    response = merchant.post("/consignments", body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_status_changes_reach_the_merchant_signed_in_order_with_retries(api_as, uow, receiver):
    deliver_webhooks(uow)  # what the demo wrote before any webhook was set is skipped
    merchant = api_as(SIAMFRUIT)
    configured = merchant.client.put(
        "/api/v1/webhook",
        json={"url": receiver.url},
        headers={"Authorization": f"Bearer {merchant.token}"},
    )
    assert configured.status_code == 200
    receiver.secret = configured.get_json()["secret"]
    assert len(receiver.secret) == 64

    cid = _draft(merchant, fc_ids(api_as("admin@pavilion.test"))["KUL1"])
    merchant.post(f"/consignments/{cid}/status", {"status": "submitted"})
    counts = deliver_webhooks(uow)
    assert counts["delivered"] == 2
    assert receiver.statuses() == ["draft", "submitted"]
    assert all(item["signed"] for item in receiver.received)
    assert receiver.received[1]["event"] == "consignment.status_changed"
    assert receiver.received[1]["body"]["data"]["consignment_id"] == cid

    # The endpoint is down: the event is retried later, and the next one waits behind it.
    receiver.answers = [503]
    merchant.post(f"/consignments/{cid}/status", {"status": "in_transit"})
    assert deliver_webhooks(uow)["retrying"] == 1
    merchant.post(f"/consignments/{cid}/status", {"status": "at_customs"})
    assert deliver_webhooks(uow) == {"delivered": 0, "retrying": 0, "parked": 0, "skipped": 0}
    later = utcnow() + timedelta(hours=2)
    assert deliver_webhooks(uow, now=lambda: later)["delivered"] == 2
    assert receiver.statuses() == ["draft", "submitted", "in_transit", "in_transit", "at_customs"]

    # A permanent refusal is parked with its reason; nothing is sent twice.
    receiver.answers = [410]
    merchant.post(f"/consignments/{cid}/status", {"status": "cancelled"})
    assert deliver_webhooks(uow, now=lambda: later)["parked"] == 1
    with uow:
        parked = uow.session.scalars(
            select(OutboxEvent).where(OutboxEvent.status == OutboxStatus.PARKED)
        ).all()
        assert [event.last_error for event in parked] == ["HTTP 410 Gone"]
    assert deliver_webhooks(uow, now=lambda: later) == {
        "delivered": 0,
        "retrying": 0,
        "parked": 0,
        "skipped": 0,
    }
    assert len(receiver.received) == 6


def test_a_webhook_url_must_be_http(api_as):
    merchant = api_as(SIAMFRUIT)
    response = merchant.client.put(
        "/api/v1/webhook",
        json={"url": "file:///etc/passwd"},
        headers={"Authorization": f"Bearer {merchant.token}"},
    )
    assert response.status_code == 422
    assert "url" in response.get_json()["error"]["fields"]
