"""Field mapping: which source fields become which record attributes.

Shared by the JSONL and CSV readers (and, for dates and text clean-up, by the
HTML reader). Values are taken as read: a mapped field leaves `fields`, every
other field stays there with its JSON type. Nothing here raises for bad data;
problems become warnings on the record or, when no text is left, a Rejected.

Two rules apply to every string a reader emits:
- U+0000 is replaced by U+FFFD (same length, so spans still line up): NUL
  cannot be stored in PostgreSQL text or JSONB. The raw bytes keep it.
- Other control characters are kept: they are part of the evidence.
"""

from __future__ import annotations

import contextlib
import email.utils
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from threadline.ingest.items import RECORD_KINDS, Limits, ParsedRecord, Rejected

ATTRIBUTES = ("external_id", "text", "title", "posted_at", "place", "url", "image_refs", "kind")
ALIASES = {"id": "external_id", "date": "posted_at", "images": "image_refs"}
MAX_IMAGE_REFS = 1_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DIGITS = re.compile(r"-?\d{9,20}(?:\.\d{1,9})?")


@dataclass(slots=True)
class ReadStats:
    """What a reader passed over without yielding an item, by reason.

    Skipped bytes (blank lines, WARC request/metadata records …) are not lost:
    they stay in the preserved source file. This is the count to report.
    """

    skipped: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True)
class FieldMapping:
    """Source field names tried, in order, for each record attribute."""

    external_id: tuple[str, ...] = ("id", "ad_id", "post_id", "uid")
    text: tuple[str, ...] = ("text", "body", "description", "content", "ad_text")
    title: tuple[str, ...] = ("title", "subject", "headline")
    posted_at: tuple[str, ...] = ("posted_at", "posted", "date", "timestamp", "created_at")
    place: tuple[str, ...] = ("place", "location", "city")
    url: tuple[str, ...] = ("url", "link", "permalink")
    image_refs: tuple[str, ...] = ("images", "image_urls", "image", "photos")
    kind: tuple[str, ...] = ("kind", "type", "category")
    # key set → plan; not part of the mapping's identity
    _plans: dict[tuple[str, ...], _Plan] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    @classmethod
    def parse(cls, overrides: Iterable[str]) -> FieldMapping:
        """`["text=body", "id=ad_id,post_id", "place="]` → mapping; an empty value maps nothing.

        An override replaces the defaults of that attribute. Raises ValueError.
        """
        changes: dict[str, tuple[str, ...]] = {}
        for spec in overrides:
            attr, sep, names = spec.partition("=")
            attr = ALIASES.get(attr.strip(), attr.strip())
            if not sep:
                raise ValueError(f"field mapping {spec!r} is not ATTRIBUTE=FIELD")
            if attr not in ATTRIBUTES:
                known = ", ".join((*ATTRIBUTES, *ALIASES))
                raise ValueError(f"unknown record attribute {attr!r} in {spec!r}; one of: {known}")
            if attr in changes:
                raise ValueError(f"record attribute {attr!r} is mapped twice")
            changes[attr] = tuple(n.strip() for n in names.split(",") if n.strip())
        return replace(cls(), **changes)

    def make_item(
        self,
        obj: Mapping[str, Any],
        *,
        locator: str,
        offset: int,
        raw: bytes,
        limits: Limits,
        warnings: Iterable[str] = (),
    ) -> ParsedRecord | Rejected:
        """Build the record for one parsed object (a JSON object or a CSV row).

        `warnings` are the reader's own notes on this record, kept first.
        """
        rest = dict(obj)
        notes = list(warnings)
        found: dict[str, Any] = {}
        keys = tuple(rest)
        plan = self._plans.get(keys)
        if plan is None:
            plan = self._plan(keys)
        for attr, convert, candidates in plan:
            for key in candidates:
                value = rest[key]
                if value is None or value == "":
                    del rest[key]  # an empty cell says nothing; the raw bytes keep it
                    continue
                converted = convert(value, key, notes)
                if converted is not None:
                    found[attr] = converted
                    del rest[key]
                    break
        if b"\x00" in raw or b"\\u0000" in raw:  # the only ways a NUL gets in
            rest = _denul_value(rest, notes)
            found = _denul_value(found, notes)
        text = found.get("text")
        title = found.get("title")
        if text is None or not text.strip():
            if title is None or not title.strip():
                return Rejected(locator, offset, len(raw), raw, self._no_text(locator, notes))
            notes.append("no text field; the title is used as text")
            text = title
        if len(text) > limits.max_text_chars:
            text = _truncate(text, limits, notes, "text")
        if title is not None and len(title) > limits.max_text_chars:
            title = _truncate(title, limits, notes, "title")
        if len(rest) > limits.max_fields:
            dropped = len(rest) - limits.max_fields
            rest = dict(list(rest.items())[: limits.max_fields])
            notes.append(
                f"{dropped:,} fields beyond the limit of {limits.max_fields:,} dropped (raw intact)"
            )
        return ParsedRecord(
            locator,
            offset,
            len(raw),
            raw,
            text,
            found.get("kind"),
            found.get("external_id"),
            title,
            found.get("url"),
            found.get("posted_at"),
            found.get("place"),
            found.get("image_refs", ()),
            rest,
            tuple(dict.fromkeys(notes)) if notes else (),
        )

    def _plan(self, keys: tuple[str, ...]) -> _Plan:
        """For one set of source keys: (attribute, converter, present candidate keys) to try.

        Exact names win; otherwise a case-insensitive match. Records of one file
        usually share their keys, so a plan is computed once per key set.
        """
        folded: dict[str, str] = {}
        for k in keys:
            folded.setdefault(k.casefold(), k)
        taken: set[str] = set()
        plan = []
        for attr in ATTRIBUTES:
            present = []
            for name in getattr(self, attr):
                key = name if name in keys else folded.get(name.casefold())
                if key is not None and key not in taken:
                    taken.add(key)
                    present.append(key)
            if present:
                plan.append((attr, _CONVERT[attr], tuple(present)))
        if len(self._plans) >= _MAX_PLANS:
            self._plans.clear()
        self._plans[keys] = result = tuple(plan)
        return result

    def _no_text(self, locator: str, notes: list[str]) -> str:
        looked = ", ".join(self.text) or "(nothing mapped)"
        titles = ", ".join(self.title) or "(nothing mapped)"
        why = "".join(f"; {w}" for w in notes)
        return f"{locator}: no text field; looked for: {looked} (title: {titles}){why}"


_Plan = tuple[tuple[str, Callable[[Any, str, list[str]], Any], tuple[str, ...]], ...]
_MAX_PLANS = 512


# -- value conversion: each returns None when the value cannot be used -------------------


def _text(value: Any, key: str, warnings: list[str]) -> str | None:
    if type(value) is str:
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    warnings.append(f"'{key}' is {_type_name(value)}, not text; kept in fields")
    return None


def _stripped(value: Any, key: str, warnings: list[str]) -> str | None:
    s = value if type(value) is str else _text(value, key, warnings)
    return (s.strip() or None) if s is not None else None


def _posted(value: Any, key: str, warnings: list[str]) -> datetime | None:
    when, problem = parse_datetime(value)
    if problem:
        warnings.append(f"'{key}': {problem}" + ("" if when else "; kept in fields"))
    return when


def _kind(value: Any, key: str, warnings: list[str]) -> str | None:
    if not isinstance(value, str):
        return None
    kind = value.strip().lower().replace("-", "_").replace(" ", "_")
    return kind if kind in RECORD_KINDS else None  # other values are ordinary data


def _images(value: Any, key: str, warnings: list[str]) -> tuple[str, ...] | None:
    if isinstance(value, str):
        if value.lstrip().startswith("["):
            with contextlib.suppress(orjson.JSONDecodeError):
                value = orjson.loads(value)
        if isinstance(value, str):
            value = value.split(",")
    refs: list[str] = []
    seen: set[str] = set()
    for ref in value if isinstance(value, list) else (None,):
        if type(ref) is not str:
            warnings.append(f"'{key}' is {_type_name(value)}, not a list of URLs; kept in fields")
            return None
        ref = ref.strip()
        if ref and ref not in seen:
            seen.add(ref)
            refs.append(ref)
    if len(refs) > MAX_IMAGE_REFS:
        warnings.append(f"'{key}': {len(refs):,} image references, first {MAX_IMAGE_REFS:,} kept")
        refs = refs[:MAX_IMAGE_REFS]
    return tuple(refs) or None


_CONVERT = {
    "external_id": _stripped,
    "text": _text,
    "title": _text,
    "posted_at": _posted,
    "place": _stripped,
    "url": _stripped,
    "image_refs": _images,
    "kind": _kind,
}


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "a list", bool: "a boolean"}.get(type(value), "not a string")


# -- dates ----------------------------------------------------------------------------


def parse_datetime(value: Any) -> tuple[datetime | None, str | None]:
    """(UTC-aware datetime or None, problem or None) for ISO 8601, RFC 2822 or epoch s/ms/µs.

    A naive time is taken as UTC and reported as a problem (with the value).
    """
    if isinstance(value, str):
        s = value.strip()
        if not s:
            return None, None
        if _EPOCH_DIGITS.fullmatch(s):  # ≥ 9 digits: a year or 20240102 is not a 1970 epoch
            return _from_epoch(float(s) if "." in s else int(s), s)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if 19000101 <= value <= 21001231 and float(value).is_integer():
            s = str(int(value))  # 20240102 as a number: a basic ISO date
        else:
            return _from_epoch(value, repr(value))
    else:
        return None, f"date is {_type_name(value)}"
    try:
        when = datetime.fromisoformat(s)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(s)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None, f"date {s[:60]!r} is not ISO 8601, RFC 2822 or epoch seconds"
    if when.tzinfo is UTC:
        return when, None
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC), f"date {s[:60]!r} has no time zone; assumed UTC"
    try:
        return when.astimezone(UTC), None
    except OverflowError:
        return None, f"date {s[:60]!r} is out of range"


def _from_epoch(number: float, shown: str) -> tuple[datetime | None, str | None]:
    if number != number:  # NaN
        return None, f"epoch time {shown} is not a number"
    size = abs(number)
    scale = 1e6 if size >= 1e14 else 1e3 if size >= 1e11 else 1.0  # µs, ms or s
    try:
        return _EPOCH + timedelta(seconds=number / scale), None
    except OverflowError:
        return None, f"epoch time {shown} is out of range"


# -- strings ----------------------------------------------------------------------------


def clean_text(text: str, limits: Limits, warnings: list[str], what: str) -> str:
    """NUL → U+FFFD and truncation to limits.max_text_chars, each with a warning."""
    text = _denul(text, warnings) or ""
    if len(text) > limits.max_text_chars:
        text = _truncate(text, limits, warnings, what)
    return text


def _truncate(text: str, limits: Limits, warnings: list[str], what: str) -> str:
    warnings.append(
        f"{what} truncated from {len(text):,} to {limits.max_text_chars:,} characters (raw intact)"
    )
    return text[: limits.max_text_chars]


def _denul(s: str | None, warnings: list[str]) -> str | None:
    if s is None or "\x00" not in s:
        return s
    warnings.append("NUL characters replaced with U+FFFD (raw intact)")
    return s.replace("\x00", "\ufffd")


def _denul_value(value: Any, warnings: list[str]) -> Any:
    if isinstance(value, str):
        return _denul(value, warnings)
    if isinstance(value, dict):
        return {_denul(k, warnings): _denul_value(v, warnings) for k, v in value.items()}
    if isinstance(value, list):
        return [_denul_value(v, warnings) for v in value]
    if isinstance(value, tuple):
        return tuple(_denul_value(v, warnings) for v in value)
    return value


def utf8_problem(data: bytes) -> str | None:
    """'not valid UTF-8 at byte offset 12 (0xff)' or None when the bytes decode."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not valid UTF-8 at byte offset {exc.start} (0x{data[exc.start]:02x})"
    return None


def bounded_raw(raw: bytes, length: int, limits: Limits) -> tuple[bytes, str]:
    """(raw to keep, note for the reason) for a record of `length` bytes."""
    if length <= limits.max_record_bytes:
        return raw, ""
    return raw[: limits.max_record_bytes], (
        f"; raw holds only the first {limits.max_record_bytes:,} bytes"
    )
