"""The write API (one for both shapes): POST /api/results and /api/results/batch, as the original project's client
sends them and as zebench's results JSONL holds them (the same models, zebench.models.RunRecord / BatchRecord).

Every request is one transaction: a rejected request writes nothing. Bodies nested too deep are a 400; values
SQLite cannot store (integers beyond 64 bits, NaN, lone surrogates), wrong types, overlong names, times that are
not ISO-8601 and records whose fields contradict each other (a failed run marked successful...) are a 422 whose
errors name each field."""

from __future__ import annotations

from typing import Any

from datasette.utils.asgi import Response
from pydantic import ValidationError

from .. import store
from ..models import CHECKED_JSON, BatchRecord, RunRecord
from .http import ApiError, authorize, endpoint, json_body, json_response, write


def validation_errors(exc: ValidationError, prefix: list[Any]) -> list[dict[str, Any]]:
    """pydantic's errors as the API reports them; a value the store cannot keep is reported at its own path."""
    out = []
    for e in exc.errors():
        if e["type"] == "unstorable_value":
            for loc, msg in e["ctx"]["all"]:
                out.append({"loc": [*prefix, *e["loc"], *loc], "msg": msg, "type": "unstorable_value"})
        elif e["type"] == "inconsistent_record":  # fields that contradict each other: at the field named
            out.append({"loc": [*prefix, *e["loc"], *e["ctx"]["loc"]], "msg": e["ctx"]["message"], "type": e["type"]})
        else:
            out.append({"loc": [*prefix, *e["loc"]], "msg": e["msg"], "type": e["type"]})
    return out


def _summary(errors: list[dict[str, Any]]) -> str:
    first = ".".join(str(p) for p in errors[0]["loc"]) or "(body)"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"invalid field {first}: {errors[0]['msg']}{more}; nothing was written"


def validate_runs(payload: Any) -> list[RunRecord]:
    items = payload if isinstance(payload, list) else [payload]
    if not items:
        raise ApiError(422, "no run records in the body", [{"loc": [], "msg": "empty list"}])
    records, errors = [], []
    for index, item in enumerate(items):
        try:
            records.append(RunRecord.model_validate(item, context=CHECKED_JSON))  # json_body checked the values
        except ValidationError as exc:
            errors += validation_errors(exc, [index] if isinstance(payload, list) else [])
    if errors:
        raise ApiError(422, _summary(errors), errors)
    return records


@endpoint("POST")
async def post_results(request: Any, datasette: Any) -> Response:
    authorize(request, datasette)
    records = validate_runs(await json_body(request))
    await write(datasette, lambda conn: store.write_runs(conn, records))
    ids = [r.run_id for r in records]
    body: dict[str, Any] = {"ok": True, "success": True, "runIds": ids, "count": len(ids)}
    if len(ids) == 1:
        body["runId"] = ids[0]
    return json_response(body, status=201)


@endpoint("POST")
async def post_batch(request: Any, datasette: Any) -> Response:
    authorize(request, datasette)
    payload = await json_body(request)
    try:
        batch = BatchRecord.model_validate(payload, context=CHECKED_JSON)
    except ValidationError as exc:
        errors = validation_errors(exc, [])
        raise ApiError(422, _summary(errors), errors) from None
    await write(datasette, lambda conn: store.write_batch(conn, batch))
    return json_response({"ok": True, "success": True, "batchId": batch.batch_id}, status=201)


ROUTES: list[tuple[str, Any]] = [
    (r"^/api/results$", post_results),
    (r"^/api/results/batch$", post_batch),
]
