"""Supplier records (companies we buy stock from)."""

from dataclasses import dataclass

from .validation import InvalidPhoneNumber, is_valid_email, normalize_phone


class SupplierError(ValueError):
    pass


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
    if not is_valid_email(orders_email):
        raise SupplierError(f"invalid orders email: {orders_email!r}")
    try:
        normalized_phone = normalize_phone(phone, country)
    except InvalidPhoneNumber as exc:
        raise SupplierError(str(exc)) from exc
    return Supplier(company.strip(), orders_email.strip().lower(), normalized_phone, country)
