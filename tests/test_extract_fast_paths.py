"""Each shortcut of the extraction hot path gives what its plain reference gives.

The fast paths (letter runs by `str.split`, anchored e-mail matches at word
starts, the mention classes) exist only for speed; these tests hold them to
the slower, obviously correct way on hostile and ordinary text.
"""

from __future__ import annotations

import json
import pickle
import random
import unicodedata
from pathlib import Path

import pytest
import regex

from threadline.extract.base import Explanation, ExtractContext, Mention
from threadline.extract.engine import extract_all
from threadline.extract.extractors import email as email_extractor
from threadline.extract.scan import letter_runs, scan
from threadline.synth import generate

EVAL = Path(__file__).parent / "data" / "extract_eval.jsonl"


def _texts() -> list[str]:
    texts = [json.loads(line)["text"] for line in EVAL.read_text("utf-8").splitlines()]
    texts += [ad["text"] for ad, _ in generate(400, 5)]
    texts += [
        "jane dot doe at example dot com, or at the hotel. Text me at 415",
        "x at y at z at example.com at a.b",
        "meet me at Jane.Doe@example.com (at) home [dot] org",
        "a@b." * 200,
        "at " * 300 + "example dot com",
        "ß² ①abc½def ÉCOLE naïve 𝐀𝐁 😀word ＡＢＣ",
    ]
    return texts


def test_letter_runs_match_the_unicode_letter_pattern() -> None:
    reference = regex.compile(r"\p{L}+")
    rng = random.Random(7)
    # every assigned code point below U+3000 (CPython and `regex` may differ on
    # characters newer than the interpreter's Unicode database), plus spacing,
    # digit symbols and astral letters
    pool = [chr(c) for c in range(0x20, 0x3000) if unicodedata.category(chr(c)) != "Cn"]
    pool += list("①²½ \t\n.,-@$") * 40 + ["😀", "𝐀", "𐐀", "\u200b", "\u0301"]
    texts = _texts() + [
        "".join(rng.choice(pool) for _ in range(rng.randint(0, 60))) for _ in range(5000)
    ]
    for text in texts:
        low = text.lower()
        assert letter_runs(low) == set(reference.findall(low)), text


def _searched(text: str, at: int, lo: int, hi: int) -> list[tuple[int, int]]:
    pattern = email_extractor._pattern()[0]
    ctx = ExtractContext()
    return [m.span() for m in pattern.finditer(text, ctx, lo, hi) if m.start() < at]


def test_email_window_matches_equal_a_window_search() -> None:
    """Anchored matches at word starts find what searching the whole window finds."""
    ctx = ExtractContext()
    checked = 0
    for text in _texts():
        sc = scan(text, ctx)
        triggers = sc.symbols("@＠") + sc.words(email_extractor._rules()["at_words"])
        for tok in triggers:
            lo = max(0, tok.start - email_extractor.WINDOW_BEFORE)
            hi = min(len(text), tok.end + email_extractor.WINDOW_AFTER)
            fast = email_extractor._window_matches(text, tok.start, lo, hi, ctx)
            assert [m.span() for m in fast] == _searched(text, tok.start, lo, hi), text
            checked += 1
    assert checked > 300


def test_mentions_are_immutable_values() -> None:
    expl = Explanation("phone.pattern", ("a",), ("spaced_digits",), ())
    m = Mention("phone", "415 555 0123", "+14155550123", 3, 15, "phone", "1.0", 0.9, expl)
    same = Mention(
        type="phone",
        raw="415 555 0123",
        normalized="+14155550123",
        start=3,
        end=15,
        extractor="phone",
        extractor_version="1.0",
        confidence=0.9,
        explanation=Explanation("phone.pattern", ("a",), ("spaced_digits",)),
    )
    assert m == same and hash(m) == hash(same) and len({m, same}) == 1
    assert m != m.shifted(1) and m.shifted(1).start == 4 and m.shifted(1).end == 16
    assert pickle.loads(pickle.dumps(m)) == m
    assert m.to_dict()["explanation"]["obfuscation"] == ["spaced_digits"]
    assert "normalized='+14155550123'" in repr(m)


def test_mentions_cannot_be_changed_in_the_compiled_build() -> None:
    from threadline.compiled import status

    if "threadline.extract.mention" not in status().loaded_compiled:
        pytest.skip("interpreted build: immutability is checked by the type checker only")
    m = extract_all("call 415-555-0123", ExtractContext(default_region="US")).mentions[0]
    with pytest.raises(AttributeError):
        m.start = 0  # type: ignore[misc]
    with pytest.raises(AttributeError):
        m.explanation.steps = ()  # type: ignore[misc]
