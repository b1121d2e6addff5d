"""`threadline screen`: stateless screening of JSON Lines records.

One JSON object in per line (`{"id", "text", ...}`), one JSON object out per
record, in the same order:

    {"id": ..., "mentions": [{"type", "raw", "normalized", "start", "end",
     "confidence", "extractor", "obfuscation"}],
     "signals": [{"indicator", "spans", "weight", "grade", "citation"}],
     "score": {"value", "for_review", "contributions": [{"indicator", "weight",
               "contribution"}], "calibration"},
     "job_model": {...}}                                  # job ads only

* `start`/`end` are Python `str` indices into `text` — Unicode code points,
  not bytes and not UTF-16 units — so `text[start:end] == raw` holds for
  every mention.
* `signals` are the catalogue indicators that fired, each with its evidence
  `spans` (`[start, end]` into `text`), weight, evidence grade and citation;
  `score.value` is the calibrated 0-1 risk level for review and
  `score.contributions` (the no-signal baseline, then one per signal) sum to
  it (`threadline.indicators.score`). The record's `kind` field picks the
  catalogue: "ad" (the default) or "job_ad"; another kind gets `"signals": []`
  and `"score": null`. Its `lang` field ("en", "es") picks the phrase lists;
  without one, every language's are used.
* A job ad (`"kind": "job_ad"`) also gets `job_model`: the job-ad model's
  `probability`, `for_review`, `top_features` (each with its contribution to
  the log-odds), the `model` version and its `training_data` version. Its
  `title` field, when given, is read by the model (signals index `text` only).
* A record whose extraction partly failed (a time budget, a regex timeout)
  still gets its mentions, plus `"errors": [...]`.
* A line that is not a usable record gets `{"id": <id or null>, "line": n,
  "error": "<reason>"}` and the stream goes on: invalid UTF-8 or JSON, lone
  surrogates, a non-object, a missing or non-string `text`, an `id` that is
  neither a string nor an integer, a line over `MAX_LINE_BYTES`. Blank lines
  are skipped.

Phone numbers written without a country code are read in the record's own
region: its `country` field (ISO code or name), else a place field the
gazetteer resolves (`place`, `location`, `city`), else the caller's
`default_region`, else "US".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

import orjson

from threadline.extract.base import ExtractContext
from threadline.extract.engine import DEFAULT_TIME_BUDGET_S, extract_all
from threadline.indicators.rules import DetectContext, ImageMatch
from threadline.risk import SCORED_KINDS, assess_record, record_lang

MAX_LINE_BYTES = 1_048_576
FALLBACK_REGION = "US"
PLACE_FIELDS = ("place", "location", "city")
DEFAULT_KIND = "ad"


def region_for_record(obj: dict[str, Any], default_region: str | None = None) -> str:
    """ISO region used to read the record's phone numbers (see the module docstring)."""
    from threadline.values.place import country_code, resolve

    country = obj.get("country")
    if isinstance(country, str) and country.strip():
        code = country_code(country.strip()[:64])
        if code:
            return code
    for field in PLACE_FIELDS:
        value = obj.get(field)
        if isinstance(value, str) and value.strip():
            place = resolve(value.strip()[:128], default_region)
            if place is not None:
                return place.country_code
    return (default_region or FALLBACK_REGION).upper()


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def screen_record(
    obj: dict[str, Any],
    ctx: ExtractContext | None = None,
    *,
    time_budget_s: float = DEFAULT_TIME_BUDGET_S,
    image_matches: tuple[ImageMatch, ...] = (),
) -> dict[str, Any]:
    """Screen one parsed record. `ctx.default_region` is the case's region, if any.

    `image_matches` are the hash-list matches of the record's images (the
    screening API matches the hashes it is sent); they feed the indicators.
    """
    ctx = ctx or ExtractContext()
    rid = obj.get("id")
    if rid is not None and (not isinstance(rid, str | int) or isinstance(rid, bool)):
        return {"id": None, "error": "id must be a string or an integer"}
    if _has_surrogates(rid) if isinstance(rid, str) else False:
        return {"id": None, "error": "id contains unpaired surrogate code points"}
    text = obj.get("text")
    if not isinstance(text, str):
        reason = "missing text" if text is None else "text must be a string"
        return {"id": rid, "error": reason}
    if _has_surrogates(text):
        return {"id": rid, "error": "text contains unpaired surrogates (invalid Unicode)"}
    region = region_for_record(obj, ctx.default_region)
    result = extract_all(text, ctx.with_region(region), time_budget_s=time_budget_s)
    kind = record_kind(obj)
    out: dict[str, Any] = {
        "id": rid,
        "mentions": [
            {
                "type": m.type,
                "raw": m.raw,
                "normalized": m.normalized,
                "start": m.start,
                "end": m.end,
                "confidence": m.confidence,
                "extractor": m.extractor,
                "obfuscation": list(m.explanation.obfuscation),
            }
            for m in result.mentions
        ],
        "signals": [],
        "score": None,
    }
    errors = list(result.errors)
    if kind in SCORED_KINDS:
        title = obj.get("title")
        images = obj.get("images") or obj.get("image_refs")
        risk = assess_record(
            text,
            result.mentions,
            kind=kind,
            lang=record_lang(obj),
            region=region,
            model_title=title if isinstance(title, str) and not _has_surrogates(title) else None,
            has_images=bool(images) and isinstance(images, list),
            context=DetectContext(region=region, image_matches=image_matches),
        ).to_screen()
        errors += risk.pop("errors", [])
        out.update(risk)
    if errors:
        out["errors"] = errors
    return out


def record_kind(obj: dict[str, Any]) -> str:
    """The record's `kind` field as the catalogue spells kinds ("job-ad": "job_ad"), else "ad"."""
    kind = obj.get("kind")
    if not isinstance(kind, str) or not kind.strip():
        return DEFAULT_KIND
    return kind.strip().lower().replace("-", "_").replace(" ", "_")[:32]


def _parse(line: bytes) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(record, None) or (None, error object without its line number)."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        # orjson rejects lone surrogates; the standard library reads them, which
        # lets the error name the record.
        try:
            obj = json.loads(line)
        except (ValueError, UnicodeDecodeError):
            reason = "invalid UTF-8" if "UTF-8" in str(exc) else f"invalid JSON: {exc}"
            return None, {"id": None, "error": reason[:300]}
    if not isinstance(obj, dict):
        return None, {"id": None, "error": "record must be a JSON object"}
    return obj, None


def screen_lines(
    lines: Iterable[bytes],
    *,
    default_region: str | None = None,
    time_budget_s: float = DEFAULT_TIME_BUDGET_S,
) -> Iterator[bytes]:
    """Screen JSON Lines: one output line (with its newline) per non-blank input line."""
    ctx = ExtractContext(default_region=default_region)
    for n, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE_BYTES + 2:
            out: dict[str, Any] = {"id": None, "error": f"line exceeds {MAX_LINE_BYTES} bytes"}
        else:
            line = line.rstrip(b"\r\n")
            if not line.strip():
                continue
            obj, err = _parse(line)
            out = err if obj is None else screen_record(obj, ctx, time_budget_s=time_budget_s)
        if "error" in out:
            out["line"] = n
        yield orjson.dumps(out) + b"\n"


def bounded_lines(stream: IO[bytes], max_bytes: int = MAX_LINE_BYTES) -> Iterator[bytes]:
    """Lines of a binary stream, never holding more than `max_bytes` + 1 of one line.

    An over-long line is yielded as its first `max_bytes + 1` bytes followed by
    a marker byte string long enough to fail `screen_lines`' size check; the
    rest of it is read and dropped.
    """
    while True:
        line = stream.readline(max_bytes + 1)
        if not line:
            return
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while True:  # drop the rest of the over-long line
                rest = stream.readline(max_bytes)
                if not rest or rest.endswith(b"\n"):
                    break
            yield line + b"\0\0\0"
        else:
            yield line
