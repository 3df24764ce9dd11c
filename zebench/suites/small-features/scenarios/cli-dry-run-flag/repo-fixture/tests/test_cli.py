import io
import unittest
from contextlib import redirect_stderr, redirect_stdout

from tidy.cli import main

from .helpers import TreeMixin


def run_cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


class CliTests(TreeMixin, unittest.TestCase):
    def setUp(self):
        super().setUp()
        self.make("old.log", 40, size=100)
        self.make("older.log", 90, size=50)
        self.make("fresh.log", 2, size=7)
        self.make("sub/old.log", 40, size=3)

    def test_deletes_stale_files(self):
        code, out, _ = run_cli("--older-than", "30", str(self.root))
        self.assertEqual(code, 0)
        self.assertEqual(out.splitlines(), ["deleted old.log", "deleted older.log", "deleted 2 files (150 bytes)"])
        self.assertFalse((self.root / "old.log").exists())
        self.assertTrue((self.root / "fresh.log").exists())

    def test_quiet(self):
        code, out, _ = run_cli("-q", "-r", str(self.root))
        self.assertEqual((code, out), (0, "deleted 3 files (153 bytes)\n"))

    def test_missing_directory(self):
        code, _, err = run_cli(str(self.root / "nope"))
        self.assertEqual(code, 1)
        self.assertIn("no such directory", err)

    def test_bad_option(self):
        code, _, _ = run_cli("--older-than", "soon", str(self.root))
        self.assertEqual(code, 2)


class DryRunTests(TreeMixin, unittest.TestCase):
    def setUp(self):
        super().setUp()
        self.old = self.make("old.log", 40, size=100)
        self.nested = self.make("sub/old.log", 40, size=3)
        self.fresh = self.make("fresh.log", 2, size=7)

    def test_dry_run_deletes_nothing(self):
        code, out, _ = run_cli("--dry-run", "-r", str(self.root))
        self.assertEqual(code, 0)
        self.assertTrue(self.old.exists())
        self.assertTrue(self.nested.exists())
        self.assertEqual(
            out.splitlines(),
            ["would delete old.log", "would delete sub/old.log", "would delete 2 files (103 bytes)"],
        )

    def test_short_flag(self):
        code, out, _ = run_cli("-n", str(self.root))
        self.assertEqual(code, 0)
        self.assertTrue(self.old.exists())
        self.assertEqual(out.splitlines()[-1], "would delete 1 file (100 bytes)")

    def test_dry_run_then_real_run_agree(self):
        _, preview, _ = run_cli("-n", "-q", "-r", str(self.root))
        _, result, _ = run_cli("-q", "-r", str(self.root))
        self.assertEqual(preview.replace("would delete", "deleted"), result)
        self.assertFalse(self.old.exists())

    def test_help_mentions_dry_run(self):
        code, out, _ = run_cli("--help")
        self.assertEqual(code, 0)
        self.assertIn("--dry-run", out)


if __name__ == "__main__":
    unittest.main()
