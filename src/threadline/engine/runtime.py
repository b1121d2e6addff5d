"""Starting and stopping Ray for one run: offline, no dashboard, a private temp dir.

`ray_session` connects to a running cluster (``address``: ``auto``,
``HOST:PORT`` or ``ray://HOST:PORT``) or starts a local one with
`num_workers` CPUs, and always shuts Ray down and removes a temp dir it made.
Nothing here lets Ray fetch anything: no ``runtime_env`` (which would install
packages or upload code), usage statistics off, no dashboard. The nodes of a
cluster must have threadline installed (see docs/scale-out.md).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from threadline.errors import ThreadlineError

# Ray would otherwise report usage statistics over the network.
_OFFLINE_ENV = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_DISABLE_DOCKER_CPU_WARNING": "1"}
# Ray puts its sockets ~80 bytes deep under the temp dir; a Unix socket path has 107 at most
MAX_TEMP_PREFIX = 24


class EngineError(ThreadlineError):
    """The distributed engine could not run or finish the job (nothing was written)."""


def _temp_root(data_dir: Path | None) -> Path:
    """Where Ray's sockets and spill files go: the data dir if its path is short, else /tmp."""
    if data_dir is not None and len(str(data_dir.resolve())) <= MAX_TEMP_PREFIX:
        data_dir.mkdir(parents=True, exist_ok=True)
        return data_dir
    return Path(tempfile.gettempdir())


@contextmanager
def ray_session(
    address: str | None = None,
    num_workers: int | None = None,
    *,
    data_dir: Path | None = None,
    object_store_mb: int | None = None,
) -> Iterator[Any]:
    """Ray, initialised for the block and shut down after it (yields the `ray` module)."""
    try:
        import ray
    except ImportError as exc:  # pragma: no cover - ray is a dependency
        raise EngineError("the ray engine needs the 'ray' package installed") from exc
    for k, v in _OFFLINE_ENV.items():
        os.environ.setdefault(k, v)
    if ray.is_initialized():  # a caller's session (a notebook, a test): use it as it is
        yield ray
        return
    temp: str | None = None
    kwargs: dict[str, Any] = {
        "include_dashboard": False,
        "logging_level": "WARNING",
        "log_to_driver": False,
        "configure_logging": True,
    }
    if address:
        kwargs["address"] = address
    else:
        temp = tempfile.mkdtemp(prefix="tl-ray-", dir=_temp_root(data_dir))
        kwargs["_temp_dir"] = temp
        kwargs["num_cpus"] = max(1, num_workers or os.cpu_count() or 1)
        if object_store_mb:
            kwargs["object_store_memory"] = object_store_mb * 1024 * 1024
        # workers start with the driver's environment: they import the same threadline
    try:
        ray.init(**kwargs)
    except Exception as exc:
        if temp:
            shutil.rmtree(temp, ignore_errors=True)
        raise EngineError(f"could not start or reach Ray ({address or 'local'}): {exc}") from exc
    try:
        yield ray
    finally:
        ray.shutdown()
        if temp:
            shutil.rmtree(temp, ignore_errors=True)


def kill_once(marker: str) -> None:
    """Fault drill: kill this worker process unless `marker` exists (creating it first).

    A task that calls it dies on its first attempt and runs on its retry, the way a
    node lost mid-run looks to Ray; tests use it to check that results do not change.
    """
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return
    os._exit(1)
