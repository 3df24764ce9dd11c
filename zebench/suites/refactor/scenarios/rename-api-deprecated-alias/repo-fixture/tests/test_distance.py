import unittest

from geokit import calc_dist, initial_bearing

AMSTERDAM = (52.3676, 4.9041)
PARIS = (48.8566, 2.3522)


class DistanceTests(unittest.TestCase):
    def test_amsterdam_paris(self):
        self.assertAlmostEqual(calc_dist(*AMSTERDAM, *PARIS), 429.9, delta=1.0)

    def test_units(self):
        km = calc_dist(*AMSTERDAM, *PARIS)
        self.assertAlmostEqual(calc_dist(*AMSTERDAM, *PARIS, unit="mi"), km * 0.621371192, places=6)
        self.assertAlmostEqual(calc_dist(*AMSTERDAM, *PARIS, unit="nm"), km * 0.539956803, places=6)

    def test_identical_points(self):
        self.assertEqual(calc_dist(*PARIS, *PARIS), 0.0)

    def test_antipodes(self):
        self.assertAlmostEqual(calc_dist(0, 0, 0, 180), 20015.1, delta=1.0)

    def test_unknown_unit(self):
        with self.assertRaises(ValueError):
            calc_dist(*AMSTERDAM, *PARIS, unit="furlong")

    def test_bearing(self):
        self.assertAlmostEqual(initial_bearing(0, 0, 10, 0), 0.0)
        self.assertAlmostEqual(initial_bearing(0, 0, 0, 10), 90.0)


if __name__ == "__main__":
    unittest.main()
