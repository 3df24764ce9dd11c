"""In-process caches."""

from .lru import CacheInfo, LRUCache, memoize

__all__ = ["CacheInfo", "LRUCache", "memoize"]
