"""Linking: records → networks, through shared identifiers and near-duplicate text.

Stages (each a pure function over a batch; see `pipeline`):

* `features` — per record: pivot values (via `threadline.values` pivot types),
  masked word shingles, place, time, signals;
* `minhash` / `lsh` / `jaccard` — MinHash sketch, LSH index configured by a
  Jaccard threshold, exact verification; `brute` is the reference;
* `identifiers` — shared-value links and the hub rule;
* `components` — connected components and stable network ids;
* `templates` — MDL templates with slots inside near-duplicate groups;
* `network` — `Link` and `Network` records with their evidence;
* `batch` — `link_records`, `link_jsonl`;
* `evaluate`, `infoshield` — quality against ground truth and the baseline.
"""

from threadline.link.batch import LinkSummary, link_jsonl, link_records
from threadline.link.config import LinkConfig
from threadline.link.network import Link, Network
from threadline.link.pipeline import LinkResult

__all__ = [
    "Link",
    "LinkConfig",
    "LinkResult",
    "LinkSummary",
    "Network",
    "link_jsonl",
    "link_records",
]
