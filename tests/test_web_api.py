"""The REST API and the UI's server side, through FastAPI's test client on a real store."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import add_user
from threadline import credentials
from threadline.analyze import analyze_case
from threadline.cases import create_case
from threadline.ingest.service import ingest_paths
from threadline.safeguards.access import add_member
from threadline.store import Store
from threadline.web.app import create_app

PASSWORD = "correct horse battery"
XSS = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "javascript:alert(document.cookie)",
    '"><svg onload=alert(1)>',
]


@pytest.fixture
def app_store(store: Store, tmp_path: Path) -> Store:
    add_user(store, "alice")  # a supervisor: opens the case and may do everything in it
    add_user(store, "rita", "researcher")
    create_case(store, "alice", "river", "Identify operations in ads", "Court order 2026/114")
    add_member(store, "alice", "river", "rita", "researcher")
    ads = [
        {
            "id": "a1",
            "title": "Call 415-555-0123",
            "text": "Sweet Lina, text me at 4I5 555 OI23 or lina@example.com",
            "city": "San Francisco",
        },
        {"id": "a2", "text": "Nothing to see, $200/hr", "city": "Dallas"},
        {"id": "a4", "text": "Lina is in Tulsa now, write lina@example.com", "city": "Tulsa"},
        {
            "id": "x" + XSS[1],
            "title": XSS[0],
            "text": " ".join(XSS) + " call 212-555-0188",
            "url": XSS[2],
            "city": XSS[3],
        },
    ]
    path = tmp_path / "ads.jsonl"
    path.write_text("\n".join(json.dumps(a) for a in ads), "utf-8")
    ingest_paths(store, "alice", "river", [path])
    analyze_case(store, "alice", "river")
    credentials.set_password(store, "alice", "alice", PASSWORD)
    credentials.set_password(store, "admin", "rita", PASSWORD)
    return store


@pytest.fixture
def client(app_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(app_store, max_body=200_000), base_url="https://testserver") as c:
        yield c


@pytest.fixture
def token(app_store: Store) -> str:
    return credentials.create_token(app_store, "alice", "alice", "tests")[0]


def login(client: TestClient, user: str = "alice", password: str = PASSWORD):
    form = client.get("/login")
    prelogin = re.search(r'name="prelogin" value="([^"]+)"', form.text).group(1)
    return client.post(
        "/login",
        data={"username": user, "password": password, "prelogin": prelogin, "next": "/"},
        follow_redirects=False,
    )


def csrf(client: TestClient) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text).group(1)


def test_screen_needs_a_valid_token(client: TestClient, token: str) -> None:
    body = {"text": "call 415-555-0123"}
    assert client.post("/v1/screen", json=body).status_code == 401
    bad = client.post("/v1/screen", json=body, headers={"Authorization": "Bearer tl_nope"})
    assert bad.status_code == 401 and "unknown" in bad.json()["error"]
    ok = client.post("/v1/screen", json=body, headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200
    phone = [m for m in ok.json()["mentions"] if m["type"] == "phone"]
    assert phone and phone[0]["normalized"] == "+14155550123"
    text = body["text"]
    assert text[phone[0]["start"] : phone[0]["end"]] == phone[0]["raw"]


def test_screen_batch_and_bad_input(client: TestClient, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    batch = client.post(
        "/v1/screen",
        json={"records": [{"id": 1, "text": "a@b.example"}, {"text": "x"}]},
        headers=auth,
    )
    assert batch.status_code == 200 and len(batch.json()["results"]) == 2
    huge_id = client.post("/v1/screen", json={"id": 2**70, "text": "x"}, headers=auth)
    assert huge_id.status_code == 422  # found by the schema fuzzer: it could not be echoed
    missing = client.post("/v1/screen", json={"title": "no text"}, headers=auth)
    assert missing.status_code == 422 and missing.json()["error"] == "invalid request"
    assert "Traceback" not in missing.text
    huge = client.post("/v1/screen", content=b"x" * 300_000, headers=auth)
    assert huge.status_code == 413
    not_json = client.post(
        "/v1/screen", content=b"{", headers={**auth, "content-type": "application/json"}
    )
    assert not_json.status_code == 422


def test_revoked_token_stops_working(client: TestClient, app_store: Store) -> None:
    token, info = credentials.create_token(app_store, "alice", "alice", "soon revoked")
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/v1/me", headers=auth).json() == {"user": "alice", "via": "token"}
    credentials.revoke_token(app_store, "alice", info.id)
    assert client.get("/v1/me", headers=auth).status_code == 401


def test_login_sets_a_hardened_session_cookie(client: TestClient) -> None:
    assert login(client, password="wrong password!").status_code == 401
    response = login(client)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    assert "tl_session=" in cookie and "httponly" in cookie and "secure" in cookie
    assert "samesite=strict" in cookie
    assert client.get("/v1/me").json() == {"user": "alice", "via": "session"}


def test_login_is_rate_limited(client: TestClient) -> None:
    for _ in range(5):
        assert login(client, password="wrong password!").status_code == 401
    limited = login(client)  # even the right password waits
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0


def test_login_without_the_form_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    forged = client.post(
        "/login",
        data={"username": "alice", "password": PASSWORD, "prelogin": "guess"},
        follow_redirects=False,
    )
    assert forged.status_code == 403


def test_state_changes_need_the_csrf_token(client: TestClient) -> None:
    login(client)
    body = {"name": "sea", "purpose": "Find operations at sea", "legal_basis": "Mandate 12/2026"}
    assert client.post("/v1/cases", json=body).status_code == 403
    assert client.post("/logout", data={"csrf_token": "nope"}).status_code == 403
    created = client.post("/v1/cases", json=body, headers={"X-CSRF-Token": csrf(client)})
    assert created.status_code == 201 and created.json()["name"] == "sea"


def test_open_redirect_after_login_is_refused(client: TestClient) -> None:
    form = client.get("/login", params={"next": "//evil.example/x"})
    assert 'name="next" value="/"' in form.text


def test_every_response_carries_a_strict_csp(client: TestClient) -> None:
    for path in ("/login", "/v1/cases", "/static/app.css"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"


def test_pages_escape_attacker_text(client: TestClient) -> None:
    login(client)
    found = client.get("/v1/cases/river/search", params={"q": "212-555-0188"}).json()
    assert len(found) == 1
    page = client.get(f"/cases/river/records/{found[0]['record_id']}").text
    listing = client.get("/cases/river").text
    for html in (page, listing):
        for payload in XSS:
            if "<" in payload:
                assert payload not in html
        assert "<script>alert" not in html and "<svg" not in html and "<img src=x" not in html
        assert not re.search(r'(href|src|action)="\s*javascript:', html, re.IGNORECASE)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page


def test_record_page_highlights_mentions_by_span(client: TestClient) -> None:
    login(client)
    rec = client.get("/v1/cases/river/search", params={"q": "lina@example.com"}).json()[0]
    detail = client.get(f"/v1/cases/river/records/{rec['record_id']}").json()
    page = client.get(f"/cases/river/records/{rec['record_id']}").text
    for m in detail["mentions"]:
        source = detail["text"] if m["field"] == "text" else detail["title"]
        assert source[m["start"] : m["end"]] == m["raw"]
    marks = re.findall(r'<mark class="mention t-(\w+)"[^>]*>([^<]*)</mark>', page)
    assert ("email", "lina@example.com") in marks
    assert ("phone", "4I5 555 OI23") in marks


def test_search_finds_a_phone_typed_another_way(client: TestClient, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    hits = client.get("/v1/cases/river/search", params={"q": "(415) 555-0123"}, headers=auth)
    (hit,) = [h for h in hits.json() if h["type"] == "phone"]
    detail = client.get(f"/v1/cases/river/records/{hit['record_id']}", headers=auth).json()
    assert detail["external_id"] == "a1"
    assert client.get("/v1/cases/nope/search", params={"q": "x"}, headers=auth).status_code == 404


def test_upload_ingests_and_is_audited(client: TestClient, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    name = "../../etc/<img src=x onerror=alert(1)>.jsonl"
    files = {"file": (name, b'{"id": "u1", "text": "hi 415 555 0199"}\n')}
    response = client.post("/v1/cases/river/sources", files=files, headers=auth)
    assert response.status_code == 201 and response.json()["sources"][0]["stored"] == 1
    sources = client.get("/v1/cases/river/sources", headers=auth).json()
    uploaded = [s for s in sources if s["path"].endswith("onerror=alert(1)>.jsonl")]
    assert len(uploaded) == 1 and "/etc/" not in uploaded[0]["path"]
    events = client.get("/v1/cases/river/audit", headers=auth).json()
    assert any(e["action"].startswith("source.") and e["actor"] == "alice" for e in events)


def test_openapi_is_served(client: TestClient) -> None:
    spec = client.get("/v1/openapi.json").json()
    assert "/v1/screen" in spec["paths"] and "/v1/cases/{name}/search" in spec["paths"]


def _warc_with_image(path: Path, png: bytes) -> None:
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    page = b'<html><title>Rosa</title><body>call 415 555 0123<img src="/i/1.png"></body></html>'
    for uri, body, ctype in [
        ("https://ads.example/p/1", page, "text/html"),
        ("https://ads.example/i/1.png", png, "image/png"),
    ]:
        headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                uri, "response", payload=io.BytesIO(body), http_headers=headers
            )
        )
    path.write_bytes(buf.getvalue())


def test_images_are_shown_only_as_blurred_grey_thumbnails(
    client: TestClient, app_store: Store, tmp_path: Path
) -> None:
    import io

    from PIL import Image, ImageChops, ImageStat

    # a sharp, colourful checkerboard: blurring and greying must both be visible in the output
    image = Image.new("RGB", (256, 256))
    for x in range(256):
        for y in range(256):
            image.putpixel((x, y), (255, 0, 0) if (x // 8 + y // 8) % 2 else (0, 0, 255))
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    crawl = tmp_path / "crawl.warc.gz"
    _warc_with_image(crawl, buf.getvalue())
    ingest_paths(app_store, "alice", "river", [crawl])
    login(client)
    early = client.get("/v1/cases/river/search", params={"q": "Rosa"}).json()[0]["record_id"]
    (unchecked,) = client.get(f"/v1/cases/river/records/{early}").json()["images"]
    # not yet checked against the hash lists: never rendered
    assert client.get(f"/cases/river/records/{unchecked}/thumbnail.png").status_code == 409
    analyze_case(app_store, "alice", "river")
    page_id = client.get("/v1/cases/river/search", params={"q": "Rosa"}).json()[0]["record_id"]
    detail = client.get(f"/v1/cases/river/records/{page_id}").json()
    (image_id,) = detail["images"]
    html = client.get(f"/cases/river/records/{page_id}").text
    assert f'src="/cases/river/records/{image_id}/thumbnail.png"' in html
    thumb = client.get(f"/cases/river/records/{image_id}/thumbnail.png")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/png"
    shown = Image.open(io.BytesIO(thumb.content))
    assert shown.mode == "L"  # greyscale
    small = image.convert("L").resize(shown.size)
    # the checkerboard's hard edges are gone: far less local contrast than the original
    edges_shown = ImageChops.difference(
        shown, shown.transform(shown.size, Image.AFFINE, (1, 0, 2, 0, 1, 0))
    )
    edges_orig = ImageChops.difference(
        small, small.transform(small.size, Image.AFFINE, (1, 0, 2, 0, 1, 0))
    )
    assert ImageStat.Stat(edges_shown).sum[0] < 0.25 * ImageStat.Stat(edges_orig).sum[0]
    assert client.get(f"/cases/river/records/{page_id}/thumbnail.png").status_code == 404


def test_another_case_is_out_of_reach_and_identifiers_are_masked_by_role(
    client: TestClient, app_store: Store
) -> None:
    add_user(app_store, "bob")
    create_case(app_store, "bob", "sea", "Another unit's operation", "Mandate 7/2026 of unit B")
    token = credentials.create_token(app_store, "alice", "alice", "cross-case")[0]
    auth = {"Authorization": f"Bearer {token}"}
    for path in ("/v1/cases/sea", "/v1/cases/sea/records", "/v1/cases/sea/audit"):
        refused = client.get(path, headers=auth)
        assert refused.status_code == 403 and "sea" in refused.json()["error"], path
    refused = client.get("/v1/cases/sea/search", params={"q": "x"}, headers=auth)
    assert refused.status_code == 403
    assert [c["name"] for c in client.get("/v1/cases", headers=auth).json()] == ["river"]

    login(client, "rita")  # a researcher of river: identifiers masked
    hit = client.get("/v1/cases/river/search", params={"q": "lina@example.com"}).json()[0]
    assert hit["masked"] and hit["shown"].startswith("***")
    detail = client.get(f"/v1/cases/river/records/{hit['record_id']}").json()
    assert "lina@example.com" not in json.dumps(detail) and "4I5 555 OI23" not in detail["text"]
    for m in detail["mentions"]:  # spans still index the (masked) text shown
        field = detail["text"] if m["field"] == "text" else detail["title"]
        assert field[m["start"] : m["end"]] == m["raw"]
    page = client.get(f"/cases/river/records/{hit['record_id']}").text
    assert "lina@example.com" not in page and "masked for your role" in page
    graph = client.get(f"/v1/cases/river/records/{hit['record_id']}/graph").json()
    assert "lina@example.com" not in json.dumps(graph)


def test_unknown_paths_get_the_same_json_errors(client: TestClient) -> None:
    missing = client.get("/v1/nothing-here")
    assert missing.status_code == 404 and missing.json() == {"error": "Not Found"}
    wrong_method = client.delete("/v1/screen")
    assert wrong_method.status_code == 405 and "error" in wrong_method.json()


def test_network_view_review_and_its_audit(client: TestClient) -> None:
    login(client)
    nets = client.get("/v1/cases/river/networks").json()
    (net,) = [n for n in nets if n["records"] == 2]
    key = net["network"]
    assert any(i["value"] == "lina@example.com" for i in net["summary"]["identifiers"])
    page = client.get(f"/cases/river/networks/{key}").text
    assert f'data-url="/v1/cases/river/networks/{key}"' in page and "lina@example.com" in page
    graph = client.get(f"/v1/cases/river/networks/{key}").json()
    assert {n["kind"] for n in graph["nodes"]} >= {"record", "email"}
    dashboard = client.get("/cases/river").text
    assert key in dashboard and 'data-testid="top-risk"' in dashboard

    form = {"kind": "network", "target": key, "decision": "confirmed", "next": "/x",
            "rationale": "Same author across two cities, checked by hand"}  # fmt: skip
    refused = client.post("/cases/river/reviews", data={**form, "csrf_token": "forged"})
    assert refused.status_code == 403
    done = client.post(
        "/cases/river/reviews", data={**form, "csrf_token": csrf(client)}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/x"
    page = client.get(f"/cases/river/networks/{key}").text
    assert "Same author across two cities" in page
    events = client.get("/v1/cases/river/audit").json()
    assert any(e["action"].startswith("review") and e["target"] == f"network:{key}" for e in events)
    for path in ("/cases/river/reviews", "/cases/river/matches", "/cases/river/oversight"):
        assert client.get(path).status_code == 200, path

    login(client, "rita")  # a researcher: the network's identifiers are masked
    page = client.get(f"/cases/river/networks/{key}").text
    assert "lina@example.com" not in page
    nets = client.get("/v1/cases/river/networks").json()
    assert "lina@example.com" not in json.dumps(nets)


def test_record_page_shows_the_score_and_its_contributions(client: TestClient) -> None:
    login(client)
    hit = client.get("/v1/cases/river/search", params={"q": "lina@example.com"}).json()[0]
    explained = client.get(f"/v1/cases/river/records/{hit['record_id']}/explain").json()
    total = explained["baseline"] + sum(s["contribution"] for s in explained["signals"])
    assert abs(total - explained["value"]) < 1e-6
    page = client.get(f"/cases/river/records/{hit['record_id']}").text
    assert 'data-testid="score"' in page and 'data-testid="contributions"' in page


def test_screen_matches_image_hashes_against_the_hash_lists(app_store: Store, token: str) -> None:
    from datetime import UTC, datetime

    from threadline.hashlists import add_entry, create_list

    pdq = "f" * 48 + "0" * 16
    create_list(
        app_store, "alice", "partner", supplied_by="Partner NGO", received_at=datetime.now(UTC),
        terms="MoU 7, no redistribution", purpose="triage of uploads", match_only=True,
    )  # fmt: skip
    add_entry(app_store, "alice", "partner", "pdq", pdq)
    add_entry(app_store, "alice", "partner", "md5", "0" * 32)
    near = "f" * 47 + "e" + "0" * 16  # one bit away
    with TestClient(create_app(app_store), base_url="https://testserver") as fresh:
        auth = {"Authorization": f"Bearer {token}"}
        body = {
            "text": "new photos",
            "images": [
                {"pdq": near, "quality": 90},
                {"pdq": near, "quality": 30},  # too low to ever match
                {"md5": "0" * 32},
                {"sha256": "a" * 64},
            ],
        }
        out = fresh.post("/v1/screen", json=body, headers=auth).json()
        found = {(m["image"], m["hash_type"], m["distance"]) for m in out["hash_matches"]}
        assert found == {(0, "pdq", 1), (2, "md5", 0)}
        assert all(m["list"] == "partner" and m["match_only"] for m in out["hash_matches"])
        # the matches are an explained, scored signal too
        (sig,) = [s for s in out["signals"] if s["indicator"] == "image_on_hash_list"]
        assert sig["grade"] == "practitioner-reported" and sig["spans"] == []
        contributions = {c["indicator"] for c in out["score"]["contributions"]}
        assert "image_on_hash_list" in contributions
        plain = fresh.post("/v1/screen", json={"text": "new photos"}, headers=auth).json()
        assert not any(s["indicator"] == "image_on_hash_list" for s in plain["signals"])
        bad = fresh.post("/v1/screen", json={"text": "x", "images": [{"pdq": "zz"}]}, headers=auth)
        assert bad.status_code == 422


def test_exports_through_the_api_pass_the_gate(client: TestClient, app_store: Store) -> None:
    token = credentials.create_token(app_store, "alice", "alice", "exports")[0]
    auth = {"Authorization": f"Bearer {token}"}
    hit = client.get("/v1/cases/river/search", params={"q": "lina@example.com"}, headers=auth)
    rid = hit.json()[0]["record_id"]
    body = {"format": "ftm", "records": [rid]}
    refused = client.post("/v1/cases/river/exports", json=body, headers=auth)
    assert refused.status_code == 403 and "not been reviewed" in refused.json()["error"]
    review = {"kind": "record", "target": str(rid), "decision": "confirmed",
              "rationale": "Checked against the source page by hand"}  # fmt: skip
    assert client.post("/v1/cases/river/reviews", json=review, headers=auth).status_code == 201
    done = client.post("/v1/cases/river/exports", json=body, headers=auth)
    assert done.status_code == 201, done.text
    assert done.json()["pseudonymized"] is True and done.json()["records"] == 1
    clear = client.post("/v1/cases/river/exports", json={**body, "personal_data": True},
                        headers=auth)  # fmt: skip
    assert clear.status_code == 403 and "approv" in clear.json()["error"]
    rita = credentials.create_token(app_store, "admin", "rita", "researcher")[0]
    out = client.post(
        "/v1/cases/river/exports", json=body, headers={"Authorization": f"Bearer {rita}"}
    )
    assert out.status_code == 403
    report = client.get("/v1/cases/river/oversight", headers=auth).json()
    assert report["exports"] and report["refusals"]
