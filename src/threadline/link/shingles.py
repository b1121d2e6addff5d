"""Text normalisation and word k-shingles hashed to stable 64-bit integers.

Two ads of one author differ in the phone number they print, the city, the
price and the post number, so before shingling:

* spans of pivot mentions (phone, e-mail, handle …) are replaced by a type
  token (``⟨phone⟩``): two ads differing only in the number are near-duplicates,
  and the number itself is identifier evidence, counted once, elsewhere;
* the record's own city and region names are masked the same way (an
  operation posts one template in many cities);
* every run of digits becomes ``0`` (prices, times, post numbers).

Unlike InfoShield, digits are masked, not deleted, so "$200" and "200 roses"
keep their shape. Words are lower-cased Unicode ``\\w+`` runs; emoji and
punctuation are dropped.

Hashes are stable across processes and runs (BLAKE2b of each word, mixed
with SplitMix64 in numpy), never Python's salted ``hash``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence

import numpy as np

MAX_TEXT_CHARS = 20_000  # an ad longer than this is shingled on its first part only
MAX_SHINGLES = 2_000  # per record; a flood of words adds no evidence
_WORD = re.compile(r"\w+")
_DIGITS = re.compile(r"\d{5,}")
_BOUNDARY = re.compile(r"[\n.!?;~•|·]+|\s-\s")
_CACHE_LIMIT = 500_000

_word_cache: dict[str, int] = {}
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_MIX = np.uint64(0x9E3779B97F4A7C15)


def _word_hash(word: str) -> int:
    h = _word_cache.get(word)
    if h is None:
        if len(_word_cache) >= _CACHE_LIMIT:  # bound memory on hostile vocabularies
            _word_cache.clear()
        h = int.from_bytes(hashlib.blake2b(word.encode("utf-8", "replace"), digest_size=8).digest())
        _word_cache[word] = h
    return h


def splitmix(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser over a uint64 array (wrapping arithmetic): a stable avalanche."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * _M1
        x = x ^ (x >> np.uint64(27))
        x = x * _M2
        return x ^ (x >> np.uint64(31))


def normalize(
    text: str,
    spans: Iterable[tuple[int, int, str]] = (),
    places: Iterable[str] = (),
) -> str:
    """Lower-cased text with `spans` (start, end, type) and `places` masked, digits as 0."""
    text = text[:MAX_TEXT_CHARS]
    pieces: list[str] = []
    pos = 0
    for start, end, kind in sorted(spans):
        if start < pos or start >= len(text):
            continue  # overlapping or beyond the cut: the first span wins
        pieces.append(text[pos:start])
        pieces.append(f" \u27e8{kind}\u27e9 ")
        pos = min(end, len(text))
    pieces.append(text[pos:])
    out = "".join(pieces).lower()
    for place in places:
        p = place.strip().lower()
        if len(p) >= 3 and p in out:  # "TX", "NY" as words would mask too much
            out = re.sub(rf"\b{re.escape(p)}\b", " \u27e8place\u27e9 ", out)
    return _DIGITS.sub("0", out)


def tokens(normalized: str) -> list[str]:
    """Word tokens of a normalized text; a masked span is one token (``phone``, ``place`` …)."""
    return _WORD.findall(normalized)


def segments(normalized: str) -> list[list[str]]:
    """Word tokens per segment: shingles never cross a sentence end, a line or a separator,
    so a dropped or moved sentence changes only its own shingles."""
    out = []
    for part in _BOUNDARY.split(normalized):
        words = _WORD.findall(part)
        if words:
            out.append(words)
    return out


def shingle_batch(docs: Sequence[Sequence[Sequence[str]]], k: int) -> tuple[np.ndarray, np.ndarray]:
    """(values, offsets): the sorted unique hashes of each document's word k-shingles.

    `docs[i]` is document i's segments (lists of words); document i owns
    ``values[offsets[i]:offsets[i + 1]]``. Shingles stay inside a segment; a segment
    shorter than k words is one shingle (the whole segment). At most `MAX_SHINGLES`
    per document (the smallest hashes: a deterministic sample). Vectorised over the
    whole batch: a chunk of records costs a handful of numpy passes.
    """
    n_docs = len(docs)
    offsets = np.zeros(n_docs + 1, dtype=np.int64)
    seg_len = np.fromiter((len(p) for d in docs for p in d), dtype=np.int64)
    words = [w for d in docs for p in d for w in p]
    if not words:
        return np.empty(0, dtype=np.uint64), offsets
    get = _word_cache.get
    w = np.fromiter(
        (h if (h := get(t)) is not None else _word_hash(t) for t in words),
        dtype=np.uint64,
        count=len(words),
    )
    seg_doc = np.repeat(np.arange(n_docs), [len(d) for d in docs])
    seg_start = np.cumsum(seg_len) - seg_len
    seg_id = np.repeat(np.arange(len(seg_len)), seg_len)
    hashes, owners = [], []
    n = len(w) - k + 1
    with np.errstate(over="ignore"):
        if n > 0:
            h = w[:n].copy()
            for j in range(1, k):  # order-sensitive combination, then an avalanche
                h = splitmix(h * _MIX + w[j : j + n])
            inside = seg_id[:n] == seg_id[k - 1 :]
            hashes.append(h[inside])
            owners.append(seg_doc[seg_id[:n][inside]])
        short = np.flatnonzero(seg_len < k)
        if len(short):
            start, length = seg_start[short], seg_len[short]
            h1 = w[start].copy()
            for j in range(1, k):
                more = j < length
                h1[more] = splitmix(h1[more] * _MIX + w[start[more] + j])
            hashes.append(h1)
            owners.append(seg_doc[short])
    final = splitmix(np.concatenate(hashes))
    owner = np.concatenate(owners)
    order = np.lexsort((final, owner))
    final, owner = final[order], owner[order]
    keep = np.ones(len(final), dtype=bool)
    keep[1:] = (final[1:] != final[:-1]) | (owner[1:] != owner[:-1])
    final, owner = final[keep], owner[keep]
    counts = np.bincount(owner, minlength=n_docs)
    if counts.max() > MAX_SHINGLES:
        rank = np.arange(len(owner)) - (np.cumsum(counts) - counts)[owner]
        capped = rank < MAX_SHINGLES
        final, owner = final[capped], owner[capped]
        counts = np.bincount(owner, minlength=n_docs)
    np.cumsum(counts, out=offsets[1:])
    return final, offsets


def shingle_hashes(parts: Sequence[Sequence[str]], k: int) -> np.ndarray:
    """Sorted unique uint64 hashes of one document's shingles (see `shingle_batch`)."""
    return shingle_batch([parts], k)[0]


def text_shingles(
    text: str,
    k: int,
    spans: Iterable[tuple[int, int, str]] = (),
    places: Iterable[str] = (),
) -> tuple[np.ndarray, int]:
    """(shingle hashes, word count) of one record's text: `normalize` → `segments` → hashes."""
    parts = segments(normalize(text, spans, places))
    return shingle_hashes(parts, k), sum(len(p) for p in parts)


def text_fingerprint(shingles: np.ndarray) -> int:
    """A stable 64-bit hash of a shingle set: equal sets, equal fingerprints (exact copies)."""
    if len(shingles) == 0:
        return 0
    digest = hashlib.blake2b(shingles.astype("<u8").tobytes(), digest_size=8).digest()
    return int.from_bytes(digest) or 1
