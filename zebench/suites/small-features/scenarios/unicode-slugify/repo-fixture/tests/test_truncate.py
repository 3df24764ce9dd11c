import unittest

from textkit import truncate_words


class TruncateTests(unittest.TestCase):
    def test_short_text_is_unchanged(self):
        self.assertEqual(truncate_words("hello world", 20), "hello world")

    def test_cut_at_word_boundary(self):
        self.assertEqual(truncate_words("the quick brown fox", 12), "the quick…")

    def test_whitespace_is_collapsed(self):
        self.assertEqual(truncate_words("  a   b  ", 10), "a b")


if __name__ == "__main__":
    unittest.main()
