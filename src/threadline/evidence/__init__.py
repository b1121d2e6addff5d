"""Evidence export: signed bundles with chain of custody, CASE/UCO JSON-LD, FollowTheMoney.

Every exporter takes the store, the acting user, a case name and an explicit
`Selection` of records, writes only into a new or empty output folder,
pseudonymizes personal identifiers unless told not to, audits the export and
returns an `ExportSummary`. Access control and the four-eyes gate sit in
front of these functions (they check nothing about who may export).
"""

from threadline.evidence.bundle import export_bundle
from threadline.evidence.case_uco import export_case
from threadline.evidence.common import ExportSummary
from threadline.evidence.ftm import export_ftm
from threadline.evidence.selection import Selection
from threadline.evidence.signing import create_keys, load_private_key, load_public_key
from threadline.evidence.verify import BundleCheck, verify_bundle

__all__ = [
    "BundleCheck",
    "ExportSummary",
    "Selection",
    "create_keys",
    "export_bundle",
    "export_case",
    "export_ftm",
    "load_private_key",
    "load_public_key",
    "verify_bundle",
]
