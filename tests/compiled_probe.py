"""Run the hot path over a fixed corpus and print the result as JSON (see test_compiled.py).

Run as a script, in a subprocess, once against the installed (compiled)
modules and once against an interpreted copy of the source.
"""

from __future__ import annotations

import importlib
import json
import sys


def main() -> None:
    from threadline.extract.base import ExtractContext
    from threadline.extract.engine import extract_all
    from threadline.indicators import detect, score
    from threadline.indicators.rules import DetectContext, ImageMatch
    from threadline.synth import generate

    eval_path, count = sys.argv[1], int(sys.argv[2])
    with open(eval_path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    texts = [(r["text"], r.get("region") or "US", "ad", r.get("lang")) for r in rows]
    texts += [(a["text"], a["country"], a["kind"], a["lang"]) for a, _ in generate(count, 3)]
    texts += [  # hostile: long runs, control characters, digits everywhere, lone emoji
        ("4" * 5000, "US", "ad", None),
        ("\x00\x01 call 4one5 five5five \u200b12 3 4 " * 200, "US", "ad", "en"),
        ("🔟" * 3000 + " ①②③ ", "MX", "ad", "es"),
        ("a@b." * 2000, "GB", "job_ad", "en"),
    ]
    known = (ImageMatch("partner", "pdq", 7, 88),)
    out = []
    for i, (text, region, kind, lang) in enumerate(texts):
        result = extract_all(text, ExtractContext(default_region=region), time_budget_s=60.0)
        ctx = DetectContext(
            region=region,
            identifier_cities={m.normalized: 5 for m in result.mentions},
            identifier_personas={m.normalized: 3 for m in result.mentions[:1]},
            image_matches=known if i % 7 == 0 else (),
        )
        signals = detect(text, result.mentions, kind=kind, lang=lang, context=ctx)
        s = score(signals, kind=kind)
        out.append(
            {
                "mentions": [m.to_dict() for m in result.mentions],
                "suppressed": [m.to_dict() for m in result.suppressed],
                "errors": list(result.errors),
                "signals": [sig.to_dict() for sig in signals],
                "score": [s.value, s.for_review, [c.to_dict() for c in s.contributions]],
            }
        )
    scan = importlib.import_module("threadline.extract.scan")
    print(json.dumps({"scan_module": scan.__file__, "results": out}, sort_keys=True))


if __name__ == "__main__":
    main()
