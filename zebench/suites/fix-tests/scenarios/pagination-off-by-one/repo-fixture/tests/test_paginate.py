import unittest

from pager import PageNotFound, paginate

ITEMS = list(range(1, 26))  # 25 items: 1..25


class PaginateTests(unittest.TestCase):
    def test_first_page(self):
        page = paginate(ITEMS, page=1, per_page=10)
        self.assertEqual(page.items, list(range(1, 11)))
        self.assertFalse(page.has_previous)
        self.assertTrue(page.has_next)

    def test_middle_page(self):
        page = paginate(ITEMS, page=2, per_page=10)
        self.assertEqual(page.items, list(range(11, 21)))
        self.assertEqual((page.start_index, page.end_index), (11, 20))

    def test_last_partial_page(self):
        page = paginate(ITEMS, page=3, per_page=10)
        self.assertEqual(page.items, [21, 22, 23, 24, 25])
        self.assertEqual(page.total_pages, 3)
        self.assertFalse(page.has_next)
        self.assertEqual((page.start_index, page.end_index), (21, 25))

    def test_exact_multiple(self):
        page = paginate(list(range(20)), page=2, per_page=10)
        self.assertEqual(page.total_pages, 2)
        self.assertEqual(page.items, list(range(10, 20)))
        self.assertFalse(page.has_next)

    def test_empty_collection_has_one_empty_page(self):
        page = paginate([], page=1, per_page=10)
        self.assertEqual(page.items, [])
        self.assertEqual(page.total_pages, 1)
        self.assertEqual((page.start_index, page.end_index), (0, 0))

    def test_out_of_range_pages(self):
        with self.assertRaises(PageNotFound):
            paginate(ITEMS, page=4, per_page=10)
        with self.assertRaises(PageNotFound):
            paginate(ITEMS, page=0, per_page=10)

    def test_invalid_per_page(self):
        with self.assertRaises(ValueError):
            paginate(ITEMS, page=1, per_page=0)


if __name__ == "__main__":
    unittest.main()
