"""A person's name where the ad marks it: "my name is Jade", "ask for Luna", "me llamo Sofía".

Only marked names are read; a capitalised word alone is not a name. Weak
markers ("I'm", "soy") need the word not to be an ordinary adjective or
greeting ("I'm New", "soy Latina"); `rules/names.yaml` lists both.
"""

from __future__ import annotations

from functools import cache

import regex

from threadline.extract.base import Example, Explanation, ExtractContext, Extractor, Mention
from threadline.extract.bounded import BoundedPattern
from threadline.extract.scan import scan
from threadline.values.base import load_yaml, str_list
from threadline.values.name import PERSON_NAME

_NAME_WORD = r"\p{Lu}\p{Ll}{1,20}"


@cache
def _rules() -> tuple[BoundedPattern, frozenset[str], frozenset[str]]:
    data = load_yaml(
        "threadline.extract.rules", "names.yaml", {"markers": list, "weak": list, "not_names": list}
    )
    markers = str_list(data, "markers", "names.yaml")
    alt = "|".join(
        regex.escape(m).replace(r"\ ", r"[ \t]+").replace("'", "['’]?")
        for m in sorted(markers, key=len, reverse=True)
    )
    pattern = BoundedPattern(
        "name",
        (
            rf"(?<![\p{{L}}])(?P<marker>(?i:{alt}))[ \t]{{1,2}}(?:is[ \t]+)?"
            rf"(?P<name>{_NAME_WORD})(?:[ \t](?P<second>{_NAME_WORD}))?(?![\p{{L}}])"
        ),
    )
    weak = frozenset(w.lower().replace("'", "") for w in str_list(data, "weak", "names.yaml"))
    return pattern, weak, frozenset(w.lower() for w in str_list(data, "not_names", "names.yaml"))


@cache
def _triggers() -> frozenset[str]:
    data = load_yaml("threadline.extract.rules", "names.yaml", {"markers": list})
    return frozenset(
        regex.split(r"[^\w]", m.lower())[0] for m in str_list(data, "markers", "names.yaml")
    ) - {""}


class NameExtractor(Extractor):
    name = "name"
    version = "1.0"
    types = ("name",)
    examples = (
        Example("Hi gentlemen, my name is Jade", (("name", "Jade", "Jade"),)),
        Example("ask for Luna Rose tonight", (("name", "Luna Rose", "Luna Rose"),)),
        Example("Hola, me llamo Sofía", (("name", "Sofía", "Sofía"),)),
        Example("I'm New in town, call me Now", ()),
    )

    def trigger_words(self) -> frozenset[str]:
        return _triggers()

    def extract(self, text: str, ctx: ExtractContext) -> list[Mention]:
        pattern, weak, not_names = _rules()
        out: list[Mention] = []
        for tok in scan(text, ctx).words(_triggers()):
            m = pattern.match(text, ctx, tok.start)
            if m is None:
                continue
            first = m.group("name")
            if first.lower() in not_names:
                continue
            end = m.end("name")
            second = m.group("second")
            if second and second.lower() not in not_names:
                end = m.end("second")
            marker = " ".join(m.group("marker").lower().replace("'", "").replace("’", "").split())
            is_weak = marker in weak
            normalized = PERSON_NAME.clean(text[m.start("name") : end])
            if normalized is None:
                continue
            out.append(
                self.mention(
                    text,
                    "name",
                    m.start("name"),
                    end,
                    normalized,
                    0.55 if is_weak else 0.8,
                    Explanation(
                        pattern_id="name.weak_marker" if is_weak else "name.marker",
                        notes=(f"marker: {m.group('marker')}",),
                    ),
                )
            )
        return out


EXTRACTOR = NameExtractor()
