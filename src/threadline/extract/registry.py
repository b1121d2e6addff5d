"""The extractor registry: every module in `threadline.extract.extractors` is an extractor.

A module there defines `EXTRACTOR`, an `Extractor` instance whose `name` is
the module's name. Discovery imports them once, checks those rules and
returns them in a stable order (by name), so adding an extractor is adding
one file.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from threadline.extract import extractors as _package
from threadline.extract.base import Extractor


class RegistryError(RuntimeError):
    """An extractor module breaks the registry's rules."""


@cache
def all_extractors() -> tuple[Extractor, ...]:
    found: dict[str, Extractor] = {}
    for info in sorted(pkgutil.iter_modules(_package.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{_package.__name__}.{info.name}")
        ex = getattr(module, "EXTRACTOR", None)
        if not isinstance(ex, Extractor):
            raise RegistryError(f"{module.__name__} defines no EXTRACTOR instance")
        if ex.name != info.name:
            raise RegistryError(f"{module.__name__}: EXTRACTOR.name is {ex.name!r}")
        if not ex.version or not ex.types:
            raise RegistryError(f"{module.__name__}: extractor needs a version and types")
        found[ex.name] = ex
    return tuple(found.values())


def get_extractor(name: str) -> Extractor:
    for ex in all_extractors():
        if ex.name == name:
            return ex
    raise KeyError(name)


def extractor_names() -> tuple[str, ...]:
    return tuple(ex.name for ex in all_extractors())
