"""The FastAPI application: REST API under /v1, the analyst's web UI, static files.

`create_app(store)` builds it around one `Store`; `threadline serve` runs it
with uvicorn. Errors never carry stack traces to clients: the core's errors
become their HTTP status with the core's message, anything else a 500 with a
reference the operator can find in the server log.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from threadline import __version__
from threadline.errors import Conflict, NotFound, ThreadlineError, ValidationError
from threadline.screen import screen_record
from threadline.store.db import Store
from threadline.web import api, ui
from threadline.web.screening import ScreenMatcher
from threadline.web.security import LoginThrottle, SecurityHeaders

log = logging.getLogger("threadline.web")
STATIC = Path(__file__).parent / "static"
DEFAULT_MAX_BODY = 256 * 1024 * 1024  # uploads; `threadline serve --max-upload-mb`


def _status(exc: ThreadlineError) -> int:
    for kind, status in ((NotFound, 404), (Conflict, 409), (ValidationError, 422)):
        if isinstance(exc, kind):
            return status
    # Forbidden (access control) and anything else the core refuses.
    return 403 if type(exc).__name__ == "Forbidden" else 400


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/v1") and "text/html" in request.headers.get(
        "accept", ""
    )


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Load the extractors' tables (phone metadata, gazetteer …) before the first request,
    # so a platform's first screening call is as fast as the rest.
    screen_record({"text": "warm-up: 415 555 0123, a@b.example, $200/hr, Madrid"})
    app.state.screen_matcher.current()  # load the hash lists once before serving
    yield


def create_app(store: Store, *, max_body: int = DEFAULT_MAX_BODY) -> FastAPI:
    app = FastAPI(
        lifespan=_lifespan,
        title="threadline",
        version=__version__,
        description="Indicators, links and evidence for counter-trafficking analysts. "
        "Every call acts as the authenticated user and is checked against case access.",
        openapi_url="/v1/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.store = store
    app.state.login_throttle = LoginThrottle()
    app.state.screen_matcher = ScreenMatcher(store)

    @app.exception_handler(ThreadlineError)
    async def core_error(request: Request, exc: ThreadlineError) -> Response:
        status = _status(exc)
        if _wants_html(request):
            return ui.error_page(request, status, str(exc))
        return JSONResponse({"error": str(exc)}, status_code=status)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 401 and _wants_html(request):
            return ui.redirect_to_login(request)
        if _wants_html(request):
            return ui.error_page(request, exc.status_code, str(exc.detail))
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
            for e in exc.errors()[:20]
        ]
        return JSONResponse({"error": "invalid request", "problems": problems}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        ref = secrets.token_hex(6)
        log.exception("unhandled error %s on %s %s", ref, request.method, request.url.path)
        return JSONResponse(
            {"error": "internal error; the server log has the details", "reference": ref},
            status_code=500,
        )

    app.include_router(api.router)
    app.include_router(ui.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(SecurityHeaders, max_body=max_body, docs_paths=("/docs",))
    return app
