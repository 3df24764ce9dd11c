"""The price table: dollars per million tokens (input, output, cache read, cache write) per model.

The table is versioned (``version`` key) and shipped in the package (``zebench/prices.json``, also at
``data/prices.json``); ``ZEBENCH_PRICES`` points at a replacement. A model without a price has an unknown cost:
``None``, never 0. Dated model ids (``claude-haiku-4-5-20251001``) take the price of their undated prefix.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PACKAGED = Path(__file__).with_name("prices.json")


@dataclass(frozen=True)
class Price:
    input: float
    output: float
    cache_read: float
    cache_write: float

    def cost(self, tokens_in: int, tokens_out: int, cache_read: int = 0, cache_write: int = 0) -> float:
        return (
            tokens_in * self.input
            + tokens_out * self.output
            + cache_read * self.cache_read
            + cache_write * self.cache_write
        ) / 1_000_000


@dataclass(frozen=True)
class PriceTable:
    version: str
    models: dict[str, Price]

    def lookup(self, model: str | None) -> Price | None:
        if not model:
            return None
        if model in self.models:
            return self.models[model]
        # Longest listed id that the model id extends with a date or version suffix.
        candidates = [m for m in self.models if model.startswith(m + "-") or model.startswith(m + "@")]
        return self.models[max(candidates, key=len)] if candidates else None

    def cost(
        self, model: str | None, tokens_in: int, tokens_out: int, cache_read: int = 0, cache_write: int = 0
    ) -> float | None:
        price = self.lookup(model)
        return None if price is None else price.cost(tokens_in, tokens_out, cache_read, cache_write)


def load_prices(path: Path | str) -> PriceTable:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    models = {
        name: Price(
            float(p["input"]),
            float(p["output"]),
            float(p.get("cacheRead", p["input"])),
            float(p.get("cacheWrite", p["input"])),
        )
        for name, p in data["models"].items()
    }
    return PriceTable(version=str(data.get("version", "unknown")), models=models)


@cache
def price_table() -> PriceTable:
    return load_prices(os.environ.get("ZEBENCH_PRICES") or PACKAGED)
