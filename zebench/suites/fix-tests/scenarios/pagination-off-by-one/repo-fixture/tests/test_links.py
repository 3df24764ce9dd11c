import unittest

from pager import page_links, page_range, paginate


class PageRangeTests(unittest.TestCase):
    def test_window_in_the_middle(self):
        self.assertEqual(page_range(5, 10), [3, 4, 5, 6, 7])

    def test_clipped_at_the_start(self):
        self.assertEqual(page_range(1, 10), [1, 2, 3])

    def test_clipped_at_the_end(self):
        self.assertEqual(page_range(10, 10), [8, 9, 10])

    def test_single_page(self):
        self.assertEqual(page_range(1, 1), [1])


class PageLinksTests(unittest.TestCase):
    def test_links_for_middle_page(self):
        page = paginate(list(range(25)), page=2, per_page=10)
        links = page_links(page, "/orders", status="open")
        self.assertEqual(links["previous"], "/orders?page=1&status=open")
        self.assertEqual(links["next"], "/orders?page=3&status=open")

    def test_no_next_link_on_last_page(self):
        page = paginate(list(range(25)), page=3, per_page=10)
        self.assertIsNone(page_links(page, "/orders")["next"])


if __name__ == "__main__":
    unittest.main()
