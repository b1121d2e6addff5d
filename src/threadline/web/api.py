"""REST API under /v1: a thin adapter from HTTP to the core's functions.

Each handler parses its input, calls one core function as the authenticated
user and returns the core's typed result as JSON. Errors raised by the core
become JSON with a clear message (see `threadline.web.app`).
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from threadline import cases, graph, records
from threadline.extract.base import ExtractContext
from threadline.indicators.rules import ImageMatch
from threadline.ingest import query as ingest_query
from threadline.ingest.service import ingest_paths
from threadline.safeguards.oversight import case_audit_events
from threadline.screen import screen_record
from threadline.web.auth import Principal, any_principal, from_token, store_of

router = APIRouter(prefix="/v1")
User = Annotated[Principal, Depends(any_principal)]

MAX_TEXT = 100_000  # characters of one screened record (as `threadline screen`)
MAX_BATCH = 100
MAX_PAGE = 500


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def _json(value: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(_plain(value)), status_code=status, media_type="application/json")


# --- screening ----------------------------------------------------------------------------


HEX64 = r"^[0-9a-fA-F]{64}$"


class ImageHashes(BaseModel):
    """An image's hashes as the platform computed them (`threadline hash` gives all four)."""

    sha256: str | None = Field(default=None, pattern=HEX64)
    md5: str | None = Field(default=None, pattern=r"^[0-9a-fA-F]{32}$")
    pdq: str | None = Field(default=None, pattern=HEX64)
    quality: int | None = Field(default=None, ge=0, le=100)


class ScreenRecord(BaseModel):
    model_config = ConfigDict(extra="allow")
    # bounded so every id can be echoed back (JSON numbers beyond 64 bits are not portable)
    id: (
        Annotated[str, Field(max_length=200)]
        | Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]
        | None
    ) = None
    text: str = Field(max_length=MAX_TEXT)
    title: str | None = Field(default=None, max_length=2_000)
    kind: str | None = Field(default=None, max_length=16)
    place: str | None = Field(default=None, max_length=500)
    region: str | None = Field(default=None, max_length=8)
    lang: str | None = Field(default=None, max_length=16)
    images: list[ImageHashes] = Field(default_factory=list, max_length=20)


class ScreenBatch(BaseModel):
    records: list[ScreenRecord] = Field(min_length=1, max_length=MAX_BATCH)


@router.post("/screen", tags=["screening"])
def screen(
    request: Request,
    body: ScreenRecord | ScreenBatch,
    principal: Annotated[Principal, Depends(from_token)],
    region: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    """Screen one record (`{"text": …}`) or a batch (`{"records": [...]}`); nothing is stored.

    The same logic as `threadline screen`: mentions with spans, signals, score
    and hash-list matches for each record.
    """
    ctx = ExtractContext(default_region=region)
    matcher = request.app.state.screen_matcher

    def one(record: ScreenRecord) -> dict[str, Any]:
        data = record.model_dump(exclude={"images"})
        images = [{k: (v.lower() if isinstance(v, str) else v) for k, v in i.model_dump().items()}
                  for i in record.images]  # fmt: skip
        matches = matcher.match(images) if images else []
        known = tuple(
            ImageMatch(m["list"], m["hash_type"], m["distance"], m["quality"]) for m in matches
        )
        out = screen_record(data, ctx, image_matches=known)
        out["hash_matches"] = matches
        return out

    if isinstance(body, ScreenBatch):
        return _json({"results": [one(r) for r in body.records]})
    return _json(one(body))


# --- cases and sources --------------------------------------------------------------------


class NewCase(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    purpose: str = Field(max_length=5_000)
    legal_basis: str = Field(max_length=5_000)
    retention_days: int | None = Field(default=None, ge=1, le=3650)


@router.get("/me", tags=["auth"])
def me(principal: User) -> Response:
    return _json({"user": principal.user, "via": principal.via})


@router.get("/cases", tags=["cases"])
def list_cases(request: Request, principal: User) -> Response:
    """The cases the caller is a member of (all, for admins and auditors)."""
    return _json(cases.list_cases(store_of(request), principal.user))


@router.post("/cases", tags=["cases"], status_code=201)
def create_case(request: Request, principal: User, body: NewCase) -> Response:
    info = cases.create_case(
        store_of(request),
        principal.user,
        body.name,
        body.purpose,
        body.legal_basis,
        body.retention_days,
    )
    return _json(info, 201)


@router.get("/cases/{name}", tags=["cases"])
def show_case(request: Request, principal: User, name: str) -> Response:
    return _json(cases.get_case(store_of(request), principal.user, name))


@router.get("/cases/{name}/sources", tags=["sources"])
def list_sources(request: Request, principal: User, name: str) -> Response:
    return _json(ingest_query.list_sources(store_of(request), principal.user, name))


@router.post("/cases/{name}/sources", tags=["sources"], status_code=201)
def upload_source(
    request: Request,
    principal: User,
    name: str,
    file: Annotated[UploadFile, File(description="JSONL, CSV, HTML or WARC file")],
    format: Annotated[str, Form()] = "auto",
) -> Response:
    """Ingest an uploaded file (size bounded by the server's body limit)."""
    store = store_of(request)
    cases.get_case(store, principal.user, name)  # 404/403 before anything is written
    safe_name = Path(file.filename or "upload").name[:200] or "upload"
    with tempfile.TemporaryDirectory(prefix="threadline-upload-") as tmp:
        path = Path(tmp) / safe_name
        with open(path, "wb") as out:
            shutil.copyfileobj(file.file, out, 1 << 20)
        summary = ingest_paths(store, principal.user, name, [path], fmt=format)
    return _json(summary, 201)


@router.get("/cases/{name}/quarantine", tags=["sources"])
def list_quarantine(
    request: Request, principal: User, name: str, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> Response:
    return _json(ingest_query.list_quarantine(store_of(request), principal.user, name, limit))


# --- records and search -------------------------------------------------------------------


@router.get("/cases/{name}/records", tags=["records"])
def list_records(
    request: Request,
    principal: User,
    name: str,
    after: Annotated[int, Query(ge=0, le=2**62, description="Only ids above this (paging)")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> Response:
    """A page of the case's records (no text; open one for its evidence). Audited."""
    store = store_of(request)
    return _json(records.list_records(store, principal.user, name, after_id=after, limit=limit))


@router.get("/cases/{name}/search", tags=["records"])
def search(
    request: Request,
    principal: User,
    name: str,
    q: Annotated[str, Query(min_length=1, max_length=records.MAX_QUERY)],
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> Response:
    """Identifiers (a phone in any format finds its mentions), then titles and texts. Audited."""
    return _json(records.search_case(store_of(request), principal.user, name, q, limit=limit))


@router.get("/cases/{name}/records/{record_id}", tags=["records"])
def show_record(
    request: Request,
    principal: User,
    name: str,
    record_id: Annotated[int, PathParam(ge=1, le=2**62)],
) -> Response:
    """One record with its mentions (spans into the text shown), reviews and provenance."""
    return _json(records.view_record(store_of(request), principal.user, name, record_id))


@router.get("/cases/{name}/records/{record_id}/graph", tags=["networks"])
def record_graph(
    request: Request,
    principal: User,
    name: str,
    record_id: Annotated[int, PathParam(ge=1, le=2**62)],
    hops: Annotated[int, Query(ge=1, le=4)] = 2,
) -> Response:
    """The record's neighbourhood: records sharing its identifiers, `hops` steps out."""
    store = store_of(request)
    return _json(graph.record_graph(store, principal.user, name, record_id, hops=hops))


@router.get("/cases/{name}/records/{record_id}/explain", tags=["records"])
def explain(
    request: Request,
    principal: User,
    name: str,
    record_id: Annotated[int, PathParam(ge=1, le=2**62)],
) -> Response:
    """The record's risk score with each signal's contribution (they sum to the score)."""
    from threadline.explain import explain_record

    return _json(explain_record(store_of(request), principal.user, str(record_id), case_name=name))


@router.get("/cases/{name}/top-risk", tags=["records"])
def top_risk(
    request: Request,
    principal: User,
    name: str,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> Response:
    """The highest risk scores of the case: where review should start."""
    return _json(records.top_scored(store_of(request), principal.user, name, limit=limit))


# --- networks -----------------------------------------------------------------------------


@router.get("/cases/{name}/networks", tags=["networks"])
def networks(
    request: Request,
    principal: User,
    name: str,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> Response:
    """The current linking run's networks, largest first, with their summaries."""
    from threadline.link.networks import list_networks

    store = store_of(request)
    nets = list_networks(store, principal.user, name, limit=limit)
    see = "see_identifiers" in records.permissions(store, principal.user, name)
    return _json([{**n, "summary": graph.shown_summary(n["summary"], see)} for n in nets])


@router.get("/cases/{name}/networks/{key}", tags=["networks"])
def network_graph(
    request: Request,
    principal: User,
    name: str,
    key: Annotated[str, PathParam(max_length=64)],
) -> Response:
    """One network's records, identifiers, places and movement, as a graph."""
    from threadline.evidence.gated import network_selection

    store = store_of(request)
    selection = network_selection(store, principal.user, name, key)
    return _json(
        graph.records_graph(
            store, principal.user, name, selection.record_ids, target=f"network:{key}"
        )
    )


# --- reviews ------------------------------------------------------------------------------


class NewReview(BaseModel):
    kind: str = Field(max_length=16, description="record, link or network")
    target: str = Field(max_length=200, description="record id, 'A-B' record ids, network id")
    decision: str = Field(max_length=16, description="confirmed, dismissed or needs_more")
    rationale: str = Field(max_length=5000)
    reason: str | None = Field(default=None, max_length=32)


@router.get("/cases/{name}/reviews", tags=["reviews"])
def reviews(
    request: Request,
    principal: User,
    name: str,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Response:
    from threadline.safeguards.review import list_reviews

    return _json(list_reviews(store_of(request), principal.user, name, limit=limit))


@router.post("/cases/{name}/reviews", tags=["reviews"], status_code=201)
def add_review(request: Request, principal: User, name: str, body: NewReview) -> Response:
    """Record a decision (audited); a dismissed link no longer merges networks."""
    from threadline.safeguards.review import record_review

    info = record_review(
        store_of(request), principal.user, name, body.kind, body.target, body.decision,
        body.rationale, body.reason,
    )  # fmt: skip
    return _json(info, 201)


# --- hash lists and matches ---------------------------------------------------------------


@router.get("/hashlists", tags=["hash lists"])
def hashlists(request: Request, principal: User) -> Response:
    """Hash lists with their provenance and counts (entries of match-only lists never shown)."""
    from threadline.hashlists import list_lists

    return _json(list_lists(store_of(request)))


@router.get("/cases/{name}/matches", tags=["hash lists"])
def matches(request: Request, principal: User, name: str) -> Response:
    """The case's images that matched a hash list: list, distance, quality."""
    return _json(records.hash_matches(store_of(request), principal.user, name))


# --- exports and oversight ----------------------------------------------------------------


class NewExport(BaseModel):
    format: str = Field(default="case", description="bundle, case (CASE/UCO JSON-LD) or ftm")
    records: list[Annotated[int, Field(ge=1, le=2**62)]] | None = Field(
        default=None, max_length=10_000
    )
    network: str | None = Field(default=None, max_length=64)
    personal_data: bool = Field(
        default=False, description="identifiers in clear: needs a second supervisor's approval"
    )


@router.post("/cases/{name}/exports", tags=["exports"], status_code=201)
def create_export(request: Request, principal: User, name: str, body: NewExport) -> Response:
    """Export reviewed records or a network into a new folder under the server's data
    directory (`exports/`). Refused (403, audited) without a confirming review, or for
    personal data without a second supervisor's approval."""
    import secrets
    from datetime import UTC, datetime

    from threadline.evidence.gated import export_target

    store = store_of(request)
    key = None
    if body.format == "bundle":
        from threadline.evidence.signing import default_private_path, load_private_key

        key = load_private_key(default_private_path(store.settings.data_dir))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder_id = f"{stamp}-{secrets.token_hex(4)}"
    case_id = cases.get_case(store, principal.user, name).id
    out = store.settings.data_dir / "exports" / f"case-{case_id}" / folder_id
    done = export_target(
        store, principal.user, name, fmt=body.format, out_dir=out, records=body.records,
        network=body.network, personal_data=body.personal_data, signing_key=key,
    )  # fmt: skip
    return _json({"export": folder_id, **_plain(done.summary)}, 201)


@router.get("/cases/{name}/oversight", tags=["exports"])
def oversight(request: Request, principal: User, name: str) -> Response:
    """Exports with their approvals and refusals, reviews and dismissal rates, access."""
    from threadline.safeguards.oversight import oversight_report

    return _json(oversight_report(store_of(request), principal.user, name).to_dict())


# --- audit --------------------------------------------------------------------------------


@router.get("/cases/{name}/audit", tags=["audit"])
def case_audit(
    request: Request,
    principal: User,
    name: str,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> Response:
    """The case's most recent audit events (auditors and supervisors)."""
    return _json(case_audit_events(store_of(request), principal.user, name, limit))
