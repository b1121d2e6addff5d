"""Property-based fuzzing of the REST API from its own OpenAPI document (schemathesis).

Every operation gets generated inputs, valid and invalid, with a valid token:
no input may produce a 5xx or a stack trace.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

from conftest import add_user
from threadline import credentials
from threadline.cases import create_case
from threadline.config import Settings
from threadline.ingest.service import ingest_paths
from threadline.store import Store
from threadline.web.app import create_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    data = tmp_path_factory.mktemp("fuzz")
    store = Store(Settings.load(data_dir=data, actor="admin"))
    add_user(store, "alice")
    create_case(store, "alice", "river", "Identify operations in ads", "Court order 2026/114")
    ads = data / "ads.jsonl"
    ads.write_text(json.dumps({"id": "a1", "text": "call 415 555 0123"}) + "\n", "utf-8")
    ingest_paths(store, "alice", "river", [Path(ads)])
    return store


@pytest.fixture(scope="module")
def token(fuzz_store: Store) -> str:
    return credentials.create_token(fuzz_store, "alice", "alice", "fuzzing")[0]


@pytest.fixture(scope="module")
def api_schema(fuzz_store: Store):  # type: ignore[no-untyped-def]
    return schemathesis.openapi.from_asgi("/v1/openapi.json", create_app(fuzz_store))


def test_no_input_makes_the_server_fail(api_schema, token: str) -> None:  # type: ignore[no-untyped-def]
    # schemathesis' pytest plugin does not load under this pytest; drive Hypothesis directly.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10
    modes = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
    for operation, mode in itertools.product(operations, modes):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=15,
            derandomize=True,  # the same inputs on every run: CI stays reproducible
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case) -> None:  # type: ignore[no-untyped-def]
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            assert response.status_code < 500, (case.method, case.path, response.text[:500])
            assert "Traceback" not in response.text

        try:
            run()
        except Unsatisfiable:  # no invalid input exists (an operation without parameters)
            assert mode is schemathesis.GenerationMode.NEGATIVE
