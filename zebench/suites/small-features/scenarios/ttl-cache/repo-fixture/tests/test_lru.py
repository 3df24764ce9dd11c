import unittest

from memo import LRUCache, memoize


class LRUCacheTests(unittest.TestCase):
    def test_evicts_least_recently_used(self):
        cache = LRUCache(2)
        cache["a"] = 1
        cache["b"] = 2
        self.assertEqual(cache["a"], 1)
        cache["c"] = 3
        self.assertNotIn("b", cache)
        self.assertEqual(sorted(cache), ["a", "c"])

    def test_memoize_counts_hits(self):
        calls = []

        @memoize(maxsize=4)
        def square(x):
            calls.append(x)
            return x * x

        self.assertEqual([square(3), square(3), square(4)], [9, 9, 16])
        self.assertEqual(calls, [3, 4])
        self.assertEqual(square.cache_info().hits, 1)


if __name__ == "__main__":
    unittest.main()
