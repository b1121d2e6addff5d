"""Places: cities, US states and countries, resolved in the offline GeoNames gazetteer.

Candidates are capitalised phrases of up to four words ("Houston", "San
Antonio", "Ciudad de México") with an optional qualifier ("Houston, TX",
"Paris, France"), and lower-case words right after a cue ("in houston").
A candidate is read as a place when the gazetteer knows it and the context
supports it (`rules/places.yaml`):
* after a cue word ("in", "en", "visiting", "near") or with a qualifier; or
* without a cue, only if it is large (`min_population_without_cue`) and not a
  word or first name that is also a city ("Victoria", "Madison", "Mobile").
A word after a name marker ("ask for Paris") is never a place. The
normalized value is the gazetteer's canonical form; `values.place.lookup`
gives its coordinates, which the explanation also carries.
"""

from __future__ import annotations

from functools import cache, lru_cache

import regex

from threadline.extract.base import Example, Explanation, ExtractContext, Extractor, Mention
from threadline.extract.bounded import BoundedPattern
from threadline.extract.scan import scan
from threadline.values.base import load_yaml, str_list
from threadline.values.place import Place, fold, gazetteer, resolve

# A capitalised word; a phrase is up to four of them joined by " ", "-" or a link word.
_CAP = BoundedPattern(
    "location.capitalised", r"(?<![\p{L}\p{N}@.#/_])\p{Lu}[\p{Ll}'’.]{1,24}(?![\p{L}\p{N}])"
)
_JOIN = regex.compile(r"[ \-](?:(?:de|del|la|las|los|el|of|do|da)[ \-])?")
_QUAL = regex.compile(  # ", TX" or ", Texas" / ", New Mexico"
    r",[ \t]?(?:[A-Z]{2}(?![\p{L}])|\p{Lu}\p{Ll}{1,24}(?:[ ]\p{Lu}\p{Ll}{1,24})?)"
)
MAX_WORDS = 4


@cache
def _rules() -> tuple[int, regex.Pattern[str], frozenset[str], frozenset[str], regex.Pattern[str]]:
    data = load_yaml(
        "threadline.extract.rules",
        "places.yaml",
        {
            "min_population_without_cue": int,
            "cues": list,
            "ambiguous": list,
            "never": list,
            "name_markers": list,
        },
    )
    where = "places.yaml"

    def tail(words: tuple[str, ...]) -> regex.Pattern[str]:
        alt = "|".join(
            regex.escape(w).replace(r"\ ", r"[ \t]+") for w in sorted(words, key=len, reverse=True)
        )
        return regex.compile(rf"(?i)(?<![\p{{L}}])(?:{alt})[ \t]{{1,3}}[:\-]?[ \t]?\Z")

    return (
        data["min_population_without_cue"],
        tail(str_list(data, "cues", where)),
        frozenset(fold(w) for w in str_list(data, "ambiguous", where)),
        frozenset(fold(w) for w in str_list(data, "never", where)),
        tail(str_list(data, "name_markers", where)),
    )


_LOWER_CUES = frozenset({"in", "en", "visiting", "near", "desde", "cerca"})
_LOWER_AFTER_CUE = BoundedPattern(
    "location.lower",
    r"(?i)(?:in|en|visiting|near|desde|cerca de)[ \t]+"
    r"(?P<phrase>\p{Ll}{3,24}(?:[ ]\p{Ll}{2,24}){0,2})",
)


MAX_CACHED_WORDS = 65536
# the gazetteer is read-only, so a phrase resolves the same way every time; ads
# repeat their places, and a lookup folds and filters several candidates
_resolve = lru_cache(maxsize=MAX_CACHED_WORDS)(resolve)
_STARTS: dict[str, bool] = {}


def _may_start(word: str, first_words: frozenset[str]) -> bool:
    """Can this capitalised word start a gazetteer name? Remembered: ads repeat their words."""
    known = _STARTS.get(word)
    if known is None:
        known = fold(word) in first_words
        if len(_STARTS) < MAX_CACHED_WORDS:  # words come from text: bounded
            _STARTS[word] = known
    return known


class LocationExtractor(Extractor):
    name = "location"
    version = "1.0"
    types = ("location",)
    examples = (
        Example("New in Houston, TX this week", (("location", "Houston, TX", "Houston, TX, US"),)),
        Example(
            "visiting Madrid y Barcelona",
            (("location", "Madrid", "Madrid, ES"), ("location", "Barcelona", "Barcelona, ES")),
        ),
        Example("ask for Paris, sweet Victoria", ()),
        Example(
            "Ciudad de México, cerca del metro",
            (("location", "Ciudad de México", "Mexico City, MX"),),
        ),
    )

    def prepare(self) -> None:
        _rules()
        gazetteer()

    def trigger_words(self) -> frozenset[str]:
        return _LOWER_CUES

    def extract(self, text: str, ctx: ExtractContext) -> list[Mention]:
        min_pop, cue, ambiguous, never, marker = _rules()
        region = ctx.default_region
        g = gazetteer()
        names, first_words = g.names, g.first_words
        caps: list[tuple[int, int]] = [m.span() for m in _CAP.all_matches(text, ctx)]
        out: list[Mention] = []
        i = 0
        while i < len(caps):
            if not i & 255:
                ctx.check("location")
            start = caps[i][0]
            if not _may_start(text[start : caps[i][1]], first_words):
                i += 1
                continue
            # longest phrase of capitalised words starting here that the gazetteer knows
            j = i
            while (
                j + 1 < len(caps)
                and j - i + 1 < MAX_WORDS
                and _JOIN.fullmatch(text, caps[j][1], caps[j + 1][0], concurrent=False)
            ):
                j += 1
            found = None
            for k in range(j, i - 1, -1):
                key = fold(text[start : caps[k][1]])
                if key in names and key not in never:
                    found = k
                    break
            if found is None:
                i += 1
                continue
            end = caps[found][1]
            if text[end - 1] == "." and end - start > 4:
                end -= 1  # a sentence's full stop, not an abbreviation ("St.")
            i = found + 1
            head = text[max(0, start - 24) : start]
            if marker.search(head, concurrent=False):
                continue
            qual = _QUAL.match(text, end, concurrent=False)
            place = _resolve(f"{text[start:end]}{qual.group()}", region) if qual else None
            used_qual = place is not None
            if place is None:
                place = _resolve(text[start:end], region)
            if place is None:
                continue
            has_cue = used_qual or cue.search(head, concurrent=False) is not None
            key = fold(text[start:end])
            # without a cue a one-word alternate name ("Solo" for Surakarta) is a word,
            # not a place; multi-word ones ("Ciudad de México") are specific enough
            alternate = fold(place.name) != key and " " not in key
            if not has_cue and (key in ambiguous or place.population < min_pop or alternate):
                continue
            out.append(
                self._mention(
                    text,
                    start,
                    qual.end() if used_qual and qual else end,
                    place,
                    0.9 if has_cue else 0.7,
                    "location.capitalised",
                )
            )
        out.extend(self._lowercase(text, ctx, never, region))
        return out

    def _lowercase(
        self, text: str, ctx: ExtractContext, never: frozenset[str], region: str | None
    ) -> list[Mention]:
        out = []
        for tok in scan(text, ctx).words(_LOWER_CUES):
            m = _LOWER_AFTER_CUE.match(text, ctx, tok.start)
            if m is None:
                continue
            words = m.group("phrase").split(" ")
            for n in range(len(words), 0, -1):
                phrase = " ".join(words[:n])
                place = _resolve(phrase, region)
                if place and fold(phrase) not in never and place.population >= 100_000:
                    start = m.start("phrase")
                    out.append(
                        self._mention(
                            text,
                            start,
                            start + len(phrase),
                            place,
                            0.75,
                            "location.lowercase_after_cue",
                        )
                    )
                    break
        return out

    def _mention(
        self, text: str, start: int, end: int, place: Place, conf: float, pid: str
    ) -> Mention:
        note = f"geonames:{place.geonameid} lat={place.latitude} lon={place.longitude}"
        return self.mention(
            text,
            "location",
            start,
            end,
            place.canonical,
            conf,
            Explanation(pattern_id=pid, steps=("gazetteer:geonames",), notes=(note,)),
        )


EXTRACTOR = LocationExtractor()
