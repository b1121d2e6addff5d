"""Entry point for uvicorn worker processes: the app is built from the environment.

`threadline serve` exports its resolved settings as THREADLINE_* variables so
that every worker process opens the same store.
"""

from __future__ import annotations

import os

from fastapi import FastAPI

from threadline.config import Settings
from threadline.store.db import Store
from threadline.web.app import DEFAULT_MAX_BODY, create_app

ENV_MAX_UPLOAD = "THREADLINE_MAX_UPLOAD_BYTES"


def app_from_env() -> FastAPI:
    max_body = int(os.environ.get(ENV_MAX_UPLOAD) or DEFAULT_MAX_BODY)
    return create_app(Store(Settings.load()), max_body=max_body)
