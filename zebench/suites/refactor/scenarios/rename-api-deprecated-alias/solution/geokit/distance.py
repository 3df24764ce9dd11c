"""Distances and bearings on a spherical Earth."""

import math
import warnings

EARTH_RADIUS_KM = 6371.0088
_UNITS = {"km": 1.0, "mi": 0.621371192, "nm": 0.539956803}


def _factor(unit: str) -> float:
    try:
        return _UNITS[unit]
    except KeyError:
        raise ValueError(f"unknown unit {unit!r}; expected one of {sorted(_UNITS)}") from None


def haversine_distance(lat1: float, lon1: float, lat2: float, lon2: float, unit: str = "km") -> float:
    """Great-circle distance between two points given in decimal degrees (haversine formula).

    ``unit`` is "km" (default), "mi" or "nm".
    """
    factor = _factor(unit)
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = math.radians(lat2 - lat1)
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    a = min(1.0, max(0.0, a))
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a)) * factor


def calc_dist(lat1: float, lon1: float, lat2: float, lon2: float, unit: str = "km") -> float:
    """Deprecated alias of :func:`haversine_distance`; will be removed in geokit 1.0."""
    warnings.warn(
        "calc_dist() is deprecated and will be removed in geokit 1.0; use haversine_distance() instead",
        DeprecationWarning,
        stacklevel=2,
    )
    return haversine_distance(lat1, lon1, lat2, lon2, unit)


def initial_bearing(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial compass bearing in degrees (0-360) when travelling from point 1 to point 2."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_lambda = math.radians(lon2 - lon1)
    x = math.sin(d_lambda) * math.cos(phi2)
    y = math.cos(phi1) * math.sin(phi2) - math.sin(phi1) * math.cos(phi2) * math.cos(d_lambda)
    return (math.degrees(math.atan2(x, y)) + 360) % 360
