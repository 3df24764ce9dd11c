"""Write invoice rows as CSV and read them back."""

from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Union

COLUMNS = ["invoice_id", "customer", "email", "amount", "note"]


def _format(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column == "amount":
        return str(value)
    return str(value)


def to_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    """Render rows as CSV text, header first, columns in COLUMNS order."""
    lines = [",".join(COLUMNS)]
    for row in rows:
        lines.append(",".join(_format(column, row.get(column)) for column in COLUMNS))
    return "\n".join(lines) + "\n"


def write_csv(rows: Iterable[Mapping[str, Any]], path: Union[str, Path]) -> None:
    Path(path).write_text(to_csv(rows), encoding="utf-8")


def read_csv(path: Union[str, Path]) -> List[Dict[str, str]]:
    """Read a file written by write_csv back into a list of dicts (all values are strings)."""
    text = Path(path).read_text(encoding="utf-8")
    lines = [line for line in text.split("\n") if line]
    header = lines[0].split(",")
    return [dict(zip(header, line.split(","))) for line in lines[1:]]


def total(rows: Iterable[Mapping[str, Any]]) -> Decimal:
    return sum((Decimal(str(row["amount"])) for row in rows if row.get("amount") is not None), Decimal("0"))
