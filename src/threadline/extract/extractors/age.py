"""A stated age: "22yo", "22 y/o", "age: 22", "I'm 22", "tengo 22 años", "edad 22".

The span covers the marker and the number ("age: 22", "22yo"). Ages below 18
are kept: a stated minor age is a red flag the indicator stage must see.
"Age 18+" is a requirement, not a stated age, and is left out.
"""

from __future__ import annotations

from threadline.extract.base import Example, Explanation, ExtractContext, Extractor, Mention
from threadline.extract.bounded import BoundedPattern
from threadline.extract.scan import scan
from threadline.values.age import AGE

_SUFFIX = (
    r"(?:yo|y/o|y\.o\.?|yrs?[ \t]?old|yrs?|years?[ \t]?old|years?|años|anos|añitos"
    r"|ans|anos de edad|años de edad)"
)
_SUFFIX_STARTS = ("y", "a", "añ")
_PREFIXES = frozenset({"age", "aged", "edad", "tengo", "i", "im", "soy", "just", "cumplí"})
_PATTERN = BoundedPattern(
    "age",
    rf"(?i)(?<![\p{{L}}\p{{N}}])(?:"
    rf"(?P<pre>age|aged|edad|tengo|i'?m|i[ \t]am|soy|just[ \t]turned|cumplí)"
    rf"[ \t]?[:=\-]?[ \t]?(?P<n1>\d{{2}})(?:[ \t]?{_SUFFIX})?(?![\p{{L}}\p{{N}}'’\"/$+])"
    rf"|(?P<n2>\d{{2}})[ \t]?{_SUFFIX}(?![\p{{L}}\p{{N}}])"
    rf")",
)


class AgeExtractor(Extractor):
    name = "age"
    version = "1.0"
    types = ("age",)
    examples = (
        Example("sweet 22yo latina", (("age", "22yo", "22"),)),
        Example("Age: 24 | 5'6", (("age", "Age: 24", "24"),)),
        Example("tengo 21 años", (("age", "tengo 21 años", "21"),)),
        Example("I'm 19 and new", (("age", "I'm 19", "19"),)),
        Example("I'm 5'6 and 120 lbs, 36-24-36", ()),
    )

    def trigger_words(self) -> frozenset[str]:
        return _PREFIXES

    def extract(self, text: str, ctx: ExtractContext) -> list[Mention]:
        sc = scan(text, ctx)
        low = sc.low
        # a bare two-digit number is an age only with a suffix ("22yo", "22 años"): test in C
        two_digit = [
            t
            for t in sc.by_kind.get("d", ())
            if t.end - t.start == 2
            and low[t.end : t.end + 2].lstrip(" \t").startswith(_SUFFIX_STARTS)
        ]
        triggers = sorted(sc.words(_PREFIXES) + two_digit, key=lambda t: t.start)
        out: list[Mention] = []
        last_end = -1
        for tok in triggers:
            if tok.start < last_end:
                continue
            m = _PATTERN.match(text, ctx, tok.start)
            if m is None:
                continue
            last_end = m.end()
            number = m.group("n1") or m.group("n2")
            normalized = AGE.clean(number)
            if normalized is None:
                continue
            pid = "age.prefix" if m.group("pre") else "age.suffix"
            confidence = (
                0.7
                if m.group("pre") and m.group("pre").lower() in ("i'm", "im", "i am", "soy")
                else 0.9
            )
            out.append(
                self.mention(
                    text,
                    "age",
                    m.start(),
                    m.end(),
                    normalized,
                    confidence,
                    Explanation(pattern_id=pid),
                )
            )
        return out


EXTRACTOR = AgeExtractor()
