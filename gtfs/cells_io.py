"""Read demand inputs from files: cells (CSV or GeoPackage) and OD trips (CSV); write OD trips.

This lives in ``gtfs/`` (the layer that owns pandas and geopandas and reads
every other file of a city, including the demo city's ``cells.csv``) and not in
``transit/``, which must stay free of file-format libraries: ``transit.demand``
holds the arrays and the model, this module fills them.

Cells CSV (the demo's ``cells.csv``): ``cell_id,lat,lon,population,jobs[,...]``.
GeoPackage: one layer of polygons (any CRS) with population and jobs columns;
each polygon becomes its centroid (computed in a local UTM projection) and the
cell size the square root of the median area. OD CSV:
``id,origin_lat,origin_lon,destination_lat,destination_lon,depart`` with
``depart`` as ``H:MM:SS`` or seconds. Errors are :class:`DemandFileError`
``file:line: message`` (header = line 1).
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pandas as pd

from gtfs.errors import FeedError
from gtfs.times import format_time, parse_times
from transit.demand import Cells, ODTrips
from transit.errors import ModelError

__all__ = ["OD_COLUMNS", "DemandFileError", "read_cells", "read_cells_csv",
           "read_cells_geopackage", "read_od_csv", "write_od_csv"]

OD_COLUMNS = ("id", "origin_lat", "origin_lon", "destination_lat", "destination_lon", "depart")
CELL_COLUMNS = ("lat", "lon", "population", "jobs")


class DemandFileError(FeedError):
    """A demand file is wrong: ``file:line: message``."""


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DemandFileError(f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                              file=path.name) from None
    except pd.errors.EmptyDataError:
        raise DemandFileError("the file is empty", file=path.name) from None
    except pd.errors.ParserError as exc:
        raise DemandFileError(f"malformed CSV ({str(exc).strip()})", file=path.name) from None
    df.columns = [str(c).strip() for c in df.columns]
    return df


def _numbers(df: pd.DataFrame, col: str, file: str, *, low: float | None = None,
             high: float | None = None) -> np.ndarray:
    text = df[col].astype(str).str.strip()
    values = pd.to_numeric(text, errors="coerce").to_numpy(np.float64)
    bad = ~np.isfinite(values)
    if low is not None:
        bad |= values < low
    if high is not None:
        bad |= np.abs(values) > high
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        want = "a number" if low is None and high is None else \
            ("a number >= 0" if low is not None else f"a coordinate within ±{high:g}")
        raise DemandFileError(f"{col} {text.iloc[i]!r} is not {want}", file=file, line=i + 2)
    return values


def _require(df: pd.DataFrame, cols: tuple[str, ...], file: str) -> None:
    for col in cols:
        if col not in df.columns:
            raise DemandFileError(f"missing required column {col!r} (columns: "
                                  f"{', '.join(df.columns)})", file=file, line=1)
    if df.empty:
        raise DemandFileError("no rows", file=file, line=2)


def read_cells_csv(path: str | Path, *, cell_size_m: float = 250.0) -> Cells:
    """Read cells from a CSV with ``lat, lon, population, jobs`` (and optionally ``cell_id``).

    Raises
    ------
    DemandFileError
        Naming the line and the value of the first bad cell.
    OSError
        If the file cannot be read.
    """
    path = Path(path)
    df = _read_csv(path)
    _require(df, CELL_COLUMNS, path.name)
    lat = _numbers(df, "lat", path.name, high=90)
    lon = _numbers(df, "lon", path.name, high=180)
    pop = _numbers(df, "population", path.name, low=0)
    jobs = _numbers(df, "jobs", path.name, low=0)
    ids = tuple(df["cell_id"].astype(str)) if "cell_id" in df.columns else ()
    try:
        return Cells(lat, lon, pop, jobs, cell_size_m=cell_size_m, cell_ids=ids)
    except ModelError as exc:
        raise DemandFileError(str(exc), file=path.name) from None


def read_cells_geopackage(path: str | Path, *, layer: str | None = None,
                          population: str = "population", jobs: str = "jobs") -> Cells:
    """Read cells from a GeoPackage layer of polygons (or points) with population and jobs.

    Polygons become centroids computed in the layer's local UTM zone; the
    cell size is the square root of the median polygon area (0 for points).
    """
    import geopandas as gpd  # heavy; only this reader needs it

    path = Path(path)
    try:
        gdf = gpd.read_file(path, layer=layer)
    except Exception as exc:  # pyogrio raises its own DataSourceError types
        raise DemandFileError(f"cannot read the GeoPackage ({exc})", file=path.name) from None
    for col in (population, jobs):
        if col not in gdf.columns:
            raise DemandFileError(f"missing column {col!r} (columns: "
                                  f"{', '.join(map(str, gdf.columns))})", file=path.name)
    if gdf.empty:
        raise DemandFileError("the layer has no features", file=path.name)
    if gdf.crs is None:
        raise DemandFileError("the layer has no CRS; cannot place its cells", file=path.name)
    if gdf.geometry.isna().any() or gdf.geometry.is_empty.any():
        i = int(np.flatnonzero((gdf.geometry.isna() | gdf.geometry.is_empty).to_numpy())[0])
        raise DemandFileError(f"feature {i} has no geometry", file=path.name)
    utm = gdf.estimate_utm_crs()
    metric = gdf.to_crs(utm)
    centroids = metric.geometry.centroid.to_crs("EPSG:4326")
    area = metric.geometry.area.to_numpy()
    size = float(math.sqrt(np.median(area))) if (area > 0).any() else 0.0
    frame = pd.DataFrame({"population": gdf[population].astype(str),
                          "jobs": gdf[jobs].astype(str)})
    pop = _numbers(frame, "population", path.name, low=0)
    job = _numbers(frame, "jobs", path.name, low=0)
    try:
        return Cells(centroids.y.to_numpy(), centroids.x.to_numpy(), pop, job,
                     cell_size_m=size)
    except ModelError as exc:
        raise DemandFileError(str(exc), file=path.name) from None


def read_cells(path: str | Path, **options: object) -> Cells:
    """Read cells from a ``.csv`` or a ``.gpkg`` file (by extension)."""
    path = Path(path)
    if path.suffix.lower() == ".gpkg":
        return read_cells_geopackage(path, **options)  # type: ignore[arg-type]
    return read_cells_csv(path, **options)  # type: ignore[arg-type]


def read_od_csv(path: str | Path) -> ODTrips:
    """Read OD trips: ``id,origin_lat,origin_lon,destination_lat,destination_lon,depart``.

    ``depart`` is ``H:MM:SS`` (past 24:00 allowed) or whole seconds. Trips come
    back sorted by departure (ties in file order), cells -1.
    """
    path = Path(path)
    df = _read_csv(path)
    _require(df, OD_COLUMNS, path.name)
    ids = df["id"].astype(str).str.strip()
    blank = (ids == "").to_numpy()
    if blank.any():
        raise DemandFileError("id is blank", file=path.name, line=int(np.flatnonzero(blank)[0]) + 2)
    dup = ids.duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise DemandFileError(f"duplicated id {ids.iloc[i]!r}", file=path.name, line=i + 2)
    coords = {c: _numbers(df, c, path.name, high=90 if c.endswith("lat") else 180)
              for c in OD_COLUMNS[1:5]}
    text = df["depart"].astype(str).str.strip()
    secs, _ = parse_times(text)
    depart = secs.astype(np.int64)
    plain = text.str.fullmatch(r"\d+").to_numpy()
    depart[plain] = text[plain].astype(np.int64).to_numpy()
    bad = depart < 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DemandFileError(f"depart {text.iloc[i]!r} is not a time H:MM:SS or seconds",
                              file=path.name, line=i + 2)
    order = np.lexsort((np.arange(len(depart)), depart))
    none = np.full(len(depart), -1, np.int64)
    return ODTrips(origin_lat=coords["origin_lat"][order], origin_lon=coords["origin_lon"][order],
                   destination_lat=coords["destination_lat"][order],
                   destination_lon=coords["destination_lon"][order], depart_s=depart[order],
                   origin_cell=none, destination_cell=none.copy(),
                   trip_ids=tuple(ids.to_numpy()[order].tolist()))


def write_od_csv(trips: ODTrips, path: str | Path) -> Path:
    """Write ``trips`` as an OD CSV (coordinates to 6 decimals, ``depart`` as ``HH:MM:SS``).

    Cells, when known, go to ``origin_cell``/``destination_cell`` columns.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame({
        "id": trips.trip_ids,
        "origin_lat": np.char.mod("%.6f", trips.origin_lat),
        "origin_lon": np.char.mod("%.6f", trips.origin_lon),
        "destination_lat": np.char.mod("%.6f", trips.destination_lat),
        "destination_lon": np.char.mod("%.6f", trips.destination_lon),
        "depart": [format_time(int(s)) for s in trips.depart_s.tolist()],
        "origin_cell": trips.origin_cell, "destination_cell": trips.destination_cell})
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n")
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path
