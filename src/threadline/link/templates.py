"""Templates with slots inside a near-duplicate group, kept only when they shorten the description.

The idea is InfoShield's (Lee et al., ICDE 2021): a group of ads written from
one template is described more briefly as "the template, plus for each ad what
fills its slots" than as the ads themselves, and the minimum-description-
length (MDL) principle keeps a template only when it does. Implemented here
from the paper's idea, not its code:

1. Each text is split into tokens (words with their punctuation).
2. The reference is the group's medoid (the member most similar to the others
   by token-set Jaccard); every member is aligned to it (`difflib`, no junk
   heuristic).
3. A reference token joins the template when writing it once saves bits: it
   costs log2(V) bits in the template (V: the group's vocabulary size), and
   each member that matches it then pays log2(1/p) for a "match" instead of
   log2(V) for the word, while each member that lacks it pays for a "miss".
4. Between consecutive template tokens, whatever a member has instead is a
   slot value (names, prices, places, dropped or moved sentences); slots are
   shown as ``[[1]]``, ``[[2]]`` … with each member's value.
5. Description lengths, in bits: without a template, every member spells out
   all its tokens; with it, the template once plus per member the match/miss
   flags and its slot values. The template is kept only if the second is
   shorter; `Template.bits_saved` says by how much.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

MAX_TOKENS = 400  # per text: a flood of words adds no template evidence and costs alignment time
MAX_MEMBERS = 200
_TOKEN = re.compile(r"\S+")


@dataclass(frozen=True)
class Slot:
    number: int  # 1-based, as in the template text's [[n]]
    values: tuple[str, ...]  # one per member, in member order ("" when the member has none)

    def to_dict(self) -> dict[str, object]:
        return {"slot": self.number, "values": list(self.values)}


@dataclass(frozen=True)
class Template:
    text: str  # template tokens with [[n]] slot markers
    members: tuple[str, ...]
    slots: tuple[Slot, ...]
    bits_with: float  # description length with the template
    bits_without: float  # description length of the members spelled out

    @property
    def bits_saved(self) -> float:
        return self.bits_without - self.bits_with

    def to_dict(self) -> dict[str, object]:
        return {
            "template": self.text,
            "members": list(self.members),
            "slots": [s.to_dict() for s in self.slots],
            "bits_with": round(self.bits_with, 1),
            "bits_without": round(self.bits_without, 1),
        }


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)[:MAX_TOKENS]


def _jaccard(a: set[str], b: set[str]) -> float:
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter) if a or b else 0.0


def _medoid(docs: Sequence[list[str]]) -> int:
    sets = [set(d) for d in docs]
    best, best_score = 0, -1.0
    for i, a in enumerate(sets):
        score = sum(_jaccard(a, b) for j, b in enumerate(sets) if j != i)
        if score > best_score:
            best, best_score = i, score
    return best


def _align(ref: list[str], doc: list[str]) -> list[int]:
    """For each reference position, the matching position in `doc` or -1."""
    out = [-1] * len(ref)
    sm = SequenceMatcher(None, ref, doc, autojunk=False)
    for block in sm.get_matching_blocks():
        for k in range(block.size):
            out[block.a + k] = block.b + k
    return out


def _bits(p: float) -> float:
    return -math.log2(min(max(p, 1e-9), 1.0))


def find_template(texts: Sequence[str], member_ids: Sequence[str]) -> Template | None:
    """The MDL template of a group of texts, or None when no template shortens them."""
    if len(texts) != len(member_ids):
        raise ValueError("one member id per text")
    docs = [tokenize(t) for t in texts[:MAX_MEMBERS]]
    ids = tuple(member_ids[:MAX_MEMBERS])
    docs_ok = [d for d in docs if d]
    if len(docs_ok) < 2:
        return None
    vocab = len({w for d in docs for w in d}) + 1
    word = math.log2(vocab)
    length_code = math.log2(MAX_TOKENS + 1)
    bits_without = sum(len(d) * word + length_code for d in docs)
    ref = docs[_medoid(docs)]
    alignments = [_align(ref, d) for d in docs]
    n = len(docs)
    matched = [sum(1 for a in alignments if a[j] >= 0) for j in range(len(ref))]
    # MDL per reference token: once in the template vs spelled out by each member that has it
    keep = []
    for m in matched:
        p = m / n
        cost_in = word + m * _bits(p) + (n - m) * _bits(1 - p)
        cost_out = m * word
        keep.append(m >= 2 and cost_in < cost_out)
    template_pos = [j for j in range(len(ref)) if keep[j]]
    if not template_pos:
        return None
    # slots: per member, the tokens between consecutive template tokens that it matched
    gaps: list[list[str]] = [[] for _ in range(len(template_pos) + 1)]
    bits_with = len(template_pos) * word + length_code
    for d, a in zip(docs, alignments, strict=True):
        cursor = 0
        for g in range(len(template_pos) + 1):
            piece: list[str] = []
            if g == len(template_pos):
                piece = d[cursor:]
            elif a[template_pos[g]] >= 0:  # anchors are increasing: alignments are monotone
                piece = d[cursor : a[template_pos[g]]]
                cursor = a[template_pos[g]] + 1
            gaps[g].append(" ".join(piece))
            bits_with += len(piece) * word + (length_code if piece else 1.0)
        for j in template_pos:
            p = matched[j] / n
            bits_with += _bits(p) if a[j] >= 0 else _bits(1 - p)
    if bits_with >= bits_without:
        return None
    parts: list[str] = []
    slots: list[Slot] = []
    for g in range(len(template_pos) + 1):
        values = gaps[g]
        if any(values):
            slots.append(Slot(len(slots) + 1, tuple(values)))
            parts.append(f"[[{len(slots)}]]")
        if g < len(template_pos):
            parts.append(ref[template_pos[g]])
    return Template(" ".join(parts), ids, tuple(slots), bits_with, bits_without)
