"""Derived facts of a selection, with identifiers replaced by pseudonyms when asked.

Shared by every exporter so that a bundle, a CASE graph and FtM entities
pseudonymize the same way. In the exported text `text[start:end] == raw` still
holds for every mention; `original_start`/`original_end` index the text as
acquired (withheld from pseudonymized exports).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from threadline.evidence.pseudonym import OffsetMap, Pseudonymizer, TextRewriter
from threadline.evidence.selection import ExportData
from threadline.store.models import Mention, Record


@dataclass(frozen=True, slots=True)
class MentionFact:
    id: int
    record_id: int
    field: str
    type: str
    raw: str
    value: str  # normalized, or its pseudonym
    start: int
    end: int
    original_start: int
    original_end: int
    personal: bool  # replaced by a pseudonym
    extractor: str
    extractor_version: str
    confidence: float
    explanation: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "record_id": self.record_id,
            "field": self.field,
            "type": self.type,
            "raw": self.raw,
            "value": self.value,
            "start": self.start,
            "end": self.end,
            "original_start": self.original_start,
            "original_end": self.original_end,
            "pseudonymized": self.personal,
            "extractor": self.extractor,
            "extractor_version": self.extractor_version,
            "confidence": self.confidence,
            "explanation": self.explanation,
        }


@dataclass(frozen=True, slots=True)
class RecordFact:
    row: Record  # the stored row, for hashes, offsets and times (never its text)
    title: str | None
    text: str
    url: str | None
    fields: dict[str, Any]
    image_refs: list[str]
    warnings: list[str]
    mentions: tuple[MentionFact, ...]

    @property
    def id(self) -> int:
        return self.row.id


@dataclass(frozen=True, slots=True)
class Facts:
    records: tuple[RecordFact, ...]
    network_summary: dict[str, Any] | None
    rewriter: TextRewriter

    def mentions(self) -> list[MentionFact]:
        return [m for r in self.records for m in r.mentions]


def derive(data: ExportData, pseudonymizer: Pseudonymizer) -> Facts:
    rewriter = TextRewriter(pseudonymizer, data.mentions)
    by_record: dict[int, list[Mention]] = {}
    for m in data.mentions:
        by_record.setdefault(m.record_id, []).append(m)
    records = tuple(
        _record(r, by_record.get(r.id, []), pseudonymizer, rewriter) for r in data.records
    )
    summary = data.selection.network_summary
    return Facts(
        records=records,
        network_summary=None if summary is None else rewriter.value(dict(summary)),
        rewriter=rewriter,
    )


def _record(rec: Record, mentions: list[Mention], p: Pseudonymizer, rw: TextRewriter) -> RecordFact:
    texts: dict[str, str | None] = {"title": rec.title, "text": rec.text}
    moved: dict[str, OffsetMap] = {}
    out: dict[str, str | None] = {}
    for field, value in texts.items():
        spans = [
            (m.start, m.end, p.pseudonym(m.type, m.normalized))
            for m in mentions
            if m.field == field and p.is_personal(m.type)
        ]
        out[field], moved[field] = rw.text(value, spans)
    facts = []
    for m in mentions:
        personal = p.is_personal(m.type)
        alias = p.pseudonym(m.type, m.normalized)
        if m.field in moved:
            start, end = moved[m.field].span(m.start, m.end)
            exported = out.get(m.field) or ""
            raw = exported[start:end] if personal else m.raw
        else:  # a fact about a file (EXIF of an image record): no text to index
            start, end = m.start, m.end
            raw = alias if personal else m.raw
        facts.append(
            MentionFact(
                id=m.id,
                record_id=m.record_id,
                field=m.field,
                type=m.type,
                raw=raw,
                value=alias,
                start=start,
                end=end,
                original_start=m.start,
                original_end=m.end,
                personal=personal,
                extractor=m.extractor,
                extractor_version=m.extractor_version,
                confidence=m.confidence,
                explanation=rw.value(m.explanation or {}),
            )
        )
    return RecordFact(
        row=rec,
        title=out["title"],
        text=out["text"] or "",
        url=None if rec.url is None else rw.substitute(rec.url),
        fields=rw.value(rec.fields or {}),
        image_refs=rw.value(list(rec.image_refs or [])),
        warnings=list(rec.warnings or []),
        mentions=tuple(facts),
    )
