"""FollowTheMoney entities of a selection, as FtM JSON lines (one entity per line).

Mapping (docs/evidence.md has the table):
- an ad, job ad, page, report or transaction record → `Document`; an image → `Image`;
  title, body text, URL, posting time, size, SHA-1 `contentHash` of the raw bytes;
- SHA-256: FtM's `contentHash` is SHA-1 only, so every document also carries
  `notes` = "sha256:<hex>" (the raw bytes) — the hash the bundle and CASE export use;
- a handle or payment handle → `UserAccount` (username, service); a phone or
  e-mail → `UserAccount` with `phone` / `email` (service "phone" / "email");
  a crypto address → `CryptoWallet` (publicKey, blockchain);
- a found identifier or name → `Mention` (document, resolved account, name);
- a place → `Address` (full), referenced by the document's `addressEntity`;
- an image shown by an ad → `UnknownLink` (subject: ad, object: image, role).

Pseudonymized: FtM's phone and e-mail types reject anything but phones and
e-mail addresses, so a pseudonym goes into `username` (accounts) or `name`
(mentions, wallets) instead, and `phoneMentioned`, `emailMentioned` and
`namesMentioned` are left out. Entity ids hash the pseudonym, never the value.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy
from followthemoney.util import make_entity_id

from threadline.evidence.common import ExportSummary, jsonl, write_single_file
from threadline.evidence.facts import Facts, MentionFact, RecordFact, derive
from threadline.evidence.outdir import OutputFolder
from threadline.evidence.pseudonym import for_case
from threadline.evidence.selection import ExportData, Selection, load
from threadline.store.db import Store

FTM_FILE = "entities.ftm.json"
ACCOUNT_SERVICES = {"phone": "phone", "email": "email"}
DETECTED = {
    "phone": "UserAccount",
    "email": "UserAccount",
    "handle": "UserAccount",
    "payment_handle": "UserAccount",
    "crypto_address": "CryptoWallet",
    "name": "Person",
}


def export_ftm(
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
    folder = OutputFolder(out_dir)
    try:
        body = build(store, data, facts, pseudonymized=pseudonymize)
    except BaseException:
        folder.discard()
        raise
    return write_single_file(
        store, actor, data, folder, fmt="ftm", name=FTM_FILE, body=body,
        pseudonymized=pseudonymize,
    )  # fmt: skip


def build(store: Store, data: ExportData, facts: Facts, *, pseudonymized: bool) -> bytes:
    return jsonl([e.to_dict() for e in entities(store, data, facts, pseudonymized=pseudonymized)])


def entities(
    store: Store, data: ExportData, facts: Facts, *, pseudonymized: bool
) -> list[EntityProxy]:
    prefix = f"threadline-case-{data.case.id}"
    out: dict[str, EntityProxy] = {}

    def make(schema: str, *key: Any) -> EntityProxy:
        entity_id = make_entity_id(*key, key_prefix=prefix)
        assert entity_id is not None
        if entity_id not in out:
            proxy = model.make_entity(schema)
            proxy.id = entity_id
            out[entity_id] = proxy
        return out[entity_id]

    source_of = {s.id: s for s in data.sources}
    docs: dict[int, EntityProxy] = {}
    for rf in facts.records:
        docs[rf.id] = _document(store, make, rf, source_of[rf.row.source_id], data, pseudonymized)
    for m in facts.mentions():
        _mention(make, docs[m.record_id], m, pseudonymized)
    for a in data.attachments:
        link = make("UnknownLink", "attachment", a.record_id, a.attached_id, a.relation)
        link.add("subject", docs[a.record_id].id)
        link.add("object", docs[a.attached_id].id)
        link.add("role", f"shows {a.relation}")
    return list(out.values())


def _document(
    store: Store, make: Any, rf: RecordFact, source: Any, data: ExportData, pseudonymized: bool
) -> EntityProxy:
    r = rf.row
    doc = make("Image" if r.kind == "image" else "Document", "record", r.id)
    doc.add("title", rf.title or f"{r.kind} {r.external_id or r.id}")
    if rf.text:
        doc.add("bodyText", rf.text)
    if rf.url:
        doc.add("sourceUrl", rf.url, quiet=True)
    if r.posted_at is not None:
        doc.add("publishedAt", r.posted_at.isoformat())
    doc.add("retrievedAt", source.acquired_at.isoformat())
    doc.add("fileName", f"raw/{r.content_sha256}")  # its name in an evidence bundle
    doc.add("fileSize", str(r.raw_length))
    sha1 = _sha1_slice(store, source.sha256, r.raw_offset, r.raw_length)
    doc.add("contentHash", sha1)
    doc.add("notes", f"sha256:{r.content_sha256}")
    if r.blob_sha256 and r.blob_sha256 != r.content_sha256:
        doc.add("notes", f"payload sha256:{r.blob_sha256}")
    if isinstance(rf.fields.get("content_type"), str):
        doc.add("mimeType", rf.fields["content_type"])
    doc.add("generator", "threadline")
    doc.add("keywords", f"record-kind:{r.kind}")
    if data.selection.network_id is not None:
        doc.add("keywords", f"network:{data.selection.network_id}")
    if pseudonymized:
        doc.add("notes", "identifiers replaced by case-keyed pseudonyms")
    if r.place:
        place = make("Address", "place", r.place)
        place.add("full", r.place)
        doc.add("addressEntity", place.id)
    return doc


def _mention(make: Any, doc: EntityProxy, m: MentionFact, pseudonymized: bool) -> None:
    if m.type == "location":
        place = make("Address", "place", m.value)
        place.add("full", m.value)
        doc.add("addressEntity", place.id)
        return
    if m.type not in DETECTED:
        return  # prices, ages, URLs: facts in the bundle, not FtM entities
    resolved = _account(make, m, pseudonymized)
    if not pseudonymized:
        if m.type == "phone":
            doc.add("phoneMentioned", m.value, quiet=True)
        elif m.type == "email":
            doc.add("emailMentioned", m.value, quiet=True)
        elif m.type == "name":
            doc.add("namesMentioned", m.value)
    mention = make("Mention", "mention", doc.id, m.type, m.value)
    mention.add("document", doc.id)
    mention.add("name", m.value)
    mention.add("detectedSchema", DETECTED[m.type])
    if resolved is not None:
        mention.add("resolved", resolved.id)


def _account(make: Any, m: MentionFact, pseudonymized: bool) -> EntityProxy | None:
    if m.type == "name":
        return None
    if m.type == "crypto_address":
        wallet = make("CryptoWallet", "identifier", m.type, m.value)
        if pseudonymized:
            wallet.add("name", m.value)
        else:
            chain, _, address = m.value.partition(":")
            wallet.add("publicKey", address or m.value)
            wallet.add("blockchain", chain)
        return wallet
    account = make("UserAccount", "identifier", m.type, m.value)
    service, _, username = m.value.partition(":")
    if m.type in ACCOUNT_SERVICES:
        account.add("service", ACCOUNT_SERVICES[m.type])
        if pseudonymized:
            account.add("username", m.value)
        else:
            account.add(m.type, m.value, quiet=True)
            account.add("username", m.value)
    elif pseudonymized:
        account.add("username", m.value)
        account.add("service", m.type.replace("_", " "))
    else:
        account.add("username", username or m.value)
        account.add("service", service if username else m.type.replace("_", " "))
    return account


def _sha1_slice(store: Store, sha256: str, offset: int, length: int) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    with store.blobs.open(sha256) as fh:
        fh.seek(offset)
        left = length
        while left > 0:
            chunk = fh.read(min(1 << 20, left))
            if not chunk:
                break
            digest.update(chunk)
            left -= len(chunk)
    return digest.hexdigest()
