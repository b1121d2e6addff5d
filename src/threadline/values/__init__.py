"""Value types: what an identifier or a fact found in a record *is*.

Each type cleans raw strings into one canonical form, validates canonical
forms, and says whether records sharing a value may be linked (`pivot`). The
layer knows nothing about extraction; extractors and the linking stage use it.

| name | canonical form | pivot |
| --- | --- | --- |
| phone | E.164, "+14155550123" | yes |
| email | "jane.doe@example.com" | yes |
| handle | "snapchat:jane_doe" | yes |
| url | "example.com/jane" | yes |
| payment_handle | "cashapp:$jane", "zelle:+14155550123" | yes |
| crypto_address | "btc:bc1q…", "eth:0x…" | yes |
| price | "200 USD/hour" | no |
| age | "22" | no |
| location | "Houston, TX, US" | no |
| name | "Jade" | no |
"""

from __future__ import annotations

from threadline.values.age import AGE
from threadline.values.base import CleanContext, ValueType
from threadline.values.crypto import CRYPTO_ADDRESS
from threadline.values.email import EMAIL
from threadline.values.handle import HANDLE
from threadline.values.name import PERSON_NAME
from threadline.values.payment import PAYMENT_HANDLE
from threadline.values.phone import PHONE
from threadline.values.place import PLACE
from threadline.values.price import PRICE
from threadline.values.url import URL

VALUE_TYPES: dict[str, ValueType] = {
    t.name: t
    for t in (
        PHONE,
        EMAIL,
        HANDLE,
        URL,
        PAYMENT_HANDLE,
        CRYPTO_ADDRESS,
        PRICE,
        AGE,
        PLACE,
        PERSON_NAME,
    )
}


def get_type(name: str) -> ValueType:
    """The value type called `name`; KeyError if there is none."""
    return VALUE_TYPES[name]


__all__ = ["VALUE_TYPES", "CleanContext", "ValueType", "get_type"]
