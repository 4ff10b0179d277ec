"""Receiving on the dock, putaway tasks and the discrepancy queue, for handhelds and managers.

Scans are sent as the scanner typed them; the scanner workflow parses and routes them.
"""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from scanners import receiving_flow
from wms.api.inbound_schemas import (
    BlindReceiptSchema,
    CompleteTaskSchema,
    DiscrepancyArgs,
    DiscrepancyPageSchema,
    DiscrepancySchema,
    ReceiptArgs,
    ReceiptSchema,
    ResolveSchema,
    ScanSchema,
    StartReceiptSchema,
    TaskArgs,
    TaskOptionsSchema,
    TaskSchema,
)
from wms.api.schemas import IdempotencyHeader, Text, WmsSchema
from wms.api.security import BEARER, authenticated, current_actor
from wms.api.stock import replayable
from wms.bootstrap import new_uow
from wms.domain.errors import InvalidInput
from wms.domain.tasks import TaskKind, TaskStatus
from wms.services import discrepancies, putaway, receiving
from wms.services.discrepancies import Resolution
from wms.services.paging import PageRequest

PREFIX = "/receipts"
blp = Blueprint("receipts", __name__, description="Receiving consignments and blind cartons.")
tasks_blp = Blueprint("tasks", __name__, description="Putaway and re-slotting move tasks.")
discrepancies_blp = Blueprint(
    "discrepancies", __name__, description="What receiving found, until it is resolved."
)
TASKS_PREFIX = "/tasks"
DISCREPANCIES_PREFIX = "/discrepancies"


class StartByScanSchema(WmsSchema):
    scan = Text(200)


def _answer(result: tuple[dict[str, Any], bool], status: int = 200) -> Any:
    receipt, replayed = result
    receipt = {
        **receipt,
        "step": receiving_flow.step_of(receipt),
        "prompt": receiving_flow.prompt(receipt),
    }
    return replayable((receipt, replayed), status)


def _fc_required(args: dict[str, Any]) -> int:
    if "fc_id" not in args:
        raise InvalidInput("Name the FC.", "fc_id")
    fc_id: int = args["fc_id"]
    return fc_id


@blp.route("", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(ReceiptArgs, location="query")
@blp.response(200, ReceiptSchema(many=True))
@authenticated
def open_receipts(args: dict[str, Any]) -> list[dict[str, Any]]:
    """Receipts in progress at an FC."""
    return receiving.open_receipts(new_uow(), current_actor(), _fc_required(args))


@blp.route("", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(IdempotencyHeader, location="headers")
@blp.arguments(StartReceiptSchema)
@blp.response(201, ReceiptSchema)
@authenticated
def start_receipt(header: dict[str, Any], data: dict[str, Any]) -> Any:
    """Open (or continue) the receipt of an arrived consignment."""
    return _answer(
        receiving.start_receipt(new_uow(), current_actor(), data["consignment_id"], header["key"]),
        201,
    )


@blp.route("/by-scan", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(IdempotencyHeader, location="headers")
@blp.arguments(StartByScanSchema)
@blp.response(201, ReceiptSchema)
@authenticated
def start_by_scan(header: dict[str, Any], data: dict[str, Any]) -> Any:
    """Open a receipt by scanning a consignment reference or one of its cartons' SSCC."""
    return _answer(receiving_flow.start(current_actor(), data["scan"], header["key"]), 201)


@blp.route("/blind", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(IdempotencyHeader, location="headers")
@blp.arguments(BlindReceiptSchema)
@blp.response(201, ReceiptSchema)
@authenticated
def start_blind(header: dict[str, Any], data: dict[str, Any]) -> Any:
    """Receive a carton that arrived with no ASN (its SSCC is given, or one is generated)."""
    return _answer(
        receiving.start_blind_receipt(
            new_uow(),
            current_actor(),
            data["fc_id"],
            data["merchant_id"],
            data["sscc"],
            header["key"],
        ),
        201,
    )


@blp.route("/<id:receipt_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, ReceiptSchema)
@authenticated
def get_receipt(receipt_id: int) -> Any:
    """A receipt with expected and counted units per SKU and lot."""
    return _answer((receiving.get_receipt(new_uow(), current_actor(), receipt_id), False))


@blp.route("/<id:receipt_id>/scans", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(IdempotencyHeader, location="headers")
@blp.arguments(ScanSchema)
@blp.response(200, ReceiptSchema)
@authenticated
def scan(header: dict[str, Any], data: dict[str, Any], receipt_id: int) -> Any:
    """One scan: a carton's SSCC switches carton; an item's GTIN or GS1 string counts units."""
    entry = receiving_flow.ItemEntry(
        quantity=data["quantity"],
        damaged=data["damaged"],
        lot_number=data["lot_number"],
        expiry_date=data["expiry_date"],
    )
    return _answer(
        receiving_flow.scan(current_actor(), receipt_id, data["scan"], entry, header["key"])
    )


@blp.route("/<id:receipt_id>/close", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(IdempotencyHeader, location="headers")
@blp.response(200, ReceiptSchema)
@authenticated
def close(header: dict[str, Any], receipt_id: int) -> Any:
    """Post the counted stock, record discrepancies and create the putaway tasks."""
    return _answer(receiving.close_receipt(new_uow(), current_actor(), receipt_id, header["key"]))


# --- tasks -----------------------------------------------------------------------------------


@tasks_blp.route("", methods=["GET"])
@tasks_blp.doc(security=BEARER)
@tasks_blp.arguments(TaskArgs, location="query")
@tasks_blp.response(200, TaskSchema(many=True))
@authenticated
def list_tasks(args: dict[str, Any]) -> list[dict[str, Any]]:
    """An FC's move tasks (putaway, re-slotting), oldest first."""
    kind = TaskKind(args["kind"]) if "kind" in args else None
    return putaway.list_tasks(
        new_uow(), current_actor(), _fc_required(args), kind, TaskStatus(args["status"])
    )


@tasks_blp.route("/<id:task_id>", methods=["GET"])
@tasks_blp.doc(security=BEARER)
@tasks_blp.response(200, TaskOptionsSchema)
@authenticated
def task_options(task_id: int) -> dict[str, Any]:
    """A task with its best bins, ranked, and why."""
    return putaway.putaway_options(new_uow(), current_actor(), task_id)


@tasks_blp.route("/<id:task_id>/complete", methods=["POST"])
@tasks_blp.doc(security=BEARER)
@tasks_blp.arguments(IdempotencyHeader, location="headers")
@tasks_blp.arguments(CompleteTaskSchema)
@tasks_blp.response(200, TaskSchema)
@authenticated
def complete_task(header: dict[str, Any], data: dict[str, Any], task_id: int) -> Any:
    """Confirm the bin by scanning it; another bin than the suggested one needs a reason."""
    code = receiving_flow.bin_code(data["scan"])
    return replayable(
        putaway.complete_task(
            new_uow(), current_actor(), task_id, code, data["override_reason"], header["key"]
        )
    )


# --- discrepancies ---------------------------------------------------------------------------


@discrepancies_blp.route("", methods=["GET"])
@discrepancies_blp.doc(security=BEARER)
@discrepancies_blp.arguments(DiscrepancyArgs, location="query")
@discrepancies_blp.response(200, DiscrepancyPageSchema)
@authenticated
def list_discrepancies(args: dict[str, Any]) -> dict[str, Any]:
    """Open discrepancies (or all), oldest first."""
    page = PageRequest(args.pop("page"), args.pop("page_size"))
    return discrepancies.list_discrepancies(new_uow(), current_actor(), page, **args)


@discrepancies_blp.route("/<id:discrepancy_id>/resolve", methods=["POST"])
@discrepancies_blp.doc(security=BEARER)
@discrepancies_blp.arguments(ResolveSchema)
@discrepancies_blp.response(200, DiscrepancySchema)
@authenticated
def resolve(data: dict[str, Any], discrepancy_id: int) -> dict[str, Any]:
    """Settle a discrepancy (accepted, claim raised, return to merchant, written off)."""
    return discrepancies.resolve_discrepancy(
        new_uow(), current_actor(), discrepancy_id, Resolution(data["resolution"]), data["note"]
    )
