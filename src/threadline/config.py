"""Settings: where data lives and which database to use.

Resolution order for each setting: explicit argument, environment variable,
default. Nothing here is executable configuration.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from threadline.ingest.items import Limits

ENV_DATA_DIR = "THREADLINE_DATA_DIR"
ENV_DATABASE_URL = "THREADLINE_DATABASE_URL"
ENV_ACTOR = "THREADLINE_ACTOR"
ENV_AUDIT_CHECKPOINT = "THREADLINE_AUDIT_CHECKPOINT"
ENV_MAX_RECORD_BYTES = "THREADLINE_MAX_RECORD_BYTES"

DEFAULT_RETENTION_DAYS = 365


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    database_url: str
    audit_checkpoint: Path
    actor: str
    limits: Limits = field(default_factory=Limits)

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @classmethod
    def load(
        cls,
        data_dir: Path | str | None = None,
        database_url: str | None = None,
        actor: str | None = None,
        max_record_bytes: int | None = None,
    ) -> Settings:
        env = os.environ
        root = Path(
            data_dir or env.get(ENV_DATA_DIR) or platformdirs.user_data_dir("threadline")
        ).expanduser()
        url = database_url or env.get(ENV_DATABASE_URL) or f"sqlite:///{root / 'threadline.db'}"
        checkpoint = Path(env.get(ENV_AUDIT_CHECKPOINT) or root / "audit-checkpoint.json")
        who = actor or env.get(ENV_ACTOR) or _os_user()
        limit = max_record_bytes or int(env.get(ENV_MAX_RECORD_BYTES) or Limits().max_record_bytes)
        return cls(
            data_dir=root,
            database_url=url,
            audit_checkpoint=checkpoint,
            actor=who,
            limits=Limits(max_record_bytes=limit),
        )


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        return "unknown"
