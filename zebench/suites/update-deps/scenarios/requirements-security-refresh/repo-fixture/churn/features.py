"""Turn raw customer records into numeric feature rows (pure Python, no pandas needed)."""

from typing import Any, Dict, Iterable, List, Sequence

PLANS = ("basic", "standard", "premium")


def tenure_bucket(months: int, buckets: Sequence[int]) -> int:
    """Index of the first bucket boundary that ``months`` does not exceed."""
    for index, boundary in enumerate(sorted(buckets)):
        if months <= boundary:
            return index
    return len(buckets)


def encode_record(record: Dict[str, Any], config: Dict[str, Any]) -> Dict[str, float]:
    features = config["features"]
    row = {k: v for k, v in record.items() if k not in features["drop_columns"]}
    encoded: Dict[str, float] = {
        "tenure_bucket": float(tenure_bucket(int(row["tenure_months"]), features["tenure_buckets"])),
        "monthly_charges": float(row["monthly_charges"]),
        "support_tickets": float(row.get("support_tickets", 0)),
    }
    for plan in PLANS:
        encoded[f"plan_{plan}"] = 1.0 if row.get("plan") == plan else 0.0
    return encoded


def build_matrix(records: Iterable[Dict[str, Any]], config: Dict[str, Any]) -> List[Dict[str, float]]:
    return [encode_record(record, config) for record in records]
