import unittest

from wordcount import word_count


class WordCountTest(unittest.TestCase):
    def test_single_spaces(self) -> None:
        self.assertEqual(word_count("one two three"), 3)

    def test_repeated_whitespace(self) -> None:
        self.assertEqual(word_count("  one\ttwo\n\nthree  "), 3)

    def test_empty_text(self) -> None:
        self.assertEqual(word_count(""), 0)


if __name__ == "__main__":
    unittest.main()
