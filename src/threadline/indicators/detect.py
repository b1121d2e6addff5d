"""Detect indicators in one record: the whole analysis as one readable function.

`detect(text, mentions, kind=..., lang=...)` folds the text once (lower case,
accents stripped, same length), splits it into words, runs the text part of
the indicators those words make possible, runs each indicator's code rule
over the record's mentions, and returns one `Signal` per indicator that
fired, in text order. Zero-weight indicators (evidence weak or contradicted)
are returned too, so an analyst sees them, but they add nothing to a score.

`lang` picks the phrase lists ("en", "es"); `None` or an unsupported code uses
every language. Each indicator fires at most once per record, whatever the
number of its matches: repetition is not extra evidence.
"""

from __future__ import annotations

from collections.abc import Sequence

from threadline.extract.base import ExtractContext, Mention
from threadline.indicators.catalogue import Catalogue, load_catalogue
from threadline.indicators.matcher import matcher_for, merge_spans
from threadline.indicators.rules import NO_CONTEXT, RULES, DetectContext, RuleHit, RuleInput
from threadline.indicators.schema import LANGS, fold
from threadline.indicators.signal import Signal, SignalExplanation
from threadline.indicators.words import word_set


def detect(
    text: str,
    mentions: Sequence[Mention],
    *,
    kind: str,
    lang: str | None = None,
    context: DetectContext | None = None,
    catalogue: Catalogue | None = None,
    extract_ctx: ExtractContext | None = None,
    reference: bool = False,
) -> tuple[Signal, ...]:
    """Signals for one record. `reference=True` skips the word gate (brute force, for tests)."""
    cat = catalogue or load_catalogue()
    lang = lang if lang in LANGS else None
    matcher = matcher_for(cat, kind, lang)
    folded = fold(text)
    vocab = word_set(folded)
    text_hits = (
        matcher.scan_all(folded, extract_ctx)
        if reference
        else matcher.scan(folded, vocab, extract_ctx)
    )
    inp: RuleInput | None = None
    signals: list[Signal] = []
    indicators = matcher.indicators
    # only an indicator with a text hit or a rule that runs regardless can fire
    for idx in sorted(matcher.always.union(text_hits)) if text_hits else matcher.always_order:
        ind = indicators[idx]
        det = ind.detect
        hit = text_hits.get(idx)
        rule_hit: RuleHit | None = None
        if det.rule is not None and (hit is not None or det.combine == "any"):
            if inp is None:
                inp = RuleInput(
                    text,
                    folded,
                    vocab,
                    tuple(mentions),
                    kind,
                    lang,
                    context or NO_CONTEXT,
                    extract_ctx,
                )
            rule_hit = RULES[det.rule].func(inp, det.params)
        fired = (
            (hit is not None and rule_hit is not None)
            if det.combine == "all"
            else (hit is not None or rule_hit is not None)
        )
        if not fired:
            continue
        spans = list(hit[0]) if hit else []
        matched = list(hit[1]) if hit else []
        notes: tuple[str, ...] = ()
        if rule_hit is not None:
            spans += rule_hit.spans
            matched.append(f"rule:{det.rule}")
            notes = rule_hit.notes
        signals.append(
            Signal(
                indicator=ind.id,
                name=ind.name,
                category=ind.category,
                spans=merge_spans(spans),
                weight=ind.weight,
                grade=ind.grade,
                citation=matcher.citations[idx],
                explanation=SignalExplanation(cat.version, tuple(matched), ind.sources, notes),
            )
        )
    signals.sort(key=lambda s: (s.spans[0][0] if s.spans else len(text), s.indicator))
    return tuple(signals)
