"""Model training. scikit-learn is imported lazily so that config and feature code stay light."""

from typing import Any, Dict, List, Sequence


def train(rows: List[Dict[str, float]], labels: Sequence[int], config: Dict[str, Any]) -> Any:
    from sklearn.linear_model import LogisticRegression

    columns = sorted(rows[0])
    matrix = [[row[column] for column in columns] for row in rows]
    model = LogisticRegression(
        C=config["model"]["C"],
        max_iter=config["model"]["max_iter"],
        random_state=config["seed"],
    )
    model.fit(matrix, list(labels))
    model.feature_names_ = columns
    return model


def save(model: Any, path: str) -> None:
    import joblib

    joblib.dump(model, path)
