"""A least-recently-used cache and a memoising decorator built on it."""

import functools
from collections import OrderedDict
from typing import Any, Callable, Dict, Hashable, Iterator, NamedTuple, Tuple, TypeVar

T = TypeVar("T")
_MISSING = object()


class CacheInfo(NamedTuple):
    hits: int
    misses: int
    maxsize: int
    currsize: int


class LRUCache:
    """A bounded mapping that evicts the least recently used key when full."""

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._data: "OrderedDict[Hashable, Any]" = OrderedDict()

    def __getitem__(self, key: Hashable) -> Any:
        value = self._data[key]
        self._data.move_to_end(key)
        return value

    def __setitem__(self, key: Hashable, value: Any) -> None:
        if key in self._data:
            self._data.move_to_end(key)
        elif len(self._data) >= self.maxsize:
            self._data.popitem(last=False)
        self._data[key] = value

    def __delitem__(self, key: Hashable) -> None:
        del self._data[key]

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self) -> Iterator[Hashable]:
        return iter(list(self._data))

    def get(self, key: Hashable, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def clear(self) -> None:
        self._data.clear()


def _make_key(args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Hashable:
    return (args, tuple(sorted(kwargs.items())))


def memoize(maxsize: int = 128) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Cache results of the decorated function in an LRUCache of ``maxsize`` entries."""

    def decorator(func: Callable[..., T]) -> Callable[..., T]:
        cache = LRUCache(maxsize)
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
