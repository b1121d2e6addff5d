"""Engines: the same pipeline in one process (``local``) or over a Ray cluster (``ray``).

    from threadline.engine import run_link
    summary = run_link("ads.jsonl", engine="ray", num_workers=2, out_path="networks.jsonl")

`run_link` gives the `LinkSummary` (and assignments file) of
`threadline.link.link_jsonl` whichever engine runs it; `link_file` gives the
full result (`LinkResult` locally, `LinkOutput` on Ray: the same links,
decisions and networks). `analyze_partitioned` runs extraction and
indicators over stored records, per partition. See docs/scale-out.md.
"""

from threadline.engine.analyze import AnalyzedRecord, analyze_case_on, analyze_partitioned
from threadline.engine.link import ENGINES, link_file, run_link
from threadline.engine.output import LinkOutput, link_facts
from threadline.engine.ray_link import RayOptions
from threadline.engine.runtime import EngineError

__all__ = [
    "ENGINES",
    "AnalyzedRecord",
    "EngineError",
    "LinkOutput",
    "RayOptions",
    "analyze_case_on",
    "analyze_partitioned",
    "link_facts",
    "link_file",
    "run_link",
]
