"""Instructions per ad of one stage of the compiled hot path, under callgrind.

Counts what the stage's own compiled function executes, nothing else
(`--toggle-collect` on its C symbol), for K ads after a warm-up of 300:

    valgrind --tool=callgrind --toggle-collect='CPyDef_engine___extract_all' \\
        --callgrind-out-file=cg.K python benchmarks/callgrind_stage.py extract K
    valgrind --tool=callgrind --toggle-collect='CPyDef_detect___detect' \\
        --toggle-collect='CPyDef_score___score' \\
        --callgrind-out-file=ci.K python benchmarks/callgrind_stage.py assess K

Run with K = 0 and K = 1000; instructions per ad = (I refs of K=1000 − I refs of
K=0) / 1000, so the warm-up (gazetteer, compiled patterns) cancels out.
`callgrind_annotate --inclusive=yes` on both files, subtracted per function,
shows where they go. Corpus: `threadline.synth.generate(1600, seed)`, seed 7
for extraction, 1 for assessment (mentions extracted outside the count).
Needs the compiled build (`threadline version`); an interpreted build has no
such symbols and counts nothing.
"""

from __future__ import annotations

import sys

from threadline.extract.base import ExtractContext
from threadline.extract.engine import extract_all
from threadline.indicators import assess
from threadline.synth import generate

WARM_UP = 300


def main() -> None:
    stage, k = sys.argv[1], int(sys.argv[2])
    if stage == "extract":
        ads = [ad for ad, _ in generate(WARM_UP + 1300, 7)]
        for ad in ads[: WARM_UP + k]:
            extract_all(ad["text"], ExtractContext(default_region=ad["country"]))
    elif stage == "assess":
        data = []
        for ad, _ in generate(WARM_UP + 1300, 1):
            found = extract_all(ad["text"], ExtractContext(default_region=ad["country"]))
            data.append((ad["text"], found.mentions, ad["kind"], ad["lang"], ad["country"]))
        for text, mentions, kind, lang, region in data[: WARM_UP + k]:
            assess(text, mentions, kind=kind, lang=lang, region=region)
    else:
        raise SystemExit("usage: callgrind_stage.py extract|assess K")


if __name__ == "__main__":
    main()
