"""`LinkConfig`: every setting of the linker, with its default and why (declarative data only).

Defaults were tuned on synthetic corpora of seeds 7, 11 and 23 (5,000 ads)
and seed 7 (20,000 ads) and then frozen; the quality test and the benchmark
score seed 2026. Change them per case with `dataclasses.replace`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from threadline.values import VALUE_TYPES

EVIDENCE_KINDS = ("identifier", "text")
CONFIG_VERSION = "link-1"


def pivot_types() -> tuple[str, ...]:
    """Value types whose `pivot` flag says they may link records (from `threadline.values`)."""
    return tuple(sorted(name for name, t in VALUE_TYPES.items() if t.pivot))


@dataclass(frozen=True)
class LinkConfig:
    """How records are linked into networks.

    Text (near-duplicates):

    * ``jaccard_threshold`` (0.5): two ads are near-duplicates when the Jaccard
      similarity of their shingle sets is at least this. In the sweep (3-word
      shingles, free-text ads) text-only pairwise precision stayed at 0.9998+
      from 0.5 up, while recall fell from 0.72 (0.5) to 0.42 (0.65) on 20,000 ads.
    * ``shingle_size`` (3): words per shingle, inside a sentence. 2 joined
      unrelated ads sharing stock phrases; 4 and 5 (InfoShield's) lost recall
      to the one-word variations a template's ads carry.
    * ``num_perm`` (128), ``lsh_margin`` (0.05), ``lsh_miss_rate`` (0.005):
      MinHash functions, and the LSH banding chosen so that a pair at
      threshold + margin is missed with probability at most miss_rate (42 bands
      × 3 rows at the defaults; candidates are then screened by the signature
      estimate and verified by exact Jaccard, see `threadline.link.text`).
    * ``min_text_words`` (8): a text with fewer words gives no text evidence;
      one-word ads would otherwise all be "copies" of each other.
    * ``minhash_seed`` (1): fixed, so signatures and results repeat.

    Identifiers (shared pivot values):

    * ``pivot_types``: the value types that may link records; by default every
      type whose `pivot` flag is set in `threadline.values`.
    * ``identifier_gap_days`` (45): a value seen again after this many days of
      silence is a new *use* of it (carriers reissue phone numbers; the
      synthetic corpus reissues them every 150,000 ads, 52 days on) and links
      only within its use; the hub rule also holds back a value whose
      textually unrelated groups began more than this apart. 30 split some
      long-lived operations' rarely shown handles; None turns both off.
    * Hub rule (a value kept as evidence that does not merge networks; see
      `threadline.link.identifiers`): a value on at least ``hub_min_records``
      (3) records is a hub when it joins at least ``hub_min_groups`` (3) groups
      that nothing else links *and* the texts of those groups are unrelated
      (median Jaccard between groups below ``hub_max_cohesion``, 0.12: one
      author's groups score 0.2–0.6, a switchboard's 0.0–0.1); when two or more
      such unrelated groups began more than ``identifier_gap_days`` apart (a
      reissued number); or when its record count is
      above the far-out Tukey fence of values' counts on a log scale (Q3 +
      ``hub_fence_k`` (3.0) × IQR) and above ``hub_count_floor`` (100).
      ``hub_values`` names values that are hubs whatever their numbers (a known
      switchboard), ``not_hub_values`` values that never are (an analyst's
      decision); both as "value" or "type:value".

    Networks:

    * ``evidence``: which link kinds merge networks, ("identifier", "text");
      the ablations drop one. Links of the other kinds are still reported.
    * ``text_exclude_kinds`` (("job_ad",)): record kinds (the record's ``kind``
      field) whose text links are reported but do not merge networks. Job ads
      are written from stock forms (responsibilities, requirements, benefits)
      that agencies copy: on the synthetic corpus of 20,000 ads their text
      near-duplicates joined different employers and recruiters (pairwise
      precision 0.74 with them, 1.00 without), while their contact
      identifiers link them cleanly. Free-text ads keep text evidence.
    * ``large_network_warning`` (500): a network with more records is named in
      the summary's warnings.
    * ``template_max_members`` (200): MDL templates of a near-duplicate group are
      found on at most this many members (the first ones,
      deterministic, for bounded time).
    """

    jaccard_threshold: float = 0.5
    shingle_size: int = 3
    num_perm: int = 128
    lsh_margin: float = 0.05
    lsh_miss_rate: float = 0.005
    min_text_words: int = 8
    minhash_seed: int = 1
    pivot_types: tuple[str, ...] = field(default_factory=pivot_types)
    identifier_gap_days: float | None = 45.0
    hub_min_records: int = 3
    hub_min_groups: int = 3
    hub_max_cohesion: float = 0.12
    hub_fence_k: float = 3.0
    hub_count_floor: int = 100
    hub_values: tuple[str, ...] = ()
    not_hub_values: tuple[str, ...] = ()
    evidence: tuple[str, ...] = EVIDENCE_KINDS
    text_exclude_kinds: tuple[str, ...] = ("job_ad",)
    large_network_warning: int = 500
    template_max_members: int = 200

    def __post_init__(self) -> None:
        if not 0.0 < self.jaccard_threshold < 1.0:
            raise ValueError("jaccard_threshold must be in (0, 1)")
        if self.shingle_size < 1 or self.num_perm < 1 or self.min_text_words < 0:
            raise ValueError("shingle_size and num_perm must be >= 1, min_text_words >= 0")
        unknown = set(self.evidence) - set(EVIDENCE_KINDS)
        if unknown:
            raise ValueError(f"unknown evidence kinds {sorted(unknown)}; known: {EVIDENCE_KINDS}")
        # "image": near-identical-image groups, supplied by the image stage (link.case)
        bad = [t for t in self.pivot_types if t not in VALUE_TYPES and t != "image"]
        if bad:
            raise ValueError(f"unknown value types {bad}")

    def to_dict(self) -> dict[str, object]:
        """The settings as plain data (for a summary or an audit entry)."""
        return {
            "version": CONFIG_VERSION,
            "jaccard_threshold": self.jaccard_threshold,
            "shingle_size": self.shingle_size,
            "num_perm": self.num_perm,
            "lsh_margin": self.lsh_margin,
            "lsh_miss_rate": self.lsh_miss_rate,
            "min_text_words": self.min_text_words,
            "minhash_seed": self.minhash_seed,
            "pivot_types": list(self.pivot_types),
            "identifier_gap_days": self.identifier_gap_days,
            "hub_min_records": self.hub_min_records,
            "hub_min_groups": self.hub_min_groups,
            "hub_fence_k": self.hub_fence_k,
            "hub_max_cohesion": self.hub_max_cohesion,
            "hub_count_floor": self.hub_count_floor,
            "hub_values": list(self.hub_values),
            "not_hub_values": list(self.not_hub_values),
            "evidence": list(self.evidence),
            "text_exclude_kinds": list(self.text_exclude_kinds),
            "large_network_warning": self.large_network_warning,
            "template_max_members": self.template_max_members,
        }
