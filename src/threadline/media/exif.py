"""EXIF facts that place an image: camera, software, time taken, GPS position.

EXIF is attacker-controlled: every value is type-checked, strings are cleaned
of control characters and cut to ``MAX_TEXT`` characters, numbers that are not
finite or out of range are dropped, and at most ``MAX_FIELDS`` raw fields are
kept. A field that cannot be read is left out; it never fails the file.

``present`` is False when the file carries no EXIF at all (never had it, or it
was stripped, as most platforms do on upload) — itself a fact worth recording.

Times are the camera's local clock: ``taken_at`` is naive unless the file has
an ``OffsetTimeOriginal``. A GPS position of exactly (0, 0) is what receivers
without a fix write, and is reported as no position.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from PIL import ExifTags, Image, TiffImagePlugin

from threadline.media.decode import DEFAULT_MAX_PIXELS, open_image

MAX_TEXT = 256
MAX_FIELDS = 512
_BINARY_PREVIEW = 32

_EXIF_IFD = ExifTags.IFD.Exif.value
_GPS_IFD = ExifTags.IFD.GPSInfo.value
_POINTERS = {_EXIF_IFD, _GPS_IFD, ExifTags.IFD.Interop.value}
_OPAQUE = {ExifTags.Base.MakerNote.value, 0xC4A5}  # vendor blobs: size only
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_DATETIME = re.compile(r"(\d{4})[:\-](\d{2})[:\-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")


@dataclass(frozen=True)
class ExifFacts:
    make: str | None = None
    model: str | None = None
    software: str | None = None
    taken_at: datetime | None = None
    gps_lat: float | None = None
    gps_lon: float | None = None
    gps_alt: float | None = None
    orientation: int | None = None
    present: bool = False
    fields_raw: dict[str, str] = field(default_factory=dict, hash=False)

    def as_json(self) -> dict[str, Any]:
        return {
            "present": self.present,
            "make": self.make,
            "model": self.model,
            "software": self.software,
            "taken_at": None if self.taken_at is None else self.taken_at.isoformat(),
            "gps_lat": self.gps_lat,
            "gps_lon": self.gps_lon,
            "gps_alt": self.gps_alt,
            "orientation": self.orientation,
            "fields_raw": dict(self.fields_raw),
        }


def exif_from_bytes(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> ExifFacts:
    """EXIF facts of an image file; raises ``ImageDecodeError`` if it is not an image."""
    return exif_from_image(open_image(data, max_pixels=max_pixels))


def exif_from_image(im: Image.Image) -> ExifFacts:
    try:
        exif = im.getexif()
        ifd0 = dict(exif.items())
        sub = _ifd(exif, _EXIF_IFD)
        gps = _ifd(exif, _GPS_IFD)
    except Exception as exc:  # a broken EXIF block must not lose the image
        return ExifFacts(present=True, fields_raw={"_error": text(str(exc)) or "unreadable EXIF"})
    if not (ifd0 or sub or gps):
        if im.info.get("exif"):  # an EXIF block Pillow could not parse: not the same as none
            return ExifFacts(present=True, fields_raw={"_error": "EXIF block present, unreadable"})
        return ExifFacts(present=False)
    lat = _coordinate(gps.get(2), gps.get(1), 90.0, "S")
    lon = _coordinate(gps.get(4), gps.get(3), 180.0, "W")
    if lat is None or lon is None or (lat == 0.0 and lon == 0.0):
        lat = lon = None
    orientation = ifd0.get(ExifTags.Base.Orientation.value)
    return ExifFacts(
        make=text(ifd0.get(ExifTags.Base.Make.value)),
        model=text(ifd0.get(ExifTags.Base.Model.value)),
        software=text(ifd0.get(ExifTags.Base.Software.value)),
        taken_at=_taken_at(ifd0, sub),
        gps_lat=lat,
        gps_lon=lon,
        gps_alt=_altitude(gps.get(6), gps.get(5)),
        orientation=orientation if type(orientation) is int and 1 <= orientation <= 8 else None,
        present=True,
        fields_raw=_raw_fields(ifd0, sub, gps),
    )


def text(value: object, limit: int = MAX_TEXT) -> str | None:
    """A cleaned, bounded string, or None for empty or non-text values."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if not isinstance(value, str):
        return None
    cleaned = _CONTROL.sub(" ", value[: limit * 4]).strip()[:limit]
    return cleaned or None


def _ifd(exif: Image.Exif, tag: int) -> dict[int, Any]:
    try:
        return dict(exif.get_ifd(tag).items())
    except Exception:  # a bad offset to a sub-IFD: keep what IFD0 gave
        return {}


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | TiffImagePlugin.IFDRational):
        try:
            result = float(value)
        except (ValueError, ZeroDivisionError, OverflowError):
            return None
        return result if math.isfinite(result) else None
    return None


def _coordinate(value: object, ref: object, limit: float, negative: str) -> float | None:
    """Degrees, minutes, seconds (any trailing parts may be missing) to signed degrees."""
    if not isinstance(value, tuple | list) or not 1 <= len(value) <= 3:
        return None
    parts = [_number(v) for v in value]
    if any(p is None or p < 0 for p in parts):
        return None
    degrees = sum(p / 60**i for i, p in enumerate(parts))  # type: ignore[operator]
    if degrees > limit:
        return None
    sign = text(ref, 4)
    return -degrees if sign and sign[0].upper() == negative else degrees


def _altitude(value: object, ref: object) -> float | None:
    metres = _number(value)
    if metres is None or abs(metres) > 100_000:  # above any aircraft: not a camera
        return None
    below = ref in (1, b"\x01") or (isinstance(ref, bytes | tuple) and ref[:1] in (b"\x01", (1,)))
    return -metres if below else metres


def _taken_at(ifd0: dict[int, Any], sub: dict[int, Any]) -> datetime | None:
    base = ExifTags.Base
    for tag, subsec, offset, ifd in (
        (base.DateTimeOriginal, base.SubsecTimeOriginal, base.OffsetTimeOriginal, sub),
        (base.DateTimeDigitized, base.SubsecTimeDigitized, base.OffsetTimeDigitized, sub),
        (base.DateTime, base.SubsecTime, base.OffsetTime, ifd0),
    ):
        when = _parse_datetime(
            text(ifd.get(tag.value), 32),
            text(sub.get(subsec.value), 16),
            text(sub.get(offset.value), 8),
        )
        if when is not None:
            return when
    return None


def _parse_datetime(value: str | None, subsec: str | None, offset: str | None) -> datetime | None:
    match = _DATETIME.match(value or "")
    if match is None:
        return None
    try:
        when = datetime(*(int(g) for g in match.groups()))  # type: ignore[misc]
    except ValueError:  # "0000:00:00 00:00:00" and other impossible dates
        return None
    if subsec and subsec.isdigit():
        when = when.replace(microsecond=int(subsec[:6].ljust(6, "0")))
    tz = _OFFSET.fullmatch(offset or "")
    if tz is not None:
        sign = -1 if tz.group(1) == "-" else 1
        delta = timedelta(hours=int(tz.group(2)), minutes=int(tz.group(3)))
        if delta < timedelta(hours=15):
            when = when.replace(tzinfo=timezone(sign * delta))
    return when


def _raw_fields(*ifds: dict[int, Any]) -> dict[str, str]:
    names = (ExifTags.TAGS, ExifTags.TAGS, ExifTags.GPSTAGS)
    out: dict[str, str] = {}
    for ifd, table in zip(ifds, names, strict=True):
        for tag, value in ifd.items():
            if len(out) >= MAX_FIELDS:
                return out
            if not isinstance(tag, int) or (table is ExifTags.TAGS and tag in _POINTERS):
                continue
            name = table.get(tag) or f"0x{tag:04x}"
            if table is ExifTags.GPSTAGS and not name.startswith("GPS"):
                name = f"GPS{name}"
            out[name] = _show(value, opaque=table is ExifTags.TAGS and tag in _OPAQUE)
    return out


def _show(value: object, *, opaque: bool = False) -> str:
    if isinstance(value, bytes):
        if opaque:
            return f"<{len(value)} bytes>"
        head = value[:_BINARY_PREVIEW]
        if head.isascii() and not _CONTROL.search(head.rstrip(b"\0").decode("ascii")):
            return text(value) or ""
        suffix = "…" if len(value) > _BINARY_PREVIEW else ""
        return f"0x{head.hex()}{suffix} ({len(value)} bytes)"
    if isinstance(value, tuple | list):
        return text(", ".join(_show(v) for v in value[:16])) or ""
    number = _number(value)
    if number is not None and not isinstance(value, int):
        return repr(number)
    return text(str(value)) or ""
