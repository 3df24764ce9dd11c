import unittest

from textkit import slugify
from textkit.slugs import unique_slug


class BasicSlugTests(unittest.TestCase):
    def test_ascii(self):
        self.assertEqual(slugify("Hello, World!"), "hello-world")

    def test_collapses_separators(self):
        self.assertEqual(slugify("  --Multiple   spaces--  "), "multiple-spaces")

    def test_digits_are_kept(self):
        self.assertEqual(slugify("Top 10 Tips (2024)"), "top-10-tips-2024")


class UnicodeSlugTests(unittest.TestCase):
    def test_accents_are_transliterated(self):
        self.assertEqual(slugify("Crème Brûlée"), "creme-brulee")
        self.assertEqual(slugify("Ça va? Très bien"), "ca-va-tres-bien")

    def test_letters_without_decomposition(self):
        self.assertEqual(slugify("Straße"), "strasse")
        self.assertEqual(slugify("Æsir"), "aesir")
        self.assertEqual(slugify("Łódź"), "lodz")
        self.assertEqual(slugify("Søren Ørsted"), "soren-orsted")

    def test_untransliterable_characters_are_dropped(self):
        self.assertEqual(slugify("日本 Tokyo"), "tokyo")

    def test_allow_unicode_keeps_word_characters(self):
        self.assertEqual(slugify("日本語 テキスト", allow_unicode=True), "日本語-テキスト")
        self.assertEqual(slugify("Crème Brûlée", allow_unicode=True), "crème-brûlée")


class OptionTests(unittest.TestCase):
    def test_custom_separator(self):
        self.assertEqual(slugify("Hello World", separator="_"), "hello_world")

    def test_max_length_cuts_at_word_boundary(self):
        self.assertEqual(slugify("a very long title here", max_length=12), "a-very-long")

    def test_max_length_hard_cut_for_one_long_word(self):
        self.assertEqual(slugify("Supercalifragilistic", max_length=5), "super")

    def test_max_length_not_reached(self):
        self.assertEqual(slugify("short", max_length=50), "short")


class UniqueSlugTests(unittest.TestCase):
    def test_free_slug_is_returned_as_is(self):
        self.assertEqual(unique_slug("Hello", existing=set()), "hello")

    def test_numbered_suffix(self):
        self.assertEqual(unique_slug("Hello", existing={"hello", "hello-2"}), "hello-3")

    def test_suffix_respects_max_length(self):
        slug = unique_slug("abcdefghij", existing={"abcdefghij"}, max_length=10)
        self.assertEqual(slug, "abcdefgh-2")


if __name__ == "__main__":
    unittest.main()
