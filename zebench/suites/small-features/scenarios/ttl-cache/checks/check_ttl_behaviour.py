"""Hidden TTLCache behaviour checks (run with cwd = workspace).

Usage: check_ttl_behaviour.py [GROUP ...]   groups: cache, decorator (default: all)
"""

import os
import sys

sys.path.insert(0, os.getcwd())


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


failures = []


def check_cache() -> None:
    from memo import TTLCache

    clock = Clock()
    # Reading an entry does not extend its life.
    cache = TTLCache(maxsize=2, ttl=5, timer=clock)
    cache["k"] = "v"
    clock.now += 4
    cache["k"]
    clock.now += 1
    if "k" in cache:
        failures.append("reading an entry must not extend its time to live")

    # The timer is consulted on every operation (no caching of 'now').
    cache = TTLCache(maxsize=10, ttl=1, timer=clock)
    for index in range(5):
        cache[index] = index
    clock.now += 2
    if len(cache) != 0 or cache.get(0) is not None:
        failures.append("all entries should have expired")
    if list(cache) != []:
        failures.append("iteration should skip expired entries")

    # Re-setting an existing key in a full cache must not evict another key.
    cache = TTLCache(maxsize=2, ttl=100, timer=clock)
    cache["a"] = 1
    cache["b"] = 2
    cache["a"] = 3
    if "b" not in cache or cache["a"] != 3:
        failures.append("updating an existing key must not evict other keys")


def check_decorator() -> None:
    from memo import ttl_cache

    clock = Clock()
    # Decorated function: expired results are recomputed, and cache_info reflects live size.
    calls = []

    @ttl_cache(ttl=10, maxsize=2, timer=clock)
    def load(key: str) -> str:
        calls.append(key)
        return key.upper()

    load("x"), load("y"), load("x")
    clock.now += 10
    load("x")
    if calls != ["x", "y", "x"]:
        failures.append(f"ttl_cache recomputation: calls={calls}")
    if load.cache_info().currsize != 1:
        failures.append(f"cache_info().currsize should count live entries, got {load.cache_info().currsize}")


GROUPS = {"cache": check_cache, "decorator": check_decorator}

for group in sys.argv[1:] or list(GROUPS):
    try:
        GROUPS[group]()
    except Exception as exc:
        failures.append(f"{group}: raised {exc!r}")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("ok")
