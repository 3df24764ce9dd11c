"""Write invoice rows as CSV and read them back."""

import csv
import io
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Union

COLUMNS = ["invoice_id", "customer", "email", "amount", "note"]
CENT = Decimal("0.01")


def _format(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column == "amount":
        return str(Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP))
    return str(value)


def to_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    """Render rows as RFC 4180 CSV text, header first, columns in COLUMNS order."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_format(column, row.get(column)) for column in COLUMNS])
    return buffer.getvalue()


def write_csv(rows: Iterable[Mapping[str, Any]], path: Union[str, Path]) -> None:
    # newline="" keeps the CRLF terminators and the line breaks inside quoted fields intact.
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(to_csv(rows))


def read_csv(path: Union[str, Path]) -> List[Dict[str, str]]:
    """Read a file written by write_csv back into a list of dicts (all values are strings)."""
    with open(path, encoding="utf-8", newline="") as handle:
        return [dict(row) for row in csv.DictReader(handle)]


def total(rows: Iterable[Mapping[str, Any]]) -> Decimal:
    return sum((Decimal(str(row["amount"])) for row in rows if row.get("amount") is not None), Decimal("0"))
