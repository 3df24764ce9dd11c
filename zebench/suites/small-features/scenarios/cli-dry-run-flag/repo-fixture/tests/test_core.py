import unittest

from tidy.core import delete, find_stale

from .helpers import TreeMixin


class FindStaleTests(TreeMixin, unittest.TestCase):
    def test_age_and_pattern(self):
        self.make("old.log", 40)
        self.make("old.txt", 40)
        self.make("new.log", 1)
        self.assertEqual([f.relative for f in find_stale(self.root, 30, "*.log")], ["old.log"])

    def test_recursive(self):
        self.make("a/b/old.log", 40)
        self.assertEqual(find_stale(self.root, 30), [])
        self.assertEqual([f.relative for f in find_stale(self.root, 30, recursive=True)], ["a/b/old.log"])

    def test_delete_returns_bytes(self):
        self.make("old.log", 40, size=25)
        stale = find_stale(self.root, 30)
        self.assertEqual(delete(stale), 25)
        self.assertFalse((self.root / "old.log").exists())


if __name__ == "__main__":
    unittest.main()
