"""Supplier records (companies we buy stock from)."""

import re
from dataclasses import dataclass

EMAIL_PATTERN = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
COUNTRY_DIAL_CODES = {"GB": "44", "NL": "31", "DE": "49", "US": "1"}


class SupplierError(ValueError):
    pass


def check_email(value: str) -> bool:
    value = value.strip()
    return len(value) <= 254 and EMAIL_PATTERN.match(value) is not None


def clean_phone(raw: str, country: str) -> str:
    compact = re.sub(r"[\s().-]", "", raw)
    if compact.startswith("+"):
        return "+" + re.sub(r"\D", "", compact)
    if compact.startswith("00"):
        return "+" + re.sub(r"\D", "", compact[2:])
    if country not in COUNTRY_DIAL_CODES:
        raise SupplierError(f"unknown country for phone number: {country}")
    national = re.sub(r"\D", "", compact).lstrip("0")
    return f"+{COUNTRY_DIAL_CODES[country]}{national}"


@dataclass(frozen=True)
class Supplier:
    company: str
    orders_email: str
    phone: str
    country: str


def register_supplier(company: str, orders_email: str, phone: str, country: str) -> Supplier:
    country = country.upper()
    if not company.strip():
        raise SupplierError("company is required")
    if not check_email(orders_email):
        raise SupplierError(f"invalid orders email: {orders_email!r}")
    return Supplier(company.strip(), orders_email.strip().lower(), clean_phone(phone, country), country)
