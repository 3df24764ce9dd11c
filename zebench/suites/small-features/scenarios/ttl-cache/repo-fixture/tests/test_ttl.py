import unittest

from memo import TTLCache, ttl_cache


class FakeTimer:
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


class TTLCacheTests(unittest.TestCase):
    def setUp(self):
        self.timer = FakeTimer()
        self.cache = TTLCache(maxsize=3, ttl=10, timer=self.timer)

    def test_get_before_expiry(self):
        self.cache["a"] = 1
        self.timer.advance(9.9)
        self.assertEqual(self.cache["a"], 1)
        self.assertIn("a", self.cache)

    def test_entry_expires_after_ttl(self):
        self.cache["a"] = 1
        self.timer.advance(10)
        self.assertNotIn("a", self.cache)
        with self.assertRaises(KeyError):
            self.cache["a"]
        self.assertIsNone(self.cache.get("a"))
        self.assertEqual(self.cache.get("a", "gone"), "gone")

    def test_len_counts_live_entries_only(self):
        self.cache["a"] = 1
        self.timer.advance(5)
        self.cache["b"] = 2
        self.assertEqual(len(self.cache), 2)
        self.timer.advance(6)
        self.assertEqual(len(self.cache), 1)

    def test_setting_again_refreshes_expiry(self):
        self.cache["a"] = 1
        self.timer.advance(8)
        self.cache["a"] = 2
        self.timer.advance(8)
        self.assertEqual(self.cache["a"], 2)

    def test_lru_eviction_when_full(self):
        for key in "abc":
            self.cache[key] = key
        self.cache["a"]  # touch: b is now the least recently used
        self.cache["d"] = "d"
        self.assertNotIn("b", self.cache)
        self.assertEqual(len(self.cache), 3)

    def test_expired_entries_are_evicted_before_live_ones(self):
        self.cache["a"] = 1
        self.timer.advance(6)
        self.cache["b"] = 2
        self.cache["c"] = 3
        self.cache["a"]  # a is now the most recently used entry...
        self.timer.advance(5)  # ...but it has expired, while b and c are still live
        self.cache["d"] = 4
        self.assertEqual(sorted(k for k in "bcd" if k in self.cache), ["b", "c", "d"])

    def test_expire_returns_number_removed(self):
        self.cache["a"] = 1
        self.cache["b"] = 2
        self.timer.advance(10)
        self.cache["c"] = 3
        self.assertEqual(self.cache.expire(), 2)
        self.assertEqual(len(self.cache), 1)

    def test_delete_and_clear(self):
        self.cache["a"] = 1
        self.cache["b"] = 2
        del self.cache["a"]
        self.assertNotIn("a", self.cache)
        with self.assertRaises(KeyError):
            del self.cache["a"]
        self.cache.clear()
        self.assertEqual(len(self.cache), 0)

    def test_invalid_arguments(self):
        with self.assertRaises(ValueError):
            TTLCache(maxsize=0, ttl=10)
        with self.assertRaises(ValueError):
            TTLCache(maxsize=10, ttl=0)


class TTLCacheDecoratorTests(unittest.TestCase):
    def test_results_are_cached_until_expiry(self):
        timer = FakeTimer()
        calls = []

        @ttl_cache(ttl=30, maxsize=8, timer=timer)
        def price(sku, currency="EUR"):
            calls.append((sku, currency))
            return f"{sku}:{currency}:{len(calls)}"

        self.assertEqual(price("A"), "A:EUR:1")
        self.assertEqual(price("A"), "A:EUR:1")
        self.assertEqual(price("A", currency="USD"), "A:USD:2")
        timer.advance(30)
        self.assertEqual(price("A"), "A:EUR:3")
        info = price.cache_info()
        self.assertEqual((info.hits, info.misses, info.maxsize), (1, 3, 8))

    def test_cache_clear(self):
        timer = FakeTimer()

        @ttl_cache(ttl=5, timer=timer)
        def double(x):
            return 2 * x

        double(1)
        double.cache_clear()
        self.assertEqual(double.cache_info().currsize, 0)
        self.assertEqual(double.cache_info().misses, 0)

    def test_wraps_metadata(self):
        @ttl_cache(ttl=5)
        def documented():
            """Docstring."""

        self.assertEqual(documented.__name__, "documented")
        self.assertEqual(documented.__doc__, "Docstring.")


if __name__ == "__main__":
    unittest.main()
