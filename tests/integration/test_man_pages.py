#!/usr/bin/env python3
"""Checks of the manual pages in man/.

Every page must pass mandoc's linter at warning level and, where groff is
installed, groff's own warnings; the three pages the project ships must exist;
and telehealthd(8) must document exactly the options the built daemon's --help
lists, so the page cannot drift from the program.

Environment: TH_SOURCE_DIR (the source tree; defaults to this file's tree) and
TH_BINARY_DIR (the build tree; optional, used to find the built daemon).
"""

import os
import re
import shutil
import subprocess
import unittest
from pathlib import Path

SOURCE_DIR = Path(os.environ.get("TH_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BINARY_DIR = Path(os.environ["TH_BINARY_DIR"]) if os.environ.get("TH_BINARY_DIR") else None
MAN_DIR = SOURCE_DIR / "man"
EXPECTED_PAGES = ["telehealthd.8", "thctl.1", "telehealthd.toml.5"]


def man_pages():
    return sorted(MAN_DIR.glob("*.[0-9]"))


def run(command):
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    return result.returncode, result.stdout + result.stderr


def long_options(text):
    return set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", text))


def section(page_text, title):
    """Returns the text of the page's section `title`, up to the next .SH."""
    match = re.search(rf"^\.SH\s+\"?{title}\"?\s*$(.*?)(?=^\.SH|\Z)", page_text,
                      re.MULTILINE | re.DOTALL)
    return match.group(1) if match else ""


class ManPagesTest(unittest.TestCase):
    def test_expected_pages_exist(self):
        for name in EXPECTED_PAGES:
            with self.subTest(page=name):
                self.assertTrue((MAN_DIR / name).is_file(), f"{MAN_DIR / name} is missing")

    def test_mandoc_lint_reports_nothing(self):
        if shutil.which("mandoc") is None:
            self.fail("mandoc is not installed; .ci/install-deps.sh installs it")

        for page in man_pages():
            with self.subTest(page=page.name):
                code, output = run(["mandoc", "-T", "lint", "-W", "warning", str(page)])

                self.assertEqual(output, "")
                self.assertEqual(code, 0)

    def test_groff_reports_nothing(self):
        if shutil.which("groff") is None:
            self.fail("groff is not installed; .ci/install-deps.sh installs it")

        for page in man_pages():
            with self.subTest(page=page.name):
                # -t runs tbl first, so that a page with a table is not reported
                # for macros only tbl understands.
                code, output = run(["groff", "-ww", "-z", "-t", "-man", str(page)])

                self.assertEqual(output, "")
                self.assertEqual(code, 0)

    def test_title_names_the_file(self):
        for page in man_pages():
            with self.subTest(page=page.name):
                name, _, section = page.name.rpartition(".")

                title = re.search(r"^\.TH\s+(\S+)\s+(\S+)", page.read_text(), re.MULTILINE)

                self.assertIsNotNone(title, "no .TH line")
                self.assertEqual(title.group(1).strip('"').lower(), name.lower())
                self.assertEqual(title.group(2).strip('"'), section)

    def test_daemon_page_documents_the_options_of_the_built_daemon(self):
        daemon = BINARY_DIR / "daemon" / "telehealthd" if BINARY_DIR else None
        if daemon is None or not daemon.is_file():
            self.fail("the daemon is not built (TH_BINARY_DIR)")
        page = MAN_DIR / "telehealthd.8"
        if not page.is_file():
            self.fail(f"{page} is missing")

        code, help_text = run([str(daemon), "--help"])
        # Only OPTIONS counts: EXAMPLES quotes other programs' options.
        documented = long_options(section(page.read_text(), "OPTIONS").replace("\\-", "-"))

        self.assertEqual(code, 0, help_text)
        self.assertEqual(long_options(help_text), documented)


if __name__ == "__main__":
    unittest.main(verbosity=2)
