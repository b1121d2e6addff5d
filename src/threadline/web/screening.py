"""Hash-list matching for the stateless screening endpoint.

A platform screens an upload by sending the image's hashes (never the image):
SHA-256, MD5 and/or PDQ with its quality. They are matched against every
enabled hash-list entry with the same matcher as the image stage
(`threadline.images.matcher`): exact hashes, and PDQ within distance 31 when
the quality is at least 50. The matcher is rebuilt from the store at most
every `REFRESH_S` seconds, so a list change reaches screening within a minute
without a database query per request.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from threadline.images.matcher import Matcher, build_matcher
from threadline.store.db import Store
from threadline.store.models import HashList

REFRESH_S = 60.0


@dataclass
class ScreenMatcher:
    store: Store
    _matcher: Matcher | None = None
    _names: dict[int, str] | None = None
    _built_at: float = 0.0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def current(self) -> tuple[Matcher, dict[int, str]]:
        with self._lock:
            if self._matcher is None or time.monotonic() - self._built_at > REFRESH_S:
                with self.store.read() as session:
                    self._matcher = build_matcher(session)
                    self._names = dict(session.execute(select(HashList.id, HashList.name)).all())
                self._built_at = time.monotonic()
            return self._matcher, self._names or {}

    def match(self, images: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Per image (in order), the hash-list entries it matches."""
        matcher, names = self.current()
        out = []
        for i, image in enumerate(images):
            for m in matcher.match(
                image.get("sha256") or "", image.get("md5"), image.get("pdq"), image.get("quality")
            ):
                out.append(
                    {
                        "image": i,
                        "list": names.get(m.entry.list_id, str(m.entry.list_id)),
                        "match_only": m.entry.match_only,
                        "hash_type": m.entry.hash_type,
                        "distance": m.distance,
                        "quality": m.quality,
                    }
                )
        return out
