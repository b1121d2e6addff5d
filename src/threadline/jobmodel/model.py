"""The job-ad model as explicit data: a linear model over named features.

A `JobModel` is a logistic regression: z = intercept + sum_j coef_j * x_j,
probability = sigmoid(z). It is stored as JSON — vocabularies, idf values,
coefficients, the decision threshold and a record of the training data —
never as pickle or joblib. Every prediction returns its top contributing
features: for a linear model each feature's contribution to z is exactly
coef_j * x_j, and the contributions plus the intercept sum to z.

A prediction is a recruitment-risk level for review, with the model version
and its training-data version attached.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from threadline.errors import ThreadlineError
from threadline.jobmodel.features import (
    JobAd,
    Prepared,
    TfidfBlock,
    prepare,
    word_analyzer,
    word_grams,
)

FORMAT = "threadline.jobmodel/1"
MODEL_FILE = Path(__file__).resolve().parent / "model.json"
TOP_K = 8
# per model: words come from hostile text, so the cache is bounded in entries
# and word length (a cached word of 32 characters holds at most ~90 indices:
# a few MB at the cap; ordinary words are far shorter)
MAX_CACHED_WORDS = 20_000
MAX_CACHED_WORD_LEN = 32
# sublinear tf, 1 + ln(count), from `math.log` (numpy's log may differ in the
# last bit, and predictions must equal the reference path's exactly)
_TF = np.array([0.0] + [1.0 + math.log(c) for c in range(1, 1024)])


class ModelError(ThreadlineError):
    """A model file is missing, malformed or of another format."""


@dataclass(frozen=True, slots=True)
class FeatureContribution:
    feature: str  # "word:no experience", "char:' fee'", "ind:recruitment_fee", "meta:telecommuting"
    value: float  # the feature's value in this ad
    weight: float  # its coefficient
    contribution: float  # value * weight: its push on the log-odds

    def to_dict(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "value": round(self.value, 6),
            "weight": round(self.weight, 6),
            "contribution": round(self.contribution, 6),
        }


@dataclass(frozen=True, slots=True)
class JobPrediction:
    probability: float
    for_review: bool  # probability >= threshold
    threshold: float
    top_features: tuple[FeatureContribution, ...]  # largest |contribution| first
    intercept: float
    model_version: str
    training_data: str  # version of the data the model was trained on
    synthetic: bool  # trained on synthetic data only

    def to_dict(self) -> dict[str, Any]:
        return {
            "probability": round(self.probability, 6),
            "for_review": self.for_review,
            "threshold": self.threshold,
            "top_features": [f.to_dict() for f in self.top_features],
            "intercept": self.intercept,
            "model": self.model_version,
            "training_data": self.training_data,
            "synthetic": self.synthetic,
        }


def _r(x: float) -> float:
    return float(f"{x:.6g}")


@dataclass(frozen=True)
class JobModel:
    blocks: tuple[TfidfBlock, ...]  # the tf-idf blocks, in coefficient order
    flags: tuple[str, ...]  # binary features after the blocks ("ind:...", "meta:...")
    coef: tuple[float, ...]
    intercept: float
    threshold: float
    info: Mapping[str, Any]  # training data, metrics, excluded features, catalogue version
    _index: tuple[dict[str, int], ...] = field(init=False, repr=False, compare=False)
    _offsets: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _flag_index: dict[str, int] = field(init=False, repr=False, compare=False)
    _version: str = field(init=False, repr=False, compare=False)
    _coef: np.ndarray = field(init=False, repr=False, compare=False)
    _idf: tuple[np.ndarray, ...] = field(init=False, repr=False, compare=False)
    _word_ids: tuple[dict[str, tuple[int, ...]], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = sum(len(b.vocabulary) for b in self.blocks) + len(self.flags)
        if len(self.coef) != n:
            raise ModelError(f"model has {len(self.coef)} coefficients for {n} features")
        offsets, start = [], 0
        for b in self.blocks:
            offsets.append(start)
            start += len(b.vocabulary)
        offsets.append(start)
        object.__setattr__(self, "_index", tuple(b.index() for b in self.blocks))
        object.__setattr__(self, "_offsets", tuple(offsets))
        object.__setattr__(self, "_flag_index", {f: i for i, f in enumerate(self.flags)})
        object.__setattr__(self, "_version", model_version(self.to_json_dict(with_version=False)))
        object.__setattr__(self, "_coef", np.array(self.coef, dtype=np.float64))
        object.__setattr__(self, "_idf", tuple(np.array(b.idf) for b in self.blocks))
        object.__setattr__(self, "_word_ids", tuple({} for _ in self.blocks))

    @property
    def version(self) -> str:
        """Hash of the model's content: names the exact model behind every prediction."""
        return self._version

    @property
    def training_data(self) -> str:
        return str(self.info.get("training_data", {}).get("data_version", "unknown"))

    def feature_name(self, j: int) -> str:
        for k, b in enumerate(self.blocks):
            lo = self._offsets[k]
            if lo <= j < lo + len(b.vocabulary):
                term = b.vocabulary[j - lo]
                return f"{b.name}:{term}" if b.name == "word" else f"{b.name}:{term!r}"
        return self.flags[j - self._offsets[-1]]

    def vector(self, p: Prepared) -> dict[int, float]:
        """The ad's non-zero features, term by term: the reference `sparse` is tested against."""
        x: dict[int, float] = {}
        for k, b in enumerate(self.blocks):
            lo = self._offsets[k]
            for i, v in b.transform(p.norm, self._index[k]).items():
                x[lo + i] = v
        for f in (*p.indicators, *p.meta):
            i = self._flag_index.get(f)
            if i is not None:
                x[self._offsets[-1] + i] = 1.0
        return x

    def sparse(self, p: Prepared) -> tuple[np.ndarray, np.ndarray]:
        """(feature indices, ascending; values): `vector` as arrays, bit for bit.

        Why not `vector`: a job ad has ~1,000 non-zero character n-grams, and
        weighing each in Python cost ~1 ms an ad, more than extracting and
        detecting together. Here each distinct word's in-vocabulary n-grams are
        looked up once per process, and counting, weighting and normalising
        run in numpy with the same floating-point operations as `transform`.
        """
        ids_parts: list[np.ndarray] = []
        val_parts: list[np.ndarray] = []
        for k, b in enumerate(self.blocks):
            ids = self._term_ids(k, b, p.norm)
            if not ids:
                continue
            uniq, counts = np.unique(np.array(ids, dtype=np.intp), return_counts=True)
            tf = _TF[np.minimum(counts, len(_TF) - 1)]
            big = counts >= len(_TF)
            if big.any():
                tf[big] = [1.0 + math.log(c) for c in counts[big].tolist()]
            vals = tf * self._idf[k][uniq]
            norm2 = math.sqrt(math.fsum((vals * vals).tolist()))
            if norm2 > 0:
                ids_parts.append(uniq + self._offsets[k])
                val_parts.append(vals / norm2)
        flags = sorted(
            {
                self._offsets[-1] + i
                for f in (*p.indicators, *p.meta)
                if (i := self._flag_index.get(f)) is not None
            }
        )
        if flags:
            ids_parts.append(np.array(flags, dtype=np.intp))
            val_parts.append(np.ones(len(flags)))
        if not ids_parts:
            return np.zeros(0, dtype=np.intp), np.zeros(0)
        return np.concatenate(ids_parts), np.concatenate(val_parts)

    def _term_ids(self, k: int, block: TfidfBlock, norm: str) -> list[int]:
        """Vocabulary indices of the block's terms in `norm`, with repeats."""
        index = self._index[k]
        if block.name == "word":
            return [i for t in word_analyzer(norm) if (i := index.get(t)) is not None]
        cache = self._word_ids[k]
        out: list[int] = []
        for w in norm.split():  # char_analyzer, a word at a time
            found = cache.get(w)
            if found is None:
                found = tuple(i for g in word_grams(w) if (i := index.get(g)) is not None)
                if len(cache) < MAX_CACHED_WORDS and len(w) <= MAX_CACHED_WORD_LEN:
                    cache[w] = found
            out.extend(found)
        return out

    def decision(self, p: Prepared) -> float:
        idx, val = self.sparse(p)
        return self.intercept + math.fsum((self._coef[idx] * val).tolist())

    def predict_prepared(self, p: Prepared, top_k: int = TOP_K) -> JobPrediction:
        idx, val = self.sparse(p)
        weight = self._coef[idx]
        keep = weight != 0
        idx, val, weight = idx[keep], val[keep], weight[keep]
        contrib = weight * val
        z = self.intercept + math.fsum(contrib.tolist())
        # largest |contribution| first, ties by feature index
        order = np.lexsort((idx, -np.abs(contrib)))[:top_k]
        top = tuple(
            FeatureContribution(
                self.feature_name(int(idx[o])), float(val[o]), float(weight[o]), float(contrib[o])
            )
            for o in order.tolist()
        )
        return self._prediction(z, top)

    def _prediction(self, z: float, top: tuple[FeatureContribution, ...]) -> JobPrediction:
        prob = 1.0 / (1.0 + math.exp(-z)) if z >= -700 else 0.0
        return JobPrediction(
            prob,
            prob >= self.threshold,
            self.threshold,
            top,
            self.intercept,
            self.version,
            self.training_data,
            bool(self.info.get("training_data", {}).get("synthetic", True)),
        )

    def predict_reference(self, p: Prepared, top_k: int = TOP_K) -> JobPrediction:
        """`predict_prepared` the plain way, from `vector`: what the tests hold it equal to."""
        x = self.vector(p)
        parts = [(j, v, self.coef[j] * v) for j, v in x.items() if self.coef[j] != 0]
        z = self.intercept + math.fsum(c for _, _, c in parts)
        parts.sort(key=lambda t: (-abs(t[2]), t[0]))
        top = tuple(
            FeatureContribution(self.feature_name(j), v, self.coef[j], c)
            for j, v, c in parts[:top_k]
        )
        return self._prediction(z, top)

    def predict(
        self,
        ad: JobAd,
        *,
        mentions: Sequence[Any] | None = None,
        signals: Sequence[Any] | None = None,
        top_k: int = TOP_K,
    ) -> JobPrediction:
        """Risk for review of one job ad, with its top contributing features."""
        return self.predict_prepared(prepare(ad, mentions=mentions, signals=signals), top_k)

    def to_json_dict(self, *, with_version: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"format": FORMAT, "info": dict(self.info)}
        out["intercept"] = self.intercept
        out["threshold"] = self.threshold
        blocks = []
        for k, b in enumerate(self.blocks):
            lo = self._offsets[k]
            coef = self.coef[lo : lo + len(b.vocabulary)]
            blocks.append(
                {
                    "name": b.name,
                    "vocabulary": list(b.vocabulary),
                    "idf": list(b.idf),
                    "coef": list(coef),
                }
            )
        out["blocks"] = blocks
        out["flags"] = {"names": list(self.flags), "coef": list(self.coef[self._offsets[-1] :])}
        if with_version:
            out["version"] = self._version
        return out

    def save(self, path: Path) -> None:
        path.write_text(
            json.dumps(self.to_json_dict(), ensure_ascii=False, separators=(",", ":")),
            encoding="utf-8",
        )


def model_version(doc: Mapping[str, Any]) -> str:
    body = {k: v for k, v in doc.items() if k != "version"}
    raw = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "jobmodel-" + hashlib.sha256(raw.encode()).hexdigest()[:16]


def build(
    blocks: Sequence[tuple[str, Sequence[str], Sequence[float], Sequence[float]]],
    flags: Sequence[str],
    flag_coef: Sequence[float],
    intercept: float,
    threshold: float,
    info: Mapping[str, Any],
) -> JobModel:
    """A model from plain arrays, every number rounded to 6 significant digits (as saved)."""
    tf = tuple(TfidfBlock(n, tuple(v), tuple(_r(x) for x in idf)) for n, v, idf, _ in blocks)
    coef = tuple(_r(c) for _, _, _, cs in blocks for c in cs) + tuple(_r(c) for c in flag_coef)
    return JobModel(tf, tuple(flags), coef, _r(intercept), _r(threshold), dict(info))


def from_json_dict(doc: Mapping[str, Any], where: str = "model") -> JobModel:
    if doc.get("format") != FORMAT:
        raise ModelError(f"{where}: not a {FORMAT} file (format {doc.get('format')!r})")
    try:
        blocks = [(b["name"], b["vocabulary"], b["idf"], b["coef"]) for b in doc["blocks"]]
        for name, vocab, idf, coef in blocks:
            if name not in ("word", "char") or not len(vocab) == len(idf) == len(coef):
                raise ModelError(f"{where}: block {name!r} is malformed")
        model = build(
            blocks,
            doc["flags"]["names"],
            doc["flags"]["coef"],
            doc["intercept"],
            doc["threshold"],
            doc["info"],
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{where}: malformed model: {exc}") from exc
    if "version" in doc and doc["version"] != model.version:
        raise ModelError(f"{where}: content does not match its version {doc['version']}")
    return model


def load(path: Path | str) -> JobModel:
    p = Path(path)
    if not p.exists():
        raise ModelError(f"{p}: no model file (train one: python -m threadline.jobmodel.train)")
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"{p}: not JSON: {exc}") from exc
    return from_json_dict(doc, str(p.name))


@lru_cache(maxsize=1)
def load_default() -> JobModel:
    """The small model shipped in the package (trained on synthetic job ads)."""
    return load(MODEL_FILE)
