"""Polylines: total length and nearest point."""

from typing import Sequence, Tuple

from .distance import haversine_distance

Point = Tuple[float, float]


def route_length(points: Sequence[Point], unit: str = "km") -> float:
    """Sum of the great-circle distances between consecutive points."""
    return sum(haversine_distance(a[0], a[1], b[0], b[1], unit) for a, b in zip(points, points[1:]))


def nearest(origin: Point, candidates: Sequence[Point]) -> Point:
    """The candidate closest to ``origin``."""
    if not candidates:
        raise ValueError("no candidates")
    return min(candidates, key=lambda p: haversine_distance(origin[0], origin[1], p[0], p[1]))
