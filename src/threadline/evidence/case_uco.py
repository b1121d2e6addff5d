"""CASE/UCO 1.4 JSON-LD: the selection as observables, the custody chain as investigative actions.

Mapping (docs/evidence.md has the full table):
- the case → `investigation:Investigation` (name, focus = purpose) whose
  `relevantAuthorization` is an `investigation:Authorization` carrying the
  legal basis;
- each source file and image blob → `observable:File` with a `ContentDataFacet`
  (size, SHA-256 and MD5 `types:Hash`es), a `FileFacet`, and for images with
  EXIF an `EXIFFacet` whose `exifData` is a `types:ControlledDictionary`;
- each record → `observable:Post` (ads, job ads), `WebPage`, or
  `ObservableObject`, with the hash of its raw bytes, tied to its source file by
  a `Contained_Within` relationship carrying a `DataRangeFacet` (offset, size);
- each phone, e-mail, handle, payment handle or crypto address → an account or
  address observable, related to the records that mention it;
- each custody event → `investigation:InvestigativeAction` (performer,
  instrument = threadline, start time, objects) whose result is an
  `investigation:ProvenanceRecord` listing what the action produced or handled.

IRIs are `kb:` + a kind + a UUIDv5 derived from the case and a local key; in a
pseudonymized export the key of an identifier is its pseudonym, never its value.
Built by hand as JSON: no library writes CASE 1.4 from Python objects without
pulling in a model of the whole ontology, and the output is validated by the
real `case_validate` in the tests.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from threadline import __version__
from threadline.evidence import raw
from threadline.evidence.common import ExportSummary, dumps, write_single_file
from threadline.evidence.custody import CustodyEvent, custody_events
from threadline.evidence.facts import Facts, derive
from threadline.evidence.outdir import OutputFolder
from threadline.evidence.pseudonym import for_case
from threadline.evidence.selection import ExportData, Selection, load
from threadline.media import ExifFacts
from threadline.store.db import Store

CASE_FILE = "case.jsonld"
CONTEXT = {
    "kb": "urn:threadline:kb:",
    "core": "https://ontology.unifiedcyberontology.org/uco/core/",
    "observable": "https://ontology.unifiedcyberontology.org/uco/observable/",
    "types": "https://ontology.unifiedcyberontology.org/uco/types/",
    "action": "https://ontology.unifiedcyberontology.org/uco/action/",
    "identity": "https://ontology.unifiedcyberontology.org/uco/identity/",
    "tool": "https://ontology.unifiedcyberontology.org/uco/tool/",
    "investigation": "https://ontology.caseontology.org/case/investigation/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_NAMESPACE = uuid.UUID("5d0c1c52-8a4e-4b7e-9a43-6f1b1c0e7a11")  # threadline's own
RECORD_CLASS = {"ad": "observable:Post", "job_ad": "observable:Post", "page": "observable:WebPage"}
ACCOUNT_TYPES = ("handle", "payment_handle", "crypto_address")


def export_case(
    store: Store,
    actor: str,
    case: str,
    selection: Selection,
    out_dir: Path,
    *,
    pseudonymize: bool = True,
) -> ExportSummary:
    data = load(store, case, selection)
    facts = derive(data, for_case(store, actor, data.case.id, enabled=pseudonymize))
    events = custody_events(store, data)
    exif = {r.id: raw.exif_of(store, r.blob_sha256) for r in data.records if r.kind == "image"}
    folder = OutputFolder(out_dir)
    try:
        body = build(store, data, facts, events, pseudonymized=pseudonymize, exif=exif)
    except BaseException:
        folder.discard()
        raise
    return write_single_file(
        store, actor, data, folder, fmt="case", name=CASE_FILE, body=body,
        pseudonymized=pseudonymize,
    )  # fmt: skip


def build(
    store: Store,
    data: ExportData,
    facts: Facts,
    events: list[CustodyEvent],
    *,
    pseudonymized: bool,
    exif: dict[int, ExifFacts | None],
) -> bytes:
    g = _Graph(data.case.id)
    tool = g.node(
        "tool",
        "threadline",
        "tool:Tool",
        {
            "core:name": "threadline",
            "tool:version": __version__,
            "tool:toolType": "analysis",
        },
    )
    people: dict[str, str] = {}

    def person(name: str) -> str:
        if name not in people:
            people[name] = g.node("identity", name, "identity:Identity", {"core:name": name})
        return people[name]

    auth = g.node(
        "authorization",
        "legal-basis",
        "investigation:Authorization",
        {
            "investigation:authorizationType": "legal basis",
            "core:description": data.case.legal_basis,
            "core:startTime": _time(data.case.created_at),
        },
    )

    # source files, record observables, payload blobs
    source_node: dict[int, str] = {}
    for s in data.sources:
        source_node[s.id] = g.node(
            "file",
            s.sha256,
            "observable:File",
            {
                "core:name": f"source {s.id}",
                "core:hasFacet": [
                    g.facet(
                        "observable:FileFacet",
                        {
                            "observable:fileName": PurePosixPath(s.path.replace("\\", "/")).name
                            or s.sha256,
                            "observable:sizeInBytes": _int(s.size),
                        },
                    ),
                    g.content(s.size, _digests(store, s.sha256, 0, None)),
                ],
            },
        )
    record_node: dict[int, str] = {}
    for rf in facts.records:
        r = rf.row
        props: dict[str, Any] = {
            "core:name": f"record {r.id} ({r.kind})",
            "core:hasFacet": [
                g.content(
                    r.raw_length,
                    _digests(store, data_source_sha(data, r.source_id), r.raw_offset, r.raw_length),
                )
            ],
        }
        if r.kind in ("ad", "job_ad"):
            message: dict[str, Any] = {"observable:messageText": _text(rf.title, rf.text)}
            if r.posted_at is not None:
                message["observable:sentTime"] = _time(r.posted_at)
            props["core:hasFacet"].append(g.facet("observable:MessageFacet", message))
        record_node[r.id] = g.node(
            "record", str(r.id), RECORD_CLASS.get(r.kind, "observable:ObservableObject"), props
        )
        g.relation(
            record_node[r.id],
            source_node[r.source_id],
            "Contained_Within",
            [
                g.facet(
                    "observable:DataRangeFacet",
                    {
                        "observable:rangeOffset": _int(r.raw_offset),
                        "observable:rangeSize": _int(r.raw_length),
                    },
                )
            ],
        )
        if r.blob_sha256 and r.blob_sha256 not in (
            r.content_sha256,
            data_source_sha(data, r.source_id),
        ):
            size = raw.blob_size(store, r.blob_sha256)
            facets = [
                g.facet(
                    "observable:FileFacet",
                    {
                        "observable:fileName": f"raw/{r.blob_sha256}",
                        "observable:sizeInBytes": _int(size),
                    },
                ),
                g.content(size, _digests(store, r.blob_sha256, 0, None)),
            ]
            facts_exif = exif.get(r.id)
            if facts_exif is not None and facts_exif.present:
                facets.append(g.exif(facts_exif, pseudonymized))
            blob = g.node(
                "file",
                r.blob_sha256,
                "observable:File",
                {
                    "core:name": f"payload of record {r.id}",
                    "core:hasFacet": facets,
                },
            )
            g.relation(blob, record_node[r.id], "Contained_Within", [])

    # identifiers found in the records
    id_node: dict[tuple[str, str], str] = {}
    for m in facts.mentions():
        key = (m.type, m.value)
        if key not in id_node:
            made = g.identifier(m.type, m.value)
            if made is None:
                continue
            id_node[key] = made
        g.relation(
            id_node[key],
            record_node[m.record_id],
            "Mentioned_In",
            [],
            key=f"{m.type}:{m.value}:{m.record_id}",
        )

    # the custody chain
    previous: str | None = None
    for i, ev in enumerate(events):
        objects = _event_objects(ev, data, source_node, record_node, id_node)
        record = g.node(
            "provenance",
            str(i),
            "investigation:ProvenanceRecord",
            {
                "investigation:exhibitNumber": f"{data.case.name}/{i + 1}",
                "core:description": f"{ev.stage}: {ev.action} on {ev.target}",
                "core:object": [{"@id": o} for o in objects],
            },
        )
        props = {
            "core:name": ev.stage,
            "core:description": _describe(ev),
            "action:startTime": _time_text(ev.at),
            "action:performer": {"@id": person(ev.actor)},
            "action:instrument": {"@id": tool},
            "action:object": [{"@id": o} for o in objects],
            "action:result": [{"@id": record}],
        }
        if previous is not None:
            props["investigation:wasInformedBy"] = {"@id": previous}
        previous = g.node("action", str(i), "investigation:InvestigativeAction", props)

    g.node(
        "investigation",
        "case",
        "investigation:Investigation",
        {
            "core:name": data.case.name,
            "investigation:focus": data.case.purpose,
            "investigation:investigationStatus": "open",
            "core:startTime": _time(data.case.created_at),
            "investigation:relevantAuthorization": {"@id": auth},
            "core:object": [{"@id": n["@id"]} for n in g.top if n["@id"] != auth],
        },
    )
    return dumps({"@context": CONTEXT, "@graph": g.nodes})


def data_source_sha(data: ExportData, source_id: int) -> str:
    return next(s.sha256 for s in data.sources if s.id == source_id)


class _Graph:
    def __init__(self, case_id: int) -> None:
        self.case_id = case_id
        self.nodes: list[dict[str, Any]] = []
        self.top: list[dict[str, Any]] = []  # objects the investigation gathers
        self._ids: set[str] = set()
        self._n = 0

    def iri(self, kind: str, key: str) -> str:
        return f"kb:{kind}-{uuid.uuid5(_NAMESPACE, f'{self.case_id}/{kind}/{key}')}"

    def node(self, kind: str, key: str, cls: str, props: dict[str, Any]) -> str:
        iri = self.iri(kind, key)
        if iri in self._ids:
            return iri
        self._ids.add(iri)
        node = {"@id": iri, "@type": cls, **props}
        self.nodes.append(node)
        self.top.append(node)
        return iri

    def inline(self, cls: str, props: dict[str, Any]) -> dict[str, Any]:
        """A facet, hash or dictionary entry: its own IRI, as UCO requires, nested in place."""
        self._n += 1
        return {"@id": self.iri(cls.split(":")[1].lower(), str(self._n)), "@type": cls, **props}

    def facet(self, cls: str, props: dict[str, Any]) -> dict[str, Any]:
        return self.inline(cls, props)

    def content(self, size: int, digests: dict[str, str]) -> dict[str, Any]:
        return self.facet(
            "observable:ContentDataFacet",
            {
                "observable:sizeInBytes": _int(size),
                "observable:hash": [
                    self.inline(
                        "types:Hash",
                        {
                            "types:hashMethod": method,
                            "types:hashValue": {"@type": "xsd:hexBinary", "@value": value.upper()},
                        },
                    )
                    for method, value in sorted(digests.items())
                ],
            },
        )

    def exif(self, facts: ExifFacts, pseudonymized: bool) -> dict[str, Any]:
        values = {
            "Make": facts.make,
            "Model": facts.model,
            "Software": facts.software,
            "DateTimeOriginal": facts.taken_at.isoformat() if facts.taken_at else None,
            "GPSLatitude": None if facts.gps_lat is None else repr(facts.gps_lat),
            "GPSLongitude": None if facts.gps_lon is None else repr(facts.gps_lon),
            "GPSAltitude": None if facts.gps_alt is None else repr(facts.gps_alt),
            "Orientation": None if facts.orientation is None else str(facts.orientation),
        }
        if not pseudonymized:  # raw tags can carry an owner's name or a serial number
            for k, v in facts.fields_raw.items():
                values.setdefault(k, v)
        entries = [
            self.inline("types:ControlledDictionaryEntry", {"types:key": k, "types:value": v})
            for k, v in sorted(values.items())
            if v is not None
        ]
        return self.facet(
            "observable:EXIFFacet",
            {
                "observable:exifData": self.inline(
                    "types:ControlledDictionary", {"types:entry": entries}
                ),
            },
        )

    def identifier(self, mention_type: str, value: str) -> str | None:
        key = f"{mention_type}:{value}"
        if mention_type == "phone":
            return self.node(
                "phone",
                key,
                "observable:PhoneAccount",
                {
                    "core:hasFacet": [
                        self.facet(
                            "observable:PhoneAccountFacet", {"observable:phoneNumber": value}
                        )
                    ],
                },
            )
        if mention_type == "email":
            return self.node(
                "email",
                key,
                "observable:EmailAddress",
                {
                    "core:hasFacet": [
                        self.facet(
                            "observable:EmailAddressFacet", {"observable:addressValue": value}
                        )
                    ],
                },
            )
        if mention_type in ACCOUNT_TYPES:
            return self.node(
                "account",
                key,
                "observable:DigitalAccount",
                {
                    "core:description": mention_type,
                    "core:hasFacet": [
                        self.facet(
                            "observable:AccountFacet", {"observable:accountIdentifier": value}
                        ),
                        self.facet(
                            "observable:DigitalAccountFacet", {"observable:displayName": value}
                        ),
                    ],
                },
            )
        return None  # names, prices, places …: facts in the bundle, not CASE observables

    def relation(
        self,
        source: str,
        target: str,
        kind: str,
        facets: list[dict[str, Any]],
        key: str | None = None,
    ) -> str:
        props: dict[str, Any] = {
            "core:source": {"@id": source},
            "core:target": {"@id": target},
            "core:kindOfRelationship": kind,
            "core:isDirectional": True,
        }
        if facets:
            props["core:hasFacet"] = facets
        return self.node(
            "relationship",
            key or f"{source}>{kind}>{target}",
            "observable:ObservableRelationship",
            props,
        )


def _event_objects(
    ev: CustodyEvent,
    data: ExportData,
    sources: dict[int, str],
    records: dict[int, str],
    identifiers: dict[tuple[str, str], str],
) -> list[str]:
    kind, _, ident = ev.target.partition(":")
    if kind == "source" and ident.isdigit() and int(ident) in sources:
        sid = int(ident)
        if ev.stage == "acquired":
            return [sources[sid]]
        return [sources[sid]] + [records[r.id] for r in data.records if r.source_id == sid]
    if kind == "record" and ident.isdigit() and int(ident) in records:
        return [records[int(ident)]]
    if ev.action == "mentions.extracted":
        first, last = ev.details.get("first_record"), ev.details.get("last_record")
        inside = [
            records[i]
            for i in records
            if isinstance(first, int) and isinstance(last, int) and first <= i <= last
        ]
        return inside + list(identifiers.values()) if inside else list(records.values())
    return list(records.values())


def _digests(store: Store, sha256: str, offset: int, length: int | None) -> dict[str, str]:
    """SHA-256 and MD5 of a blob or a slice of one, read in bounded memory."""
    sha, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    with store.blobs.open(sha256) as fh:
        fh.seek(offset)
        left = length
        while left is None or left > 0:
            chunk = fh.read(1 << 20 if left is None else min(1 << 20, left))
            if not chunk:
                break
            sha.update(chunk)
            md5.update(chunk)
            if left is not None:
                left -= len(chunk)
    return {"SHA256": sha.hexdigest(), "MD5": md5.hexdigest()}


def _describe(ev: CustodyEvent) -> str:
    parts = [f"{ev.action} on {ev.target}"]
    if ev.tool_version:
        parts.append(f"tool {ev.tool_version}")
    if ev.audit_seq is not None:
        parts.append(f"audit event {ev.audit_seq} ({ev.audit_hash})")
    else:
        parts.append("recorded in the audit log when the export completed")
    return "; ".join(parts)


def _text(title: str | None, text: str) -> str:
    return f"{title}\n\n{text}" if title else text


def _int(value: int) -> dict[str, Any]:
    return {"@type": "xsd:integer", "@value": int(value)}


def _time(value: datetime) -> dict[str, Any]:
    return {"@type": "xsd:dateTime", "@value": value.isoformat()}


def _time_text(value: str) -> dict[str, Any]:
    return {"@type": "xsd:dateTime", "@value": value}
