"""Which modules of the hot path run compiled (mypyc, see setup.py), and whether they are current.

The build writes ``compiled.json`` beside this file: whether it compiled, and
the SHA-256 of each compiled module's source. In an editable install the
compiled module shadows its ``.py`` file, so an edited source runs the old
build until ``pip install -e .`` runs again; `stale` names such modules and
the CLI warns about them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib.machinery import EXTENSION_SUFFIXES as _SUFFIXES
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
MANIFEST = PACKAGE / "compiled.json"
EXTENSION_SUFFIXES = tuple(_SUFFIXES)  # ".cpython-311-x86_64-linux-gnu.so", ".abi3.so", ".so"


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
        source = PACKAGE.parent / path
        # an extension module beside its .py is what the import system loads first;
        # looking at files, not `find_spec`, imports nothing (the CLI calls this at start-up)
        stem = source.with_suffix("")
        if not any(stem.with_name(stem.name + sfx).exists() for sfx in EXTENSION_SUFFIXES):
            continue
        name = _module_name(path)
        compiled.append(name)
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
