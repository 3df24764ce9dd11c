import unittest

from geokit import nearest, route_length


class RouteTests(unittest.TestCase):
    def test_route_length(self):
        points = [(52.37, 4.90), (50.85, 4.35), (48.86, 2.35)]
        self.assertAlmostEqual(route_length(points), 173.7 + 263.5, delta=2.0)

    def test_single_point_route(self):
        self.assertEqual(route_length([(1.0, 2.0)]), 0.0)

    def test_nearest(self):
        self.assertEqual(nearest((52.0, 5.0), [(48.86, 2.35), (52.37, 4.90), (50.85, 4.35)]), (52.37, 4.90))


if __name__ == "__main__":
    unittest.main()
