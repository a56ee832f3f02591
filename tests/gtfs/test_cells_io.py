"""Tests for reading cells (CSV, GeoPackage) and OD trips (CSV), and writing OD trips."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from gtfs.cells_io import DemandFileError, read_cells, read_od_csv, write_od_csv
from transit.demand import generate_demand

CELLS = ("cell_id,lat,lon,population,jobs,elevation_m\n"
         "0,36.600000,140.600000,100,10,3.0\n"
         "1,36.600000,140.610000,0,50,4.0\n"
         "2,36.610000,140.600000,30,0,5.0\n")


def test_cells_csv_as_the_demo_writes_it(tmp_path: Path) -> None:
    """The demo's cells.csv schema reads into Cells (ids, coordinates, counts)."""
    path = tmp_path / "cells.csv"
    path.write_text(CELLS, encoding="utf-8")
    cells = read_cells(path)
    assert cells.n_cells == 3 and cells.cell_ids == ("0", "1", "2")
    assert cells.population.tolist() == [100.0, 0.0, 30.0]
    assert cells.lon.tolist() == [140.6, 140.61, 140.6]


@pytest.mark.parametrize(("text", "message"), [
    ("lat,lon,population\n36.6,140.6,1\n", "cells.csv:1: missing required column 'jobs'"),
    (CELLS.replace("0,36.600000,140.600000,100", "0,36.600000,140.600000,-100"),
     "cells.csv:2: population '-100' is not a number >= 0"),
    (CELLS.replace("36.610000", "x"), "cells.csv:4: lat 'x' is not a coordinate"),
    ("cell_id,lat,lon,population,jobs\n", "cells.csv:2: no rows"),
])
def test_bad_cells_csv(tmp_path: Path, text: str, message: str) -> None:
    """A bad cells file names the file, the line and the value."""
    path = tmp_path / "cells.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DemandFileError) as info:
        read_cells(path)
    assert message in str(info.value)


def test_geopackage_polygons_become_centroids(tmp_path: Path) -> None:
    """GeoPackage polygons (projected CRS) become WGS84 centroids; size from the median area."""
    polys = [box(140.60, 36.60, 140.6028, 36.60225), box(140.6028, 36.60, 140.6056, 36.60225)]
    gdf = gpd.GeoDataFrame({"population": [10, 20], "jobs": [5, 0]}, geometry=polys,
                           crs="EPSG:4326").to_crs("EPSG:6677")  # JGD2011 zone IX (metres)
    path = tmp_path / "cells.gpkg"
    gdf.to_file(path, driver="GPKG")
    cells = read_cells(path)
    assert cells.lat == pytest.approx([36.601125, 36.601125], abs=1e-6)
    assert cells.lon == pytest.approx([140.6014, 140.6042], abs=1e-6)
    assert cells.population.tolist() == [10.0, 20.0]
    assert 240 < cells.cell_size_m < 260  # 0.0028° x 0.00225° ≈ 250 m x 250 m
    gdf.drop(columns=["jobs"]).to_file(tmp_path / "nojobs.gpkg", driver="GPKG")
    with pytest.raises(DemandFileError, match=r"nojobs\.gpkg: missing column 'jobs'"):
        read_cells(tmp_path / "nojobs.gpkg")


def test_od_csv_round_trip(tmp_path: Path) -> None:
    """Generated trips written as an OD CSV read back with the same ids, points and times."""
    path = tmp_path / "cells.csv"
    path.write_text(CELLS, encoding="utf-8")
    trips = generate_demand(read_cells(path), n_trips=50, seed=5)
    back = read_od_csv(write_od_csv(trips, tmp_path / "od.csv"))
    assert back.trip_ids == trips.trip_ids
    assert np.array_equal(back.depart_s, trips.depart_s)
    assert back.origin_lat == pytest.approx(trips.origin_lat, abs=1e-6)
    assert (back.origin_cell == -1).all()


def test_od_csv_accepts_seconds_and_past_midnight(tmp_path: Path) -> None:
    """depart may be seconds or H:MM:SS past 24:00; trips come back sorted by departure."""
    path = tmp_path / "od.csv"
    path.write_text("id,origin_lat,origin_lon,destination_lat,destination_lon,depart\n"
                    "a,36.6,140.6,36.7,140.7,25:00:00\nb,36.6,140.6,36.7,140.7,3600\n",
                    encoding="utf-8")
    trips = read_od_csv(path)
    assert trips.trip_ids == ("b", "a") and trips.depart_s.tolist() == [3600, 90000]


@pytest.mark.parametrize(("row", "message"), [
    ("a,36.6,140.6,36.7,140.7,7:5", "od.csv:3: depart '7:5' is not a time"),
    ("a,36.6,140.6,36.7,200.7,08:00:00", "od.csv:3: destination_lon '200.7'"),
    ("x,36.6,140.6,36.7,140.7,08:00:00", "od.csv:3: duplicated id 'x'"),
])
def test_bad_od_csv(tmp_path: Path, row: str, message: str) -> None:
    """A bad OD row names the file, the line and the value."""
    path = tmp_path / "od.csv"
    path.write_text("id,origin_lat,origin_lon,destination_lat,destination_lon,depart\n"
                    f"x,36.6,140.6,36.7,140.7,08:00:00\n{row}\n", encoding="utf-8")
    with pytest.raises(DemandFileError) as info:
        read_od_csv(path)
    assert message in str(info.value)
