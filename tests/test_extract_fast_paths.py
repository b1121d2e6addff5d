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
from threadline.extract.scan import _piece_runs, pieces_union, scan
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
        runs = pieces_union(set(low.split()), {}, _piece_runs)
        assert runs == set(reference.findall(low)), text


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


def _hostile_texts() -> list[str]:
    """`_texts()` plus random text over letters, digits, separators and number words."""
    rng = random.Random(11)
    words = ["four", "fifteen", "oone", "oh", "i", "oi", "sn4p", "cuatro", "uno", "at", "dot"]
    words += ["hr", "1hr", "1 hr", "1/2 hr", "15 min", "2hrs", "roses", "$", "€", "+", "@"]
    words += ["415", "555", "0123", "(0)", "+44", "7700", "900123", "020", "7946", "más", "O", "I"]
    words += ["Houston", "bc1", "0x", "-", ".", ",", ":", " ", " ", "\t", "\n", "💋", "①"]
    return _texts() + [
        " ".join(rng.choice(words) for _ in range(rng.randint(1, 30))) for _ in range(3000)
    ]


def test_scan_word_tokens_equal_a_letter_pattern_reference() -> None:
    """Trigger words and number words found per distinct piece (cached) are the ones
    a plain `\\p{L}+` pass over the text, classified word by word, finds."""
    from threadline.extract import scan as scan_module

    lex = scan_module.lexicon()
    letters = regex.compile(r"\p{L}+")
    compared = 0
    for text in _hostile_texts():
        low = scan_module.lower_same_length(text)
        want: set[tuple[str, int, int, str]] = set()
        for m in letters.finditer(low):
            w, s, e = m.group(), m.start(), m.end()
            wanted = w in lex.words
            number = (
                w in lex.numbers
                or w in scan_module._LOOKALIKE_WORDS
                or (not wanted and scan_module._is_glued(w, lex))
            )
            lookalike = number and w not in lex.numbers and not w.strip("oils")
            if number and (not lookalike or scan_module._touches_digit(low, s, e)):
                want.add(("num", s, e, w))
            elif wanted:
                want.add(("w", s, e, w))
        sc = scan_module.Scan(text, None)
        got = {
            (t.kind, t.start, t.end, t.low)
            for t in [*sc.digitish, *sc.trigger_words]
            if t.kind in ("num", "w") and t.low not in lex.literals
        }
        assert got == want, text
        compared += len(want)
    assert compared > 5000


def test_email_domain_check_holds_for_every_address() -> None:
    """The check after an "@" or "at" (`email.after_at`) never rejects a trigger
    that a window search finds an address around."""
    ctx = ExtractContext()
    after = email_extractor._pattern()[2]
    texts = [
        *_hostile_texts(),
        "luna (at) example [dot] org",
        "rosa punto m arroba example punto net",
        "x [@] example (dot) com, y {at} mail . com, z <@>  mail.net",
        "jane_doe99 at  example dot com",
        "Mia＠example.test",
    ]
    held = 0
    for text in texts:
        sc = scan(text, ctx)
        for tok in sc.symbols("@＠") + sc.words(email_extractor._rules()["at_words"]):
            lo = max(0, tok.start - email_extractor.WINDOW_BEFORE)
            hi = min(len(text), tok.end + email_extractor.WINDOW_AFTER)
            pattern = email_extractor._pattern()[0]
            around = [
                m
                for m in pattern.finditer(text, ctx, lo, hi)
                if m.start("at") <= tok.start < m.end("at")
            ]
            if around:
                assert after.match(text, ctx, tok.end, hi) is not None, text
                held += 1
    assert held >= 5


def test_crypto_gate_passes_every_text_the_pattern_matches() -> None:
    from threadline.extract.extractors import crypto_address

    rng = random.Random(3)
    b58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    candidates = [
        "16AqYshidxibjiKXJMFCg2GyZ1mci68cL1",
        "bc1qlrye6h2anqce2agymy8fgh0zar65aeup3y7pf8",
        "BC1QLRYE6H2ANQCE2AGYMY8FGH0ZAR65AEUP3Y7PF8",
        "0xCE6e118d264AaD6cB6Dd210fAF94acd3cf92C190",
    ]
    for _ in range(300):
        kind = rng.randrange(3)
        if kind == 0:
            body = "".join(rng.choice(b58) for _ in range(rng.randint(24, 36)))
            candidates.append(rng.choice("13") + body)
        elif kind == 1:
            alphabet = "023456789acdefghjklmnpqrstuvwxyz"
            candidates.append(
                "bc1" + "".join(rng.choice(alphabet) for _ in range(rng.randint(6, 20)))
            )
        else:
            candidates.append(
                "0x" + "".join(rng.choice("0123456789abcdefABCDEF") for _ in range(40))
            )
    texts = _hostile_texts() + [
        f"{rng.choice(['pay ', 'BTC: ', '(', 'x'])}{c}{rng.choice(['', ' now', ').', 'z'])}"
        for c in candidates
    ]
    ctx = ExtractContext()
    matched = gated = 0
    for text in texts:
        sc = scan(text, ctx)
        if crypto_address._PATTERN.all_matches(text, ctx):
            assert crypto_address.may_hold_address(sc), text
            matched += 1
        elif not crypto_address.may_hold_address(sc):
            gated += 1
        extractor = crypto_address.EXTRACTOR
        assert extractor.extract(text, ctx) == extractor.read_all(text, ctx)
    assert matched > 150 and gated > 1000


def test_price_unit_first_tried_at_a_digit_only_for_units_written_with_digits() -> None:
    """Where the unit-first pattern matches at a digit run, its key is a digit unit's."""
    from threadline.extract.extractors import price

    p = price._patterns()
    ctx = ExtractContext()
    texts = [
        *_hostile_texts(),
        "1 hr: $200, 1hr 300, 1\thr 150, 1/2 hr 120, 15min 80, 15 mins 90, 2 hrs 500, 30min $90",
        "60 min 200 y 1 hora 1500 pesos, 2 horas 2500, 20min 70",
    ]
    matched = 0
    for text in texts:
        sc = scan(text, ctx)
        for tok in sc.by_kind["d"]:
            if p.unit_first.match(sc.low, ctx, tok.start) is not None:
                assert price.digit_unit_may_start(sc.low, tok.start, p.digit_unit_keys), text
                matched += 1
    assert matched >= 12


def test_phone_choice_equals_parsing_every_run() -> None:
    """Choosing best-first and parsing only what can still be chosen gives what
    parsing every run and then choosing greedily gives."""
    from threadline.extract.deobfuscate import digit_windows
    from threadline.extract.extractors import phone

    def reference(text: str, window, region: str) -> list[tuple[int, int, str, bool]]:
        valid = []
        for key, i, j, digits, plus, national, trunk in phone._runs(text, window, region):
            e164 = phone._e164("+" + digits, region) if plus else None
            if e164 is None and national:
                e164 = phone._e164(digits, region)
            if e164 is not None:
                valid.append((key, i, j, e164, trunk))
        chosen: list[tuple[int, int, str, bool]] = []
        for _key, i, j, e164, trunk in sorted(valid, reverse=True):
            if not any(i <= b and a <= j for a, b, _e, _t in chosen):
                chosen.append((i, j, e164, trunk))
        return chosen

    texts = [
        *_hostile_texts(),
        "+1 325 555 and +1 415 555 0123 / 415-555-0199 or 2024 4155550123",
        "+44 (0) 7700 900123, 029 2018 0459, 020 7946 0123 0141 496 0781",
        "+1 (0) 415 555 0123 más uno cuatro uno cinco cinco cinco cinco cero uno dos tres",
    ]
    found = 0
    for text in texts:
        for region in ("US", "GB", "ES", "MX"):
            for window in digit_windows(text, ExtractContext(default_region=region)):
                fast = phone.choose_numbers(text, window, region)
                assert fast == reference(text, window, region), (text, region)
                found += len(fast)
    assert found > 500
