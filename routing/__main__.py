"""Command line: `python -m routing solve FILE [--time-limit S]` and `python -m routing check`.

`solve` reads an instance and prints its solution as JSON on stdout:

* a picking instance (bench-data/picking/FORMAT.md, `.json`): a route instance ("picks") gets
  `{"sequence": [...]}`, a batch instance ("orders") `{"batches": [...]}`;
* a delivery routing instance, Solomon VRPTW (`.txt`) or CVRPLIB (`.vrp`): `{"routes": [[customer
  ids], ...], "vehicles": ..., "distance": ...}`, for `--objective vehicles` (fewest vehicles,
  then distance; the default for Solomon files) or `distance` (the default for CVRPLIB), with
  Solomon distances in double precision or, with `--arithmetic truncated`, cut to one decimal.

`check INSTANCE SOLUTION` verifies a delivery solution (the JSON `solve` prints, or a CVRPLIB
`.sol` file) against its instance independently of the solver and prints its cost and every
rule it breaks; it exits 0 when the solution is feasible, 1 when it is not.

Unusable input (a missing file, bad JSON, an instance that breaks the format) prints a message
naming the problem on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from routing import vrp_commands
from routing.instance_files import InstanceError, dumps_solution, finite_time_limit, read_json
from routing.pick_instances import (
    instance_kind,
    parse_route_instance,
    route_solution,
    solve_route_instance,
)
from routing.vrp import Objective
from routing.vrp_files import Arithmetic

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


VRP_SUFFIXES = {".txt", ".vrp"}


def _solve_command(arguments: argparse.Namespace) -> int:
    time_limit_s = finite_time_limit(arguments.time_limit)
    path: Path = arguments.instance
    if path.suffix.lower() in VRP_SUFFIXES:
        if arguments.effort is not None and arguments.effort < 1:
            raise InstanceError("--effort must be a positive number of steps")
        solution = vrp_commands.solve_file(
            path,
            time_limit_s,
            objective=arguments.objective,
            arithmetic=arguments.arithmetic,
            seed=arguments.seed,
            effort=arguments.effort,
        )
    else:
        solution = solve_file(path, time_limit_s)
    print(dumps_solution(solution))
    return 0


def _check_command(arguments: argparse.Namespace) -> int:
    if arguments.instance.suffix.lower() not in VRP_SUFFIXES:
        raise InstanceError(f"{arguments.instance}: check takes a .txt or .vrp instance")
    report = vrp_commands.check_file(arguments.instance, arguments.solution, arguments.arithmetic)
    print(dumps_solution(report))
    return 0 if report["feasible"] else 1


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
    solve.add_argument(
        "instance", type=Path, help="the instance file (.json picking, .txt Solomon, .vrp CVRPLIB)"
    )
    solve.add_argument(
        "--time-limit",
        type=float,
        default=1.0,
        metavar="S",
        help="seconds the solver may search (default 1)",
    )
    solve.add_argument(
        "--objective",
        type=Objective,
        choices=list(Objective),
        default=None,
        help="delivery routing: vehicles (fewest, then distance) or distance",
    )
    _arithmetic_option(solve)
    solve.add_argument(
        "--seed", type=int, default=0, help="delivery routing: the search's seed (default 0)"
    )
    solve.add_argument(
        "--effort",
        type=int,
        default=None,
        metavar="N",
        help="delivery routing: stop each search phase after N steps (the same plan every run)",
    )
    solve.set_defaults(run=_solve_command)
    check = commands.add_parser(
        "check",
        help="verify a delivery solution and print its cost",
        description="Verify a delivery routing solution against its instance (independently "
        "of the solver) and print its cost and the rules it breaks.",
    )
    check.add_argument("instance", type=Path, help="the instance file (.txt or .vrp)")
    check.add_argument(
        "solution", type=Path, help="the solution: solve's JSON or a CVRPLIB .sol file"
    )
    _arithmetic_option(check)
    check.set_defaults(run=_check_command)
    return parser


def _arithmetic_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--arithmetic",
        type=Arithmetic,
        choices=list(Arithmetic),
        default=Arithmetic.EXACT,
        help="Solomon distances: exact (double precision, the default) or truncated to one "
        "decimal (the distance-only results' convention)",
    )


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
