"""Command line: `python -m routing solve INSTANCE.json [--time-limit S]`.

`solve` reads a picking instance (bench-data/picking/FORMAT.md) and prints its solution as JSON
on stdout: a route instance ("picks") gets `{"sequence": [...]}`, a batch instance ("orders")
`{"batches": [...]}`. Unusable input (a missing file, bad JSON, an instance that breaks the
format) prints a message naming the problem on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from routing.pick_instances import (
    InstanceError,
    dumps_solution,
    finite_time_limit,
    instance_kind,
    parse_route_instance,
    read_json,
    route_solution,
    solve_route_instance,
)

EXIT_BAD_INPUT = 2


def _solve_route(data: dict[str, Any], time_limit_s: float) -> dict[str, Any]:
    instance = parse_route_instance(data)
    return route_solution(instance, solve_route_instance(instance, time_limit_s))


def _solve_batch(data: dict[str, Any], time_limit_s: float) -> dict[str, Any]:
    from routing.batching import solve_batch_instance

    return solve_batch_instance(data, time_limit_s)


# Instance kinds that `solve` knows: the kind (see `instance_kind`) -> its solver.
SOLVERS: dict[str, Callable[[dict[str, Any], float], dict[str, Any]]] = {
    "route": _solve_route,
    "batch": _solve_batch,
}


def solve_file(path: Path, time_limit_s: float) -> dict[str, Any]:
    """The solution object of the instance in the file; InstanceError on unusable input."""
    data = read_json(path)
    try:
        return SOLVERS[instance_kind(data)](data, time_limit_s)
    except (InstanceError, ValueError, KeyError, TypeError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        raise InstanceError(f"{path}: {message}") from None


def _solve_command(arguments: argparse.Namespace) -> int:
    time_limit_s = finite_time_limit(arguments.time_limit)
    solution = solve_file(arguments.instance, time_limit_s)
    print(dumps_solution(solution))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: one subparser per command."""
    parser = argparse.ArgumentParser(
        prog="python -m routing", description="Warehouse routing with OR-Tools."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    solve = commands.add_parser(
        "solve",
        help="solve an instance file and print the solution as JSON",
        description="Solve a picking instance (route or batch) and print its solution as JSON.",
    )
    solve.add_argument("instance", type=Path, help="the instance file (JSON)")
    solve.add_argument(
        "--time-limit",
        type=float,
        default=1.0,
        metavar="S",
        help="seconds the solver may search (default 1)",
    )
    solve.set_defaults(run=_solve_command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; the exit status (0 success, 2 unusable input)."""
    arguments = build_parser().parse_args(argv)
    try:
        return int(arguments.run(arguments))
    except InstanceError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
