"""Tests for gtfs.reader: reading a feed and the checks that name file and line."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from gtfs.compile import compile_service_day
from gtfs.errors import FeedError
from gtfs.reader import read_feed
from tests.gtfs.conftest import BASE_FILES, FeedMaker

ST_HEADER = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"


def _error(path: Path, **kwargs: int) -> str:
    with pytest.raises(FeedError) as info:
        read_feed(path, **kwargs)
    return str(info.value)


def test_reads_folder_and_zip_alike(make_feed: FeedMaker) -> None:
    """A folder and a zip of the same files give the same arrays and counts."""
    a, b = read_feed(make_feed()), read_feed(make_feed(as_zip=True))
    assert a.n_stop_times == b.n_stop_times == 6
    assert a.timezone == "Asia/Tokyo" and a.agency_names == ("Hitachi Bus",)
    assert a.stop_times.arrival_s.tolist() == b.stop_times.arrival_s.tolist()
    assert len(a.sha256) == 64 and a.warnings == ()


def test_ids_stay_strings(make_feed: FeedMaker) -> None:
    """Ids such as ``007`` or ``NA`` stay exactly as written (no number, no missing value)."""
    stops = BASE_FILES["stops.txt"].replace("S1,", "007,").replace("S2,", "NA,")
    times = BASE_FILES["stop_times.txt"].replace(",S1,", ",007,").replace(",S2,", ",NA,")
    feed = read_feed(make_feed(stops_txt=stops, stop_times_txt=times))
    assert feed.stops["stop_id"].tolist()[:2] == ["007", "NA"]
    assert feed.gk.stops["stop_id"].tolist()[:2] == ["007", "NA"]
    assert feed.stop_times.stop[:2].tolist() == [0, 1]
    tt = compile_service_day(feed, date(2026, 1, 5))
    assert tt.stop_lookup("007") == 0 and tt.stop_lookup("NA") == 1


def test_one_digit_hours_and_past_midnight(make_feed: FeedMaker) -> None:
    """``7:05:00`` and ``25:10:00`` are parsed to seconds."""
    times = (ST_HEADER + "T1,7:05:00,7:05:00,S1,1\nT1,25:10:00,25:10:00,S2,2\n"
             "T2,9:00:00,9:00:00,S1,1\nT2,9:10:00,9:10:00,S2,2\n")
    feed = read_feed(make_feed(stop_times_txt=times))
    assert feed.stop_times.arrival_s.tolist() == [25500, 90600, 32400, 33000]


def test_stop_times_sorted_by_sequence(make_feed: FeedMaker) -> None:
    """Rows out of order are sorted by stop_sequence, keeping their line numbers."""
    times = (ST_HEADER + "T1,08:10:00,08:10:00,S2,2\nT1,08:00:00,08:00:00,S1,1\n"
             "T2,09:00:00,09:00:00,S1,1\nT2,09:10:00,09:10:00,S2,2\n")
    feed = read_feed(make_feed(stop_times_txt=times))
    assert feed.stop_times.stop[:2].tolist() == [0, 1]
    assert feed.stop_times.line[:2].tolist() == [3, 2]


@pytest.mark.parametrize("name", ["agency", "stops", "routes", "trips", "stop_times"])
def test_missing_required_file(make_feed: FeedMaker, name: str) -> None:
    """A missing required file is an error naming the file."""
    message = _error(make_feed(**{f"{name}_txt": None}))
    assert message.startswith(f"{name}.txt: ") and "missing" in message


def test_missing_both_calendar_files(make_feed: FeedMaker) -> None:
    """Without calendar.txt and calendar_dates.txt the feed is refused."""
    message = _error(make_feed(calendar_txt=None))
    assert message.startswith("calendar.txt: ") and "calendar_dates.txt" in message


def test_calendar_dates_alone_is_enough(make_feed: FeedMaker) -> None:
    """A feed with only calendar_dates.txt is accepted."""
    feed = read_feed(make_feed(calendar_txt=None,
                               calendar_dates_txt="service_id,date,exception_type\n"
                                                  "WK,20260105,1\n"))
    assert feed.calendar.active_services(date(2026, 1, 5)) == {"WK"}


def test_missing_required_column(make_feed: FeedMaker) -> None:
    """A missing required column names the file and the header line."""
    stops = "stop_id,stop_name,stop_lon\nS1,One,140.65\n"
    assert _error(make_feed(stops_txt=stops)) == \
        "stops.txt:1: missing required column 'stop_lat'"


def test_malformed_time(make_feed: FeedMaker) -> None:
    """A time that is not H:MM:SS names the line."""
    times = BASE_FILES["stop_times.txt"].replace("T1,08:10:00,08:10:00", "T1,8:1:00,8:1:00")
    message = _error(make_feed(stop_times_txt=times))
    assert message.startswith("stop_times.txt:3: arrival_time '8:1:00'")


def test_trip_going_back_in_time(make_feed: FeedMaker) -> None:
    """An arrival before the previous departure names the later line."""
    times = BASE_FILES["stop_times.txt"].replace("T1,08:20:00,08:20:00", "T1,08:05:00,08:05:00")
    message = _error(make_feed(stop_times_txt=times))
    assert message.startswith("stop_times.txt:4: trip 'T1' goes back in time")


def test_departure_before_arrival(make_feed: FeedMaker) -> None:
    """A departure before its own arrival is an error on that line."""
    times = BASE_FILES["stop_times.txt"].replace("T2,09:10:00,09:10:00", "T2,09:10:00,09:09:00")
    assert _error(make_feed(stop_times_txt=times)).startswith("stop_times.txt:6: trip 'T2'")


def test_dangling_trip_route(make_feed: FeedMaker) -> None:
    """A trip of an unknown route names trips.txt and the line."""
    trips = BASE_FILES["trips.txt"].replace("R1,WK,T2", "R9,WK,T2")
    assert _error(make_feed(trips_txt=trips)) == \
        "trips.txt:3: route_id 'R9' is not in routes.txt"


def test_dangling_stop_time_trip(make_feed: FeedMaker) -> None:
    """A stop time of an unknown trip names the line."""
    times = BASE_FILES["stop_times.txt"] + "T9,10:00:00,10:00:00,S1,1\n"
    assert _error(make_feed(stop_times_txt=times)) == \
        "stop_times.txt:8: trip_id 'T9' is not in trips.txt"


def test_dangling_stop_time_stop(make_feed: FeedMaker) -> None:
    """A stop time at an unknown stop names the line."""
    times = BASE_FILES["stop_times.txt"].replace("09:20:00,S3", "09:20:00,S9")
    assert _error(make_feed(stop_times_txt=times)) == \
        "stop_times.txt:7: stop_id 'S9' is not in stops.txt"


def test_stop_without_coordinates(make_feed: FeedMaker) -> None:
    """A stop without stop_lat/stop_lon is an error on its line."""
    stops = BASE_FILES["stops.txt"].replace("S3,Three,36.60,140.670", "S3,Three,,")
    assert _error(make_feed(stops_txt=stops)) == \
        "stops.txt:4: stop 'S3' has no coordinates (stop_lat/stop_lon blank)"


def test_generic_node_may_lack_coordinates(make_feed: FeedMaker) -> None:
    """A generic node (location_type 3) without coordinates is accepted."""
    stops = ("stop_id,stop_name,stop_lat,stop_lon,location_type\n"
             + "".join(line + ",0\n" for line in BASE_FILES["stops.txt"].splitlines()[1:])
             + "N1,Node,,,3\n")
    feed = read_feed(make_feed(stops_txt=stops))
    assert np.isnan(feed.stop_lat[-1])


@pytest.mark.parametrize(("file", "text", "expected"), [
    ("stops.txt", BASE_FILES["stops.txt"] + "S2,Again,36.6,140.7\n",
     "stops.txt:6: duplicated stop_id 'S2' (first at line 3)"),
    ("routes.txt", BASE_FILES["routes.txt"] + "R1,A,2,Again,3\n",
     "routes.txt:3: duplicated route_id 'R1' (first at line 2)"),
    ("trips.txt", BASE_FILES["trips.txt"] + "R1,WK,T1\n",
     "trips.txt:4: duplicated trip_id 'T1' (first at line 2)"),
    ("stop_times.txt", BASE_FILES["stop_times.txt"] + "T2,09:30:00,09:30:00,S4,3\n",
     "stop_times.txt:8: duplicated stop_sequence 3 in trip 'T2' (first at line 7)"),
    ("calendar.txt", BASE_FILES["calendar.txt"] + "WK,1,1,1,1,1,1,1,20260101,20261231\n",
     "calendar.txt:3: duplicated service_id 'WK' (first at line 2)"),
])
def test_duplicated_ids(make_feed: FeedMaker, file: str, text: str, expected: str) -> None:
    """A duplicated id names the file, the line and the first occurrence."""
    assert _error(make_feed(**{file.replace(".txt", "_txt"): text})) == expected


def test_malformed_date_and_number(make_feed: FeedMaker) -> None:
    """A bad date or a non-numeric route_type names its line."""
    cal = BASE_FILES["calendar.txt"].replace("20261231", "2026-12-31")
    assert _error(make_feed(calendar_txt=cal)).startswith("calendar.txt:2: end_date '2026-12-31'")
    routes = BASE_FILES["routes.txt"].replace("BRT,3", "BRT,bus")
    assert _error(make_feed(routes_txt=routes)).startswith("routes.txt:2: route_type 'bus'")


def test_blank_first_time_is_an_error(make_feed: FeedMaker) -> None:
    """The first stop of a trip must be timed (nothing to interpolate from)."""
    times = BASE_FILES["stop_times.txt"].replace("T2,09:00:00,09:00:00", "T2,,")
    assert _error(make_feed(stop_times_txt=times)).startswith(
        "stop_times.txt:5: the first stop of trip 'T2'")


def test_unknown_timezone(make_feed: FeedMaker) -> None:
    """An agency_timezone that is not an IANA zone is an error."""
    agency = BASE_FILES["agency.txt"].replace("Asia/Tokyo", "Mars/Olympus")
    assert _error(make_feed(agency_txt=agency)).startswith("agency.txt:2: agency_timezone")


def test_livable_problems_are_warnings(make_feed: FeedMaker) -> None:
    """A route without trips or a trip of an unknown service is a warning, not an error."""
    routes = BASE_FILES["routes.txt"] + "R2,A,2,Empty,3\n"
    trips = BASE_FILES["trips.txt"].replace("R1,WK,T2", "R1,XX,T2")
    feed = read_feed(make_feed(routes_txt=routes, trips_txt=trips))
    assert any(w.startswith("routes.txt:3: route 'R2' has no trips") for w in feed.warnings)
    assert any(w.startswith("trips.txt:3: service_id 'XX'") for w in feed.warnings)


def test_malformed_csv(make_feed: FeedMaker) -> None:
    """A row with too many fields is an error naming the line."""
    routes = BASE_FILES["routes.txt"] + "R2,A,2,x,3,extra,more\n"
    assert _error(make_feed(routes_txt=routes)).startswith("routes.txt:3: malformed CSV")


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize("evil", ["../stops.txt", "/etc/stops.txt", "a/../../x.txt",
                                  "C:/x/stops.txt"])
def test_unsafe_zip_member_refused(tmp_path: Path, evil: str) -> None:
    """A zip member with an absolute or ``..`` path is refused before anything is read."""
    members = {name: text.encode() for name, text in BASE_FILES.items()}
    members[evil] = b"x"
    message = _error(_zip(tmp_path / "evil.zip", members))
    assert message.startswith(f"{evil}: zip member {evil!r}")


def test_zip_bomb_is_capped(tmp_path: Path) -> None:
    """A member inflating past the cap is an error, not an outage."""
    members = {name: text.encode() for name, text in BASE_FILES.items()}
    members["shapes.txt"] = b"shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence\n" \
        + b" " * 5_000_000
    path = _zip(tmp_path / "bomb.zip", members)
    assert path.stat().st_size < 100_000
    message = _error(path, max_uncompressed_bytes=1_000_000)
    assert message.startswith("bomb.zip: uncompressed size") and "max_uncompressed_bytes" in message


def test_lying_zip_sizes_are_counted(tmp_path: Path) -> None:
    """The cap holds even when the archive declares smaller sizes than it inflates to."""
    members = {name: text.encode() for name, text in BASE_FILES.items()}
    members["shapes.txt"] = b"shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence\n" \
        + b" " * 3_000_000
    path = _zip(tmp_path / "liar.zip", members)
    data = bytearray(path.read_bytes())
    real = (3_000_000 + 53).to_bytes(4, "little")
    fake = (100).to_bytes(4, "little")
    # patch the uncompressed size in the local header and the central directory
    count = data.count(real)
    assert count >= 1
    data = data.replace(real, fake)
    path.write_bytes(bytes(data))
    with pytest.raises(FeedError) as info:
        read_feed(path, max_uncompressed_bytes=1_000_000)
    text = str(info.value)
    assert text.startswith(("liar.zip: uncompressed size", "shapes.txt: cannot decompress"))


def test_not_a_zip(tmp_path: Path) -> None:
    """A file that is not a zip is a FeedError naming it."""
    path = tmp_path / "feed.zip"
    path.write_bytes(b"hello")
    assert _error(path).startswith("feed.zip: not a readable zip archive")


def test_missing_path_is_oserror(tmp_path: Path) -> None:
    """A path that does not exist raises FileNotFoundError."""
    with pytest.raises(FileNotFoundError):
        read_feed(tmp_path / "nope.zip")


def test_tables_in_one_top_level_folder(tmp_path: Path) -> None:
    """A zip whose tables sit in a single folder (``feed/agency.txt``) is read."""
    members = {f"gtfs/{name}": text.encode() for name, text in BASE_FILES.items()}
    feed = read_feed(_zip(tmp_path / "nested.zip", members))
    assert feed.n_stop_times == 6


def test_bom_crlf_quotes_and_padded_header(make_feed: FeedMaker) -> None:
    """A UTF-8 BOM, CRLF line ends, quoted values and a padded header name are accepted."""
    agency = ("\ufeffagency_id, agency_name,agency_url,agency_timezone\r\n"
              '"A","日立 バス","http://example.org","Asia/Tokyo"\r\n')
    feed = read_feed(make_feed(agency_txt=agency))
    assert feed.agency_names == ("日立 バス",) and feed.timezone == "Asia/Tokyo"


def test_not_utf8(make_feed: FeedMaker, tmp_path: Path) -> None:
    """A table in another encoding is an error naming the file."""
    folder = make_feed()
    (folder / "stops.txt").write_bytes(BASE_FILES["stops.txt"].replace("One", "Öne")
                                       .encode("latin-1"))
    assert _error(folder).startswith("stops.txt: not UTF-8 text")


def test_folder_size_cap(make_feed: FeedMaker) -> None:
    """The uncompressed-size cap applies to folders too."""
    assert "exceeds the cap" in _error(make_feed(), max_uncompressed_bytes=100)


def test_gtfs_kit_view_is_typed(make_feed: FeedMaker) -> None:
    """Feed.gk is typed like gtfs_kit.read_feed, so gtfs-kit's own functions work on it."""
    feed = read_feed(make_feed())
    assert feed.stops["stop_lat"].iloc[0] == "36.60"  # the tables as read
    assert feed.gk.stops["stop_lat"].iloc[0] == pytest.approx(36.6)
    assert str(feed.gk.stop_times["stop_sequence"].dtype) == "Int32"
    assert len(feed.gk.get_trips("20260105")) == 2
    assert feed.gk is feed.gk


def test_blank_line_inside_a_table_is_a_warning(make_feed: FeedMaker) -> None:
    """A blank line inside a table is skipped, with a warning naming its line."""
    stops = BASE_FILES["stops.txt"].replace("S3,", "\nS3,")
    feed = read_feed(make_feed(stops_txt=stops))
    assert len(feed.stops) == 4
    assert feed.warnings[0].startswith("stops.txt:4: blank line inside the table")


def test_required_file_without_rows(make_feed: FeedMaker) -> None:
    """A required file holding only its header is an error."""
    message = _error(make_feed(agency_txt="agency_name,agency_url,agency_timezone\n"))
    assert message == "agency.txt:2: required file has a header but no rows"


@pytest.mark.parametrize("bad", ["", "x", "1e400", "99:99:99", '"', "-1"])
def test_corrupt_cells_never_crash(make_feed: FeedMaker, bad: str) -> None:
    """Any cell of the base feed replaced by junk gives a usable feed or a one-line FeedError."""
    outcomes = {"ok": 0, "error": 0}
    for name, text in BASE_FILES.items():
        lines = text.splitlines()
        for r in range(1, len(lines)):
            cells = lines[r].split(",")
            for c in range(len(cells)):
                row = ",".join([*cells[:c], bad, *cells[c + 1:]])
                changed = [*lines[:r], row, *lines[r + 1:]]
                path = make_feed(**{name.replace(".txt", "_txt"): "\n".join(changed) + "\n"})
                try:
                    compile_service_day(read_feed(path), date(2026, 1, 5)).validate()
                    outcomes["ok"] += 1
                except FeedError as exc:
                    assert "\n" not in str(exc) and str(exc).split(":")[0].endswith(".txt")
                    outcomes["error"] += 1
    assert outcomes["error"] > 0


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_corrupt_zip_bytes_are_feed_errors(tmp_path: Path, method: int) -> None:
    """Flipped or cut bytes anywhere in the archive give a FeedError, never another exception."""
    path = tmp_path / "ok.zip"
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, text in BASE_FILES.items():
            zf.writestr(name, text)
    data = path.read_bytes()
    offsets = sorted({*range(0, len(data), 9), *range(len(data) - 64, len(data))})
    cases = [bytes(data[:i]) + bytes([data[i] ^ 0xFF]) + data[i + 1:] for i in offsets]
    cases += [data[:cut] for cut in range(0, len(data), 37)]
    refused = 0
    for damaged in cases:
        path.write_bytes(damaged)
        try:  # a flip in a harmless field (a date, say) may leave a readable feed
            read_feed(path)
        except FeedError:
            refused += 1
    assert refused > len(cases) // 2  # any other exception fails the test above


def test_duplicated_zip_member_refused(tmp_path: Path) -> None:
    """Two members with the same table name make the archive ambiguous: refused."""
    path = tmp_path / "twice.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in BASE_FILES.items():
            zf.writestr(name, text)
        with pytest.warns(UserWarning):
            zf.writestr("stops.txt", BASE_FILES["stops.txt"])
    assert _error(path).startswith("stops.txt: zip member 'stops.txt' appears twice")
