"""ASL timestamps: the RFC 3339 profile that Choice rules and Wait states accept.

ASL spec, "Timestamps": RFC 3339 with an uppercase "T" between date and time and an uppercase "Z"
when there is no numeric offset (e.g. "2016-03-14T01:59:00Z"). Fractions go to nanoseconds, as in
Java's time types that AWS uses, so comparisons keep the full precision a timestamp carries.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})\Z"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class Timestamp(NamedTuple):
    """An instant: whole seconds since the Unix epoch plus nanoseconds; tuples order by time."""

    seconds: int
    nanos: int

    def to_datetime(self) -> datetime:
        """As a UTC-aware datetime (microsecond precision; extra digits are truncated)."""
        return _EPOCH + timedelta(seconds=self.seconds, microseconds=self.nanos // 1000)


def parse_timestamp(value: Any) -> Timestamp | None:
    """The instant ``value`` denotes, or None when it is not an ASL timestamp string."""
    if not isinstance(value, str):
        return None
    match = _RFC3339.match(value)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction, zone = match.group(7) or "", match.group(8)
    if zone == "Z":
        offset = timedelta(0)
    else:
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if hours > 23 or minutes > 59:
            return None
        offset = timedelta(hours=hours, minutes=minutes) * (-1 if zone[0] == "-" else 1)
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=timezone(offset))
    except ValueError:  # month 13, February 30, hour 24, second 60...
        return None
    return Timestamp((moment - _EPOCH) // timedelta(seconds=1), int(fraction.ljust(9, "0")))
