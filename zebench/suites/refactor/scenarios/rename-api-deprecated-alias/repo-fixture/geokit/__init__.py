"""Great-circle geometry helpers."""

from .distance import EARTH_RADIUS_KM, calc_dist, initial_bearing
from .route import nearest, route_length

__all__ = ["EARTH_RADIUS_KM", "calc_dist", "initial_bearing", "nearest", "route_length"]
__version__ = "0.3.0"
