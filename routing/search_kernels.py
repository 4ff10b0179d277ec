"""Compiled kernels of the route searches (numba): segment arithmetic, route minimisation steps,
and ruin-and-recreate iterations, on the arrays of `routing.route_state.RouteState`.

All of them live in this one file on purpose: numba's on-disk cache notices a change to a
compiled function's own file only, so kernels that call each other must share a file.

Units are the solver's integers (times scaled, service time folded into the travel time from
a node). The kernels take the instance as one tuple, `net` = (travel, opens, closes, demand,
shift_open, shift_close, max_duration, capacity), and the solution as another, `sol` =
(route_nodes, route_length, forward, backward, load, route_of, position); see
`routing.route_state`. A route is a row of `route_nodes` (its first `route_length` entries);
positions are 1-based, 0 and length + 1 standing for the depot. `forward[k, i]` holds the
segment of route k from the depot to position i and `backward[k, i]` from position i back to
the depot, each as (duration, time warp, earliest start, latest start), the concatenation of
Vidal et al. (2013), so a move is checked in constant time; `forward[k, i, 4 + d]` is also
the load of dimension d on positions 1..i.
"""

from __future__ import annotations

import numba as nb
import numpy as np

SHAKE_MOVES = 200
"""Random feasible moves tried after each ejection of the route minimisation."""

SQUEEZE_STEPS = 60
"""Most moves a squeeze makes before it gives up."""

EJECTION_WINDOW = 10
"""Ejected stops lie within this many positions of the inserted one (on long routes)."""

@nb.njit(cache=True)
def seed(seed: int) -> None:
    np.random.seed(seed)


@nb.njit(cache=True, inline="always")
def _cat(
    d1: int, w1: int, e1: int, l1: int, d2: int, w2: int, e2: int, l2: int, t: int
) -> tuple[int, int, int, int]:
    """Two segments joined by an arc of time t: (duration, time warp, earliest, latest)."""
    delta = d1 - w1 + t
    wait = e2 - delta - l1
    if wait < 0:
        wait = 0
    warp = e1 + delta - l2
    if warp < 0:
        warp = 0
    earliest = e2 - delta
    if e1 > earliest:
        earliest = e1
    latest = l2 - delta
    if l1 < latest:
        latest = l1
    return d1 + d2 + t + wait, w1 + w2 + warp, earliest - wait, latest + warp


@nb.njit(cache=True)
def _rebuild(
    k: int,
    net: tuple,
    sol: tuple,
) -> None:
    """Recompute route k's prefix and suffix segments, load and node positions."""
    travel, opens, closes, demand, shift_open, shift_close, _, _ = net
    route_nodes, route_length, forward, backward, load, route_of, position = sol
    length = route_length[k]
    forward[k, 0, 0] = 0
    forward[k, 0, 1] = 0
    forward[k, 0, 2] = shift_open[k]
    forward[k, 0, 3] = shift_close[k]
    previous = 0
    for d in range(load.shape[1]):
        load[k, d] = 0
        forward[k, 0, 4 + d] = 0
    for i in range(1, length + 1):
        node = route_nodes[k, i - 1]
        f = forward[k, i - 1]
        a, b, c, e = _cat(f[0], f[1], f[2], f[3], 0, 0, opens[node], closes[node],
                          travel[previous, node])
        forward[k, i, 0] = a
        forward[k, i, 1] = b
        forward[k, i, 2] = c
        forward[k, i, 3] = e
        route_of[node] = k
        position[node] = i
        for d in range(load.shape[1]):
            load[k, d] += demand[node, d]
            forward[k, i, 4 + d] = load[k, d]
        previous = node
    f = forward[k, length]
    a, b, c, e = _cat(f[0], f[1], f[2], f[3], 0, 0, shift_open[k], shift_close[k],
                      travel[previous, 0])
    forward[k, length + 1, 0] = a
    forward[k, length + 1, 1] = b
    forward[k, length + 1, 2] = c
    forward[k, length + 1, 3] = e
    backward[k, length + 1, 0] = 0
    backward[k, length + 1, 1] = 0
    backward[k, length + 1, 2] = shift_open[k]
    backward[k, length + 1, 3] = shift_close[k]
    following = 0
    for i in range(length, 0, -1):
        node = route_nodes[k, i - 1]
        g = backward[k, i + 1]
        a, b, c, e = _cat(0, 0, opens[node], closes[node], g[0], g[1], g[2], g[3],
                          travel[node, following])
        backward[k, i, 0] = a
        backward[k, i, 1] = b
        backward[k, i, 2] = c
        backward[k, i, 3] = e
        following = node
    g = backward[k, 1]
    a, b, c, e = _cat(0, 0, shift_open[k], shift_close[k], g[0], g[1], g[2], g[3],
                      travel[0, following])
    backward[k, 0, 0] = a
    backward[k, 0, 1] = b
    backward[k, 0, 2] = c
    backward[k, 0, 3] = e


@nb.njit(cache=True)
def rebuild_all(
    net: tuple,
    sol: tuple,
) -> None:
    """Recompute every route's caches."""
    _, route_length, _, _, _, route_of, _ = sol
    for node in range(route_of.shape[0]):
        route_of[node] = -1
    for k in range(route_length.shape[0]):
        _rebuild(k, net, sol)


@nb.njit(cache=True, inline="always")
def _breach(
    k: int,
    duration: int,
    warp: int,
    extra: np.ndarray,
    net: tuple,
    weights: np.ndarray,
    sol: tuple,
    sign: int,
    node: int,
) -> float:
    """How far route k breaks the rules: time warp, overtime and weighted overload.

    The route's load is `load[k]` plus `sign` times node's demand plus `extra`.
    """
    _, _, _, demand, _, _, max_duration, capacity = net
    _, _, _, _, load, _, _ = sol
    total = float(warp)
    if duration > max_duration[k]:
        total += float(duration - max_duration[k])
    for d in range(capacity.shape[1]):
        carried = load[k, d] + extra[d]
        if node > 0:
            carried += sign * demand[node, d]
        if carried > capacity[k, d]:
            total += weights[d] * float(carried - capacity[k, d])
    return total


@nb.njit(cache=True)
def _node_at(route_nodes: np.ndarray, route_length: np.ndarray, k: int, i: int) -> int:
    """The node at position i of route k (0 and length + 1 are the depot)."""
    if i <= 0 or i > route_length[k]:
        return 0
    return route_nodes[k, i - 1]


@nb.njit(cache=True)
def _with_node(
    k: int,
    upto: int,
    resume: int,
    v: int,
    net: tuple,
    sol: tuple,
) -> tuple[int, int]:
    """(duration, time warp) of route k's positions up to `upto`, then node v, then its
    positions from `resume` on: an insertion (upto = p, resume = p + 1) or a replacement of
    the node at i (upto = i - 1, resume = i + 1)."""
    travel, opens, closes, _, _, _, _, _ = net
    route_nodes, route_length, forward, backward, _, _, _ = sol
    before = _node_at(route_nodes, route_length, k, upto)
    after = _node_at(route_nodes, route_length, k, resume)
    f = forward[k, upto]
    a, b, c, e = _cat(f[0], f[1], f[2], f[3], 0, 0, opens[v], closes[v], travel[before, v])
    g = backward[k, resume]
    a, b, c, e = _cat(a, b, c, e, g[0], g[1], g[2], g[3], travel[v, after])
    return a, b


@nb.njit(cache=True)
def _insert_eval(k: int, p: int, v: int, net: tuple, sol: tuple) -> tuple[int, int]:
    """(duration, time warp) of route k with node v after position p."""
    return _with_node(k, p, p + 1, v, net, sol)


@nb.njit(cache=True)
def _replace_eval(k: int, i: int, v: int, net: tuple, sol: tuple) -> tuple[int, int]:
    """(duration, time warp) of route k with node v in place of the node at position i."""
    return _with_node(k, i - 1, i + 1, v, net, sol)


@nb.njit(cache=True)
def _remove_eval(
    k: int,
    i: int,
    net: tuple,
    sol: tuple,
) -> tuple[int, int]:
    """(duration, time warp) of route k without the node at position i."""
    travel, _, _, _, _, _, _, _ = net
    route_nodes, route_length, forward, backward, _, _, _ = sol
    before = _node_at(route_nodes, route_length, k, i - 1)
    after = _node_at(route_nodes, route_length, k, i + 1)
    f = forward[k, i - 1]
    g = backward[k, i + 1]
    a, b, _, _ = _cat(f[0], f[1], f[2], f[3], g[0], g[1], g[2], g[3], travel[before, after])
    return a, b


@nb.njit(cache=True)
def _splice_eval(
    r: int,
    i: int,
    k: int,
    j: int,
    net: tuple,
    sol: tuple,
) -> tuple[int, int]:
    """(duration, time warp) of route r's positions 1..i followed by route k's from j on."""
    travel, opens, closes, _, shift_open, shift_close, _, _ = net
    route_nodes, route_length, forward, backward, _, _, _ = sol
    before = _node_at(route_nodes, route_length, r, i)
    f = forward[r, i]
    if shift_open[r] == shift_open[k] and shift_close[r] == shift_close[k]:
        after = _node_at(route_nodes, route_length, k, j)
        g = backward[k, j]
        a, b, c, e = _cat(f[0], f[1], f[2], f[3], g[0], g[1], g[2], g[3], travel[before, after])
        return a, b
    a, b, c, e = f[0], f[1], f[2], f[3]
    for q in range(j, route_length[k] + 1):
        node = route_nodes[k, q - 1]
        a, b, c, e = _cat(a, b, c, e, 0, 0, opens[node], closes[node], travel[before, node])
        before = node
    a, b, c, e = _cat(a, b, c, e, 0, 0, shift_open[r], shift_close[r], travel[before, 0])
    return a, b


@nb.njit(cache=True)
def _part_load(
    k: int,
    start: int,
    stop: int,
    sol: tuple,
    net: tuple,
    out: np.ndarray,
) -> None:
    """out = demand of route k's positions start..stop (inclusive), from the prefix loads."""
    _, _, forward, _, _, _, _ = sol
    for d in range(out.shape[0]):
        if stop < start:
            out[d] = 0
        else:
            out[d] = forward[k, stop, 4 + d] - forward[k, start - 1, 4 + d]


@nb.njit(cache=True)
def _fits(load: np.ndarray, k: int, extra: np.ndarray, capacity: np.ndarray) -> bool:
    for d in range(capacity.shape[1]):  # noqa: SIM110 - a plain loop compiles
        if load[k, d] + extra[d] > capacity[k, d]:
            return False
    return True


@nb.njit(cache=True)
def _put(
    k: int, p: int, v: int, route_nodes: np.ndarray, route_length: np.ndarray
) -> None:
    """Node v after position p of route k (no rebuild)."""
    length = route_length[k]
    for q in range(length, p, -1):
        route_nodes[k, q] = route_nodes[k, q - 1]
    route_nodes[k, p] = v
    route_length[k] = length + 1


@nb.njit(cache=True)
def _take(k: int, i: int, route_nodes: np.ndarray, route_length: np.ndarray) -> int:
    """Remove and return the node at position i of route k (no rebuild)."""
    node = route_nodes[k, i - 1]
    length = route_length[k]
    for q in range(i - 1, length - 1):
        route_nodes[k, q] = route_nodes[k, q + 1]
    route_length[k] = length - 1
    return node


@nb.njit(cache=True)
def _splice(
    r: int, i: int, k: int, j: int, route_nodes: np.ndarray, route_length: np.ndarray
) -> None:
    """2-opt*: route r becomes r[1..i] + k[j..], route k becomes k[1..j-1] + r[i+1..]."""
    tail_r = route_nodes[r, i : route_length[r]].copy()
    tail_k = route_nodes[k, j - 1 : route_length[k]].copy()
    for q in range(tail_k.shape[0]):
        route_nodes[r, i + q] = tail_k[q]
    for q in range(tail_r.shape[0]):
        route_nodes[k, j - 1 + q] = tail_r[q]
    route_length[r] = i + tail_k.shape[0]
    route_length[k] = j - 1 + tail_r.shape[0]


@nb.njit(cache=True)
def start_deletion(
    net: tuple,
    sol: tuple,
    alive: np.ndarray,
    pool: np.ndarray,
    pool_size: np.ndarray,
    failures: np.ndarray,
    smallest: bool,
) -> None:
    """Take a route out (a random one, or a random one of the shortest): its nodes go to the
    pool, every failure count back to 1."""
    route_nodes, route_length, _, _, _, route_of, _ = sol
    shortest = route_nodes.shape[1] + 1
    for k in range(alive.shape[0]):
        if alive[k] and 0 < route_length[k] < shortest:
            shortest = route_length[k]
    count = 0
    for k in range(alive.shape[0]):
        if alive[k] and route_length[k] > 0 and (not smallest or route_length[k] == shortest):
            count += 1
    pick = np.random.randint(count)
    chosen = -1
    for k in range(alive.shape[0]):
        if alive[k] and route_length[k] > 0 and (not smallest or route_length[k] == shortest):
            if pick == 0:
                chosen = k
                break
            pick -= 1
    for node in range(failures.shape[0]):
        failures[node] = 1
    size = 0
    for q in range(route_length[chosen]):
        node = route_nodes[chosen, q]
        pool[size] = node
        route_of[node] = -1
        size += 1
    pool_size[0] = size
    route_length[chosen] = 0
    alive[chosen] = False
    _rebuild(chosen, net, sol)


@nb.njit(cache=True)
def pool_steps(
    steps: int,
    max_ejected: int,
    net: tuple,
    cost: np.ndarray,
    weights: np.ndarray,
    neighbours: np.ndarray,
    sol: tuple,
    alive: np.ndarray,
    pool: np.ndarray,
    pool_size: np.ndarray,
    failures: np.ndarray,
) -> None:
    """Up to `steps` pool steps (insert, squeeze or eject-and-insert, then shake)."""
    _, _, _, demand, _, _, max_duration, capacity = net
    route_nodes, route_length, _, _, load, _, _ = sol
    vehicles = alive.shape[0]
    width = capacity.shape[1]
    zero = np.zeros(width, dtype=np.int64)
    for _ in range(steps):
        if pool_size[0] == 0:
            return
        pool_size[0] -= 1
        v = pool[pool_size[0]]
        # 1. A random feasible insertion.
        found = 0
        pick_k = -1
        pick_p = -1
        for k in range(vehicles):
            if not alive[k]:
                continue
            fits = True
            for d in range(width):
                if load[k, d] + demand[v, d] > capacity[k, d]:
                    fits = False
            if not fits:
                continue
            for p in range(route_length[k] + 1):
                duration, warp = _insert_eval(k, p, v, net, sol)
                if warp == 0 and duration <= max_duration[k]:
                    found += 1
                    if np.random.randint(found) == 0:
                        pick_k = k
                        pick_p = p
        if found > 0:
            _put(pick_k, pick_p, v, route_nodes, route_length)
            _rebuild(pick_k, net, sol)
            continue
        # 2. Squeeze it in.
        if _squeeze(v, net, weights, neighbours, sol, alive, zero):
            continue
        # 3. Eject the stops that failed least and insert it.
        failures[v] += 1
        if not _eject_and_insert(
            v, max_ejected, net, cost, neighbours, sol, alive, pool, pool_size, failures
        ):
            # Nowhere even with ejections: back to the bottom of the pool.
            for q in range(pool_size[0], 0, -1):
                pool[q] = pool[q - 1]
            pool[0] = v
            pool_size[0] += 1
        # 4. Shake.
        _shake(SHAKE_MOVES, net, neighbours, sol, alive)


@nb.njit(cache=True)
def _route_breach(
    k: int,
    net: tuple,
    weights: np.ndarray,
    sol: tuple,
    zero: np.ndarray,
) -> float:
    _, route_length, forward, _, _, _, _ = sol
    full = forward[k, route_length[k] + 1]
    return _breach(k, full[0], full[1], zero, net, weights, sol, 0, 0)


@nb.njit(cache=True)
def _squeeze(
    v: int,
    net: tuple,
    weights: np.ndarray,
    neighbours: np.ndarray,
    sol: tuple,
    alive: np.ndarray,
    zero: np.ndarray,
) -> bool:
    """Insert v where it breaks the rules least, then repair by moves; undo if that fails."""
    _, _, _, demand, _, _, _, capacity = net
    route_nodes, route_length, _, _, _, route_of, position = sol
    vehicles = alive.shape[0]
    width = capacity.shape[1]
    best = np.inf
    best_k = -1
    best_p = -1
    for k in range(vehicles):
        if not alive[k]:
            continue
        for p in range(route_length[k] + 1):
            duration, warp = _insert_eval(k, p, v, net, sol)
            value = _breach(k, duration, warp, zero, net, weights, sol, 1, v)
            if value < best:
                best = value
                best_k = k
                best_p = p
    if best_k < 0:
        return False
    saved_nodes = route_nodes.copy()
    saved_length = route_length.copy()
    saved_alive = alive.copy()
    _put(best_k, best_p, v, route_nodes, route_length)
    _rebuild(best_k, net, sol)
    breach = np.zeros(vehicles, dtype=np.float64)
    for k in range(vehicles):
        if alive[k]:
            breach[k] = _route_breach(k, net, weights, sol, zero)
    part_a = np.zeros(width, dtype=np.int64)
    part_b = np.zeros(width, dtype=np.int64)
    for _ in range(SQUEEZE_STEPS):
        total = 0.0
        for k in range(vehicles):
            total += breach[k]
        if total <= 0.0:
            return True
        best_gain = 1e-9
        move = -1
        move_u = -1
        move_w = -1
        for r in range(vehicles):
            if not alive[r] or breach[r] <= 0.0:
                continue
            for i in range(1, route_length[r] + 1):
                u = route_nodes[r, i - 1]
                for x in range(neighbours.shape[1]):
                    w = neighbours[u, x]
                    k = route_of[w]
                    if k < 0 or k == r or not alive[k]:
                        continue
                    j = position[w]
                    now = breach[r] + breach[k]
                    # Relocate u next to w (after w, then before w).
                    dr, wr = _remove_eval(r, i, net, sol)
                    br = _breach(r, dr, wr, zero, net, weights, sol, -1, u)
                    for side in range(2):
                        p = j if side == 0 else j - 1
                        dk, wk = _insert_eval(k, p, u, net, sol)
                        bk = _breach(k, dk, wk, zero, net, weights, sol, 1, u)
                        if now - br - bk > best_gain:
                            best_gain = now - br - bk
                            move = side
                            move_u = u
                            move_w = w
                    # Exchange u and w.
                    dr, wr = _replace_eval(r, i, w, net, sol)
                    dk, wk = _replace_eval(k, j, u, net, sol)
                    for d in range(width):
                        part_a[d] = demand[w, d] - demand[u, d]
                        part_b[d] = -part_a[d]
                    br = _breach(r, dr, wr, part_a, net, weights, sol, 0, 0)
                    bk = _breach(k, dk, wk, part_b, net, weights, sol, 0, 0)
                    if now - br - bk > best_gain:
                        best_gain = now - br - bk
                        move = 2
                        move_u = u
                        move_w = w
                    # 2-opt*: u then w's successor, or u's predecessor then w.
                    for variant in range(2):
                        if variant == 0:
                            aa, ai, bb, bj = r, i, k, j + 1
                        else:
                            aa, ai, bb, bj = r, i - 1, k, j
                        da, wa = _splice_eval(aa, ai, bb, bj, net, sol)
                        db, wb = _splice_eval(bb, bj - 1, aa, ai + 1, net, sol)
                        _part_load(aa, ai + 1, route_length[aa], sol, net, part_a)
                        _part_load(bb, bj, route_length[bb], sol, net, part_b)
                        for d in range(width):
                            part_a[d] = part_b[d] - part_a[d]
                            part_b[d] = -part_a[d]
                        ba = _breach(aa, da, wa, part_a, net, weights, sol, 0, 0)
                        bbv = _breach(bb, db, wb, part_b, net, weights, sol, 0, 0)
                        if now - ba - bbv > best_gain:
                            best_gain = now - ba - bbv
                            move = 3 + variant
                            move_u = u
                            move_w = w
        if move < 0:
            break
        r = route_of[move_u]
        i = position[move_u]
        k = route_of[move_w]
        j = position[move_w]
        if move <= 1:
            _take(r, i, route_nodes, route_length)
            _put(k, j if move == 0 else j - 1, move_u, route_nodes, route_length)
        elif move == 2:
            route_nodes[r, i - 1] = move_w
            route_nodes[k, j - 1] = move_u
        elif move == 3:
            _splice(r, i, k, j + 1, route_nodes, route_length)
        else:
            _splice(r, i - 1, k, j, route_nodes, route_length)
        for q in (r, k):
            if route_length[q] == 0:
                alive[q] = False
            _rebuild(q, net, sol)
            breach[q] = _route_breach(q, net, weights, sol, zero)
    total = 0.0
    for k in range(vehicles):
        total += breach[k]
    if total <= 0.0:
        return True
    route_nodes[:, :] = saved_nodes
    route_length[:] = saved_length
    alive[:] = saved_alive
    for k in range(vehicles):
        _rebuild(k, net, sol)
    route_of[v] = -1
    return False


@nb.njit(cache=True)
def _eject_and_insert(
    v: int,
    max_ejected: int,
    net: tuple,
    cost: np.ndarray,
    neighbours: np.ndarray,
    sol: tuple,
    alive: np.ndarray,
    pool: np.ndarray,
    pool_size: np.ndarray,
    failures: np.ndarray,
) -> bool:
    """Insert v by ejecting up to max_ejected stops of one route, least failures first.

    On long routes v goes only next to one of its neighbours (or the depot), and the ejected
    stops lie within EJECTION_WINDOW positions of it."""
    travel, opens, closes, demand, shift_open, shift_close, max_duration, capacity = net
    route_nodes, route_length, _, _, load, route_of, _ = sol
    vehicles = alive.shape[0]
    width = capacity.shape[1]
    size = route_nodes.shape[1] + 2
    best_sum = 1 << 60
    best_cost = 1 << 60
    best_k = -1
    best_p = -1
    best_set = np.zeros(max_ejected, dtype=np.int64)
    best_count = 0
    seq = np.zeros(size, dtype=np.int64)
    seg = np.zeros((size, 4), dtype=np.int64)
    prev = np.zeros(size, dtype=np.int64)
    count = np.zeros(size, dtype=np.int64)
    total = np.zeros(size, dtype=np.int64)
    spent = np.zeros(size, dtype=np.int64)
    choice = np.zeros(size, dtype=np.int64)
    ejected = np.zeros(size, dtype=np.bool_)
    removed = np.zeros((size, width), dtype=np.int64)
    near = np.zeros(route_of.shape[0], dtype=np.bool_)
    near[0] = True
    for x in range(neighbours.shape[1]):
        near[neighbours[v, x]] = True
    offset = np.random.randint(vehicles)
    for step in range(vehicles):
        k = (step + offset) % vehicles
        if not alive[k]:
            continue
        length = route_length[k]
        old_cost = 0
        before = 0
        for q in range(length):
            old_cost += cost[before, route_nodes[k, q]]
            before = route_nodes[k, q]
        old_cost += cost[before, 0]
        for p in range(length + 1):
            if length > EJECTION_WINDOW:
                before = 0 if p == 0 else route_nodes[k, p - 1]
                after = 0 if p == length else route_nodes[k, p]
                if not near[before] and not near[after]:
                    continue
            # The route with v after position p.
            for q in range(p):
                seq[q] = route_nodes[k, q]
            seq[p] = v
            for q in range(p, length):
                seq[q + 1] = route_nodes[k, q]
            n = length + 1
            seg[0, 0] = 0
            seg[0, 1] = 0
            seg[0, 2] = shift_open[k]
            seg[0, 3] = shift_close[k]
            prev[0] = 0
            count[0] = 0
            total[0] = 0
            spent[0] = 0
            for d in range(width):
                removed[0, d] = 0
            choice[0] = 0
            depth = 0
            while depth >= 0:
                if depth == n:
                    f = seg[depth]
                    a, b, c, e = _cat(f[0], f[1], f[2], f[3], 0, 0, shift_open[k],
                                      shift_close[k], travel[prev[depth], 0])
                    ok = b == 0 and a <= max_duration[k]
                    if ok:
                        for d in range(width):
                            if load[k, d] + demand[v, d] - removed[depth, d] > capacity[k, d]:
                                ok = False
                    if ok:
                        new_cost = spent[depth] + cost[prev[depth], 0] - old_cost
                        if total[depth] < best_sum or (
                            total[depth] == best_sum and new_cost < best_cost
                        ):
                            best_sum = total[depth]
                            best_cost = new_cost
                            best_k = k
                            best_p = p
                            best_count = 0
                            for q in range(n):
                                if ejected[q]:
                                    best_set[best_count] = seq[q]
                                    best_count += 1
                    depth -= 1
                    continue
                node = seq[depth]
                if choice[depth] == 0:
                    choice[depth] = 1
                    f = seg[depth]
                    a, b, c, e = _cat(f[0], f[1], f[2], f[3], 0, 0, opens[node], closes[node],
                                      travel[prev[depth], node])
                    if b == 0:
                        ejected[depth] = False
                        seg[depth + 1, 0] = a
                        seg[depth + 1, 1] = b
                        seg[depth + 1, 2] = c
                        seg[depth + 1, 3] = e
                        prev[depth + 1] = node
                        count[depth + 1] = count[depth]
                        total[depth + 1] = total[depth]
                        spent[depth + 1] = spent[depth] + cost[prev[depth], node]
                        for d in range(width):
                            removed[depth + 1, d] = removed[depth, d]
                        choice[depth + 1] = 0
                        depth += 1
                    continue
                if choice[depth] == 1:
                    choice[depth] = 2
                    if (
                        node != v
                        and count[depth] < max_ejected
                        and total[depth] + failures[node] <= best_sum
                        and abs(depth - p) <= EJECTION_WINDOW
                    ):
                        ejected[depth] = True
                        for x in range(4):
                            seg[depth + 1, x] = seg[depth, x]
                        prev[depth + 1] = prev[depth]
                        count[depth + 1] = count[depth] + 1
                        total[depth + 1] = total[depth] + failures[node]
                        spent[depth + 1] = spent[depth]
                        for d in range(width):
                            removed[depth + 1, d] = removed[depth, d] + demand[node, d]
                        choice[depth + 1] = 0
                        depth += 1
                    continue
                ejected[depth] = False
                depth -= 1
    if best_k < 0:
        return False
    k = best_k
    length = route_length[k]
    old = route_nodes[k, :length].copy()
    kept = 0
    for q in range(length + 1):
        if q == best_p:
            route_nodes[k, kept] = v
            kept += 1
        if q < length:
            node = old[q]
            out = False
            for x in range(best_count):
                if best_set[x] == node:
                    out = True
            if out:
                route_of[node] = -1
                pool[pool_size[0]] = node
                pool_size[0] += 1
            else:
                route_nodes[k, kept] = node
                kept += 1
    route_length[k] = kept
    _rebuild(k, net, sol)
    return True


@nb.njit(cache=True)
def _shake(
    moves: int,
    net: tuple,
    neighbours: np.ndarray,
    sol: tuple,
    alive: np.ndarray,
) -> None:
    """Random feasible moves (relocate, exchange, 2-opt*) between neighbouring routes."""
    _, _, _, demand, _, _, max_duration, capacity = net
    route_nodes, route_length, _, _, load, route_of, position = sol
    size = route_of.shape[0]
    width = capacity.shape[1]
    part_a = np.zeros(width, dtype=np.int64)
    part_b = np.zeros(width, dtype=np.int64)
    for _ in range(moves):
        u = 1 + np.random.randint(size - 1)
        r = route_of[u]
        if r < 0:
            continue
        w = neighbours[u, np.random.randint(neighbours.shape[1])]
        k = route_of[w]
        if k < 0 or k == r:
            continue
        i = position[u]
        j = position[w]
        kind = np.random.randint(4)
        if kind <= 1:
            p = j if kind == 0 else j - 1
            for d in range(width):
                part_a[d] = demand[u, d]
            if not _fits(load, k, part_a, capacity):
                continue
            dk, wk = _insert_eval(k, p, u, net, sol)
            if wk != 0 or dk > max_duration[k]:
                continue
            dr, wr = _remove_eval(r, i, net, sol)
            if wr != 0 or dr > max_duration[r]:
                continue
            _take(r, i, route_nodes, route_length)
            _put(k, p, u, route_nodes, route_length)
            if route_length[r] == 0:
                alive[r] = False
        elif kind == 2:
            for d in range(width):
                part_a[d] = demand[w, d] - demand[u, d]
                part_b[d] = -part_a[d]
            if not _fits(load, r, part_a, capacity) or not _fits(load, k, part_b, capacity):
                continue
            dr, wr = _replace_eval(r, i, w, net, sol)
            if wr != 0 or dr > max_duration[r]:
                continue
            dk, wk = _replace_eval(k, j, u, net, sol)
            if wk != 0 or dk > max_duration[k]:
                continue
            route_nodes[r, i - 1] = w
            route_nodes[k, j - 1] = u
        else:
            _part_load(r, i + 1, route_length[r], sol, net, part_a)
            _part_load(k, j + 1, route_length[k], sol, net, part_b)
            for d in range(width):
                part_a[d] = part_b[d] - part_a[d]
                part_b[d] = -part_a[d]
            if not _fits(load, r, part_a, capacity) or not _fits(load, k, part_b, capacity):
                continue
            dr, wr = _splice_eval(r, i, k, j + 1, net, sol)
            if wr != 0 or dr > max_duration[r]:
                continue
            dk, wk = _splice_eval(k, j, r, i + 1, net, sol)
            if wk != 0 or dk > max_duration[k]:
                continue
            _splice(r, i, k, j + 1, route_nodes, route_length)
            if route_length[r] == 0:
                alive[r] = False
            if route_length[k] == 0:
                alive[k] = False
        _rebuild(r, net, sol)
        _rebuild(k, net, sol)


# --- ruin and recreate ----------------------------------------------------------------------


@nb.njit(cache=True)
def route_arc_cost(
    k: int,
    arc_cost: np.ndarray,
    cost_class: np.ndarray,
    fixed_cost: np.ndarray,
    route_nodes: np.ndarray,
    route_length: np.ndarray,
) -> int:
    """Route k's cost: its arcs at its vehicle's rates, plus the fixed cost if it is used."""
    length = route_length[k]
    if length == 0:
        return 0
    table = arc_cost[cost_class[k]]
    total = fixed_cost[k]
    before = 0
    for q in range(length):
        node = route_nodes[k, q]
        total += table[before, node]
        before = node
    return total + table[before, 0]


@nb.njit(cache=True)
def ruin_recreate_steps(
    iterations: int,
    progress_from: float,
    progress_to: float,
    temperature_from: float,
    temperature_to: float,
    average_removed: float,
    max_string: int,
    blink: float,
    net: tuple,
    arc_cost: np.ndarray,
    cost_class: np.ndarray,
    fixed_cost: np.ndarray,
    penalty: np.ndarray,
    usable: np.ndarray,
    vehicle_kind: np.ndarray,
    adjacency: np.ndarray,
    size_key: np.ndarray,
    depot_key: np.ndarray,
    sol: tuple,
    route_cost: np.ndarray,
    absent: np.ndarray,
    totals: np.ndarray,
    best_nodes: np.ndarray,
    best_length: np.ndarray,
    best_absent: np.ndarray,
) -> int:
    """Ruin-and-recreate iterations with simulated-annealing acceptance (after SISR,
    Christiaens & Vanden Berghe 2020); returns how many candidates were accepted.

    Ruin removes strings of consecutive stops from routes near a random stop (sometimes
    keeping a few stops in the middle of the string); recreate inserts the removed stops, and
    those left out before, one by one (in random, size, far-first or near-first order) where
    they cost least, skipping each position with probability `blink`; a stop goes unserved
    where leaving it out costs less than any feasible insertion. `totals` holds the current
    and the best total cost; the best solution is copied to `best_*`.
    """
    _, _, _, demand, _, _, max_duration, capacity = net
    route_nodes, route_length, _, _, load, route_of, position = sol
    vehicles = route_length.shape[0]
    size = route_of.shape[0]
    width = capacity.shape[1]
    kinds = 0
    for k in range(vehicles):
        if vehicle_kind[k] + 1 > kinds:
            kinds = vehicle_kind[k] + 1
    kind_seen = np.zeros(kinds, dtype=np.bool_)
    backup_nodes = np.zeros_like(route_nodes)
    backup_length = np.zeros(vehicles, dtype=np.int64)
    touched = np.zeros(vehicles, dtype=np.bool_)
    touched_list = np.zeros(vehicles, dtype=np.int64)
    ruined = np.zeros(vehicles, dtype=np.bool_)
    removed = np.zeros(size, dtype=np.int64)
    keys = np.zeros(size, dtype=np.float64)
    absent_before = absent.copy()
    accepted = 0
    for step in range(iterations):
        progress = progress_from + (progress_to - progress_from) * step / max(iterations, 1)
        temperature = temperature_from * (temperature_to / temperature_from) ** progress
        touched_count = 0
        removed_count = 0
        for node in range(size):
            absent_before[node] = absent[node]
        # Ruin.
        used = 0
        assigned = 0
        for k in range(vehicles):
            if route_length[k] > 0:
                used += 1
                assigned += route_length[k]
        if assigned > 0:
            cardinality = assigned / used
            longest = min(float(max_string), cardinality)
            strings_max = 4.0 * average_removed / (1.0 + longest) - 1.0
            strings = int(np.random.random() * strings_max) + 1
            seed_node = -1
            for _ in range(4 * size):
                candidate = 1 + np.random.randint(size - 1)
                if route_of[candidate] >= 0:
                    seed_node = candidate
                    break
            if seed_node > 0:
                count = 0
                for a in range(-1, adjacency.shape[1]):
                    if count >= strings:
                        break
                    x = seed_node if a < 0 else adjacency[seed_node, a]
                    t = route_of[x]
                    if t < 0 or ruined[t]:
                        continue
                    length = route_length[t]
                    cap_t = min(length, int(longest))
                    if cap_t < 1:
                        cap_t = 1
                    take = 1 + np.random.randint(cap_t)
                    if not touched[t]:
                        touched[t] = True
                        touched_list[touched_count] = t
                        touched_count += 1
                        backup_length[t] = length
                        for q in range(length):
                            backup_nodes[t, q] = route_nodes[t, q]
                    at = position[x]
                    keep_from = 0
                    keep_to = -1
                    if take >= length or np.random.random() < 0.5:
                        window = take
                    else:
                        kept = 1
                        while take + kept < length and np.random.random() < 0.5:
                            kept += 1
                        window = take + kept
                    low = max(1, at - window + 1)
                    high = min(at, length - window + 1)
                    start = low + np.random.randint(high - low + 1)
                    if window > take:
                        keep_from = start + np.random.randint(take + 1)
                        keep_to = keep_from + (window - take) - 1
                    write = 0
                    for q in range(1, length + 1):
                        node = route_nodes[t, q - 1]
                        inside = start <= q <= start + window - 1
                        if inside and not (keep_from <= q <= keep_to):
                            removed[removed_count] = node
                            removed_count += 1
                            route_of[node] = -1
                        else:
                            route_nodes[t, write] = node
                            write += 1
                    route_length[t] = write
                    _rebuild(t, net, sol)
                    ruined[t] = True
                    count += 1
        for node in range(1, size):
            if absent[node]:
                removed[removed_count] = node
                removed_count += 1
                absent[node] = False
        # Recreate, in one of four orders.
        pick = np.random.random() * 11.0
        for q in range(removed_count):
            node = removed[q]
            if pick < 4.0:
                keys[q] = np.random.random()
            elif pick < 8.0:
                keys[q] = -size_key[node]
            elif pick < 10.0:
                keys[q] = -depot_key[node]
            else:
                keys[q] = depot_key[node]
        order = np.argsort(keys[:removed_count])
        for q in range(removed_count):
            c = removed[order[q]]
            best = penalty[c]
            best_k = -1
            best_p = -1
            for x in range(kinds):
                kind_seen[x] = False
            for k in range(vehicles):
                if not usable[k]:
                    continue
                length = route_length[k]
                if length == 0:
                    if kind_seen[vehicle_kind[k]]:
                        continue
                    kind_seen[vehicle_kind[k]] = True
                fits = True
                for d in range(width):
                    if load[k, d] + demand[c, d] > capacity[k, d]:
                        fits = False
                if not fits:
                    continue
                table = arc_cost[cost_class[k]]
                extra = fixed_cost[k] if length == 0 else 0
                for p in range(length + 1):
                    if blink > 0.0 and np.random.random() < blink:
                        continue
                    before = 0 if p == 0 else route_nodes[k, p - 1]
                    after = 0 if p == length else route_nodes[k, p]
                    delta = table[before, c] + table[c, after] - table[before, after] + extra
                    if delta >= best:
                        continue
                    duration, warp = _insert_eval(k, p, c, net, sol)
                    if warp == 0 and duration <= max_duration[k]:
                        best = delta
                        best_k = k
                        best_p = p
            if best_k < 0:
                absent[c] = True
                continue
            if not touched[best_k]:
                touched[best_k] = True
                touched_list[touched_count] = best_k
                touched_count += 1
                backup_length[best_k] = route_length[best_k]
                for x in range(route_length[best_k]):
                    backup_nodes[best_k, x] = route_nodes[best_k, x]
            _put(best_k, best_p, c, route_nodes, route_length)
            _rebuild(best_k, net, sol)
        # Accept or undo.
        change = 0
        for x in range(touched_count):
            k = touched_list[x]
            change += route_arc_cost(k, arc_cost, cost_class, fixed_cost, route_nodes,
                                     route_length) - route_cost[k]
        for node in range(1, size):
            if absent[node] != absent_before[node]:
                change += penalty[node] if absent[node] else -penalty[node]
        candidate = totals[0] + change
        threshold = float(totals[0]) - temperature * np.log(np.random.random() + 1e-300)
        if float(candidate) < threshold:
            accepted += 1
            totals[0] = candidate
            for x in range(touched_count):
                k = touched_list[x]
                route_cost[k] = route_arc_cost(k, arc_cost, cost_class, fixed_cost,
                                               route_nodes, route_length)
            if candidate < totals[1]:
                totals[1] = candidate
                for k in range(vehicles):
                    best_length[k] = route_length[k]
                    for x in range(route_length[k]):
                        best_nodes[k, x] = route_nodes[k, x]
                for node in range(size):
                    best_absent[node] = absent[node]
        else:
            for x in range(touched_count):
                k = touched_list[x]
                for q in range(route_length[k]):
                    route_of[route_nodes[k, q]] = -1
                route_length[k] = backup_length[k]
                for q in range(backup_length[k]):
                    route_nodes[k, q] = backup_nodes[k, q]
            for node in range(size):
                absent[node] = absent_before[node]
            for x in range(touched_count):
                k = touched_list[x]
                _rebuild(k, net, sol)
        for x in range(touched_count):
            k = touched_list[x]
            touched[k] = False
            ruined[k] = False
    return accepted
