"""Churn model pipeline: configuration, feature engineering and training."""

__version__ = "1.3.0"
