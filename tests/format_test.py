#!/usr/bin/env python3
"""Every C++ and proto source in the tree is formatted by the root .clang-format (Google,
100 columns): `clang-format --dry-run -Werror` reports nothing."""
import os
import subprocess
import sys
import tempfile
import unittest

SOURCE_DIR = os.environ.get("GRIDPILOT_SOURCE_DIR",
                            os.path.join(os.path.dirname(__file__), ".."))
FOLDERS = ("core", "services", "agents", "tests", "bench", "proto", "fuzz")


def sources():
    for folder in FOLDERS:
        for base, _, files in os.walk(os.path.join(SOURCE_DIR, folder)):
            for f in sorted(files):
                if f.endswith((".h", ".cc", ".proto")):
                    yield os.path.join(base, f)


def dry_run(paths):
    return subprocess.run(["clang-format", "--dry-run", "-Werror", *paths], cwd=SOURCE_DIR,
                          capture_output=True, text=True)


class FormatTest(unittest.TestCase):
    def test_tree_is_formatted(self):
        paths = list(sources())
        self.assertGreater(len(paths), 100)
        result = dry_run(paths)
        unformatted = sorted({line.split(":")[0] for line in result.stderr.splitlines()
                              if "error:" in line})
        self.assertEqual(result.returncode, 0,
                         "not clang-formatted (run clang-format -i on them):\n" +
                         "\n".join(os.path.relpath(p, SOURCE_DIR) for p in unformatted))

    def test_check_sees_a_misformatted_file(self):
        with tempfile.NamedTemporaryFile("w", suffix=".cc", delete=False) as f:
            f.write("int   f( int x ){return x;}\n")
        try:
            self.assertNotEqual(dry_run([f.name]).returncode, 0)
        finally:
            os.unlink(f.name)


if __name__ == "__main__":
    sys.exit(unittest.main(verbosity=2))
