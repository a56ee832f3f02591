"""Which services run on a date: ``calendar.txt`` then ``calendar_dates.txt``.

The rule (GTFS reference): a service runs on day *D* when a ``calendar.txt`` row
covers *D* (``start_date <= D <= end_date``) with *D*'s weekday set, unless a
``calendar_dates.txt`` row removes *D* (``exception_type`` 2); a
``calendar_dates.txt`` row with ``exception_type`` 1 adds *D*. A date listed in
both files is therefore evaluated once, as a set: an "add" of a day the calendar
already runs changes nothing, and never runs a trip twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

ADDED = 1
REMOVED = 2


@dataclass(frozen=True, slots=True, eq=False)
class ServiceCalendar:
    """Both calendar files as arrays (dates as proleptic ordinals, ``date.toordinal``).

    ``weekdays`` is ``(n, 7)``, Monday first.
    """

    service_ids: tuple[str, ...]
    start: NDArray[np.int64]
    end: NDArray[np.int64]
    weekdays: NDArray[np.bool_]
    exception_service_ids: tuple[str, ...]
    exception_date: NDArray[np.int64]
    exception_type: NDArray[np.int8]

    def active_services(self, day: date) -> frozenset[str]:
        """Return the ids of the services that run on ``day``."""
        d = day.toordinal()
        on = (self.start <= d) & (d <= self.end) & self.weekdays[:, day.weekday()] \
            if len(self.service_ids) else np.zeros(0, bool)
        active = {self.service_ids[i] for i in np.flatnonzero(on)}
        hits = np.flatnonzero(self.exception_date == d)
        # removals first, then additions: a (service, date) given both ways is added
        for i in hits:
            if self.exception_type[i] == REMOVED:
                active.discard(self.exception_service_ids[i])
        for i in hits:
            if self.exception_type[i] == ADDED:
                active.add(self.exception_service_ids[i])
        return frozenset(active)

    def date_range(self) -> tuple[date, date] | None:
        """Return the first and last date any calendar row or added date covers."""
        lows = [int(self.start.min())] if len(self.start) else []
        highs = [int(self.end.max())] if len(self.end) else []
        added = self.exception_date[self.exception_type == ADDED]
        if len(added):
            lows.append(int(added.min()))
            highs.append(int(added.max()))
        if not lows:
            return None
        return date.fromordinal(min(lows)), date.fromordinal(max(highs))
