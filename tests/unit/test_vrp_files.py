"""Benchmark files read as delivery problems, and the command line that solves and checks them."""

from __future__ import annotations

import json
import math

import pytest

from routing.instance_files import InstanceError
from routing.vrp_files import Arithmetic, parse_cvrplib, parse_solomon, read_instance
from tests.routing_cli import REPO, run_cli
from tests.vrp_exact import optimum, random_tiny


def solomon_text(name: str = "T7", seed: int = 3, fleet: int = 4) -> str:
    """A Solomon file (CRLF line ends, as distributed) for a random tiny instance."""
    tiny = random_tiny(seed, fleet=fleet)
    rows = [f"{0:5d} {0:9.2f} {0:9.2f} {0:9d} {0:9.2f} {tiny.horizon:9.2f} {0:9.2f}"]
    for number, c in enumerate(tiny.customers, start=1):
        rows.append(
            f"{number:5d} {c.x:9.2f} {c.y:9.2f} {int(c.demand):9d} {c.ready:9.2f} "
            f"{c.due:9.2f} {c.service:9.2f}"
        )
    lines = [
        name,
        "",
        "VEHICLE",
        "NUMBER     CAPACITY",
        f"  {fleet}         {int(tiny.capacity)}",
        "",
        "CUSTOMER",
        "CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME",
        " ",
        *rows,
    ]
    return "\r\n".join(lines) + "\r\n"


CVRP_TEXT = """NAME : tiny-n5-k2
TYPE : CVRP
DIMENSION : 5
EDGE_WEIGHT_TYPE : EUC_2D
CAPACITY : 10
NODE_COORD_SECTION
1 0 0
2 3 4
3 6 8
4 -3 -4
5 0 7
DEMAND_SECTION
1 0
2 4
3 5
4 6
5 2
DEPOT_SECTION
 1
 -1
EOF
"""


def test_a_solomon_file_gives_customers_windows_and_the_fleet():
    instance = parse_solomon(solomon_text(), "T7")
    problem = instance.problem
    assert [stop.id for stop in problem.stops] == [str(i) for i in range(1, 8)]
    assert len(problem.vehicles) == 4
    assert {vehicle.capacity for vehicle in problem.vehicles} == {(20.0,)}
    assert problem.vehicles[0].shift is not None
    assert problem.vehicles[0].shift.close == 400.0
    first = problem.stops[0]
    assert first.window is not None and first.window.close >= first.window.open
    x, y = instance.coordinates[1]
    assert problem.distance_matrix[0, 1] == pytest.approx(math.hypot(x, y))


def test_truncated_arithmetic_cuts_every_arc_to_one_decimal():
    exact = parse_solomon(solomon_text(), "T7").problem.distance_matrix
    cut = parse_solomon(solomon_text(), "T7", Arithmetic.TRUNCATED).problem.distance_matrix
    assert ((exact - cut) >= 0).all() and ((exact - cut) < 0.1 + 1e-9).all()
    assert cut[0, 1] == math.floor(exact[0, 1] * 10) / 10


def test_a_cvrplib_file_rounds_distances_and_numbers_customers_like_its_solutions():
    instance = parse_cvrplib(CVRP_TEXT, "tiny")
    problem = instance.problem
    # Node 1 is the depot; CVRPLIB solutions number the customers 1..4.
    assert [stop.id for stop in problem.stops] == ["1", "2", "3", "4"]
    assert [stop.demand for stop in problem.stops] == [(4.0,), (5.0,), (6.0,), (2.0,)]
    assert problem.distance_matrix[0, 1] == 5.0
    assert problem.distance_matrix[1, 4] == round(math.hypot(3, 3))
    assert len(problem.vehicles) == 4


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("VEHICLE\nNUMBER CAPACITY\n2 10\n", "needs a depot and at least one customer"),
        ("nothing here\n", "no VEHICLE section"),
        (
            "VEHICLE\nNUMBER CAPACITY\n2 10\n0 0 0 0 0 100 0\n1 1 1 1 50 20 0\n",
            "customer 1: due date before ready time",
        ),
    ],
)
def test_bad_solomon_files_are_refused_naming_the_problem(text, message):
    with pytest.raises(InstanceError, match=message):
        parse_solomon(text, "bad")


def test_bad_cvrplib_files_are_refused_naming_the_problem():
    with pytest.raises(InstanceError, match="EDGE_WEIGHT_TYPE GEO is not EUC_2D"):
        parse_cvrplib(CVRP_TEXT.replace("EUC_2D", "GEO"), "bad")
    with pytest.raises(InstanceError, match="expected id, x and y"):
        parse_cvrplib(CVRP_TEXT.replace("3 6 8", "3 6"), "bad")
    with pytest.raises(InstanceError, match="demand exceeds the capacity"):
        parse_cvrplib(CVRP_TEXT.replace("3 5\n", "3 50\n"), "bad")
    with pytest.raises(InstanceError, match="no such file"):
        read_instance(REPO / "no-such.vrp")
    with pytest.raises(InstanceError, match="unknown instance format"):
        read_instance(REPO / "pyproject.toml")


def test_the_command_line_solves_a_solomon_file_to_its_optimum_and_checks_it(tmp_path):
    path = tmp_path / "T7.txt"
    path.write_bytes(solomon_text().encode())
    result = run_cli("solve", path, "--time-limit", "5", "--effort", "2000")
    assert result.returncode == 0, result.stderr
    solution = json.loads(result.stdout)
    vehicles, distance = optimum(random_tiny(3), fewest_vehicles=True)
    assert solution["vehicles"] == vehicles
    assert solution["distance"] == pytest.approx(distance, abs=1e-5)
    assert sorted(c for route in solution["routes"] for c in route) == [str(i) for i in range(1, 8)]
    answer = tmp_path / "T7.json"
    answer.write_text(result.stdout)
    checked = run_cli("check", path, answer)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    report = json.loads(checked.stdout)
    assert report["feasible"] is True
    assert report["distance"] == pytest.approx(distance, abs=1e-5)


def test_check_names_what_a_broken_solution_breaks(tmp_path):
    path = tmp_path / "T7.txt"
    path.write_bytes(solomon_text().encode())
    # Every customer on one vehicle: over capacity (7 customers x up to 10 units > 20).
    answer = tmp_path / "one.json"
    answer.write_text(json.dumps({"routes": [[str(i) for i in range(1, 7)]]}))
    result = run_cli("check", path, answer)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["feasible"] is False
    assert "stop '7' must be served but is not" in report["violations"]
    assert any("over its capacity 20" in v for v in report["violations"])


def test_check_reads_cvrplib_solution_files(tmp_path):
    path = tmp_path / "tiny.vrp"
    path.write_text(CVRP_TEXT)
    solution = tmp_path / "tiny.sol"
    solution.write_text("Route #1: 1 2\nRoute #2: 3 4\nCost 43\n")
    result = run_cli("check", path, solution)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    # 0-(3,4)-(6,8)-0 = 5+5+10 and 0-(-3,-4)-(0,7)-0 = 5+round(sqrt(130))+7.
    assert report["distance"] == 5 + 5 + 10 + 5 + round(math.sqrt(130)) + 7
    assert report["vehicles"] == 2


def test_the_command_line_solves_cvrplib_for_distance(tmp_path):
    path = tmp_path / "tiny.vrp"
    path.write_text(CVRP_TEXT)
    result = run_cli("solve", path, "--time-limit", "2", "--effort", "500")
    assert result.returncode == 0, result.stderr
    solution = json.loads(result.stdout)
    assert solution["objective"] == "distance"
    # Demands 4, 5, 6, 2 and vehicles of 10: the feasible splits cost 1+2 | 3+4 = 20 + 23,
    # 1+3 | 2+4 = 20 + 23, 1+4 | 2 | 3 = 16 + 20 + 10, ...; the best is 43.
    assert solution["distance"] == 43
    assert solution["vehicles"] == 2


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("solve", "no-such.txt"), "no-such.txt: no such file"),
        (("solve", "pyproject.toml", "--time-limit", "1"), "not valid JSON"),
        (("solve", "X.txt", "--time-limit", "0"), "time limit must be a positive number"),
        (("check", "pyproject.toml", "x.json"), "check takes a .txt or .vrp instance"),
    ],
)
def test_unusable_input_exits_2_naming_the_problem(arguments, message, tmp_path):
    result = run_cli(*arguments)
    assert result.returncode == 2
    assert message in result.stderr


def test_a_solution_file_that_is_not_a_solution_exits_2(tmp_path):
    path = tmp_path / "T7.txt"
    path.write_bytes(solomon_text().encode())
    answer = tmp_path / "bad.json"
    answer.write_text(json.dumps({"routes": [["1", ["2"]]]}))
    result = run_cli("check", path, answer)
    assert result.returncode == 2
    assert "route 1 must be a list of customer ids" in result.stderr
