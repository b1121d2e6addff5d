"""Persistence: SQLAlchemy models, the database session, the blob store."""

from threadline.store.blobs import BlobRef, BlobStore
from threadline.store.db import Store

__all__ = ["BlobRef", "BlobStore", "Store"]
