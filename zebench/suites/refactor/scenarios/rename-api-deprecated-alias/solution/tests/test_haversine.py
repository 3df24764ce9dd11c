import unittest
import warnings

from geokit import calc_dist, haversine_distance, route_length

AMSTERDAM = (52.3676, 4.9041)
PARIS = (48.8566, 2.3522)


class HaversineDistanceTests(unittest.TestCase):
    def test_amsterdam_paris(self):
        self.assertAlmostEqual(haversine_distance(*AMSTERDAM, *PARIS), 429.9, delta=1.0)

    def test_new_name_does_not_warn(self):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            haversine_distance(*AMSTERDAM, *PARIS, unit="mi")
            route_length([AMSTERDAM, PARIS])


class DeprecatedAliasTests(unittest.TestCase):
    def test_calc_dist_warns_and_delegates(self):
        with self.assertWarns(DeprecationWarning) as ctx:
            result = calc_dist(*AMSTERDAM, *PARIS, unit="nm")
        self.assertEqual(result, haversine_distance(*AMSTERDAM, *PARIS, unit="nm"))
        self.assertIn("haversine_distance", str(ctx.warning))
        self.assertEqual(ctx.filename, __file__)


if __name__ == "__main__":
    unittest.main()
