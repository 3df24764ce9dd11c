"""Customer records."""

from dataclasses import dataclass, field
from typing import Dict, List, Optional

from .validation import InvalidPhoneNumber, is_valid_email, is_valid_postcode, normalize_phone


class ValidationError(ValueError):
    pass


@dataclass
class Customer:
    name: str
    email: str
    phone: str
    country: str
    postcode: str
    tags: List[str] = field(default_factory=list)


def create_customer(data: Dict[str, str]) -> Customer:
    errors = []
    if not data.get("name", "").strip():
        errors.append("name is required")
    if not is_valid_email(data.get("email", "")):
        errors.append("invalid email")
    country = data.get("country", "").upper()
    if not is_valid_postcode(data.get("postcode", ""), country):
        errors.append("invalid postcode")
    phone: Optional[str] = None
    try:
        phone = normalize_phone(data.get("phone", ""), country)
    except InvalidPhoneNumber as exc:
        errors.append(str(exc))
    if errors:
        raise ValidationError("; ".join(errors))
    return Customer(
        name=data["name"].strip(),
        email=data["email"].strip().lower(),
        phone=phone or "",
        country=country,
        postcode=data["postcode"].strip().upper(),
    )
