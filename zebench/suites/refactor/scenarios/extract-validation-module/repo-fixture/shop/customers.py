"""Customer records."""

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional

EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
POSTCODE_RES = {
    "GB": re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$"),
    "NL": re.compile(r"^\d{4} ?[A-Z]{2}$"),
    "DE": re.compile(r"^\d{5}$"),
    "US": re.compile(r"^\d{5}(-\d{4})?$"),
}
DIAL_CODES = {"GB": "44", "NL": "31", "DE": "49", "US": "1"}


class ValidationError(ValueError):
    pass


def _valid_email(address: str) -> bool:
    address = address.strip()
    return len(address) <= 254 and EMAIL_RE.match(address) is not None


def _normalise_phone(number: str, country: str) -> str:
    digits = re.sub(r"[\s().-]", "", number)
    if digits.startswith("+"):
        return "+" + re.sub(r"\D", "", digits)
    if digits.startswith("00"):
        return "+" + re.sub(r"\D", "", digits[2:])
    if country not in DIAL_CODES:
        raise ValidationError(f"unknown country for phone number: {country}")
    national = re.sub(r"\D", "", digits).lstrip("0")
    return f"+{DIAL_CODES[country]}{national}"


def _valid_postcode(code: str, country: str) -> bool:
    pattern = POSTCODE_RES.get(country)
    return pattern is not None and pattern.match(code.strip().upper()) is not None


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
    if not _valid_email(data.get("email", "")):
        errors.append("invalid email")
    country = data.get("country", "").upper()
    if not _valid_postcode(data.get("postcode", ""), country):
        errors.append("invalid postcode")
    phone: Optional[str] = None
    try:
        phone = _normalise_phone(data.get("phone", ""), country)
    except ValidationError as exc:
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
