"""Stock balances, the ledger, moves and adjustments."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from wms.api.schemas import (
    AdjustmentSchema,
    BalancePageSchema,
    IdempotencyHeader,
    MovementArgs,
    MovementPageSchema,
    MovementSchema,
    MoveSchema,
    StockArgs,
)
from wms.api.security import BEARER, authenticated, current_actor
from wms.bootstrap import new_uow
from wms.domain.commands import AdjustStock, MoveStock
from wms.services import stock
from wms.services.paging import PageRequest

PREFIX = "/stock"
blp = Blueprint("stock", __name__, description="Stock on hand, the ledger, moves and counts.")
REPLAY_HEADER = "Idempotent-Replayed"


def replayable(result: tuple[dict[str, Any], bool], status: int = 200) -> Any:
    """A keyed write's answer, with the header telling a replay from a first run."""
    body, replayed = result
    return body, status, {REPLAY_HEADER: str(replayed).lower()}


def _page(args: dict[str, Any]) -> PageRequest:
    return PageRequest(args.pop("page"), args.pop("page_size"))


@blp.route("", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(StockArgs, location="query")
@blp.response(200, BalancePageSchema)
@authenticated
def query_stock(args: dict[str, Any]) -> dict[str, Any]:
    """Balances by SKU, bin, lot, zone, FC or merchant — only those you may see."""
    return stock.query_stock(new_uow(), current_actor(), _page(args), **args)


@blp.route("/movements", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(MovementArgs, location="query")
@blp.response(200, MovementPageSchema)
@authenticated
def list_movements(args: dict[str, Any]) -> dict[str, Any]:
    """The stock ledger, newest first."""
    return stock.list_movements(new_uow(), current_actor(), _page(args), **args)


@blp.route("/moves", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(IdempotencyHeader, location="headers")
@blp.arguments(MoveSchema)
@blp.response(201, MovementSchema)
@authenticated
def move(header: dict[str, Any], command: MoveStock) -> Any:
    """Move units from one bin to another; a replayed Idempotency-Key changes nothing."""
    return replayable(stock.move_stock(new_uow(), current_actor(), command, header["key"]), 201)


@blp.route("/adjustments", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(IdempotencyHeader, location="headers")
@blp.arguments(AdjustmentSchema)
@blp.response(201, MovementSchema)
@authenticated
def adjust(header: dict[str, Any], command: AdjustStock) -> Any:
    """Correct a bin's quantity after a count, damage or loss, with a reason."""
    return replayable(stock.adjust_stock(new_uow(), current_actor(), command, header["key"]), 201)
