"""Load the indicator catalogue: validate every file, cache, version by content.

`load_catalogue()` reads the catalogue shipped in the package (or a directory
given), validates it (`schema`) and caches the result per directory. Its
`version` is a hash of the YAML bytes, so every signal can name the exact
catalogue that produced it and a changed word list changes the version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from threadline.indicators.rules import RULES
from threadline.indicators.schema import (
    KINDS,
    CatalogueError,
    GroupWords,
    Indicator,
    Source,
    _keys,
    parse_groups,
    parse_indicator,
    parse_source,
)

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"
SOURCES_FILE = "sources.yaml"
GROUPS_FILE = "groups.yaml"


@dataclass(frozen=True, slots=True)
class Catalogue:
    version: str  # "cat-" + 16 hex digits of SHA-256 over the YAML files
    indicators: tuple[Indicator, ...]
    sources: Mapping[str, Source]
    groups: Mapping[str, GroupWords]  # dimension -> words
    files: tuple[str, ...]

    def for_kind(self, kind: str) -> tuple[Indicator, ...]:
        if kind not in KINDS:
            raise ValueError(f"unknown record kind {kind!r}; expected one of {KINDS}")
        return tuple(i for i in self.indicators if i.kind == kind)

    def get(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def citation(self, ind: Indicator) -> str:
        return "; ".join(self.sources[k].short for k in ind.sources)


def _read(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path.name}: not valid YAML: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{path.name}: cannot read: {exc}") from exc


def _version(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths, key=lambda p: p.name):
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return "cat-" + h.hexdigest()[:16]


def parse_directory(directory: Path) -> Catalogue:
    """Validate and build a catalogue from `directory` (no caching)."""
    if not directory.is_dir():
        raise CatalogueError(f"{directory}: catalogue directory not found")
    paths = sorted(directory.glob("*.yaml"))
    names = {p.name for p in paths}
    for required in (SOURCES_FILE, GROUPS_FILE):
        if required not in names:
            raise CatalogueError(f"{directory}: missing {required}")
    raw_sources = _read(directory / SOURCES_FILE)
    _keys(SOURCES_FILE, raw_sources, {"sources"})
    assert isinstance(raw_sources, dict)
    if not isinstance(raw_sources["sources"], dict):
        raise CatalogueError(f"{SOURCES_FILE}.sources: expected a mapping")
    sources = {
        key: parse_source(f"{SOURCES_FILE}: source '{key}'", key, obj)
        for key, obj in raw_sources["sources"].items()
    }
    raw_groups = _read(directory / GROUPS_FILE)
    _keys(GROUPS_FILE, raw_groups, {"dimensions"})
    assert isinstance(raw_groups, dict)
    if not isinstance(raw_groups["dimensions"], list):
        raise CatalogueError(f"{GROUPS_FILE}.dimensions: expected a list")
    groups: dict[str, GroupWords] = {}
    for i, obj in enumerate(raw_groups["dimensions"]):
        g = parse_groups(f"{GROUPS_FILE}: dimensions[{i}]", obj)
        groups[g.dimension] = g
    indicators: list[Indicator] = []
    seen: dict[str, str] = {}
    for path in paths:
        if path.name in (SOURCES_FILE, GROUPS_FILE):
            continue
        raw = _read(path)
        _keys(path.name, raw, {"domain", "kind", "description", "indicators"})
        assert isinstance(raw, dict)
        kind = raw["kind"]
        if kind not in KINDS:
            raise CatalogueError(f"{path.name}.kind: {kind!r} is not one of {KINDS}")
        if not isinstance(raw["indicators"], list) or not raw["indicators"]:
            raise CatalogueError(f"{path.name}.indicators: expected a non-empty list")
        for k, obj in enumerate(raw["indicators"]):
            ind = parse_indicator(
                f"{path.name}: indicators[{k}]",
                obj,
                kind=kind,
                file=path.name,
                sources=sources,
                groups=groups,
                rules=RULES,
            )
            if ind.id in seen:
                raise CatalogueError(f"{path.name}: indicator id {ind.id!r} also in {seen[ind.id]}")
            seen[ind.id] = path.name
            indicators.append(ind)
    return Catalogue(_version(paths), tuple(indicators), sources, groups, tuple(sorted(names)))


@lru_cache(maxsize=8)
def _cached(directory: str) -> Catalogue:
    return parse_directory(Path(directory))


def load_catalogue(directory: Path | str | None = None) -> Catalogue:
    """The validated catalogue (the packaged one by default), cached per directory."""
    return _cached(str(Path(directory).resolve() if directory else CATALOGUE_DIR))
