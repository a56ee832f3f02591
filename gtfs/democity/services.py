"""Service calendar of the demo feed: Japan's fiscal year 2026 with its holidays.

Two services: ``weekday`` (Monday-Friday) and ``weekend`` (Saturday, Sunday).
On a national holiday or a year-end day that falls on a weekday, buses run
the weekend timetable: ``calendar_dates.txt`` removes ``weekday`` (type 2)
and adds ``weekend`` (type 1) on that date, which therefore appears in both
calendar files.
"""

from __future__ import annotations

from datetime import date

FEED_START = date(2026, 4, 1)
FEED_END = date(2027, 3, 31)
WEEKDAY = "weekday"
WEEKEND = "weekend"

#: National holidays of FY2026 (Cabinet Office list) and the year-end break.
HOLIDAYS: tuple[tuple[date, str], ...] = (
    (date(2026, 4, 29), "昭和の日"),
    (date(2026, 5, 3), "憲法記念日"),
    (date(2026, 5, 4), "みどりの日"),
    (date(2026, 5, 5), "こどもの日"),
    (date(2026, 5, 6), "振替休日"),
    (date(2026, 7, 20), "海の日"),
    (date(2026, 8, 11), "山の日"),
    (date(2026, 9, 21), "敬老の日"),
    (date(2026, 9, 22), "国民の休日"),
    (date(2026, 9, 23), "秋分の日"),
    (date(2026, 10, 12), "スポーツの日"),
    (date(2026, 11, 3), "文化の日"),
    (date(2026, 11, 23), "勤労感謝の日"),
    (date(2026, 12, 29), "年末"),
    (date(2026, 12, 30), "年末"),
    (date(2026, 12, 31), "年末"),
    (date(2027, 1, 1), "元日"),
    (date(2027, 1, 11), "成人の日"),
    (date(2027, 2, 11), "建国記念の日"),
    (date(2027, 2, 23), "天皇誕生日"),
    (date(2027, 3, 21), "春分の日"),
    (date(2027, 3, 22), "振替休日"),
)

#: A plain Wednesday in term time: the date ``tsunagu demo`` compiles by default.
SAMPLE_WEEKDAY = date(2026, 10, 7)


def weekday_holidays() -> tuple[date, ...]:
    """Return the holidays that fall Monday-Friday (those needing an exception)."""
    return tuple(d for d, _ in HOLIDAYS if d.weekday() < 5)


def calendar_rows() -> list[dict[str, str]]:
    """Return the rows of ``calendar.txt``."""
    start, end = FEED_START.strftime("%Y%m%d"), FEED_END.strftime("%Y%m%d")
    week = {WEEKDAY: "1111100", WEEKEND: "0000011"}
    days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    rows = []
    for service, flags in week.items():
        row = {"service_id": service}
        row.update({d: f for d, f in zip(days, flags, strict=True)})
        row.update(start_date=start, end_date=end)
        rows.append(row)
    return rows


def calendar_date_rows() -> list[dict[str, str]]:
    """Return the rows of ``calendar_dates.txt``: weekday holidays run weekend service."""
    rows = []
    for d in weekday_holidays():
        day = d.strftime("%Y%m%d")
        rows.append({"service_id": WEEKDAY, "date": day, "exception_type": "2"})
        rows.append({"service_id": WEEKEND, "date": day, "exception_type": "1"})
    return rows


def service_ids_on(day: date) -> tuple[str, ...]:
    """Return the services running on ``day`` (empty outside the feed's range)."""
    if not FEED_START <= day <= FEED_END:
        return ()
    if day in weekday_holidays() or day.weekday() >= 5:
        return (WEEKEND,)
    return (WEEKDAY,)
