#!/usr/bin/env python3
"""Everything zebench shows, from a fixed synthetic database, written into one folder: the static site, the
OpenAPI document, every API read (both shapes) and the JSON of the read-only commands.

A restructuring that must not change behaviour is checked by running this before and after it and comparing the
folders (`diff -r`); the outputs are deterministic (the site's build times and the databases' paths aside, which
are normalised here).

Usage: python scripts/snapshot_outputs.py OUT_DIR
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests/site_data.py builds the database the site tests use

from click.testing import CliRunner  # noqa: E402

from tests.site_data import build_site_db  # noqa: E402
from zebench.cli import main as cli  # noqa: E402
from zebench.io.serve import make_datasette  # noqa: E402
from zebench.models.openapi import openapi_document  # noqa: E402
from zebench.site import build_site  # noqa: E402

#: Paths read from the live API; {run} and {batch} are filled from the database.
API_PATHS = [
    "/health",
    "/api/runs?limit=10000",
    "/api/runs/{run}",
    "/api/runs/{run}/evaluations",
    "/api/runs/{run}/telemetry",
    "/api/batches",
    "/api/batches/{batch}",
    "/api/stats",
    "/api/stats/agents",
    "/api/v2/runs?limit=1000",
    "/api/v2/runs/{run}",
    "/api/v2/runs/{run}/evaluations",
    "/api/v2/runs/{run}/telemetry",
    "/api/v2/runs/{run}/transcript",
    "/api/v2/batches",
    "/api/v2/batches/{batch}",
    "/api/v2/batches/{batch}/matrix",
    "/api/v2/stats",
    "/api/v2/stats/agents",
    "/api/v2/stats/scenarios",
    "/api/v2/compare?baseline=batch-a&candidate=batch-c",
]
VOLATILE = [
    (re.compile(r'"(timestamp|builtAt|generatedAt)":\s*"[^"]*"'), r'"\1": "<time>"'),
    (re.compile(r"Built \d{4}-\d\d-\d\d[ T][0-9:.]+Z?"), "Built <time>"),
]


def _normalise(text: str, db: Path) -> str:
    text = text.replace(str(db), "<db>").replace(str(db.parent), "<tmp>")
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def main(out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="zebench-snapshot-") as tmp_name:
        tmp = Path(tmp_name)
        db = tmp / "snapshot.db"
        ids = build_site_db(db, hostile=True)
        build_site(db, out / "site")
        (out / "site" / ".zebench-build.json").unlink()  # the incremental build's state: hashes of the sources
        for path in (out / "site").rglob("*"):
            if path.is_file() and path.suffix in (".html", ".js", ".json", ".csv", ".txt"):
                path.write_text(_normalise(path.read_text(), db))
        (out / "openapi.json").write_text(json.dumps(openapi_document(), indent=1, sort_keys=True))
        run, batch = ids["batch-a"][0], "batch-a"
        ds = make_datasette(db)
        api = out / "api"
        api.mkdir()
        for template in API_PATHS:
            url = template.format(run=run, batch=batch)
            response = asyncio.run(ds.client.get(url))
            name = re.sub(r"[^A-Za-z0-9]+", "_", url).strip("_") + ".json"
            (api / name).write_text(f"{response.status_code}\n{_normalise(response.text, db)}\n")
        commands = {
            "leaderboard": ["leaderboard", "--json"],
            "compare": ["compare", "batch-a", "batch-c", "--json"],
            "summary": ["summary", "batch-a", "--json"],
        }
        for name, args in commands.items():
            result = CliRunner().invoke(cli, [*args, "--db", str(db)])
            (out / f"{name}.json").write_text(f"{result.exit_code}\n{_normalise(result.output, db)}")
    print(f"wrote {sum(1 for p in out.rglob('*') if p.is_file())} files into {out}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]))
