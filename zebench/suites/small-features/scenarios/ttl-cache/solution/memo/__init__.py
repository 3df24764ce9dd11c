"""In-process caches."""

from .lru import CacheInfo, LRUCache, memoize
from .ttl import TTLCache, ttl_cache

__all__ = ["CacheInfo", "LRUCache", "TTLCache", "memoize", "ttl_cache"]
