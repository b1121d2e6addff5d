"""The analyst's web UI: server-rendered Jinja2 pages (autoescaped), htmx for small updates.

No build step and no request to any outside host: scripts and styles are
vendored under `static/` (see static/VENDORED.md). Every string from a record
is rendered through Jinja2's autoescaping; highlighted spans are computed here
as plain segments so templates never mark anything safe.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from threadline import __version__, cases, credentials, graph, records
from threadline.errors import NotFound
from threadline.safeguards.oversight import case_audit_events
from threadline.store.db import Store
from threadline.web.auth import SESSION_COOKIE, Principal, session_principal, store_of

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.autoescape = True  # every template, whatever its file name
PRELOGIN_COOKIE = "tl_prelogin"


def _cookie(response: Response, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, secure=True, samesite="strict", path="/"
    )


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    principal = context.pop("principal", None) or session_principal(request)
    return templates.TemplateResponse(
        request,
        name,
        {"principal": principal, "version": __version__, **context},
        status_code=status,
    )


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return page(request, "error.html", status=status, status_code=status, message=message)


def redirect_to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def user(request: Request) -> Principal:
    principal = session_principal(request)
    if principal is None:
        raise HTTPException(401, "log in first")
    return principal


def _check_csrf(principal: Principal, presented: str) -> None:
    if not credentials.csrf_matches(principal.csrf_token, presented):
        raise HTTPException(403, "missing or wrong CSRF token; reload the page and try again")


def _safe_next(target: str | None) -> str:
    # Only local paths: an attacker's link must not turn the login into an open redirect.
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


# --- login --------------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: Annotated[str | None, Query(max_length=500)] = None):
    token = secrets.token_urlsafe(32)
    response = page(request, "login.html", prelogin=token, next=_safe_next(next))
    _cookie(response, PRELOGIN_COOKIE, token, max_age=1800)
    return response


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=credentials.MAX_PASSWORD_CHARS)],
    prelogin: Annotated[str, Form(max_length=100)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    if not credentials.csrf_matches(request.cookies.get(PRELOGIN_COOKIE), prelogin):
        raise HTTPException(403, "the login form expired; reload the page and try again")
    client = request.client.host if request.client else "unknown"
    throttle = request.app.state.login_throttle
    keys = (f"ip:{client}", f"user:{username}")
    wait = throttle.retry_after(*keys)
    if wait > 0:
        response = page(
            request,
            "login.html",
            status=429,
            prelogin=prelogin,
            next=_safe_next(next),
            message=f"Too many failed attempts. Try again in {int(wait) + 1} s.",
        )
        response.headers["retry-after"] = str(int(wait) + 1)
        return response
    store = store_of(request)
    if not credentials.check_password(store, username, password, client=client):
        throttle.failed(*keys)
        return page(
            request,
            "login.html",
            status=401,
            prelogin=prelogin,
            next=_safe_next(next),
            message="Wrong user name or password.",
        )
    throttle.succeeded(*keys)
    sid, _ = credentials.open_session(store, username)
    response = RedirectResponse(_safe_next(next), status_code=303)
    _cookie(response, SESSION_COOKIE, sid, max_age=credentials.SESSION_HOURS * 3600)
    response.delete_cookie(PRELOGIN_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form(max_length=100)]) -> Response:
    principal = user(request)
    _check_csrf(principal, csrf_token)
    credentials.close_session(store_of(request), request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- cases --------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home(request: Request):
    principal = user(request)
    return page(
        request,
        "cases.html",
        principal=principal,
        cases=cases.list_cases(store_of(request), principal.user),
    )


@router.get("/cases/{name}", response_class=HTMLResponse)
def case_dashboard(request: Request, name: Annotated[str, PathParam(max_length=200)]):
    principal = user(request)
    store = store_of(request)
    info = cases.get_case(store, principal.user, name)
    allowed = records.permissions(store, principal.user, name)
    events = case_audit_events(store, principal.user, name, 15) if "audit_read" in allowed else None
    return page(
        request,
        "case.html",
        principal=principal,
        case=info,
        allowed=allowed,
        top=records.top_scored(store, principal.user, name, limit=10),
        networks=_networks(store, principal.user, name, limit=10),
        records=records.list_records(store, principal.user, name, limit=20),
        events=events,
    )


def _networks(store: Store, actor: str, name: str, *, limit: int | None) -> list[dict] | None:
    """The current linking run's networks, or None when the case has not been linked."""
    from threadline.link.networks import list_networks

    try:
        return list_networks(store, actor, name, limit=limit)
    except NotFound:
        return None


@router.get("/cases/{name}/search", response_class=HTMLResponse)
def search(
    request: Request,
    name: Annotated[str, PathParam(max_length=200)],
    q: Annotated[str, Query(max_length=records.MAX_QUERY)] = "",
):
    principal = user(request)
    store = store_of(request)
    info = cases.get_case(store, principal.user, name)
    hits = records.search_case(store, principal.user, name, q, limit=100) if q.strip() else []
    template = "search_results.html" if request.headers.get("hx-request") else "search.html"
    return page(request, template, principal=principal, case=info, q=q, hits=hits)


@router.get("/cases/{name}/audit", response_class=HTMLResponse)
def case_audit(request: Request, name: Annotated[str, PathParam(max_length=200)]):
    principal = user(request)
    store = store_of(request)
    info = cases.get_case(store, principal.user, name)
    events = case_audit_events(store, principal.user, name, 200)
    return page(request, "audit.html", principal=principal, case=info, events=events)


# --- records ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    mention: Any = None  # a records.MentionView or a SignalSpan


def segments(text: str, mentions: list[records.MentionView]) -> list[Segment]:
    """The text cut at mention spans, overlaps dropped, so a template can highlight by span."""
    out: list[Segment] = []
    pos = 0
    for m in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if m.start < pos or m.end > len(text) or m.start >= m.end:
            continue
        if m.start > pos:
            out.append(Segment(text[pos : m.start]))
        out.append(Segment(text[m.start : m.end], m))
        pos = m.end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


CaseName = Annotated[str, PathParam(max_length=200)]
RecordId = Annotated[int, PathParam(ge=1, le=2**62)]


@router.get("/cases/{name}/records/{record_id}", response_class=HTMLResponse)
def record_view(request: Request, name: CaseName, record_id: RecordId):
    principal = user(request)
    store = store_of(request)
    rec = records.view_record(store, principal.user, name, record_id)
    risk = _risk(store, principal.user, name, record_id)
    by_field: dict[str, list] = {}
    for m in rec.mentions:
        by_field.setdefault(m.field, []).append(m)
    if risk is not None and not rec.masked:  # signal spans index the original text
        for sig in risk.signals:
            for ev in sig.evidence:
                by_field.setdefault(ev.field, []).append(
                    SignalSpan(ev.start, ev.end, sig.indicator, sig.grade)
                )
    allowed = records.permissions(store, principal.user, name)
    return page(
        request,
        "record.html",
        principal=principal,
        rec=rec,
        risk=risk,
        allowed=allowed,
        text_segments=segments(rec.text, by_field.get("text", [])),
        title_segments=segments(rec.title or "", by_field.get("title", [])),
    )


@dataclass(frozen=True, slots=True)
class SignalSpan:
    """An indicator's evidence span, highlighted like a mention."""

    start: int
    end: int
    indicator: str
    grade: str
    type: str = "signal"


def _risk(store: Store, actor: str, name: str, record_id: int):  # type: ignore[no-untyped-def]
    from threadline.explain import explain_record

    try:
        return explain_record(store, actor, str(record_id), case_name=name)
    except NotFound:  # not scored (not analysed yet, or a kind without indicators)
        return None


@router.get("/cases/{name}/records/{record_id}/graph", response_class=HTMLResponse)
def record_graph(
    request: Request,
    name: CaseName,
    record_id: RecordId,
    hops: Annotated[int, Query(ge=1, le=4)] = 2,
):
    principal = user(request)
    found = graph.record_graph(store_of(request), principal.user, name, record_id, hops=hops)
    return page(
        request,
        "graph.html",
        principal=principal,
        graph=found,
        title=f"record #{record_id}: shared identifiers",
        data_url=f"/v1/cases/{quote(name, safe='')}/records/{record_id}/graph?hops={hops}",
    )


@router.get("/cases/{name}/records/{record_id}/thumbnail.png")
def thumbnail(request: Request, name: CaseName, record_id: RecordId) -> Response:
    """Always blurred and greyscale: an analyst works with an image without having to see it.

    Images not yet checked against the hash lists, or matching a match-only list, are
    never rendered (the refusal is audited).
    """
    from threadline.images.safety import thumbnail as safe_thumbnail

    principal = user(request)
    rec = records.view_record(store_of(request), principal.user, name, record_id)
    if rec.kind != "image":
        raise HTTPException(404, f"record {record_id} is not an image")
    png = safe_thumbnail(store_of(request), principal.user, record_id, size=256)
    return Response(png, media_type="image/png")


# --- networks, reviews, matches, oversight ------------------------------------------------


@router.get("/cases/{name}/networks", response_class=HTMLResponse)
def networks_list(request: Request, name: CaseName):
    principal = user(request)
    store = store_of(request)
    info = cases.get_case(store, principal.user, name)
    nets = _networks(store, principal.user, name, limit=500)
    return page(request, "networks.html", principal=principal, case=info, networks=nets)


@router.get("/cases/{name}/networks/{key}", response_class=HTMLResponse)
def network_view(request: Request, name: CaseName, key: Annotated[str, PathParam(max_length=64)]):
    from threadline.evidence.gated import network_selection
    from threadline.safeguards.review import get_reviews

    principal = user(request)
    store = store_of(request)
    selection = network_selection(store, principal.user, name, key)
    found = graph.records_graph(
        store, principal.user, name, selection.record_ids, target=f"network:{key}"
    )
    reviews = get_reviews(store, principal.user, name, "network", key)
    allowed = records.permissions(store, principal.user, name)
    summary = graph.shown_summary(
        dict(selection.network_summary or {}), "see_identifiers" in allowed
    )
    return page(
        request,
        "network.html",
        principal=principal,
        graph=found,
        key=key,
        summary=summary,
        reviews=reviews,
        allowed=allowed,
        title=f"network {key}",
        data_url=f"/v1/cases/{quote(name, safe='')}/networks/{quote(key, safe='')}",
    )


@router.post("/cases/{name}/reviews")
def add_review(
    request: Request,
    name: CaseName,
    kind: Annotated[str, Form(max_length=16)],
    target: Annotated[str, Form(max_length=200)],
    decision: Annotated[str, Form(max_length=16)],
    rationale: Annotated[str, Form(max_length=5000)],
    csrf_token: Annotated[str, Form(max_length=100)],
    reason: Annotated[str, Form(max_length=32)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    """Record a person's decision; audited by the core, shown wherever the item appears."""
    from threadline.safeguards.review import record_review

    principal = user(request)
    _check_csrf(principal, csrf_token)
    record_review(
        store_of(request), principal.user, name, kind, target, decision, rationale, reason or None
    )
    return RedirectResponse(_safe_next(next), status_code=303)


@router.get("/cases/{name}/reviews", response_class=HTMLResponse)
def review_queue(request: Request, name: CaseName):
    """Records scored for review that no one has decided yet, then the latest decisions."""
    from threadline.safeguards.review import list_reviews

    principal = user(request)
    store = store_of(request)
    info = cases.get_case(store, principal.user, name)
    done = list_reviews(store, principal.user, name, limit=200)
    decided = {(r.target.split(":", 1)[0], r.target.split(":", 1)[-1]) for r in done}
    pending = [
        t
        for t in records.top_scored(store, principal.user, name, limit=200)
        if t.for_review and ("record", str(t.record_id)) not in decided
    ]
    return page(request, "reviews.html", principal=principal, case=info, pending=pending, done=done)


@router.get("/cases/{name}/matches", response_class=HTMLResponse)
def matches(request: Request, name: CaseName):
    principal = user(request)
    store = store_of(request)
    info = cases.get_case(store, principal.user, name)
    found = records.hash_matches(store, principal.user, name)
    return page(request, "matches.html", principal=principal, case=info, matches=found)


@router.get("/cases/{name}/oversight", response_class=HTMLResponse)
def oversight(request: Request, name: CaseName):
    """Exports with their approvals and refusals, reviews, access: for supervisors, auditors."""
    from threadline.safeguards.oversight import oversight_report

    principal = user(request)
    store = store_of(request)
    info = cases.get_case(store, principal.user, name)
    report = oversight_report(store, principal.user, name)
    return page(request, "oversight.html", principal=principal, case=info, report=report)
