"""Phone numbers, including obfuscated ones, normalized to E.164.

Reads the digit windows of `threadline.extract.deobfuscate` and, inside each
window, finds the runs of whole pieces that `phonenumbers` accepts as a valid
number in the record's region. Which runs win (documented rule):

1. more pieces that are real digits, not weak words ("one", "oh"), then
2. a run that an explicit "+" (or "más") introduces, then
3. fewer weak-word pieces, then
4. the earlier start;

chosen greedily, so a window can hold several numbers ("415-555-0123 /
415-555-0199") and a stray age or price before a number is left out.

A trunk prefix written in brackets after the country code ("+44 (0) 7700
900123") is dropped before parsing: it is dialled only inside the country.
A "+" written as a word ("más uno …") is recorded as obfuscation.
"""

from __future__ import annotations

from functools import cache, lru_cache

from phonenumbers import PhoneMetadata

from threadline.extract.base import Example, Explanation, ExtractContext, Extractor, Mention
from threadline.extract.deobfuscate import DigitWindow, digit_windows, obfuscation_of
from threadline.extract.numbers import Piece
from threadline.values.base import CleanContext
from threadline.values.phone import FALLBACK_REGION, PHONE

MAX_DIGITS = 15  # E.164 maximum
MIN_LEN = 7


@lru_cache(maxsize=65536)
def _e164(digits: str, region: str) -> str | None:
    return PHONE.clean(digits, CleanContext(default_region=region))


PLUS_WORDS = ("más", "mas", "plus", "mais")  # "más uno - …": a spelled-out "+"


def _plus_before(text: str, start: int) -> int | None:
    """Offset of a "+" (or "más", "plus") that prefixes the number at `start`."""
    head = text[max(0, start - 8) : start]
    stripped = head.rstrip(" \t\u3000-")
    at = start - (len(head) - len(stripped))
    if stripped.endswith(("+", "＋")):
        return at - 1
    low = stripped.lower()
    for w in PLUS_WORDS:
        if low.endswith(w) and not low[-len(w) - 1 : -len(w)].isalpha():
            return at - len(w)
    return None


@cache
def _lengths(region: str) -> frozenset[int]:
    """Digit counts a number of `region` can be written with without "+".

    From the `phonenumbers` metadata: the national number's possible lengths,
    plus a national prefix ("0…") or the bare country code ("1 415…"). A
    cheap test that spares most hopeless candidates the full parse.
    """
    meta = PhoneMetadata.metadata_for_region(region)
    if meta is None or meta.general_desc is None:
        return frozenset(range(MIN_LEN, MAX_DIGITS + 1))
    base = set(meta.general_desc.possible_length or range(MIN_LEN, MAX_DIGITS + 1))
    out = set(base)
    if meta.national_prefix:
        out |= {n + len(meta.national_prefix) for n in base}
    out |= {n + len(str(meta.country_code)) for n in base}
    return frozenset(n for n in out if MIN_LEN <= n <= MAX_DIGITS)


_CLOSERS = {"(": ")", "[": "]", "{": "}", "（": "）"}


def _widen(text: str, start: int, end: int) -> int:
    """Take in a "+" prefix and an opening bracket closed inside the number ("(312) 555…")."""
    if start > 0 and text[start - 1] in _CLOSERS and _CLOSERS[text[start - 1]] in text[start:end]:
        start -= 1
    plus = _plus_before(text, start)
    return start if plus is None else plus


def _trunk(text: str, piece: Piece) -> bool:
    """A bracketed national trunk prefix: the "(0)" of "+44 (0) 7700 900123"."""
    return (
        piece.digits == "0"
        and text[piece.start - 1 : piece.start] == "("
        and text[piece.end : piece.end + 1] == ")"
    )


# A run of whole pieces: (rank key, first piece, last piece, digits, "+" before it,
# written with a digit count of the region's numbers or "00…", "(0)" trunk prefix
# dropped). The key ranks runs: more real pieces, then an explicit "+" prefix,
# then fewer weak words, then the earlier start. A plain tuple: compiled, a
# NamedTuple's constructor would run as interpreted Python.
_Run = tuple[tuple[int, bool, int, int], int, int, str, bool, bool, bool]


def _runs(text: str, window: DigitWindow, region: str) -> list[_Run]:
    """Every run of whole pieces that could be a number by its digits alone, unparsed."""
    found = []
    pieces = window.pieces
    lengths = _lengths(region)
    for i in range(len(pieces)):
        plus = _plus_before(text, pieces[i].start) is not None
        digits = ""
        trunk = False
        for j in range(i, len(pieces)):
            if plus and i < j and not trunk and _trunk(text, pieces[j]):
                trunk = True  # "+44 (0) 7700…": the "0" is not part of the number
                continue
            digits += pieces[j].digits
            if len(digits) > MAX_DIGITS:
                break
            if len(digits) < MIN_LEN:
                continue
            if window.bridged and not all(i <= b < j for b in window.bridges):
                continue  # a bridged window exists only for numbers that need the bridge
            national = len(digits) in lengths or digits.startswith(("00", "011"))
            if not (plus or national):
                continue
            weak = sum(1 for p in pieces[i : j + 1] if p.weak)
            key = (j - i + 1 - weak, plus, -weak, -i)
            found.append((key, i, j, digits, plus, national, trunk))
    return found


def _number(digits: str, plus: bool, national: bool, region: str) -> str | None:
    """A run's E.164 number, or None when `phonenumbers` does not accept it."""
    e164 = None
    if plus and not (digits[0] == "1" and len(digits) < 11):
        # (a "+1" with fewer than ten digits after it is no NANP number: not parsed)
        e164 = _e164("+" + digits, region)
    if e164 is None and national:  # no "+", or "más"/a stray "+" that was no prefix
        e164 = _e164(digits, region)
    return e164


def choose_numbers(text: str, window: DigitWindow, region: str) -> list[tuple[int, int, str, bool]]:
    """(first piece, last piece, E.164, trunk prefix dropped) of the window's numbers.

    Runs are taken best rank first; a run that overlaps one already taken is
    never parsed. That is the same choice as parsing every run and then
    choosing greedily among the valid ones (ranks are distinct; the tests
    hold the two equal), without parsing the sub-runs of a number already
    found ("555 0123" inside "415 555 0123"), which were half the parses.
    """
    chosen: list[tuple[int, int, str, bool]] = []
    for _key, i, j, digits, plus, national, trunk in sorted(
        _runs(text, window, region), reverse=True
    ):
        if any(i <= b and a <= j for a, b, _e, _t in chosen):
            continue
        e164 = _number(digits, plus, national, region)
        if e164 is not None:
            chosen.append((i, j, e164, trunk))
    return chosen


class PhoneExtractor(Extractor):
    name = "phone"
    version = "1.1"  # 1.1: "(0)" trunk prefix, fiction ranges, spelled "+" recorded
    types = ("phone",)
    examples = (
        Example("Call 415-555-0123 now", (("phone", "415-555-0123", "+14155550123"),)),
        Example(
            "txt (312) 555-0142 or 312.555.0199",
            (
                ("phone", "(312) 555-0142", "+13125550142"),
                ("phone", "312.555.0199", "+13125550199"),
            ),
        ),
        Example("4one5 - 5five5 - 01 2 3", (("phone", "4one5 - 5five5 - 01 2 3", "+14155550123"),)),
        Example(
            "fourfifteen five five five zero one two three",
            (("phone", "fourfifteen five five five zero one two three", "+14155550123"),),
        ),
        Example("4I5.555.OI23", (("phone", "4I5.555.OI23", "+14155550123"),)),
        Example("4️⃣1️⃣5️⃣5️⃣5️⃣5️⃣0️⃣1️⃣2️⃣3️⃣", (("phone", "4️⃣1️⃣5️⃣5️⃣5️⃣5️⃣0️⃣1️⃣2️⃣3️⃣", "+14155550123"),)),
        Example(
            "llámame: cuatro uno cinco cinco cinco cinco cero uno dos tres",
            (("phone", "cuatro uno cinco cinco cinco cinco cero uno dos tres", "+14155550123"),),
        ),
        Example("+44 20 7946 0123", (("phone", "+44 20 7946 0123", "+442079460123"),)),
        Example("020 7946 0123", (("phone", "020 7946 0123", "+442079460123"),), region="GB"),
        Example("$200/hr 415-555-0123", (("phone", "415-555-0123", "+14155550123"),)),
        Example("150 roses, 36-24-36, 5'6, 22yo, 10am-2am, 12/25/2024", ()),
        Example("Post ID: 88213409 zip 77002", ()),
        Example(
            "WhatsApp +44 7700 900123",
            (("phone", "+44 7700 900123", "+447700900123"),),
            note="Ofcom's drama range, which libphonenumber rejects",
        ),
        Example(
            "call +44 (0) 7700 900123 anytime",
            (("phone", "+44 (0) 7700 900123", "+447700900123"),),
            note="bracketed trunk prefix after the country code",
        ),
        Example("+1 (0) 415 555 0123", (("phone", "+1 (0) 415 555 0123", "+14155550123"),)),
        Example(
            "más uno cuatro uno cinco cinco cinco cinco cero uno dos tres",
            (
                (
                    "phone",
                    "más uno cuatro uno cinco cinco cinco cinco cero uno dos tres",
                    "+14155550123",
                ),
            ),
            obfuscation=("spelled_digits:es", "spelled_plus"),
        ),
    )

    def extract(self, text: str, ctx: ExtractContext) -> list[Mention]:
        region = (ctx.default_region or FALLBACK_REGION).upper()
        mentions: list[Mention] = []
        taken: list[tuple[int, int]] = []
        for window in digit_windows(text, ctx):
            ctx.check("phone")
            for i, j, e164, trunk in choose_numbers(text, window, region):
                start, end = window.pieces[i].start, window.pieces[j].end
                start = _widen(text, start, end)
                if any(start < b and a < end for a, b in taken):
                    continue  # bridged windows may repeat a span already read
                taken.append((start, end))
                obfuscation = obfuscation_of(window, i, j)
                if start < window.pieces[i].start and text[start].isalpha():
                    obfuscation = tuple(sorted((*obfuscation, "spelled_plus")))  # "más", "plus"
                steps = [
                    "digit_windows",
                    *sorted({k for p in window.pieces[i : j + 1] for k in p.kinds if k != "ascii"}),
                ]
                if trunk:
                    steps.append("drop_trunk_prefix")
                steps.append(f"phonenumbers:{region}")
                confidence = 0.97 - 0.03 * len(obfuscation) - (0.15 if window.bridged else 0.0)
                mentions.append(
                    self.mention(
                        text,
                        "phone",
                        start,
                        end,
                        e164,
                        max(confidence, 0.5),
                        Explanation(
                            pattern_id="phone.window" + (".bridged" if window.bridged else ""),
                            steps=tuple(steps),
                            obfuscation=obfuscation,
                        ),
                    )
                )
        return mentions


EXTRACTOR = PhoneExtractor()
