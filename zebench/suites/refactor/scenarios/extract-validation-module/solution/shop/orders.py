"""Orders and their shipping details."""

from dataclasses import dataclass
from decimal import Decimal
from typing import List

from .validation import is_valid_email, is_valid_postcode


class OrderError(ValueError):
    pass


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
    if not is_valid_email(contact_email):
        raise OrderError(f"invalid contact email: {contact_email!r}")
    if not is_valid_postcode(postcode, country):
        raise OrderError(f"cannot ship to postcode {postcode!r} in {country}")
    return Order(number, contact_email.strip().lower(), country, postcode.strip().upper(), list(lines))
