"""Deterministic synthetic corpus of ads with planted ground truth.

`generate(count, seed)` streams (ad, truth) pairs; `write_corpus` writes
ads.jsonl and truth.jsonl (same order, one JSON object per line) and, when
asked, ads.warc.gz and pages/. The same (count, seed) gives byte-identical
files, whatever the number of worker processes. No real person's data: phone
numbers from fiction ranges that libphonenumber accepts (see `synth.places`),
e-mails and URLs on reserved domains, invented names and handles, random
checksum-valid crypto addresses.

ads.jsonl: id, kind (ad | job_ad), lang (en | es), site, title, text, city,
region, country (US | GB | ES | MX), posted_at, url, images.

truth.jsonl, per ad:

* operation: ``op-...`` for trafficking operations and deceptive recruiters,
  else null; entity: the author (``op-``, ``ind-``, ``emp-``), so that ads of
  one independent or employer can be grouped too; role: trafficking_operation,
  independent, agency_hub_user, legit_job or deceptive_job; template:
  ``tpl-...`` for operations and recruiters, else null.
* identifiers: [{type (phone | email | handle | payment_handle |
  crypto_address), value (normalized: E.164 phones, lower-case e-mails,
  handles without sigil), platform (handles, payment handles, crypto),
  obfuscation (null or spelled_en, spelled_es, letter_swap, spacing,
  emoji_digits, fullwidth, circled, split, mixed for phones; at_dot, brackets,
  spacing for e-mails), raw (exactly as written), recycled (only when true: the
  block had already given this number to another author)}]; hub: the values
  among them that belong to a hub (switchboard, booking e-mail) shared by
  unrelated authors. Past 150,000 ads, fiction numbers are issued again to new
  authors every 150,000 (US) / 210,000 (GB) ads (`synth.phones.PhoneBook`).
* indicators: planted indicator ids (third_person, multiple_persons,
  youth_language, ethnicity_stated, trustworthy_language, movement_language,
  client_screening, available_24_7, phone_obfuscated; for job ads
  recruitment_fee, passport_requested, high_pay_no_experience, travel_paid,
  messaging_app_only, no_company_identity, vague_duties, urgency, job_abroad).
  They record language present in the text, not guilt: legitimate job ads and
  independents carry some too.
* price: {amount, currency, unit (hour | half_hour | quick_visit; hour | month
  for job pay), raw, rates (sex ads: every rate with its raw), max (pay
  ranges)} or null; age (stated, always >= 18) or null; personas (names).
* decoys: [{type (price | age | measurement | time | date | zip | post_id |
  address), raw}]: numbers in the text that are not phone numbers.

Every identifier's, decoy's and price's `raw` is a substring of the ad's text.
"""

from threadline.synth.corpus import (
    FRACTION_DECEPTIVE,
    FRACTION_JOB,
    FRACTION_OPERATION,
    CorpusStats,
    generate,
    write_corpus,
)
from threadline.synth.phones import is_fictional_phone
from threadline.synth.render import write_html_dir, write_warc

__all__ = [
    "FRACTION_DECEPTIVE",
    "FRACTION_JOB",
    "FRACTION_OPERATION",
    "CorpusStats",
    "generate",
    "is_fictional_phone",
    "write_corpus",
    "write_html_dir",
    "write_warc",
]
