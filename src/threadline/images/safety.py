"""Rendering image records for people: blurred by default, revealed only on an audited request.

- ``thumbnail(store, actor, record_id)`` — greyscale, strongly blurred PNG
  (``threadline.media.safe_thumbnail``); audited as ``image.thumbnail``.
- ``reveal_image(store, actor, record_id, reason)`` — the unblurred view: a
  colour PNG re-encoded from the decoded pixels (at most ``REVEAL_SIZE`` px a
  side, no metadata; the original file is evidence and is never handed to a
  viewer). Needs a reason of at least ``MIN_REASON`` characters and the
  permission checked by ``authorize_reveal``; audited as ``image.revealed``
  with the reason.

Never rendered, neither blurred nor revealed: an image that matched an entry
of a match-only list, and an image that the matching stage has not checked
yet (run ``threadline analyze``); its SHA-256 and MD5 are also looked up in
the match-only lists at request time, so an exact entry added since the last
run blocks rendering at once (PDQ entries added since then take effect at the
next run). Every refusal is audited (``image.render_refused``) and raises
``RenderRefused``.

Access: any view needs `read` on the image's case (refusals audited by the
guard); the unblurred view also needs `reveal_image` (``authorize_reveal``).
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from threadline import audit
from threadline.errors import Conflict, NotFound, ValidationError
from threadline.images.stage import MATCH_STAGE
from threadline.media import DEFAULT_MAX_BYTES, ImageDecodeError, safe_thumbnail
from threadline.safeguards.access import guard, may
from threadline.store.db import Store
from threadline.store.models import (
    Case,
    HashList,
    HashListEntry,
    HashMatch,
    ImageHash,
    Record,
    RecordStage,
)

MIN_REASON = 10
REVEAL_SIZE = 1024


class RenderRefused(Conflict):
    """The image may not be rendered for this actor (the refusal is audited)."""


# ---------------------------------------------------------------- the one access-control hook


def authorize_reveal(session: Session, actor: str, case: Case) -> bool:
    """Whether ``actor`` may see unblurred images of ``case``: the `reveal_image` permission
    of their role in the case (supervisors, by default; see safeguards/roles.py)."""
    return may(session, actor, case, "reveal_image")


# ---------------------------------------------------------------- rendering


def thumbnail(store: Store, actor: str, record_id: int, *, size: int = 256) -> bytes:
    """A blurred greyscale PNG of an image record; refused (and audited) when it may not render."""
    data, case_id = _renderable(store, actor, record_id, "thumbnail")
    try:
        png = safe_thumbnail(data, size=size)
    except ImageDecodeError as exc:
        raise ValidationError(f"record {record_id} cannot be rendered: {exc}") from exc
    with store.write() as session:
        audit.append(
            session,
            actor=actor,
            action="image.thumbnail",
            case_id=case_id,
            target=f"record:{record_id}",
            details={"blurred": True, "greyscale": True, "size": size},
        )
    return png


def reveal_image(store: Store, actor: str, record_id: int, reason: str | None) -> bytes:
    """The unblurred image as a metadata-free PNG; needs a reason and permission; audited."""
    text = (reason or "").strip()
    if len(text) < MIN_REASON or "\n" in text:
        raise ValidationError(
            f"revealing an image needs a one-line reason of at least {MIN_REASON} characters"
        )
    data, case_id = _renderable(store, actor, record_id, "reveal", reason=text)
    with store.read() as session:
        case = session.get(Case, case_id)
        assert case is not None
        allowed = authorize_reveal(session, actor, case)
    if not allowed:
        _refuse(store, actor, record_id, case_id, "reveal", "not permitted", reason=text)
    try:
        png = safe_thumbnail(data, size=REVEAL_SIZE, blur=False, grey=False)
    except ImageDecodeError as exc:
        raise ValidationError(f"record {record_id} cannot be rendered: {exc}") from exc
    with store.write() as session:
        audit.append(
            session,
            actor=actor,
            action="image.revealed",
            case_id=case_id,
            target=f"record:{record_id}",
            details={"reason": text, "sha256_shown": hashlib.sha256(png).hexdigest()},
        )
    return png


def _renderable(
    store: Store, actor: str, record_id: int, view: str, *, reason: str | None = None
) -> tuple[bytes, int]:
    """The record's bytes if it may be rendered at all; otherwise audit and raise."""
    with store.read() as session:
        record = session.get(Record, record_id)
        if record is None or record.kind != "image" or record.blob_sha256 is None:
            raise NotFound(f"no image record {record_id}")
        case_id, blob = record.case_id, record.blob_sha256
        case_name = session.get(Case, case_id).name  # type: ignore[union-attr]
        checked = session.scalar(
            select(RecordStage.record_id).where(
                RecordStage.record_id == record_id, RecordStage.stage == MATCH_STAGE
            )
        )
        blocked = session.scalar(
            select(HashMatch.id).where(
                HashMatch.record_id == record_id, HashMatch.match_only.is_(True)
            )
        )
        hashes = session.get(ImageHash, record_id)
        exact = _match_only_exact(session, hashes) if hashes is not None else None
    guard(store, actor, case_name, "read")  # a refusal is audited by the guard
    if checked is None:
        _refuse(
            store,
            actor,
            record_id,
            case_id,
            view,
            "not yet checked against hash lists",
            reason=reason,
        )
    if blocked is not None or exact is not None:
        _refuse(
            store, actor, record_id, case_id, view, "matches a match-only hash list", reason=reason
        )
    with store.blobs.open(blob) as fh:
        data = fh.read(DEFAULT_MAX_BYTES + 1)
    if len(data) > DEFAULT_MAX_BYTES:
        raise ValidationError(f"record {record_id} is larger than {DEFAULT_MAX_BYTES:,} bytes")
    return data, case_id


def _match_only_exact(session: Session, hashes: ImageHash) -> int | None:
    pairs = [("sha256", hashes.sha256)] + ([("md5", hashes.md5)] if hashes.md5 else [])
    for hash_type, value in pairs:
        hit = session.scalar(
            select(HashListEntry.id)
            .join(HashList, HashList.id == HashListEntry.list_id)
            .where(
                HashList.match_only.is_(True),
                HashListEntry.enabled.is_(True),
                HashListEntry.hash_type == hash_type,
                HashListEntry.value == value,
            )
            .limit(1)
        )
        if hit is not None:
            return int(hit)
    return None


def _refuse(
    store: Store,
    actor: str,
    record_id: int,
    case_id: int,
    view: str,
    why: str,
    *,
    reason: str | None = None,
) -> None:
    with store.write() as session:
        audit.append(
            session,
            actor=actor,
            action="image.render_refused",
            case_id=case_id,
            target=f"record:{record_id}",
            details={"view": view, "refused_because": why, "reason": reason},
        )
    raise RenderRefused(f"image record {record_id} is not rendered: {why}")
