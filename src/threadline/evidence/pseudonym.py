"""Keyed, stable pseudonyms for personal identifiers in exports.

A pseudonym is HMAC-SHA256 over the identifier's type and normalized value,
keyed with a random per-case key (RFC 2104 via the standard library's `hmac`).
The same identifier gets the same pseudonym throughout a case, so a recipient
can still see that two ads share a phone; another case has another key, so
pseudonyms cannot be joined across cases; and without the key a pseudonym
cannot be reversed by hashing candidate phone numbers, which a plain hash
would allow. The key lives in the `pseudonym_keys` table of its case, is
created on first need (audited, without the key), deleted with the case
(ON DELETE CASCADE), and is never written to an export.

What is replaced: the mention types in `PERSONAL_TYPES` that extraction found.
An identifier that extraction missed stays in the text; raw bytes, which would
show every identifier in clear, are withheld from pseudonymized exports.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from threadline import audit
from threadline.store.db import Store, utcnow
from threadline.store.models import PseudonymKey

# mention type → the label a pseudonym carries (the type stays visible: a phone
# pseudonym links records the way the phone did)
PERSONAL_TYPES: Mapping[str, str] = {
    "phone": "phone",
    "email": "email",
    "handle": "handle",
    "payment_handle": "payment",
    "crypto_address": "crypto",
    "name": "name",
}
MIN_LITERAL = 3  # a two-letter "name" substituted everywhere would shred the text
DIGEST_CHARS = 20  # 80 bits: no collisions in any one case, short enough to read


@dataclass(frozen=True, slots=True)
class Pseudonymizer:
    """Maps identifiers to pseudonyms for one case. `enabled=False` maps them to themselves."""

    enabled: bool
    _key: bytes = b""

    def pseudonym(self, mention_type: str, normalized: str) -> str:
        if not self.enabled or mention_type not in PERSONAL_TYPES:
            return normalized
        message = f"{mention_type}\x1f{normalized}".encode()
        digest = hmac.new(self._key, message, hashlib.sha256).hexdigest()[:DIGEST_CHARS]
        return f"{PERSONAL_TYPES[mention_type]}-{digest}"

    def is_personal(self, mention_type: str) -> bool:
        return self.enabled and mention_type in PERSONAL_TYPES


def for_case(store: Store, actor: str, case_id: int, *, enabled: bool = True) -> Pseudonymizer:
    if not enabled:
        return Pseudonymizer(False)
    return Pseudonymizer(True, case_key(store, actor, case_id))


def case_key(store: Store, actor: str, case_id: int) -> bytes:
    """The case's pseudonym key, created on first need. Safe against concurrent creation."""
    with store.read() as session:
        row = session.get(PseudonymKey, case_id)
        if row is not None:
            return bytes.fromhex(row.key_hex)
    fresh = secrets.token_hex(32)
    with store.write() as session:
        store.insert_ignore(
            session,
            PseudonymKey,
            [{"case_id": case_id, "key_hex": fresh, "created_at": utcnow()}],
        )
        stored = session.scalar(select(PseudonymKey.key_hex).where(PseudonymKey.case_id == case_id))
        assert stored is not None
        if stored == fresh:  # this call created it (a concurrent one may have won instead)
            audit.append(
                session,
                actor=actor,
                action="pseudonym_key.created",
                case_id=case_id,
                target=f"case:{case_id}",
                details={"algorithm": "HMAC-SHA256", "bits": 256},
            )
        return bytes.fromhex(stored)


class TextRewriter:
    """Replaces identifiers in one record's text and structured values.

    Spans found by extraction are replaced exactly. Other occurrences of the
    same identifiers (raw or normalized form) are found with one escaped
    alternation and replaced in the same single pass, so an inserted pseudonym
    is never matched again; in free text they become extra spans, so the
    mentions' offsets can be moved to the rewritten text.
    """

    def __init__(self, pseudonymizer: Pseudonymizer, mentions: Iterable[Any]) -> None:
        self.enabled = pseudonymizer.enabled
        self.aliases: dict[str, str] = {}
        self._pattern: re.Pattern[str] | None = None
        if not self.enabled:
            return
        for m in mentions:
            if m.type in PERSONAL_TYPES:
                alias = pseudonymizer.pseudonym(m.type, m.normalized)
                for value in (m.raw, m.normalized):
                    if len(value) >= MIN_LITERAL:
                        self.aliases.setdefault(value, alias)
        if self.aliases:
            # not inside a longer word: the name "Mia" must not rewrite "Miami"
            self._pattern = re.compile(r"(?<!\w)(?:" + trie_pattern(self.aliases) + r")(?!\w)")

    def text(
        self, value: str | None, spans: Iterable[tuple[int, int, str]]
    ) -> tuple[str | None, OffsetMap]:
        """`value` with each (start, end, replacement) applied, and a map to the new offsets."""
        wanted = sorted(set(spans))
        if value is None or not self.enabled:
            return value, OffsetMap(())
        taken = [(s, e) for s, e, _ in wanted]
        extra = [
            (m.start(), m.end(), self.aliases[m.group()])
            for m in (self._pattern.finditer(value) if self._pattern else ())
            if not any(s < m.end() and m.start() < e for s, e in taken)
        ]
        edits: list[tuple[int, int, int, int]] = []  # old start, old end, new start, new end
        out: list[str] = []
        pos = shift = 0
        for start, end, replacement in sorted(wanted + extra):
            if start < pos:  # overlaps the span just replaced: its replacement covers both
                if end > pos:  # hide the overhang too rather than leave half an identifier
                    s0, _, n0, n1 = edits[-1]
                    edits[-1] = (s0, end, n0, n1)
                    shift -= end - pos
                    pos = end
                continue
            out.append(value[pos:start])
            out.append(replacement)
            edits.append((start, end, start + shift, start + shift + len(replacement)))
            shift += len(replacement) - (end - start)
            pos = end
        out.append(value[pos:])
        return "".join(out), OffsetMap(tuple(edits))

    def substitute(self, value: str) -> str:
        if self._pattern is None:
            return value
        return self._pattern.sub(lambda m: self.aliases[m.group()], value)

    def value(self, data: Any) -> Any:
        """Substitute inside any JSON-like value (keys too: source fields may be keyed by them)."""
        if isinstance(data, str):
            return self.substitute(data)
        if isinstance(data, Mapping):
            return {self.substitute(str(k)): self.value(v) for k, v in data.items()}
        if isinstance(data, list | tuple):
            return [self.value(v) for v in data]
        return data


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Moves spans of a text to the same place in its rewritten form."""

    edits: tuple[tuple[int, int, int, int], ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """A span touching a replaced stretch becomes that stretch's replacement."""
        shift = 0
        for old_start, old_end, new_start, new_end in self.edits:
            if (old_start < end and start < old_end) or start == end == old_start:
                return new_start, new_end
            if old_end <= start:
                shift = new_end - old_end
            else:
                break
        return start + shift, end + shift


def trie_pattern(literals: Iterable[str]) -> str:
    """One regex matching any of the literals, longest first, shaped as a trie.

    A flat alternation of thousands of identifiers is tried alternative by
    alternative at every position of every text (measured: a 10,000-record
    export did not finish in 30 minutes); a trie shares prefixes, so each
    position costs at most the length of the longest literal. Built by hand:
    no Aho-Corasick package is a dependency, and `re` with a trie is enough.
    """
    root: dict[str, Any] = {}
    for literal in literals:
        node = root
        for ch in literal:
            node = node.setdefault(ch, {})
        node[""] = {}  # end of a literal
    return _node_pattern(root)


def _node_pattern(node: dict[str, Any]) -> str:
    ends = "" in node
    branches = []
    for ch in sorted(k for k in node if k):
        child, run = node[ch], re.escape(ch)
        while len(child) == 1 and "" not in child:  # a chain without branches: one literal run
            (nxt,) = child
            run += re.escape(nxt)
            child = child[nxt]
        branches.append(run + _node_pattern(child))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:  # this prefix is itself a literal: a longer one is tried first, greedily
        return "(?:" + body + ")?"
    return body
