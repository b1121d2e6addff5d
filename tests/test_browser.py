"""End-to-end in a real browser: Debian's headless Chromium driven by Playwright.

The server is the real `threadline serve` on a demo case built by the real
`threadline demo`. Playwright never downloads a browser: it is pointed at the
system Chromium (`THREADLINE_CHROMIUM` or /usr/bin/chromium). Outside CI the
tests skip when Chromium is missing; in CI they fail. Screenshots of each view
are written to `test-artifacts/screenshots/` (not committed) for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SHOTS = Path(os.environ.get("THREADLINE_SCREENSHOTS", ROOT / "test-artifacts" / "screenshots"))
PASSWORD = "browser test password"


def _chromium() -> str | None:
    path = os.environ.get("THREADLINE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return path if Path(path).is_file() else None


@pytest.fixture(scope="module")
def chromium() -> str:
    path = _chromium()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs Chromium (Debian package chromium) for the browser tests")
        pytest.skip("no Chromium on this machine (Debian: apt-get install chromium)")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, chromium: str) -> Iterator[str]:
    data = tmp_path_factory.mktemp("browser-data")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("THREADLINE_")},
        "THREADLINE_DATA_DIR": str(data),
        "THREADLINE_ACTOR": "ana",
    }
    cli = [sys.executable, "-m", "threadline"]
    subprocess.run([*cli, "demo", "--count", "300"], env=env, check=True, capture_output=True)
    subprocess.run(
        [*cli, "passwd", "ana", "--password-stdin"],
        env=env,
        input=PASSWORD + "\n",
        text=True,
        check=True,
        capture_output=True,
    )
    port = _free_port()
    proc = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(base + "/login", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("threadline serve did not come up") from None
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def page(chromium: str, server: str):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True)
        context = browser.new_context(base_url=server, viewport={"width": 1360, "height": 900})
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on(
            "request",
            lambda r: (
                problems.append(f"outside request: {r.url}")
                if not r.url.startswith((server, "data:", "blob:"))
                else None
            ),
        )
        page.problems = problems  # type: ignore[attr-defined]
        yield page
        context.close()
        browser.close()


def _login(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/")
    assert "/login" in page.url
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def test_analyst_logs_in_searches_and_opens_a_record(page) -> None:  # type: ignore[no-untyped-def]
    _login(page)
    assert page.get_by_test_id("user").inner_text() == "ana"
    page.screenshot(path=SHOTS / "01-cases.png", full_page=True)
    page.click("a[href='/cases/demo']")
    page.wait_for_selector("[data-testid=counts]")
    page.screenshot(path=SHOTS / "02-case-dashboard.png", full_page=True)

    page.click("text=Search")
    page.fill("input[name=q]", "@")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("[data-testid=results] a[href*='/records/']")
    page.screenshot(path=SHOTS / "03-search.png", full_page=True)

    page.click("[data-testid=results] a[href*='/records/']")
    page.wait_for_selector("[data-testid=text]")
    marks = page.locator("[data-testid=text] mark[data-testid=mention]")
    assert marks.count() >= 1
    text = page.locator("[data-testid=text]").inner_text()
    for i in range(marks.count()):
        assert marks.nth(i).inner_text() in text
    assert page.locator("[data-testid=provenance]").inner_text().count("SHA-256") >= 2
    page.screenshot(path=SHOTS / "04-record.png", full_page=True)

    page.click("[data-testid=graph-link]")
    page.wait_for_selector("#graph[data-ready='1']")
    page.wait_for_selector("#map[data-ready='1']")
    assert int(page.locator("#graph").get_attribute("data-nodes")) >= 2
    assert page.locator("#graph canvas").count() >= 1
    assert page.locator("[data-testid=timeline] tbody tr").count() >= 1
    page.screenshot(path=SHOTS / "05-graph.png", full_page=True)
    assert page.problems == []  # type: ignore[attr-defined]


def test_analyst_opens_a_network_reviews_it_and_sees_it_audited(page) -> None:  # type: ignore[no-untyped-def]
    _login(page)
    page.goto("/cases/demo")
    assert page.locator("[data-testid=top-risk] tbody tr").count() >= 1
    page.click("text=Networks")
    page.click("[data-testid=networks] a[href*='/networks/']")
    page.wait_for_selector("#graph[data-ready='1']")
    assert int(page.locator("#graph").get_attribute("data-nodes")) >= 3
    key = page.url.rstrip("/").rsplit("/", 1)[-1]
    page.screenshot(path=SHOTS / "07-network.png", full_page=True)

    page.select_option("[data-testid=review-form] select[name=decision]", "confirmed")
    page.fill("[data-testid=review-form] textarea", "Same phone and template across cities")
    page.click("[data-testid=review-form] button[type=submit]")
    page.wait_for_selector("text=Same phone and template across cities")
    page.screenshot(path=SHOTS / "08-network-reviewed.png", full_page=True)

    page.goto("/cases/demo/audit")
    audit = page.locator("main").inner_text()
    assert f"network:{key}" in audit and "review" in audit
    page.goto("/cases/demo/oversight")
    page.screenshot(path=SHOTS / "09-oversight.png", full_page=True)
    assert page.problems == []  # type: ignore[attr-defined]


def test_audit_view_shows_the_logins(page) -> None:  # type: ignore[no-untyped-def]
    _login(page)
    page.goto("/cases/demo/audit")
    body = page.locator("main").inner_text()
    assert "case.create" in body or "source." in body
    page.screenshot(path=SHOTS / "06-audit.png", full_page=True)
    assert page.problems == []  # type: ignore[attr-defined]


def test_wrong_password_is_refused_in_the_browser(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    assert "Wrong user name or password" in page.locator("[role=alert]").inner_text()


def test_demo_serve_prints_a_password_that_logs_in(tmp_path: Path) -> None:
    import re

    import httpx

    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("THREADLINE_")},
        "THREADLINE_DATA_DIR": str(tmp_path),
        "THREADLINE_ACTOR": "ana",
        "PYTHONUNBUFFERED": "1",
        "COLUMNS": "200",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "threadline",
            "demo",
            "--count",
            "50",
            "--serve",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        for line in proc.stdout:  # type: ignore[union-attr]
            lines.append(line)
            if "a new password each time" in line:
                break
        password = lines[-2].strip()
        assert re.fullmatch(r"[A-Za-z0-9_-]{16}", password), lines[-3:]
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                form = httpx.get(base + "/login")
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.3)
        prelogin = re.search(r'name="prelogin" value="([^"]+)"', form.text).group(1)
        answer = httpx.post(
            base + "/login",
            data={"username": "ana", "password": password, "prelogin": prelogin},
            # the cookie is Secure; an HTTP client outside a browser would not send it back
            headers={"Cookie": f"tl_prelogin={form.cookies['tl_prelogin']}"},
        )
        assert answer.status_code == 303 and "tl_session=" in answer.headers["set-cookie"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
