"""Extraction: find identifiers and facts in a record's text, as spans with explanations.

The public surface, in one place:

* `threadline.extract.engine.extract_all(text, ctx, *, extractors=None,
  time_budget_s=2.0) -> ExtractResult` — every registered extractor under one
  time budget, overlaps resolved (rule in `engine`), errors per record.
* `threadline.extract.base` — `Mention`, `Explanation`, `ExtractContext`,
  `Example`, `Extractor` (the base an extractor subclasses), `ExtractError`.
* `threadline.extract.registry.all_extractors()` — one module per extractor in
  `threadline.extract.extractors`, found by name; adding one is adding a file.
* `threadline.extract.deobfuscate.digit_windows(text, ctx)` — the documented
  de-obfuscation of digit sequences, with its offset map.
* `threadline.extract.bounded.BoundedPattern` — every regex here runs bounded.
* `threadline.extract.evaluate` — per-type precision/recall/F1 on a labelled set.

Rules are data: `rules/*.yaml` (number words, phone context, e-mail words,
handles, payments, places, names), validated on load.
"""
