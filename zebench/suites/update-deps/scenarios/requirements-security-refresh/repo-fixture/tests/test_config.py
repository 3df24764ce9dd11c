import os
import tempfile
import unittest
from pathlib import Path

import yaml

from churn.config import DEFAULTS, dump_config, load_config, load_sweep

ROOT = Path(__file__).resolve().parents[1]


class LoadConfigTests(unittest.TestCase):
    def write(self, text):
        handle = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, encoding="utf-8")
        handle.write(text)
        handle.close()
        self.addCleanup(os.unlink, handle.name)
        return handle.name

    def test_default_config_file(self):
        config = load_config(ROOT / "configs" / "default.yaml")
        self.assertEqual(config["experiment"], "churn-baseline")
        self.assertEqual(config["seed"], 42)
        self.assertEqual(config["features"]["tenure_buckets"], [6, 12, 24, 48])
        self.assertEqual(config["model"], {"C": 1.0, "max_iter": 200})

    def test_missing_keys_fall_back_to_defaults(self):
        config = load_config(self.write("experiment: tiny\nmodel:\n  C: 0.5\n"))
        self.assertEqual(config["model"], {"C": 0.5, "max_iter": 100})
        self.assertEqual(config["features"], DEFAULTS["features"])

    def test_empty_file_gives_defaults(self):
        self.assertEqual(load_config(self.write("")), DEFAULTS)

    def test_top_level_list_is_rejected(self):
        with self.assertRaises(ValueError):
            load_config(self.write("- a\n- b\n"))

    def test_python_tags_are_refused(self):
        # Config files come from experiment branches; they must never be able to run code.
        payload = "experiment: !!python/object/apply:os.getcwd []\n"
        with self.assertRaises(yaml.YAMLError):
            load_config(self.write(payload))

    def test_sweep_file(self):
        runs = load_sweep(ROOT / "configs" / "sweep.yaml")
        self.assertEqual([run["model"]["C"] for run in runs], [0.1, 1.0, 10.0])
        self.assertEqual(runs[0]["model"]["max_iter"], 100)

    def test_sweep_refuses_python_tags(self):
        payload = "experiment: a\n---\nexperiment: !!python/name:os.system\n"
        with self.assertRaises(yaml.YAMLError):
            load_sweep(self.write(payload))

    def test_dump_round_trip(self):
        config = load_config(ROOT / "configs" / "default.yaml")
        self.assertEqual(yaml.safe_load(dump_config(config)), config)


if __name__ == "__main__":
    unittest.main()
