"""E-mail addresses, plain or obfuscated ("jane dot doe at example dot com").

One bounded regex finds the address with any mix of plain and spelled-out
separators: "@", "(at)", "[at]", " at ", "arroba", full-width "＠"; ".",
"(dot)", " dot ", "punto". The match is then checked: the top-level domain
must be a known one (trimming a run-on word: "example.comCall"), and an
address whose "at" is a plain word needs more evidence that it is not prose
(see `rules/email.yaml`). Each obfuscation used is recorded.
"""

from __future__ import annotations

from functools import cache

import regex

from threadline.extract.base import Example, Explanation, ExtractContext, Extractor, Mention
from threadline.extract.bounded import BoundedPattern
from threadline.extract.scan import scan
from threadline.values.base import load_yaml, str_list
from threadline.values.email import EMAIL
from threadline.values.url import known_tld

WINDOW_BEFORE, WINDOW_AFTER = 80, 160  # around an "@" or "at": longer is not an address
_L = r"[\p{L}\p{N}_%+\-]"  # local parts may be internationalised (RFC 6531)
# Possessive runs: no separator starts with a local-part or label character, so
# giving characters back can never help; without "+" each word is re-tried
# once per character.
_LABEL = r"[A-Za-z0-9][A-Za-z0-9-]{0,62}+"


@cache
def _rules() -> dict[str, frozenset[str]]:
    data = load_yaml("threadline.extract.rules", "email.yaml", {"at_words": list})
    return {
        k: frozenset(w.lower() for w in str_list(data, k, "email.yaml"))
        for k in ("at_words", "dot_words", "not_local")
    }


@cache
def _pattern() -> tuple[BoundedPattern, regex.Pattern[str], BoundedPattern]:
    r = _rules()
    at_w = "|".join(sorted(r["at_words"], key=len, reverse=True))
    dot_w = "|".join(sorted(r["dot_words"], key=len, reverse=True))
    at = (
        rf"(?P<at>[ \t]?[@＠][ \t]?|[ \t]?[(\[{{<][ \t]?(?i:{at_w}|@)[ \t]?[)\]}}>][ \t]?"
        rf"|[ \t]{{1,2}}(?i:{at_w})[ \t]{{1,2}})"
    )
    dot = (
        rf"(?:\.|[ \t]?[(\[{{<][ \t]?(?i:{dot_w}|\.)[ \t]?[)\]}}>][ \t]?"
        rf"|[ \t]{{1,2}}(?i:{dot_w})[ \t]{{1,2}}|[ \t]\.[ \t]?)"
    )
    full = (
        rf"(?<![\w.+\-@'’])(?P<local>{_L}{{1,64}}+(?:{dot}{_L}{{1,64}}+){{0,4}})"
        rf"{at}(?P<domain>{_LABEL}(?:{dot}{_LABEL}){{1,4}})(?![\w\-@])"
    )
    parts = regex.compile(rf"(?P<sep>{dot})|(?P<word>{_L}+)")
    # What must follow an "@" or an "at" word for `full` to match around it: the
    # rest of any of the three "at" forms (a space, a closing bracket, one or two
    # spaces) then the domain, exactly as `full` has it. A superset of `full`'s
    # tail, matched once at the trigger's end, so that the window search
    # (several anchored matches) runs only when an address can be there: most
    # "at"s of prose ("at the hotel.") and "@"s of handles ("@luna_x") fail it.
    after = rf"[ \t]?[)\]}}>]?[ \t]{{0,2}}{_LABEL}(?:{dot}{_LABEL}){{1,4}}(?![\w\-@])"
    return (
        BoundedPattern("email.obfuscated", full),
        parts,
        BoundedPattern("email.after_at", after),
    )


def _split(part: str, parts: regex.Pattern[str]) -> tuple[list[str], list[str]]:
    """Words and the separators between them."""
    words: list[str] = []
    seps: list[str] = []
    for m in parts.finditer(part, concurrent=False):
        (seps if m.lastgroup == "sep" else words).append(m.group())
    return words, seps


def _sep_kind(sep: str, what: str) -> str | None:
    s = sep.strip()
    if s in (".", "@"):
        return f"spaced_{what}" if s != sep else None
    if s == "＠":
        return "fullwidth_at"
    if s[:1] in "([{<":
        return f"{what}_bracketed"
    return f"{what}_word"


class EmailExtractor(Extractor):
    name = "email"
    version = "1.0"
    types = ("email",)
    examples = (
        Example(
            "mail me: jane.doe@example.com!",
            (("email", "jane.doe@example.com", "jane.doe@example.com"),),
        ),
        Example(
            "jane_doe99 at example dot com",
            (("email", "jane_doe99 at example dot com", "jane_doe99@example.com"),),
        ),
        Example(
            "luna (at) example [dot] org",
            (("email", "luna (at) example [dot] org", "luna@example.org"),),
        ),
        Example(
            "escribe a rosa punto m arroba example punto net",
            (("email", "rosa punto m arroba example punto net", "rosa.m@example.net"),),
        ),
        Example("Mia＠example.test", (("email", "Mia＠example.test", "mia@example.test"),)),
        Example("meet me at the hotel. Text 415", ()),
        Example("I'm at example dot com", ()),
    )

    def trigger_words(self) -> frozenset[str]:
        return _rules()["at_words"]

    def extract(self, text: str, ctx: ExtractContext) -> list[Mention]:
        sc = scan(text, ctx)
        dot_words = tuple(_rules()["dot_words"])
        # a spoken "at" matters only with a dot, plain or spoken, shortly after it
        spoken = [
            t
            for t in sc.words(_rules()["at_words"])
            if "." in sc.low[t.end : t.end + 70]
            or any(w in sc.low[t.end : t.end + 70] for w in dot_words)
        ]
        triggers = sc.symbols("@＠") + spoken
        if not triggers:
            return []
        out: list[Mention] = []
        seen: set[int] = set()
        for tok in sorted(triggers, key=lambda t: t.start):
            lo, hi = max(0, tok.start - WINDOW_BEFORE), min(len(text), tok.end + WINDOW_AFTER)
            plain = _plain_match(text, tok.start, lo, hi, ctx) if tok.low in "@＠" else None
            if plain is not None:
                found = [plain]
            elif _pattern()[2].match(text, ctx, tok.end, hi) is None:
                continue  # no domain after it: no address can hold this "at"
            else:
                found = _window_matches(text, tok.start, lo, hi, ctx)
            for m in found:
                if m.start("at") <= tok.start < m.end("at") and m.start() not in seen:
                    seen.add(m.start())
                    mention = self._read(text, m)
                    if mention is not None:
                        out.append(mention)
        return out

    def _read(self, text: str, m: regex.Match[str]) -> Mention | None:
        parts = _pattern()[1]
        rules = _rules()
        local_words, local_seps = _split(m.group("local"), parts)
        dom_words, dom_seps = _split(m.group("domain"), parts)
        # trim a word glued on after the address ("example.comCall") back to a known TLD
        while len(dom_words) > 2 and not known_tld(dom_words[-1]):
            dom_words, dom_seps = dom_words[:-1], dom_seps[:-1]
        if not known_tld(dom_words[-1]):
            return None
        at_sep = m.group("at")
        at_kind = _sep_kind(at_sep, "at")
        kinds = {k for k in (at_kind, *(_sep_kind(s, "dot") for s in local_seps + dom_seps)) if k}
        if at_kind == "at_word":
            plain_evidence = any(c.isdigit() or c in "._" for c in "".join(local_words))
            if len(local_words) == 1 and local_words[0].lower() in rules["not_local"]:
                return None
            # "reviews at example.com" is prose: a spoken "at" needs another
            # obfuscated separator or a local part that no ordinary word has
            if not (kinds - {"at_word"} or plain_evidence):
                return None
        if at_kind == "spaced_at" and at_sep[:1].isspace() != at_sep[-1:].isspace():
            return None  # "IG @jane.doe": a handle, not "ig@jane.doe"
        end = m.start("domain") + _span_len(m.group("domain"), dom_words, parts)
        address = ".".join(local_words) + "@" + ".".join(dom_words)
        if any(w.startswith("-") or w.endswith("-") for w in dom_words):
            return None
        normalized = EMAIL.clean(address)
        if normalized is None:
            return None
        steps = ("email.pattern", *(f"rewrite:{k}" for k in sorted(kinds)), "lowercase")
        confidence = 0.98 if not kinds else (0.9 if at_kind != "at_word" else 0.85)
        return self.mention(
            text,
            "email",
            m.start(),
            end,
            normalized,
            confidence,
            Explanation(
                pattern_id="email.obfuscated" if kinds else "email.plain",
                steps=steps,
                obfuscation=tuple(sorted(kinds)),
            ),
        )


def _plain_match(
    text: str, at: int, lo: int, hi: int, ctx: ExtractContext
) -> regex.Match[str] | None:
    """The address around a plain "@", matched from where its local part starts.

    The fast path for the usual "jane.doe@example.com": walk back over the
    local part's characters and match anchored there, instead of searching
    the whole window. Not taken when the local part could reach further
    back through a spelled, spaced or bracketed dot ("jane dot doe@…"); the
    window search handles those.
    """
    k = at
    while k > lo and (text[k - 1].isalnum() or text[k - 1] in "._%+-"):
        k -= 1
    if k == at:
        return None
    head = text[max(0, k - 12) : k]
    if head[-1:] in " \t":
        head = head.rstrip(" \t").lower()
        if head[-1:] in ".)]}>" or head.endswith(tuple(_rules()["dot_words"])):
            return None
    elif head[-1:] in ")]}>":
        return None
    m = _pattern()[0].match(text, ctx, k, hi)
    if m is None or not m.start("at") <= at < m.end("at"):
        return None
    return m


def _window_matches(
    text: str, at: int, lo: int, hi: int, ctx: ExtractContext
) -> list[regex.Match[str]]:
    """The matches a search of [lo, hi) would find that start before `at`.

    A match can start only where its look-behind allows: a local-part
    character after anything but a word character or ".+-@'’". So instead of
    searching (which tries the whole pattern at every character, ~3,000
    instructions per character), the pattern is matched anchored at those
    word starts, left to right, skipping starts inside a match already found,
    exactly as `finditer` does. Matches starting at or after `at` cannot
    contain the "at" there, so they are not looked for.
    """
    pattern = _pattern()[0]
    out: list[regex.Match[str]] = []
    resume = lo
    for k in range(lo, at):
        if k < resume:
            continue
        c = text[k]
        if not (c.isalnum() or c in "_%+-"):
            continue
        if k > 0:
            b = text[k - 1]
            if b.isalnum() or b in "_.+-@'’":
                continue
        m = pattern.match(text, ctx, k, hi)
        if m is not None:
            out.append(m)
            resume = m.end()
    return out


def _span_len(domain: str, kept: list[str], parts: regex.Pattern[str]) -> int:
    """Length of the prefix of `domain` that holds the first `len(kept)` labels."""
    seen = 0
    for m in parts.finditer(domain, concurrent=False):
        if m.lastgroup == "word":
            seen += 1
            if seen == len(kept):
                return m.end()
    return len(domain)


EXTRACTOR = EmailExtractor()
