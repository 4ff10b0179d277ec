from __future__ import annotations

import json

import pytest

from routing.pick_instances import load_route_instance, sequence_length
from tests.routing_cli import REPO, run_cli

ROUTE_DIR = REPO / "tests" / "data" / "picking" / "route"


def test_solve_prints_a_sequence_that_walks_the_optimum():
    path = ROUTE_DIR / "route-s2012-n12-a20-k2-b25.json"
    result = run_cli("solve", path, "--time-limit", "1")
    assert result.returncode == 0, result.stderr
    solution = json.loads(result.stdout)
    instance = load_route_instance(path)
    assert sorted(solution["sequence"]) == sorted(pick.id for pick in instance.picks)
    # reference.csv: the optimum of this instance is 330 m.
    assert sequence_length(instance, solution["sequence"]) == pytest.approx(330.0)


def test_solve_routes_a_batch_instance(tmp_path):
    layout = {
        "aisles": 4,
        "blocks": 1,
        "bays_per_block": 10,
        "bay_m": 1.0,
        "aisle_pitch_m": 3.0,
        "cross_aisle_m": 2.0,
        "depot": {"x_m": 0.0},
    }

    def line(aisle, bay):
        location = {"aisle": aisle, "block": 0, "bay": bay, "side": "L"}
        return {"location": location, "qty": 1, "volume_l": 1.0}

    orders = [
        {"id": "o1", "lines": [line(0, 2), line(3, 9)]},
        {"id": "o2", "lines": [line(1, 4)]},
        {"id": "o3", "lines": [line(2, 7), line(2, 1)]},
    ]
    path = tmp_path / "batch.json"
    cart = {"max_orders": 2, "max_volume_l": 10.0}
    path.write_text(json.dumps({"name": "tiny", "layout": layout, "orders": orders, "cart": cart}))
    result = run_cli("solve", path, "--time-limit", "1")
    assert result.returncode == 0, result.stderr
    batches = json.loads(result.stdout)["batches"]
    assert sorted(order for batch in batches for order in batch["orders"]) == ["o1", "o2", "o3"]
    assert all(len(batch["orders"]) <= 2 for batch in batches)
    lines = sorted(step for batch in batches for step in batch["sequence"])
    assert lines == ["o1:0", "o1:1", "o2:0", "o3:0", "o3:1"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ('{"name": "x", "layout": ', "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"name": "x"}', 'neither "picks" nor "orders"'),
        ('{"name": "x", "picks": []}', "layout is missing"),
    ],
)
def test_unusable_files_exit_2_with_a_message_and_no_traceback(tmp_path, content, message):
    path = tmp_path / "instance.json"
    if content is not None:
        path.write_text(content)
    result = run_cli("solve", path)
    assert result.returncode == 2
    assert message in result.stderr
    assert str(path) in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_a_pick_outside_the_layout_is_named(tmp_path):
    data = json.loads((ROUTE_DIR / "route-s1006-n6-a10-k1-b30.json").read_text())
    data["picks"][3]["aisle"] = 10
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(data))
    result = run_cli("solve", path)
    assert result.returncode == 2
    assert "picks[3]" in result.stderr
    assert "aisle" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_time_limit_and_a_missing_command_are_refused():
    path = ROUTE_DIR / "route-s1006-n6-a10-k1-b30.json"
    result = run_cli("solve", path, "--time-limit", "0")
    assert result.returncode == 2
    assert "time limit" in result.stderr
    assert run_cli().returncode == 2
