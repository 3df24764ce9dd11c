"""Orders and their shipping details."""

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import List

_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_POSTCODES = {
    "GB": re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$"),
    "NL": re.compile(r"^\d{4} ?[A-Z]{2}$"),
    "DE": re.compile(r"^\d{5}$"),
    "US": re.compile(r"^\d{5}(-\d{4})?$"),
}


class OrderError(ValueError):
    pass


def email_ok(address: str) -> bool:
    address = address.strip()
    return len(address) <= 254 and _EMAIL.match(address) is not None


def postcode_ok(code: str, country: str) -> bool:
    pattern = _POSTCODES.get(country)
    return pattern is not None and pattern.match(code.strip().upper()) is not None


@dataclass(frozen=True)
class OrderLine:
    sku: str
    quantity: int
    unit_price: Decimal

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class Order:
    number: str
    contact_email: str
    ship_country: str
    ship_postcode: str
    lines: List[OrderLine]

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.lines), Decimal("0"))


def place_order(number: str, contact_email: str, country: str, postcode: str, lines: List[OrderLine]) -> Order:
    country = country.upper()
    if not lines:
        raise OrderError("an order needs at least one line")
    if not email_ok(contact_email):
        raise OrderError(f"invalid contact email: {contact_email!r}")
    if not postcode_ok(postcode, country):
        raise OrderError(f"cannot ship to postcode {postcode!r} in {country}")
    return Order(number, contact_email.strip().lower(), country, postcode.strip().upper(), list(lines))
