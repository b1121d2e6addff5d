"""De-obfuscation of digit sequences: text → digits, with an exact offset map."""

from __future__ import annotations

import pytest

from threadline.extract.deobfuscate import digit_windows, obfuscation_of
from threadline.extract.numbers import number_rules

# text, the digit stream of its first window, obfuscation labels of that window
WINDOWS = [
    ("415-555-0123", "4155550123", ()),
    ("4one5 - 5five5 - 12 3 4", "4155551234", ("spelled_digits:en",)),
    ("fourfifteen five five five zero one two three", "4155550123", ("spelled_digits:en",)),
    ("4I5.555.I234", "4155551234", ("letter_for_digit",)),
    ("4O5 | 555 | OI23", "4055550123", ("letter_for_digit", "unusual_separators")),
    ("4|5 555 0123", "4155550123", ("letter_for_digit",)),
    ("4️⃣1️⃣5️⃣ 5️⃣5️⃣5️⃣ 0️⃣1️⃣2️⃣3️⃣", "4155550123", ("emoji_digits", "spaced_digits")),
    ("４１５５５５０１２３", "4155550123", ("unicode_digits",)),
    ("❹①⑤ 555 0123", "4155550123", ("emoji_digits",)),
    ("415 💋 555 💋 0123", "4155550123", ("unusual_separators",)),
    ("415\u200b555\u200b0123", "4155550123", ("invisible_characters", "unusual_separators")),
    ("cuatro uno cinco cinco cinco cinco cero uno dos tres", "4155550123", ("spelled_digits:es",)),
    ("quinientos cincuenta y cinco, cero uno, veintitrés", "5550123", ("spelled_digits:es",)),
    (
        "four hundred fifteen five five five zero one twenty three",
        "4155550123",
        ("spelled_digits:en",),
    ),
    ("three oh five, double five five, zero one four nine", "3055550149", ("spelled_digits:en",)),
    ("quatro um cinco cinco cinco cinco zero um dois três", "4155550123", ("spelled_digits:pt",)),
    ("415 dash 555 dash 0123", "4155550123", ()),
    ("415 555 text me 0123", "4155550123", ("split_by_text",)),
]


@pytest.mark.parametrize(("text", "digits", "labels"), WINDOWS, ids=[w[0][:24] for w in WINDOWS])
def test_windows(text: str, digits: str, labels: tuple[str, ...]) -> None:
    windows = digit_windows(text)
    window = next(w for w in windows if w.digits == digits)
    got = obfuscation_of(window, 0, len(window.pieces) - 1)
    assert set(labels) <= set(got), got


@pytest.mark.parametrize("text", [w[0] for w in WINDOWS])
def test_offset_map_points_into_original_text(text: str) -> None:
    for window in digit_windows(text):
        assert len(window.offsets) == len(window.digits)
        for piece in window.pieces:
            assert 0 <= piece.start < piece.end <= len(text)
            assert text[piece.start : piece.end].strip()  # never an empty or blank slice
        start, end = window.original_span(0, len(window.digits))
        assert (start, end) == (window.pieces[0].start, window.pieces[-1].end)


# Not phone material: each leaves no window of 7+ digits.
NEGATIVES = [
    "$200/hr 150 roses",
    "36-24-36 5'6 22yo",
    "10am-2am, 10:30 to 11:45",
    "Post ID: 88213409",
    "someone weight often phone",
    "I am here lol",
    "Ad #1234567",
    "hh 120 hr 200 overnight 1000",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_negatives_make_no_window(text: str) -> None:
    assert [w.digits for w in digit_windows(text)] == []


def test_price_before_number_is_not_part_of_it() -> None:
    (window,) = digit_windows("$200/hr 415-555-0123")
    assert window.digits == "4155550123"


def test_vocabulary_is_data() -> None:
    rules = number_rules()
    assert rules.words["fifteen"].value == 15 and rules.words["fifteen"].kind == "pairs"
    assert rules.words["quinientos"].kind == "hundreds"
    assert rules.words["oh"].weak
    assert {w.lang for w in rules.words.values()} >= {"en", "es", "pt", "fr"}


def test_original_text_is_never_modified() -> None:
    text = "４I5.555.OI23"
    before = str(text)
    digit_windows(text)
    assert text == before


def _windows(text: str, prefilter: bool) -> list[tuple[str, tuple, tuple]]:
    return [(w.digits, w.offsets, w.bridges) for w in digit_windows(text, prefilter=prefilter)]


def test_prefilter_gives_the_same_windows_as_reading_every_token() -> None:
    """The cluster prefilter only skips tokens that could never make a window."""
    import json
    from pathlib import Path

    from threadline.extract.registry import all_extractors

    texts = [t for t, _, _ in WINDOWS]
    texts += [ex.text for e in all_extractors() for ex in e.examples]
    rows = Path(__file__).parent / "data" / "extract_eval.jsonl"
    texts += [json.loads(line)["text"] for line in rows.read_text("utf-8").splitlines()]
    texts += [
        "Available 10:00-23:00 ~ 32B-25-34 · 5ft 6 · call 415 555 text me 0123",
        "one two three " * 5 + "then 4 1 5 - 5 5 5",
        "$200/hr 30 min 150 roses 415",
        "+1 xo 307 xo 555 xo 0138",
    ]
    for text in texts:
        assert _windows(text, True) == _windows(text, False), text
