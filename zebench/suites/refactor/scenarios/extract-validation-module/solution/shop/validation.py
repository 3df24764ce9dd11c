"""Validation and normalisation helpers shared by customers, suppliers and orders."""

import re

EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
POSTCODE_PATTERNS = {
    "GB": re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$"),
    "NL": re.compile(r"^\d{4} ?[A-Z]{2}$"),
    "DE": re.compile(r"^\d{5}$"),
    "US": re.compile(r"^\d{5}(-\d{4})?$"),
}
DIAL_CODES = {"GB": "44", "NL": "31", "DE": "49", "US": "1"}
MAX_EMAIL_LENGTH = 254


class InvalidPhoneNumber(ValueError):
    """A phone number that cannot be normalised to E.164."""


def is_valid_email(address: str) -> bool:
    """Whether ``address`` (surrounding whitespace ignored) looks like a deliverable e-mail address."""
    address = address.strip()
    return len(address) <= MAX_EMAIL_LENGTH and EMAIL_RE.match(address) is not None


def is_valid_postcode(code: str, country: str) -> bool:
    """Whether ``code`` is a valid postcode for ``country`` (ISO 3166 alpha-2, upper case)."""
    pattern = POSTCODE_PATTERNS.get(country)
    return pattern is not None and pattern.match(code.strip().upper()) is not None


def normalize_phone(number: str, country: str) -> str:
    """Normalise a phone number to E.164 (``+<country code><number>``).

    International numbers (``+...`` or ``00...``) are kept as they are; national numbers get the
    dial code of ``country`` and lose their trunk prefix ``0``. Raises InvalidPhoneNumber for a
    national number from a country without a known dial code.
    """
    compact = re.sub(r"[\s().-]", "", number)
    if compact.startswith("+"):
        return "+" + re.sub(r"\D", "", compact)
    if compact.startswith("00"):
        return "+" + re.sub(r"\D", "", compact[2:])
    if country not in DIAL_CODES:
        raise InvalidPhoneNumber(f"unknown country for phone number: {country}")
    national = re.sub(r"\D", "", compact).lstrip("0")
    return f"+{DIAL_CODES[country]}{national}"
