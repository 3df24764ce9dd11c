"""The run's tables (zebench.models.run) as SQL and back: write rows from records, SELECT lists, and readers that
turn stored rows into the API's shapes (zebench's and the original's) or into record fields. Nothing here names a
column: the declaration does."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ..models.run import RUNS, Column, Shape, Table, nullable
from .sql import counts_sql, dumps, loads

Decoder = Callable[[Any], Any]


def encode(column: Column, value: Any) -> Any:
    """A value as stored: 0/1 for a flag, JSON text for a structure."""
    if column.encoding == "bool":
        return None if value is None else int(value)
    if column.encoding == "json":
        return dumps(value)
    return value


Writer = tuple[str, Callable[[Any, Any, int], Any], Callable[[Any], Any] | None]
#: Per table (by identity: the declarations are module constants), how each written column gets its value.
_WRITERS: dict[int, list[Writer]] = {}


def _getter(column: Column) -> Callable[[Any, Any, int], Any]:
    source = column.source
    if callable(source):
        return source
    attributes = source.split(".") if isinstance(source, str) else []

    def get(part: Any, run: Any, index: int) -> Any:
        value = part
        for attribute in attributes:
            value = getattr(value, attribute)
            if value is None:
                return None
        return value

    return get


def _encoder(column: Column) -> Callable[[Any], Any] | None:
    if column.encoding == "bool":
        return lambda value: None if value is None else int(value)
    if column.encoding == "json":
        return dumps
    return None


def _writers(table: Table) -> list[Writer]:
    """The written columns of ``table`` as (name, getter, encoder): what Column.value and encode do, resolved once
    (a run writes a few hundred values; resolving them each time was most of a save)."""
    found = _WRITERS.get(id(table))
    if found is None:
        found = _WRITERS[id(table)] = [(c.name, _getter(c), _encoder(c)) for c in table.written()]
    return found


def write_rows(table: Table, record: Any) -> list[dict[str, Any]]:
    """The rows of ``table`` for one record (each of its parts in that table), by column name."""
    writers = _writers(table)
    return [
        {
            name: get(part, record, i) if encode is None else encode(get(part, record, i))
            for name, get, encode in writers
        }
        for i, part in enumerate(table.parts(record))
    ]


def select_sql(table: Table, column: Column, alias: str = "") -> str:
    """A column in a SELECT list (a computed one under its name)."""
    if column.count:
        return f"{counts_sql(column.count, alias or table.name)} AS {column.name}"
    return f"{alias}.{column.name}" if alias else column.name


def select_list(table: Table, columns: Iterable[Column], alias: str = "") -> str:
    return ", ".join(select_sql(table, c, alias) for c in columns)


def _flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _object(value: Any) -> Any:
    return loads(value) or {}


def decoder(column: Column, shape: Shape) -> Decoder | None:
    """How a stored value becomes the value a shape serves (None: as stored)."""
    if column.encoding == "bool" or column.count:
        return bool if shape == "original" else _flag  # the original's flags are never null
    if column.encoding == "json" and shape == "v2":
        return loads if nullable(column.type) else _object
    return None


class Reader:
    """Stored rows (tuples in the order of ``columns``) as dicts of a shape's keys, or as stored by column name
    (``shape`` None). Rows of several thousand runs go through here: the keys are zipped in and only the values
    that need decoding are touched."""

    def __init__(self, columns: Sequence[Column], shape: Shape | None, keys: Sequence[str] | None = None):
        if keys is None:
            keys = [c.key for c in columns] if shape else [c.name for c in columns]
        self.keys = tuple(keys)
        self.decoders = [(k, d) for k, c in zip(self.keys, columns, strict=True) if shape and (d := decoder(c, shape))]

    def __call__(self, row: Sequence[Any]) -> dict[str, Any]:
        out = dict(zip(self.keys, row, strict=True))
        for key, decode in self.decoders:
            out[key] = decode(out[key])
        return out


def shape_reader(table: Table, shape: Shape) -> tuple[str, Reader]:
    """The SELECT list of a table's columns in a shape and the reader of its rows."""
    columns = table.shape(shape)
    return select_list(table, columns), Reader(columns, shape)


def record_fields(table: Table, row: dict[str, Any], model: Any) -> dict[str, Any]:
    """A stored row (by column name) as the fields of the record part it was written from (``model``): the
    columns written from one of its attributes, decoded; a null where the model admits none is left to its
    default."""
    out: dict[str, Any] = {}
    for column in table.written():
        source = column.source
        if not isinstance(source, str) or "." in source or column.name not in row:
            continue
        value = row[column.name]
        if value is not None and column.encoding == "json":
            value = loads(value)
        elif column.encoding == "bool":
            value = bool(value)
        if value is None and not nullable(model.model_fields[source].annotation):
            continue
        out[source] = value
    return out


def column_of(key: str, tables: Sequence[Table] = (RUNS,)) -> tuple[Table, Column]:
    """The column behind an API key (zebench's shape), in the first of ``tables`` that has it."""
    for table in tables:
        if key in table.by_key:
            return table, table.by_key[key]
    raise KeyError(key)
