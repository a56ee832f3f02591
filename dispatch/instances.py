"""Read Cordeau (2006) DARP and Li & Lim (2001) PDPTW benchmark files.

Both formats become one :class:`DarpInstance` with *internal* node indices:
``0`` is the start depot, the last index is the end depot, and every other index
is a pickup or a drop-off.  ``node_ids`` maps an internal index back to the id
written in the file (Li & Lim's end depot is the file's node ``0`` again).
Times and distances stay in the file's own units (Euclidean, unrounded).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dispatch.errors import InstanceError

FORMATS = ("cordeau", "lilim")


@dataclass(frozen=True, slots=True)
class DarpInstance:
    """A static pickup-and-delivery benchmark instance (units as in the file).

    Attributes
    ----------
    name : str
        File stem, e.g. ``"a2-16"``.
    kind : str
        ``"cordeau"`` (objective: distance) or ``"lilim"`` (vehicles, then distance).
    node_ids : tuple of int
        File id of each internal node.
    x, y : tuple of float
        Coordinates; travel time = travel cost = Euclidean distance.
    service : tuple of float
        Service duration at each node.
    load : tuple of int
        Load change at each node (positive at pickups).
    tw_start, tw_end : tuple of float
        Time window on the start of service.
    requests : tuple of (int, int)
        Internal (pickup, drop-off) pairs.
    vehicles : int
        Number of vehicles available.
    capacity : int
        Capacity of each vehicle.
    max_ride : float or None
        Maximum user ride time (drop-off start minus pickup end), if any.
    max_route_duration : float or None
        Maximum route duration (end arrival minus start departure), if any.
    """

    name: str
    kind: str
    node_ids: tuple[int, ...]
    x: tuple[float, ...]
    y: tuple[float, ...]
    service: tuple[float, ...]
    load: tuple[int, ...]
    tw_start: tuple[float, ...]
    tw_end: tuple[float, ...]
    requests: tuple[tuple[int, int], ...]
    vehicles: int
    capacity: int
    max_ride: float | None
    max_route_duration: float | None

    @property
    def n_nodes(self) -> int:
        """Number of internal nodes, both depots included."""
        return len(self.node_ids)

    @property
    def start_depot(self) -> int:
        """Internal index of the start depot."""
        return 0

    @property
    def end_depot(self) -> int:
        """Internal index of the end depot."""
        return len(self.node_ids) - 1

    def distance_matrix(self) -> np.ndarray:
        """Return the unrounded Euclidean distance between every pair of nodes."""
        xy = np.column_stack([np.asarray(self.x), np.asarray(self.y)])
        diff = xy[:, None, :] - xy[None, :, :]
        return np.sqrt((diff ** 2).sum(axis=2))

    def distance(self, a: int, b: int) -> float:
        """Return the Euclidean distance between internal nodes ``a`` and ``b``."""
        return math.hypot(self.x[a] - self.x[b], self.y[a] - self.y[b])


def read_instance(path: str | Path, fmt: str) -> DarpInstance:
    """Read a benchmark file in format ``fmt`` (``"cordeau"`` or ``"lilim"``).

    Raises
    ------
    InstanceError
        When the format is unknown or the file breaks the format; the message
        names ``file:line``.
    """
    if fmt == "cordeau":
        return read_cordeau(path)
    if fmt == "lilim":
        return read_lilim(path)
    raise InstanceError(f"fmt={fmt!r} is not one of {FORMATS}")


def _numeric_lines(path: Path) -> list[tuple[int, list[str]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InstanceError(f"{path}: cannot read instance file ({exc.strerror})") from exc
    rows = [(no, line.split()) for no, line in enumerate(text.splitlines(), start=1)]
    rows = [(no, fields) for no, fields in rows if fields]
    if not rows:
        raise InstanceError(f"{path}:1: instance file is empty")
    return rows


def _numbers(path: Path, no: int, fields: list[str], count: int) -> list[float]:
    if len(fields) < count:
        raise InstanceError(f"{path}:{no}: expected {count} fields, found {len(fields)}")
    try:
        return [float(f) for f in fields[:count]]
    except ValueError as exc:
        raise InstanceError(f"{path}:{no}: not a number in {' '.join(fields)!r}") from exc


def _int_field(path: Path, no: int, value: float, what: str) -> int:
    if value != int(value):
        raise InstanceError(f"{path}:{no}: {what}={value} is not an integer")
    return int(value)


def _fleet(path: Path, no: int, k_f: float, q_f: float) -> tuple[int, int]:
    """The header's vehicle count K and capacity Q, whole and positive."""
    vehicles = _int_field(path, no, k_f, "K")
    capacity = _int_field(path, no, q_f, "Q")
    if vehicles <= 0 or capacity <= 0:
        raise InstanceError(f"{path}:{no}: K={vehicles} and Q={capacity} must be positive")
    return vehicles, capacity


def read_cordeau(path: str | Path) -> DarpInstance:
    """Read a Cordeau (2006) a/b DARP file.

    The header's second field is unreliable (``n`` in some files, ``2n`` in
    others), so ``n`` is the number of nodes with a positive load.  A missing
    end-depot line ``2n+1`` is replaced by a copy of node ``0``.
    """
    path = Path(path)
    rows = _numeric_lines(path)
    head_no, head = rows[0]
    k_f, _f2, t_max, q_f, l_max = _numbers(path, head_no, head, 5)
    vehicles, capacity = _fleet(path, head_no, k_f, q_f)
    nodes: list[tuple[int, list[float]]] = []
    for no, fields in rows[1:]:
        values = _numbers(path, no, fields, 7)
        expected = len(nodes)
        node_id = _int_field(path, no, values[0], "id")
        if node_id != expected:
            raise InstanceError(f"{path}:{no}: node id {node_id}, expected {expected}")
        _int_field(path, no, values[4], "load")
        nodes.append((no, values))
    if not nodes:
        raise InstanceError(f"{path}:{head_no}: no node lines")
    n = sum(1 for _, v in nodes if v[4] > 0)
    if len(nodes) == 2 * n + 1:
        no0, v0 = nodes[0]
        nodes.append((no0, [float(2 * n + 1), *v0[1:]]))
    elif len(nodes) != 2 * n + 2:
        raise InstanceError(
            f"{path}:{nodes[-1][0]}: {len(nodes)} node lines for n={n} requests "
            f"(expected {2 * n + 1} or {2 * n + 2})")
    for i in range(1, n + 1):
        no_p, vp = nodes[i]
        no_d, vd = nodes[i + n]
        if vp[4] <= 0 or vd[4] != -vp[4]:
            raise InstanceError(
                f"{path}:{no_d}: drop-off {i + n} has load {vd[4]:g}, "
                f"expected {-vp[4]:g} (pickup {i} on line {no_p})")
    for no, v in (nodes[0], nodes[-1]):
        if v[4] != 0:
            raise InstanceError(f"{path}:{no}: depot load {v[4]:g} is not 0")
    return DarpInstance(
        name=path.stem, kind="cordeau",
        node_ids=tuple(range(2 * n + 2)),
        x=tuple(v[1] for _, v in nodes), y=tuple(v[2] for _, v in nodes),
        service=tuple(v[3] for _, v in nodes), load=tuple(int(v[4]) for _, v in nodes),
        tw_start=tuple(v[5] for _, v in nodes), tw_end=tuple(v[6] for _, v in nodes),
        requests=tuple((i, i + n) for i in range(1, n + 1)),
        vehicles=vehicles, capacity=capacity, max_ride=l_max, max_route_duration=t_max)


def read_lilim(path: str | Path) -> DarpInstance:
    """Read a Li & Lim (2001) PDPTW file; pairs come from the index columns."""
    path = Path(path)
    rows = _numeric_lines(path)
    head_no, head = rows[0]
    k_f, q_f, _speed = _numbers(path, head_no, head, 3)
    vehicles, capacity = _fleet(path, head_no, k_f, q_f)
    nodes: list[tuple[int, list[float]]] = []
    for no, fields in rows[1:]:
        values = _numbers(path, no, fields, 9)
        node_id = _int_field(path, no, values[0], "id")
        if node_id != len(nodes):
            raise InstanceError(f"{path}:{no}: node id {node_id}, expected {len(nodes)}")
        for col, what in ((3, "demand"), (7, "pickup index"), (8, "delivery index")):
            _int_field(path, no, values[col], what)
        nodes.append((no, values))
    if not nodes:
        raise InstanceError(f"{path}:{head_no}: no node lines")
    m = len(nodes)
    requests: list[tuple[int, int]] = []
    for i in range(1, m):
        no, v = nodes[i]
        pick_idx, deliv_idx = int(v[7]), int(v[8])
        if v[3] > 0 or (v[3] == 0 and deliv_idx > 0):
            if not 0 < deliv_idx < m or int(nodes[deliv_idx][1][7]) != i:
                raise InstanceError(
                    f"{path}:{no}: pickup {i} names delivery {deliv_idx}, "
                    "which does not name it back")
            if nodes[deliv_idx][1][3] != -v[3]:
                raise InstanceError(f"{path}:{no}: pickup {i} and delivery {deliv_idx} "
                                    "have unbalanced demands")
            requests.append((i, deliv_idx))
        elif not 0 < pick_idx < m or int(nodes[pick_idx][1][8]) != i:
            raise InstanceError(f"{path}:{no}: delivery {i} names pickup {pick_idx}, "
                                "which does not name it back")
    if 2 * len(requests) != m - 1:
        raise InstanceError(f"{path}:{nodes[-1][0]}: {m - 1} customer nodes "
                            f"but {len(requests)} pickup-delivery pairs")
    depot_no, depot = nodes[0]
    if depot[3] != 0:
        raise InstanceError(f"{path}:{depot_no}: depot demand {depot[3]:g} is not 0")
    table = [v for _, v in nodes] + [depot]
    return DarpInstance(
        name=path.stem, kind="lilim",
        node_ids=(*range(m), 0),
        x=tuple(v[1] for v in table), y=tuple(v[2] for v in table),
        service=tuple(v[6] for v in table), load=tuple(int(v[3]) for v in table),
        tw_start=tuple(v[4] for v in table), tw_end=tuple(v[5] for v in table),
        requests=tuple(requests), vehicles=vehicles, capacity=capacity,
        max_ride=None, max_route_duration=None)
