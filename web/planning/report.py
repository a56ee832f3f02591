"""The scenario comparison report: KPI table, charts and per-cell accessibility maps.

:func:`kpi_rows` gives the table (absolute value per scenario, delta against the
first); :func:`write_report` writes ``report.html`` with the table, bar charts
of the main KPIs and, for every alternative, a map of the change in jobs
reachable within 45 minutes per origin cell — all drawn with matplotlib (Agg)
from the cells' coordinates, saved as PNG beside the report and embedded in it
as base64, so the page needs no internet and no tile server.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

#: (key, label, unit, better) — ``better`` is +1 when more is better, -1 when less is.
KPI_SPECS: tuple[tuple[str, str, str, int], ...] = (
    ("door_to_door_mean_min", "Door-to-door, mean", "min", -1),
    ("door_to_door_p50_min", "Door-to-door, median", "min", -1),
    ("door_to_door_p90_min", "Door-to-door, p90", "min", -1),
    ("good_option_45min_pct", "Trips with a transit/DRT option ≤ 45 min", "%", 1),
    ("trips_reached_pct", "Trips with any journey", "%", 1),
    ("jobs_30min_pop_weighted", "Jobs within 30 min (pop.-weighted)", "jobs", 1),
    ("jobs_45min_pop_weighted", "Jobs within 45 min (pop.-weighted)", "jobs", 1),
    ("jobs_60min_pop_weighted", "Jobs within 60 min (pop.-weighted)", "jobs", 1),
    ("transfers_mean", "Transfers per trip", "", -1),
    ("walk_mean_min", "Walking per trip", "min", -1),
    ("ondemand_trips_pct", "Trips using on-demand", "%", 0),
    ("drt_requests", "DRT requests", "", 0),
    ("drt_served_pct", "DRT served", "%", 1),
    ("drt_wait_mean_min", "DRT wait, mean", "min", -1),
    ("drt_vehicle_km", "DRT vehicle-km", "km", -1),
    ("drt_occupancy", "DRT occupancy (pax-km / veh-km)", "", 1),
    ("drt_vehicle_hours", "DRT vehicle-hours", "h", -1),
    ("bus_vehicle_hours", "Bus vehicle-hours", "h", -1),
    ("bus_vehicle_km", "Bus vehicle-km", "km", -1),
    ("vehicle_hours_total", "Vehicle-hours (cost proxy)", "h", -1),
    ("co2_kg_total", "CO2 (bus + DRT)", "kg", -1),
)

CHART_KEYS = ("door_to_door_mean_min", "good_option_45min_pct", "jobs_45min_pop_weighted",
              "vehicle_hours_total", "co2_kg_total", "drt_served_pct")


def _num(v: Any) -> float:
    return math.nan if v is None else float(v)


def kpi_rows(results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The KPI table: one row per KPI with the value of each scenario and its delta to the first.

    ``results`` are :meth:`ScenarioResult.as_dict` values. Each row is
    ``{"key", "label", "unit", "better", "values": [...], "deltas": [...]}``
    (``None`` where not measured; the first delta is always 0 or ``None``).
    """
    rows = []
    for key, label, unit, better in KPI_SPECS:
        vals = [_num(r["kpis"].get(key)) for r in results]
        base = vals[0] if vals else math.nan
        rows.append({"key": key, "label": label, "unit": unit, "better": better,
                     "values": [None if math.isnan(v) else round(v, 3) for v in vals],
                     "deltas": [None if math.isnan(v) or math.isnan(base) else round(v - base, 3)
                                for v in vals]})
    return rows


def format_table(results: Sequence[dict[str, Any]]) -> str:
    """The KPI table as fixed-width text (what the CLI prints)."""
    names = [r["name"] for r in results]
    width = max(12, *(len(n) for n in names)) + 2
    head = f"{'KPI':44s}" + "".join(f"{n:>{width}s}" for n in names)
    lines = [head, "-" * len(head)]
    for row in kpi_rows(results):
        cells = []
        for k, (v, d) in enumerate(zip(row["values"], row["deltas"], strict=True)):
            if v is None:
                cells.append(f"{'n/a':>{width}s}")
            elif k == 0 or d is None:
                cells.append(f"{_fmt(v):>{width}s}")
            else:
                cells.append(f"{_fmt(v) + ' (' + _fmt(d, sign=True) + ')':>{width}s}")
        label = row["label"] + (f" [{row['unit']}]" if row["unit"] else "")
        lines.append(f"{label:44s}" + "".join(cells))
    return "\n".join(lines)


def _fmt(v: float, *, sign: bool = False) -> str:
    s = "+" if sign else ""
    if abs(v) >= 100:
        return f"{v:{s},.0f}"
    return f"{v:{s}.2f}"


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    return buf.getvalue()


def kpi_chart(results: Sequence[dict[str, Any]]) -> bytes:
    """Bar charts of the main KPIs, one panel per KPI, as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [r["name"] for r in results]
    specs = {k: (label, unit) for k, label, unit, _ in KPI_SPECS}
    fig, axes = plt.subplots(2, 3, figsize=(12, 6.5))
    for ax, key in zip(axes.ravel(), CHART_KEYS, strict=True):
        vals = [_num(r["kpis"].get(key)) for r in results]
        ax.bar(range(len(names)), [0 if math.isnan(v) else v for v in vals],
               color=["#777777"] + ["#1f77b4"] * (len(names) - 1))
        ax.set_xticks(range(len(names)), names, rotation=20, ha="right", fontsize=8)
        label, unit = specs[key]
        ax.set_title(label + (f" [{unit}]" if unit else ""), fontsize=9)
    fig.tight_layout()
    data = _png(fig)
    plt.close(fig)
    return data


def access_change_map(cell_lat: np.ndarray, cell_lon: np.ndarray, origins: Sequence[int],
                      delta: np.ndarray, *, title: str) -> bytes:
    """Map of the change in jobs reachable per origin cell (diverging colours), as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    idx = np.asarray(origins, np.int64)
    fig, ax = plt.subplots(figsize=(5.5, 7))
    ax.scatter(cell_lon, cell_lat, s=2, c="#dddddd", marker="s", linewidths=0)
    lim = float(np.nanmax(np.abs(delta))) if delta.size else 1.0
    lim = lim if lim > 0 else 1.0
    sc = ax.scatter(cell_lon[idx], cell_lat[idx], c=delta, s=6, marker="s", cmap="RdBu",
                    vmin=-lim, vmax=lim, linewidths=0)
    fig.colorbar(sc, ax=ax, shrink=0.7, label="Δ jobs reachable")
    ax.set_aspect(1.0 / math.cos(math.radians(float(np.mean(cell_lat)))))
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    data = _png(fig)
    plt.close(fig)
    return data


def _img(data: bytes, alt: str) -> str:
    b64 = base64.b64encode(data).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{b64}">'


def write_report(out_dir: Path, results: Sequence[dict[str, Any]], *, cell_lat: np.ndarray,
                 cell_lon: np.ndarray, threshold_index: int = 1,
                 meta: dict[str, Any] | None = None) -> dict[str, str]:
    """Write ``report.html`` and its PNGs into ``out_dir``; return ``{figure: file name}``.

    ``threshold_index`` picks the accessibility threshold mapped (1: 45 min).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    chart = kpi_chart(results)
    (out_dir / "kpis.png").write_bytes(chart)
    files["kpis"] = "kpis.png"
    maps: list[tuple[str, bytes]] = []
    base = results[0]
    base_jobs = np.array([row[threshold_index] for row in base["access_median_jobs"]], float)
    for k, r in enumerate(results[1:], start=1):
        if list(r["access_origins"]) != list(base["access_origins"]):
            continue
        jobs = np.array([row[threshold_index] for row in r["access_median_jobs"]], float)
        png = access_change_map(cell_lat, cell_lon, base["access_origins"], jobs - base_jobs,
                                title=f"{r['name']} − {base['name']}: jobs within "
                                      f"{['30', '45', '60'][threshold_index]} min (median)")
        name = f"access_change_{k}.png"
        (out_dir / name).write_bytes(png)
        files[f"access_change_{k}"] = name
        maps.append((r["name"], png))
    rows = kpi_rows(results)
    esc = html.escape
    head = "".join(f"<th>{esc(r['name'])}</th>" for r in results) + "".join(
        f"<th>Δ {esc(r['name'])}</th>" for r in results[1:])
    body = []
    for row in rows:
        cells = "".join(f"<td>{'n/a' if v is None else _fmt(v)}</td>" for v in row["values"])
        for d in row["deltas"][1:]:
            cls = ""
            if d is not None and d != 0 and row["better"]:
                cls = ' class="better"' if d * row["better"] > 0 else ' class="worse"'
            cells += f"<td{cls}>{'n/a' if d is None else _fmt(d, sign=True)}</td>"
        unit = f" [{esc(row['unit'])}]" if row["unit"] else ""
        body.append(f'<tr data-kpi="{row["key"]}"><th>{esc(row["label"])}{unit}</th>{cells}</tr>')
    meta_html = "".join(f"<li>{esc(str(k))}: {esc(str(v))}</li>" for k, v in (meta or {}).items())
    map_html = "".join(f"<figure>{_img(png, 'accessibility change ' + n)}"
                       f"<figcaption>{esc(n)}</figcaption></figure>" for n, png in maps)
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tsunagu scenario comparison</title>
<style>
body {{ font-family: sans-serif; margin: 1.5em; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: 3px 8px; }}
td {{ text-align: right; }} .better {{ color: #0a6e0a; }} .worse {{ color: #b00020; }}
figure {{ display: inline-block; margin: 0.5em; }}
</style></head><body>
<h1>Scenario comparison</h1>
<p>Reference: <b>{esc(base['name'])}</b>; deltas are against it.</p>
<ul>{meta_html}</ul>
<h2>KPIs</h2>
<table id="kpis"><thead><tr><th>KPI</th>{head}</tr></thead><tbody>
{chr(10).join(body)}
</tbody></table>
<h2>Charts</h2>
<figure id="chart">{_img(chart, 'KPI charts')}</figure>
<h2>Accessibility change per cell</h2>
<p>Jobs reachable on foot, by scheduled transit and with an on-demand ride to a hub of the
origin's zone (median over the departures); on-demand rides from a hub to the destination are
not in this measure.</p>
{map_html or '<p>No alternative to map.</p>'}
</body></html>
"""
    (out_dir / "report.html").write_text(page, encoding="utf-8")
    files["report"] = "report.html"
    return files


__all__ = ["KPI_SPECS", "access_change_map", "format_table", "kpi_chart", "kpi_rows",
           "write_report"]
