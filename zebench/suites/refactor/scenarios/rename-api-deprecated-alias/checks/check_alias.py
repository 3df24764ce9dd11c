"""Hidden checks for the calc_dist -> haversine_distance rename (run with cwd = workspace).

Usage: check_alias.py [GROUP ...]   groups: new-name, alias (default: all)
"""

import math
import os
import sys
import warnings

sys.path.insert(0, os.getcwd())

failures = []
try:
    import geokit
    from geokit import distance
except Exception as exc:
    print(f"cannot import geokit: {exc!r}")
    sys.exit(1)


def reference(lat1, lon1, lat2, lon2):
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin(math.radians(lat2 - lat1) / 2) ** 2
         + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, a)))


new = getattr(geokit, "haversine_distance", None)
old = getattr(geokit, "calc_dist", None)
if new is None or getattr(distance, "haversine_distance", None) is not new:
    failures.append("geokit.haversine_distance must exist and be defined in geokit.distance")
if old is None:
    failures.append("geokit.calc_dist must stay available as a deprecated alias")
for name in ("haversine_distance", "calc_dist"):
    if name not in getattr(geokit, "__all__", []):
        failures.append(f"{name} missing from geokit.__all__")


def check_new_name():
    if new is None:
        failures.append("haversine_distance is missing")
        return
    points = (40.7128, -74.0060, 51.5074, -0.1278)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = new(*points)
        mi = new(*points, unit="mi")
        geokit.route_length([(0.0, 0.0), (1.0, 1.0), (2.0, 0.0)])
        geokit.nearest((0.0, 0.0), [(1.0, 1.0), (0.5, 0.5)])
    if abs(value - reference(*points)) > 1e-6 or abs(mi - value * 0.621371192) > 1e-6:
        failures.append(f"haversine_distance gives wrong results: {value}, {mi}")
    if any(issubclass(w.category, DeprecationWarning) for w in caught):
        failures.append("the new API (or route helpers using it internally) emits DeprecationWarning")


def check_alias():
    if new is None or old is None:
        failures.append("both haversine_distance and calc_dist are needed")
        return
    points = (40.7128, -74.0060, 51.5074, -0.1278)
    mi = new(*points, unit="mi")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        legacy = old(*points, unit="mi")  # this line must be reported as the warning's location
    deprecations = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    if legacy != mi:
        failures.append("calc_dist must return exactly what haversine_distance returns")
    if len(deprecations) != 1:
        failures.append(f"calc_dist should emit exactly one DeprecationWarning, got {len(deprecations)}")
    else:
        warning = deprecations[0]
        if "haversine_distance" not in str(warning.message):
            failures.append("the deprecation message should name the replacement haversine_distance")
        if os.path.abspath(warning.filename) != os.path.abspath(__file__):
            failures.append(f"warning points at {warning.filename}, not at the caller (use stacklevel=2)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            old(0, 0, 1, 1, unit="furlong")
        failures.append("calc_dist must still validate the unit")
    except ValueError:
        pass


GROUPS = {"new-name": check_new_name, "alias": check_alias}

for group in sys.argv[1:] or list(GROUPS):
    try:
        GROUPS[group]()
    except Exception as exc:
        failures.append(f"{group}: raised {exc!r}")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("ok")
