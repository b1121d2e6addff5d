"""The indicator catalogue's schema: typed, frozen entries, validated on load.

A catalogue is a directory of YAML files:

* ``sources.yaml`` — full citations, referenced by key from the entries.
* ``groups.yaml`` — ethnicity/nationality words, for the fairness report and
  for the one indicator that detects a stated ethnicity.
* every other ``*.yaml`` — one domain (``sex_ads.yaml``, ``job_ads.yaml``):
  a record ``kind`` and its indicators.

Validation is strict and names the file and the entry: unknown keys are
rejected, every entry needs a grade, a weight allowed for that grade, at least
one source, examples in each of its languages, and every regex must compile
with the ``regex`` module and use bounded repetition only (``*``, ``+`` and
``{n,}`` are refused), so no pattern can backtrack without limit on hostile
text. Text is matched after `fold` (lower case, accents stripped), so phrases
and patterns are written unaccented and in lower case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import regex

from threadline.errors import ThreadlineError

KINDS = ("ad", "job_ad")  # record kinds: commercial-sex ad, job ad
LANGS = ("en", "es")
GRADES = ("outcome-validated", "practitioner-reported", "weak-or-contradicted")
# The weight an entry may carry is bounded by the strength of its evidence.
WEIGHT_RANGE = {
    "outcome-validated": (0.0, 1.5),
    "practitioner-reported": (0.0, 0.8),
    "weak-or-contradicted": (-1.0, 0.0),
}
CATEGORIES = (
    "buyer-assurance",
    "contact",
    "control",
    "deceptive-recruitment",
    "exploitation",
    "finance",
    "known-content",
    "minor-risk",
    "movement",
    "network",
    "provider-description",
    "provider-safety",
    "recruitment",
)
SOURCE_KINDS = (
    "outcome-study",
    "research",
    "practitioner-toolkit",
    "international-standard",
    "regulatory-advisory",
    "guidance",
    "dataset",
)
MAX_REPEAT = 100  # the largest {n,m} upper bound a catalogue regex may use
MAX_PHRASE_GAP = 6  # non-word characters allowed between two words of a phrase
_ID = regex.compile(r"[a-z][a-z0-9_]{1,62}")
_WORD = regex.compile(r"\w+")
_ACCENTED = regex.compile(r"[^\x00-\x7f\p{So}\p{Sk}\p{Sc}]")


class CatalogueError(ThreadlineError):
    """The catalogue (or a file of it) is malformed; the message names file and entry."""


def fold(text: str) -> str:
    """Lower case with accents stripped, keeping the length: offsets stay valid."""
    low = text.lower()
    if len(low) != len(text):  # a few characters lower to two ("İ"); keep those as they are
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    if low.isascii():
        return low
    # accented letters are few and rare: a C-level `in` and `replace` per letter is
    # cheaper than a regex substitution (or str.translate) over every character of
    # non-ASCII text, which most ads are (emoji)
    for accented, plain in _ACCENT_PAIRS:
        if accented in low:
            low = low.replace(accented, plain)
    return low


_ACCENTS = dict(zip("áàâäãåéèêëíìîïóòôöõúùûüñçýÿ", "aaaaaaeeeeiiiiooooouuuuncyy", strict=True))
_ACCENT_PAIRS = tuple(_ACCENTS.items())


@dataclass(frozen=True, slots=True)
class Source:
    key: str
    short: str  # one line, shown with every signal
    citation: str  # the full reference
    kind: str
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class PatternSpec:
    id: str
    regex: str
    anchors: tuple[str, ...]  # the pattern runs only when one of these words is in the text


@dataclass(frozen=True, slots=True)
class Detection:
    phrases: Mapping[str, tuple[str, ...]]  # lang -> phrases ("#" a number, "*" any word)
    patterns: Mapping[str, tuple[PatternSpec, ...]]  # lang -> bounded regexes
    group_words: str | None  # a dimension of groups.yaml whose words are phrases
    rule: str | None  # a code rule in `threadline.indicators.rules`
    params: Mapping[str, Any]
    combine: str  # "any": text part or rule; "all": both must fire


@dataclass(frozen=True, slots=True)
class IndicatorExample:
    lang: str
    text: str
    fires: bool
    spans: tuple[str, ...] | None  # the raw slices the signal must point at, when given
    context: Mapping[str, Any]
    note: str = ""


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str
    name: str
    kind: str
    category: str
    description: str
    languages: tuple[str, ...]
    grade: str
    weight: float
    sources: tuple[str, ...]
    detect: Detection
    examples: tuple[IndicatorExample, ...]
    file: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class GroupWords:
    dimension: str
    purpose: str
    groups: Mapping[str, Mapping[str, tuple[str, ...]]]  # group -> lang -> words


def _keys(where: str, obj: Any, required: set[str], optional: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    if not isinstance(obj, dict):
        raise CatalogueError(f"{where}: expected a mapping, got {type(obj).__name__}")
    unknown = set(obj) - required - set(optional)
    if unknown:
        raise CatalogueError(f"{where}: unknown key(s) {sorted(unknown)}")
    missing = required - set(obj)
    if missing:
        raise CatalogueError(f"{where}: missing key(s) {sorted(missing)}")


def _str(where: str, value: Any, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise CatalogueError(f"{where}: expected a non-empty string, got {value!r}")
    return value


def _strs(where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise CatalogueError(f"{where}: expected a non-empty list of strings")
    return tuple(_str(f"{where}[{i}]", v) for i, v in enumerate(value))


def check_bounded(pattern: str) -> str | None:
    """Why `pattern` may repeat without a bound (or nests repetition), or None when safe."""
    i, n = 0, len(pattern)
    in_class = False
    stack: list[bool] = []  # per open group: does it contain a quantifier?
    last_group_quantified = False
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            last_group_quantified = False
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "]":
                i += 1
        elif c in "*+":
            return f"unbounded quantifier {c!r} at {i}"
        elif c == "(":
            stack.append(False)
        elif c == ")":
            last_group_quantified = stack.pop() if stack else False
            i += 1
            continue
        elif c == "{":
            m = regex.match(r"\{(\d*)(,?)(\d*)\}", pattern[i:])
            if m:
                if m.group(2) and not m.group(3):
                    return f"unbounded quantifier {m.group()!r} at {i}"
                if int(m.group(3) or m.group(1) or 0) > MAX_REPEAT:
                    return f"repetition {m.group()!r} above {MAX_REPEAT}"
                if last_group_quantified:
                    return f"nested repetition before {m.group()!r} at {i}"
                if stack:
                    stack[-1] = True
                i += len(m.group())
                continue
        elif c == "?" and last_group_quantified and pattern[i - 1] == ")":
            pass  # an optional group repeats nothing
        last_group_quantified = False
        i += 1
    return None


def _regex(where: str, pattern: str) -> None:
    why = check_bounded(pattern)
    if why:
        raise CatalogueError(f"{where}: regex is not bounded: {why}")
    letters = regex.sub(r"\\[pPN]\{[^}]*\}|\\.", "", pattern)  # escapes may be upper case
    if any(c.isupper() for c in letters) or _ACCENTED.search(letters):
        raise CatalogueError(
            f"{where}: write regexes in lower case without accents (text is folded)"
        )
    try:
        regex.compile(pattern)
    except regex.error as exc:
        raise CatalogueError(f"{where}: regex does not compile: {exc}") from exc


def parse_source(where: str, key: str, obj: Any) -> Source:
    _keys(where, obj, {"short", "citation", "kind"}, {"url", "note"})
    kind = _str(f"{where}.kind", obj["kind"])
    if kind not in SOURCE_KINDS:
        raise CatalogueError(f"{where}.kind: {kind!r} is not one of {SOURCE_KINDS}")
    return Source(
        key,
        _str(f"{where}.short", obj["short"]),
        _str(f"{where}.citation", obj["citation"]),
        kind,
        obj.get("url"),
        obj.get("note"),
    )


def parse_groups(where: str, obj: Any) -> GroupWords:
    _keys(where, obj, {"dimension", "purpose", "groups"})
    groups: dict[str, dict[str, tuple[str, ...]]] = {}
    if not isinstance(obj["groups"], dict) or not obj["groups"]:
        raise CatalogueError(f"{where}.groups: expected a non-empty mapping")
    for label, langs in obj["groups"].items():
        gw = f"{where}.groups.{label}"
        _keys(gw, langs, set(), set(LANGS))
        groups[label] = {}
        for lang, words in langs.items():
            groups[label][lang] = tuple(fold(w) for w in _strs(f"{gw}.{lang}", words))
    return GroupWords(
        _str(f"{where}.dimension", obj["dimension"]),
        _str(f"{where}.purpose", obj["purpose"]),
        groups,
    )


def _detection(where: str, obj: Any, langs: tuple[str, ...], rules: Mapping[str, Any]) -> Detection:
    _keys(where, obj, set(), {"phrases", "patterns", "group_words", "rule", "params", "combine"})
    phrases: dict[str, tuple[str, ...]] = {}
    for lang, items in (obj.get("phrases") or {}).items():
        if lang not in langs:
            raise CatalogueError(f"{where}.phrases: language {lang!r} not in the entry's languages")
        ph = _strs(f"{where}.phrases.{lang}", items)
        for p in ph:
            if not _WORD.search(fold(p)) or set(p) & set("()[]{}|\\"):
                raise CatalogueError(
                    f"{where}.phrases.{lang}: {p!r} needs a literal word, no regex"
                )
        phrases[lang] = tuple(fold(p) for p in ph)
    patterns: dict[str, tuple[PatternSpec, ...]] = {}
    for lang, items in (obj.get("patterns") or {}).items():
        if lang not in langs:
            raise CatalogueError(
                f"{where}.patterns: language {lang!r} not in the entry's languages"
            )
        if not isinstance(items, list) or not items:
            raise CatalogueError(f"{where}.patterns.{lang}: expected a non-empty list")
        specs = []
        for k, item in enumerate(items):
            pw = f"{where}.patterns.{lang}[{k}]"
            _keys(pw, item, {"id", "regex", "anchors"})
            _regex(pw, _str(f"{pw}.regex", item["regex"]))
            anchors = _strs(f"{pw}.anchors", item["anchors"])
            for a in anchors:
                if not regex.fullmatch(r"\w+", a) or fold(a) != a:
                    raise CatalogueError(f"{pw}.anchors: {a!r} must be one folded word")
            specs.append(PatternSpec(_str(f"{pw}.id", item["id"]), item["regex"], anchors))
        patterns[lang] = tuple(specs)
    rule = obj.get("rule")
    params = obj.get("params") or {}
    if rule is not None:
        spec = rules.get(rule)
        if spec is None:
            raise CatalogueError(f"{where}.rule: unknown rule {rule!r} (known: {sorted(rules)})")
        why = spec.check_params(params)
        if why:
            raise CatalogueError(f"{where}.params: {why}")
    elif params:
        raise CatalogueError(f"{where}.params: given without a rule")
    combine = obj.get("combine", "any")
    if combine not in ("any", "all"):
        raise CatalogueError(f"{where}.combine: must be 'any' or 'all'")
    group_words = obj.get("group_words")
    if not (phrases or patterns or rule or group_words):
        raise CatalogueError(f"{where}: needs phrases, patterns, group_words or a rule")
    if combine == "all" and not (rule and (phrases or patterns or group_words)):
        raise CatalogueError(f"{where}.combine: 'all' needs both a rule and a text part")
    return Detection(phrases, patterns, group_words, rule, dict(params), combine)


def _example(where: str, obj: Any, langs: tuple[str, ...]) -> IndicatorExample:
    _keys(where, obj, {"lang", "text", "fires"}, {"spans", "context", "note"})
    lang = obj["lang"]
    if lang not in langs:
        raise CatalogueError(f"{where}.lang: {lang!r} is not one of the entry's languages")
    if not isinstance(obj["fires"], bool):
        raise CatalogueError(f"{where}.fires: expected true or false")
    text = _str(f"{where}.text", obj["text"])
    spans = obj.get("spans")
    if spans is not None:
        spans = tuple(_str(f"{where}.spans", s) for s in spans)
        for s in spans:
            if s not in text:
                raise CatalogueError(f"{where}.spans: {s!r} is not in the example's text")
    context = obj.get("context") or {}
    _keys(
        f"{where}.context",
        context,
        set(),
        {"region", "identifier_cities", "identifier_personas", "image_matches"},
    )
    for i, m in enumerate(context.get("image_matches", ())):
        _keys(f"{where}.context.image_matches[{i}]", m, {"list", "hash_type", "distance"},
              {"quality"})  # fmt: skip
    return IndicatorExample(lang, text, obj["fires"], spans, context, obj.get("note", ""))


def parse_indicator(
    where: str,
    obj: Any,
    *,
    kind: str,
    file: str,
    sources: Mapping[str, Source],
    groups: Mapping[str, GroupWords],
    rules: Mapping[str, Any],
) -> Indicator:
    required = {"id", "name", "category", "description", "languages", "grade", "weight"}
    if isinstance(obj, dict) and isinstance(obj.get("id"), str):
        where = f"{where} ({obj['id']})"  # every error below names the entry
    _keys(where, obj, required | {"sources", "detect", "examples"}, {"note"})
    iid = _str(f"{where}.id", obj["id"])
    if not _ID.fullmatch(iid):
        raise CatalogueError(f"{where}.id: {iid!r} must be snake_case")
    category = obj["category"]
    if category not in CATEGORIES:
        raise CatalogueError(f"{where}.category: {category!r} is not one of {CATEGORIES}")
    langs = _strs(f"{where}.languages", obj["languages"])
    if not set(langs) <= set(LANGS):
        raise CatalogueError(f"{where}.languages: only {LANGS} are supported")
    grade = obj["grade"]
    if grade not in GRADES:
        raise CatalogueError(f"{where}.grade: {grade!r} is not one of {GRADES}")
    weight = obj["weight"]
    if isinstance(weight, bool) or not isinstance(weight, int | float):
        raise CatalogueError(f"{where}.weight: expected a number")
    lo, hi = WEIGHT_RANGE[grade]
    if not lo <= weight <= hi:
        raise CatalogueError(f"{where}.weight: {weight} outside [{lo}, {hi}] allowed for {grade}")
    keys = _strs(f"{where}.sources", obj["sources"])
    for k in keys:
        if k not in sources:
            raise CatalogueError(f"{where}.sources: unknown source {k!r} (see sources.yaml)")
    detect = _detection(f"{where}.detect", obj["detect"], langs, rules)
    if detect.group_words and detect.group_words not in groups:
        raise CatalogueError(f"{where}.detect.group_words: unknown {detect.group_words!r}")
    if not isinstance(obj["examples"], list):
        raise CatalogueError(f"{where}.examples: expected a list")
    examples = tuple(
        _example(f"{where}.examples[{i}]", e, langs) for i, e in enumerate(obj["examples"])
    )
    for lang in langs:
        if not any(e.lang == lang and e.fires for e in examples):
            raise CatalogueError(f"{where}.examples: needs a firing example in {lang!r}")
    if not any(not e.fires for e in examples):
        raise CatalogueError(f"{where}.examples: needs at least one non-firing example")
    return Indicator(
        iid,
        _str(f"{where}.name", obj["name"]),
        kind,
        category,
        _str(f"{where}.description", obj["description"]),
        langs,
        grade,
        float(weight),
        keys,
        detect,
        examples,
        file,
        obj.get("note", ""),
    )
