"""A bounded cache whose entries expire a fixed time after they were stored."""

import functools
import time
from collections import OrderedDict
from typing import Any, Callable, Hashable, Iterator, Tuple, TypeVar

from .lru import CacheInfo, _make_key

T = TypeVar("T")
Timer = Callable[[], float]
_MISSING = object()


class TTLCache:
    """A mapping whose entries expire ``ttl`` seconds after they were (last) set.

    At most ``maxsize`` entries are kept. When a new key is stored in a full cache, expired entries
    are dropped first; if it is still full, the least recently used live entry is evicted. Reading
    an entry (``cache[key]`` or ``get``) marks it as recently used but does not extend its life;
    setting it again restarts its time to live. ``timer`` returns the current time in seconds.
    """

    def __init__(self, maxsize: int, ttl: float, timer: Timer = time.monotonic) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        self.maxsize = maxsize
        self.ttl = ttl
        self.timer = timer
        self._data: "OrderedDict[Hashable, Tuple[float, Any]]" = OrderedDict()

    def _is_live(self, expires_at: float, now: float) -> bool:
        return now < expires_at

    def __getitem__(self, key: Hashable) -> Any:
        expires_at, value = self._data[key]
        if not self._is_live(expires_at, self.timer()):
            del self._data[key]
            raise KeyError(key)
        self._data.move_to_end(key)
        return value

    def __setitem__(self, key: Hashable, value: Any) -> None:
        now = self.timer()
        if key in self._data:
            del self._data[key]
        elif len(self._data) >= self.maxsize:
            self.expire()
            while len(self._data) >= self.maxsize:
                self._data.popitem(last=False)
        self._data[key] = (now + self.ttl, value)

    def __delitem__(self, key: Hashable) -> None:
        del self._data[key]

    def __contains__(self, key: object) -> bool:
        entry = self._data.get(key) if isinstance(key, Hashable) else None
        return entry is not None and self._is_live(entry[0], self.timer())

    def __len__(self) -> int:
        now = self.timer()
        return sum(1 for expires_at, _ in self._data.values() if self._is_live(expires_at, now))

    def __iter__(self) -> Iterator[Hashable]:
        now = self.timer()
        return iter([key for key, (expires_at, _) in self._data.items() if self._is_live(expires_at, now)])

    def get(self, key: Hashable, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def expire(self) -> int:
        """Remove expired entries and return how many were removed."""
        now = self.timer()
        dead = [key for key, (expires_at, _) in self._data.items() if not self._is_live(expires_at, now)]
        for key in dead:
            del self._data[key]
        return len(dead)

    def clear(self) -> None:
        self._data.clear()


def ttl_cache(
    ttl: float, maxsize: int = 128, timer: Timer = time.monotonic
) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Cache results of the decorated function for ``ttl`` seconds (at most ``maxsize`` results)."""

    def decorator(func: Callable[..., T]) -> Callable[..., T]:
        cache = TTLCache(maxsize, ttl, timer)
        stats = {"hits": 0, "misses": 0}

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            key = _make_key(args, kwargs)
            value = cache.get(key, _MISSING)
            if value is not _MISSING:
                stats["hits"] += 1
                return value
            stats["misses"] += 1
            value = func(*args, **kwargs)
            cache[key] = value
            return value

        def cache_info() -> CacheInfo:
            return CacheInfo(stats["hits"], stats["misses"], maxsize, len(cache))

        def cache_clear() -> None:
            cache.clear()
            stats.update(hits=0, misses=0)

        setattr(wrapper, "cache_info", cache_info)
        setattr(wrapper, "cache_clear", cache_clear)
        return wrapper

    return decorator
