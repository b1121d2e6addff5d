"""Job-ad features: tf-idf word and character n-grams, indicator flags, structured fields.

Text is prepared before any n-gram is taken:

* identifiers (phones, e-mails, URLs, handles, payment handles, crypto
  addresses, person names) found by extraction are replaced by a placeholder
  of their type ("__phone__"), so the model learns that an ad gives a phone,
  never which phone, and no personal data ends up in its vocabulary;
* the text is folded (lower case, accents stripped) and every digit becomes
  "0", so it learns "0,000/month", not one operation's exact pay.

Blocks (each tf-idf block is L2-normalised on its own, as scikit-learn does):

* ``word``: words of two or more characters, unigrams and bigrams, sublinear
  tf, smoothed idf;
* ``char``: character 3-5-grams inside word boundaries (scikit-learn's
  ``char_wb``);
* ``ind``: 1 for each job-ad indicator of the catalogue that fired;
* ``meta``: structured fields: a true boolean field gives ``meta:<name>``, a
  text field ``meta:<name>=<value>`` (EMSCAD's telecommuting, logo,
  questions, employment type ...).

The analyzers here are the ones training passes to scikit-learn, and
`TfidfBlock.transform` reproduces scikit-learn's tf-idf exactly, so a saved
model predicts without scikit-learn installed.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from threadline.extract.base import ExtractContext, Mention
from threadline.indicators.schema import fold
from threadline.indicators.signal import Signal

PLACEHOLDER = {
    "phone": "__phone__",
    "email": "__email__",
    "url": "__url__",
    "handle": "__handle__",
    "payment_handle": "__payment__",
    "crypto_address": "__crypto__",
    "name": "__name__",
}
_WORD = re.compile(r"\w\w+")
_DIGIT = re.compile(r"\d")
MAX_TEXT = 20_000  # characters of an ad used for features (EMSCAD ads run to ~15k)


@dataclass(frozen=True, slots=True)
class JobAd:
    """One job ad as the model sees it. `fields` hold structured values (bool or str)."""

    text: str
    title: str = ""
    fields: Mapping[str, bool | str] = field(default_factory=dict)
    lang: str | None = None
    region: str | None = None

    @property
    def full_text(self) -> str:
        return f"{self.title}\n{self.text}" if self.title else self.text


@dataclass(frozen=True, slots=True)
class Prepared:
    """An ad reduced to what the featurizer reads."""

    norm: str  # masked, folded, digits zeroed
    indicators: tuple[str, ...]
    meta: tuple[str, ...]


def mask(text: str, mentions: Sequence[Mention]) -> str:
    """`text` with every identifier mention replaced by its type's placeholder."""
    out = []
    pos = 0
    for m in sorted(mentions, key=lambda m: m.start):
        tag = PLACEHOLDER.get(m.type)
        if tag is None or m.start < pos:
            continue
        out.append(text[pos : m.start])
        out.append(f" {tag} ")
        pos = m.end
    out.append(text[pos:])
    return "".join(out)


def normalize(text: str) -> str:
    return _DIGIT.sub("0", fold(text))


def word_analyzer(norm: str) -> list[str]:
    words = _WORD.findall(norm)
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


def char_analyzer(norm: str, lo: int = 3, hi: int = 5) -> list[str]:
    """Character n-grams within padded words, as scikit-learn's ``char_wb``."""
    grams: list[str] = []
    for w in norm.split():
        grams.extend(word_grams(w, lo, hi))
    return grams


def word_grams(word: str, lo: int = 3, hi: int = 5) -> list[str]:
    """The ``char_wb`` n-grams of one whitespace-free word, padded with a space each side."""
    w = f" {word} "
    size = len(w)
    grams: list[str] = []
    for n in range(lo, hi + 1):
        grams.append(w[:n])
        if size <= n:  # a short word counts once
            break
        grams.extend(w[i : i + n] for i in range(1, size - n + 1))
    return grams


def meta_features(fields: Mapping[str, bool | str]) -> tuple[str, ...]:
    out = []
    for key, value in sorted(fields.items()):
        if isinstance(value, bool):
            if value:
                out.append(f"meta:{key}")
        elif value:
            out.append(f"meta:{key}={fold(str(value)).strip()[:40]}")
    return tuple(out)


def prepare(
    ad: JobAd,
    *,
    mentions: Sequence[Mention] | None = None,
    signals: Sequence[Signal] | None = None,
) -> Prepared:
    """Mask, normalise and detect. Pass the record's mentions and signals when known.

    Given mentions are offsets into `ad.text` (what `threadline screen` has);
    they are shifted past the title here. Without them the whole of
    `ad.full_text` is extracted.
    """
    text = ad.full_text[:MAX_TEXT]
    if mentions is not None and ad.title:
        shift = len(ad.title) + 1
        mentions = [m.shifted(shift) for m in mentions]
    if mentions is None:
        from threadline.extract.engine import extract_all

        mentions = extract_all(text, ExtractContext(default_region=ad.region)).mentions
    if signals is None:
        from threadline.indicators.detect import detect
        from threadline.indicators.rules import DetectContext

        signals = detect(
            text, mentions, kind="job_ad", lang=ad.lang, context=DetectContext(region=ad.region)
        )
    indicators = tuple(sorted({f"ind:{s.indicator}" for s in signals}))
    return Prepared(normalize(mask(text, mentions)), indicators, meta_features(ad.fields))


@dataclass(frozen=True, slots=True)
class TfidfBlock:
    """A fitted tf-idf vocabulary: sublinear tf x smoothed idf, L2-normalised."""

    name: str  # "word" | "char"
    vocabulary: tuple[str, ...]
    idf: tuple[float, ...]

    def index(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.vocabulary)}

    def transform(self, norm: str, index: Mapping[str, int]) -> dict[int, float]:
        terms = word_analyzer(norm) if self.name == "word" else char_analyzer(norm)
        # count every term in C, then keep the vocabulary's: most distinct terms
        # of an ad are out of the vocabulary, and each is looked up once
        idf = self.idf
        vec: dict[int, float] = {}
        for t, c in Counter(terms).items():
            i = index.get(t)
            if i is not None:
                vec[i] = (1.0 + math.log(c)) * idf[i]
        norm2 = math.sqrt(math.fsum(v * v for v in vec.values()))
        return {i: v / norm2 for i, v in vec.items()} if norm2 > 0 else {}


ANALYZERS = {"word": word_analyzer, "char": char_analyzer}
