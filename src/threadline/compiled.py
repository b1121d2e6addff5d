"""Which modules of the hot path run compiled (mypyc, see setup.py), and whether they are current.

The build writes ``compiled.json`` beside this file: whether it compiled, and
the SHA-256 of each compiled module's source. In an editable install the
compiled module shadows its ``.py`` file, so an edited source runs the old
build until ``pip install -e .`` runs again; `stale` names such modules and
the CLI warns about them.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
MANIFEST = PACKAGE / "compiled.json"
EXTENSION_SUFFIXES = (".so", ".pyd")


@dataclass(frozen=True, slots=True)
class CompiledStatus:
    built: bool  # the build compiled the modules (not THREADLINE_PURE_PYTHON=1)
    modules: tuple[str, ...]  # the modules the build lists, as dotted names
    loaded_compiled: tuple[str, ...]  # of those, the ones that import as extensions
    stale: tuple[str, ...]  # compiled from a source that has changed since


def _module_name(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


@cache
def status() -> CompiledStatus:
    """What the manifest says and what imports would load (no module is imported)."""
    try:
        manifest = json.loads(MANIFEST.read_text())
    except (OSError, ValueError):
        return CompiledStatus(False, (), (), ())
    sources: dict[str, str] = manifest.get("sources", {})
    names = tuple(_module_name(p) for p in sorted(sources))
    compiled = []
    stale = []
    for path in sorted(sources):
        name = _module_name(path)
        spec = importlib.util.find_spec(name)
        if spec is None or not (spec.origin or "").endswith(EXTENSION_SUFFIXES):
            continue
        compiled.append(name)
        source = PACKAGE.parent / path
        if source.exists() and hashlib.sha256(source.read_bytes()).hexdigest() != sources[path]:
            stale.append(name)
    return CompiledStatus(bool(manifest.get("compiled")), names, tuple(compiled), tuple(stale))


def describe() -> str:
    s = status()
    if not s.loaded_compiled:
        return "hot path interpreted (not compiled)"
    text = f"hot path compiled ({len(s.loaded_compiled)} of {len(s.modules)} modules, mypyc)"
    if s.stale:
        text += f"; STALE: {', '.join(s.stale)} changed since the build (pip install -e . again)"
    return text
