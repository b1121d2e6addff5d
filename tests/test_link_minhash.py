"""MinHash + LSH against the brute-force reference; determinism of hashes and signatures."""

from __future__ import annotations

import random
import string
import subprocess
import sys

import numpy as np
import pytest

from threadline.link.brute import all_pairs
from threadline.link.components import connected_components
from threadline.link.jaccard import jaccard_pairs
from threadline.link.lsh import LSHIndex, choose_params
from threadline.link.minhash import EMPTY, MinHasher
from threadline.link.shingles import normalize, segments, shingle_batch, shingle_hashes
from threadline.link.text import text_links

THRESHOLD = 0.5
SHINGLE = 3


def _corpus(n_clusters: int, seed: int) -> list[str]:
    """Texts in planted clusters: a base of 30-60 words, members with 0-20% of words replaced,
    so pair similarities spread over the whole range around the threshold."""
    rng = random.Random(seed)
    vocab = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 8))) for _ in range(4000)]
    texts = []
    for _ in range(n_clusters):
        base = rng.choices(vocab, k=rng.randint(30, 60))
        for _ in range(rng.randint(1, 6)):
            words = list(base)
            for _ in range(int(len(words) * rng.uniform(0.0, 0.2))):
                words[rng.randrange(len(words))] = rng.choice(vocab)
            texts.append(" ".join(words))
    return texts


def _layout(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    return shingle_batch([segments(normalize(t)) for t in texts], SHINGLE)


@pytest.fixture(scope="module")
def corpus() -> tuple[list[str], np.ndarray, np.ndarray, dict[tuple[int, int], float]]:
    texts = _corpus(600, seed=3)
    values, offsets = _layout(texts)
    sets = [values[offsets[i] : offsets[i + 1]] for i in range(len(texts))]
    truth = all_pairs(sets, THRESHOLD - 0.1)
    return texts, values, offsets, truth


def test_corpus_covers_the_threshold(corpus) -> None:  # type: ignore[no-untyped-def]
    texts, _, _, truth = corpus
    assert len(texts) >= 2000
    sims = np.array(list(truth.values()))
    assert np.sum((sims >= THRESHOLD - 0.05) & (sims < THRESHOLD + 0.05)) >= 50
    assert np.sum(sims >= THRESHOLD + 0.05) >= 500


def test_lsh_finds_the_brute_force_pairs(corpus) -> None:  # type: ignore[no-untyped-def]
    _, values, offsets, truth = corpus
    params = choose_params(THRESHOLD, 128)
    sig = MinHasher(128, seed=1).signatures(values, offsets)
    index = LSHIndex(params)
    cand = index.candidate_pairs(index.keys(sig), all_pairs_up_to=10**9)
    found = {(int(a), int(b)) for a, b in cand}
    wanted = {p for p, s in truth.items() if s >= THRESHOLD + 0.05}
    recall = len(wanted & found) / len(wanted)
    assert recall >= 0.99, recall


def test_exact_jaccard_matches_brute_force(corpus) -> None:  # type: ignore[no-untyped-def]
    _, values, offsets, truth = corpus
    pairs = np.array(sorted(truth), dtype=np.int64)
    got = jaccard_pairs(values, offsets, pairs)
    assert np.allclose(got, [truth[(int(a), int(b))] for a, b in pairs])


def test_text_stage_connects_what_brute_force_connects(corpus) -> None:  # type: ignore[no-untyped-def]
    """The pipeline's stage (stars, skips, signature screen) keeps the brute-force components."""
    texts, values, offsets, truth = corpus
    n = len(texts)
    params = choose_params(THRESHOLD, 128)
    sig = MinHasher(128, seed=1).signatures(values, offsets)
    fps = np.arange(1, n + 1, dtype=np.uint64)  # no exact copies here
    links = text_links(values, offsets, fps, sig, params)
    assert np.all(links.similarity >= THRESHOLD)
    ours = connected_components(n, links.pairs)
    strong = np.array([p for p, s in truth.items() if s >= THRESHOLD + 0.05], dtype=np.int64)
    missed = np.sum(ours[strong[:, 0]] != ours[strong[:, 1]])
    assert missed <= 0.01 * len(strong)
    exact = np.array([p for p, s in truth.items() if s >= THRESHOLD], dtype=np.int64)
    reference = connected_components(n, exact)
    # nothing joined that brute force keeps apart
    pairs_ours = {(int(a), int(b)) for a, b in links.pairs}
    assert all(reference[a] == reference[b] for a, b in pairs_ours)


def test_choose_params_meets_its_miss_rate() -> None:
    for t in (0.3, 0.5, 0.7):
        p = choose_params(t, 128)
        assert p.bands * p.rows <= 128
        assert 1 - p.probability(t + 0.05) <= 0.005
    with pytest.raises(ValueError):
        choose_params(1.0, 128)


def test_signatures_are_deterministic_and_seeded() -> None:
    values, offsets = _layout(["alpha beta gamma delta epsilon zeta eta theta", "", "one two"])
    a = MinHasher(64, seed=7).signatures(values, offsets)
    b = MinHasher(64, seed=7).signatures(values, offsets)
    c = MinHasher(64, seed=8).signatures(values, offsets)
    assert np.array_equal(a, b)
    assert not np.array_equal(a[0], c[0])
    assert np.all(a[1] == EMPTY)  # an empty text has the EMPTY signature


def test_shingle_hashes_are_stable_across_processes() -> None:
    """Never Python's salted hash: another interpreter gets the same values."""
    code = (
        "from threadline.link.shingles import shingle_hashes;"
        "print(shingle_hashes([['call', 'me', 'now', 'baby']], 3).tolist())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    here = shingle_hashes([["call", "me", "now", "baby"]], 3).tolist()
    assert out.stdout.strip() == str(here)
    assert len(here) == 2


def test_shingles_mask_identifiers_and_places() -> None:
    """Two ads differing only in the number and the city share every shingle of those parts."""
    a = "Call Mia at 713-555-0100 ~ new in Houston ~ post 80012345"
    b = "Call Mia at 832-555-0199 ~ new in Dallas ~ post 80067890"
    na = normalize(a, [(12, 24, "phone")], ["Houston"])
    nb = normalize(b, [(12, 24, "phone")], ["Dallas"])
    assert "713" not in na and "houston" not in na and "⟨phone⟩" in na
    assert segments(na) == segments(nb)  # long digit runs (post numbers) are masked too
    assert np.array_equal(shingle_hashes(segments(na), 3), shingle_hashes(segments(nb), 3))


def test_batch_shingles_equal_single_record_shingles() -> None:
    texts = [*_corpus(20, seed=9), "", "one", "two words"]
    values, offsets = _layout(texts)
    for i, t in enumerate(texts):
        single = shingle_hashes(segments(normalize(t)), SHINGLE)
        assert np.array_equal(values[offsets[i] : offsets[i + 1]], single)
