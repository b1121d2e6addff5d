"""The value-type interface: what a phone, an e-mail, a price … *is*.

A value type knows nothing about how a value was found in text. It cleans a
raw string into one canonical form, validates a canonical form, and says
whether two records sharing that value may be linked (`pivot`). Extractors
call `clean`; the linking stage reads `pivot`.

Types are registered by name in `VALUE_TYPES` (see `threadline.values`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import Any, ClassVar

import yaml


@dataclass(frozen=True, slots=True)
class CleanContext:
    """What a value type may use to clean a value besides the raw string.

    `default_region` is an ISO 3166-1 alpha-2 code (phones without a country
    code are read as numbers of that region); `default_currency` an ISO 4217
    code (prices written in "roses" or a bare "$").
    """

    default_region: str | None = None
    default_currency: str | None = None


NO_CONTEXT = CleanContext()

SHORT_VALUE = 256  # characters: value patterns on shorter strings run without a timeout
VALUE_TIMEOUT_S = 0.05


def timeout_for(raw: str) -> float | None:
    """The `regex` timeout for a value pattern applied to `raw`.

    Value patterns use bounded quantifiers only, so a short string bounds the
    work by itself; the timeout's bookkeeping costs ~6 us a call, more than
    the match. Longer strings (a caller passing arbitrary text) keep it.
    """
    return None if len(raw) <= SHORT_VALUE else VALUE_TIMEOUT_S


class ValueType:
    """Base of every value type. Subclasses set `name` and `pivot` and override both methods."""

    name: ClassVar[str]
    pivot: ClassVar[bool]  # may two records sharing this value be linked?

    def clean(self, raw: str, context: CleanContext = NO_CONTEXT) -> str | None:
        """The canonical form of `raw`, or None when it is not a value of this type."""
        raise NotImplementedError

    def validate(self, value: str) -> bool:
        """Whether `value` is already in this type's canonical form."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<ValueType {self.name} pivot={self.pivot}>"


class DataError(ValueError):
    """A packaged data file does not have the shape its loader expects."""


class _Yaml12Loader(yaml.SafeLoader):
    """SafeLoader where only true/false are booleans (YAML 1.2): "no", "on", "y" stay strings."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def load_yaml(package: str, filename: str, required: dict[str, type]) -> dict[str, Any]:
    """Load a YAML mapping shipped inside `package`, checking top-level keys and their types.

    Rules are data (STYLE.md §4): a malformed file fails loudly at load, not
    halfway through a corpus.
    """
    text = resources.files(package).joinpath(filename).read_text(encoding="utf-8")
    data = yaml.load(text, Loader=_Yaml12Loader)
    if not isinstance(data, dict):
        raise DataError(f"{package}/{filename}: top level must be a mapping")
    for key, kind in required.items():
        if key not in data:
            raise DataError(f"{package}/{filename}: missing key {key!r}")
        if not isinstance(data[key], kind):
            raise DataError(f"{package}/{filename}: {key!r} must be {kind.__name__}")
    return data


def str_list(data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    """`data[key]` as a tuple of non-empty strings, or DataError."""
    items = data.get(key)
    if not isinstance(items, list) or not all(isinstance(x, str) and x for x in items):
        raise DataError(f"{where}: {key!r} must be a list of non-empty strings")
    return tuple(items)
