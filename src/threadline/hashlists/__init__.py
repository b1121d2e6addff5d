"""Hash lists of known content: provenance, entries, plain import/export formats, audit.

``service`` holds the store operations; ``formats`` the CSV forms (threadline's
plain ``hash,type[,label,source]`` and the ThreatExchange/HMA bank CSV).
Matching image records against the enabled entries is ``threadline.images``.
"""

from threadline.hashlists.formats import FORMATS, HASH_TYPES, RowProblem, normalize_hash
from threadline.hashlists.service import (
    EntryInfo,
    HashListInfo,
    ImportResult,
    MatchOnlyRefused,
    add_entry,
    create_list,
    export_entries,
    get_list,
    import_entries,
    list_entries,
    list_lists,
    remove_entry,
    set_enabled,
)

__all__ = [
    "FORMATS",
    "HASH_TYPES",
    "EntryInfo",
    "HashListInfo",
    "ImportResult",
    "MatchOnlyRefused",
    "RowProblem",
    "add_entry",
    "create_list",
    "export_entries",
    "get_list",
    "import_entries",
    "list_entries",
    "list_lists",
    "normalize_hash",
    "remove_entry",
    "set_enabled",
]
