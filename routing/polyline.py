"""Google's encoded polyline format (precision 1e-5), as OTP uses for leg geometry."""

from __future__ import annotations

from collections.abc import Iterable


def encode(points: Iterable[tuple[float, float]]) -> str:
    """Return the encoded polyline of ``(lat, lon)`` points."""
    out: list[str] = []
    prev_lat = prev_lon = 0
    for lat, lon in points:
        ilat, ilon = round(lat * 1e5), round(lon * 1e5)
        for delta in (ilat - prev_lat, ilon - prev_lon):
            v = ~(delta << 1) if delta < 0 else delta << 1
            while v >= 0x20:
                out.append(chr((0x20 | (v & 0x1F)) + 63))
                v >>= 5
            out.append(chr(v + 63))
        prev_lat, prev_lon = ilat, ilon
    return "".join(out)


def decode(text: str) -> list[tuple[float, float]]:
    """Return the ``(lat, lon)`` points of an encoded polyline."""
    points: list[tuple[float, float]] = []
    i = lat = lon = 0
    while i < len(text):
        vals = []
        for _ in range(2):
            shift = result = 0
            while True:
                b = ord(text[i]) - 63
                i += 1
                result |= (b & 0x1F) << shift
                shift += 5
                if b < 0x20:
                    break
            vals.append(~(result >> 1) if result & 1 else result >> 1)
        lat += vals[0]
        lon += vals[1]
        points.append((lat / 1e5, lon / 1e5))
    return points
