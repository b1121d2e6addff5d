"""Load-independent cost of the indicator stage: instructions per ad under callgrind.

On a shared machine CPU time moves with the load (caches, frequency); an
instruction count does not. Run twice and subtract:

    valgrind --tool=callgrind --callgrind-out-file=cg.0 python benchmarks/callgrind_indicators.py 0
    valgrind --tool=callgrind --callgrind-out-file=cg.1000 \\
        python benchmarks/callgrind_indicators.py 1000
    # instructions per ad = (Ir of cg.1000 - Ir of cg.0) / 1000   ("I refs" in valgrind's summary)

Both runs build the same corpus (`threadline.synth.generate(2000, seed=1)`,
mentions extracted) and warm up on its first 300 ads (gazetteer, compiled
matchers); the second then assesses (`threadline.indicators.assess`:
detection and score) `K` ads more, so the difference is the stage alone.
`callgrind_annotate` on the two files, subtracted per function, shows where
the instructions go (interpreter, regex engine, allocation).
"""

from __future__ import annotations

import sys

from threadline.extract.base import ExtractContext
from threadline.extract.engine import extract_all
from threadline.indicators import assess
from threadline.synth import generate


def main() -> None:
    k = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    data = []
    for ad, _ in generate(2000, 1):
        mentions = extract_all(ad["text"], ExtractContext(default_region=ad["country"])).mentions
        data.append((ad["text"], mentions, ad["kind"], ad["lang"], ad["country"]))
    for text, m, kind, lang, region in data[:300]:
        assess(text, m, kind=kind, lang=lang, region=region)
    for text, m, kind, lang, region in data[:k]:
        assess(text, m, kind=kind, lang=lang, region=region)


if __name__ == "__main__":
    main()
