#!/usr/bin/env python3
"""Checks of the shipped systemd files: config/telehealthd.service and
config/telehealthd.sysusers.

The unit is checked with systemd's own tools (verify, and the offline security
analysis, which must rate it 2.0 or lower) and read for the settings the daemon
relies on. When config/telehealthd.toml exists, the unit is also checked against
it: credentials, the admin socket group and the timeouts must agree.

Environment: TH_SOURCE_DIR (the source tree; defaults to this file's tree) and
TH_BINARY_DIR (the build tree; optional, used to find the built daemon).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import unittest
from pathlib import Path

SOURCE_DIR = Path(os.environ.get("TH_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BINARY_DIR = Path(os.environ["TH_BINARY_DIR"]) if os.environ.get("TH_BINARY_DIR") else None
UNIT_PATH = SOURCE_DIR / "config" / "telehealthd.service"
SYSUSERS_PATH = SOURCE_DIR / "config" / "telehealthd.sysusers"
CONFIG_PATH = SOURCE_DIR / "config" / "telehealthd.toml"
MAN_DIR = SOURCE_DIR / "man"

MAX_EXPOSURE = 2.0
REQUIRED_CREDENTIALS = {"tls-key", "kek", "kek-previous", "db-password"}
ADMIN_GROUP = "telehealthd-admin"


def parse_unit(path):
    """Returns the unit's assignments as a list of (section, key, value), in file order."""
    assignments = []
    section = None
    pending = ""
    for raw in path.read_text().splitlines():
        line = pending + raw.strip()
        pending = ""
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, _, value = line.partition("=")
        assignments.append((section, key.strip(), value.strip()))
    return assignments


def values(assignments, key, section="Service"):
    return [v for s, k, v in assignments if s == section and k == key]


def single_value(assignments, key, section="Service"):
    found = values(assignments, key, section)
    if len(found) != 1:
        raise AssertionError(f"expected one {key}= in [{section}], found {found}")
    return found[0]


def seconds(timespan):
    """Converts a systemd time span made of s/min/h parts (or a bare number) to seconds."""
    units = {"": 1, "s": 1, "sec": 1, "min": 60, "m": 60, "h": 3600}
    total = 0.0
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)\s*([a-z]*)", timespan):
        if unit not in units:
            raise ValueError(f"unsupported time unit in '{timespan}'")
        total += float(number) * units[unit]
    return total


def run(command):
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout + result.stderr


def require_tool(test, name):
    if shutil.which(name) is None:
        test.skipTest(f"{name} is not installed")


def load_config(test):
    if not CONFIG_PATH.exists():
        test.skipTest(f"{CONFIG_PATH} does not exist yet")
    with CONFIG_PATH.open("rb") as f:
        return tomllib.load(f)


def config_value(config, dotted):
    node = config
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


class SystemdUnitTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.unit = parse_unit(UNIT_PATH)

    def write_verifiable_copy(self, directory):
        # systemd-analyze verify fails when ExecStart='s binary does not exist, and
        # /usr/bin/telehealthd exists only once installed. The copy points at the
        # built daemon when there is one, else at /bin/true: either way the rest
        # of the unit is checked unchanged. The copy keeps the unit's file name,
        # since verify derives the unit name from it.
        built = BINARY_DIR / "daemon" / "telehealthd" if BINARY_DIR else None
        binary = str(built) if built and built.is_file() else "/bin/true"
        text = UNIT_PATH.read_text()
        text = re.sub(r"^ExecStart=/usr/bin/telehealthd", f"ExecStart={binary}", text,
                      flags=re.MULTILINE)
        copy = Path(directory) / UNIT_PATH.name
        copy.write_text(text)
        return copy

    def test_verify_reports_nothing(self):
        require_tool(self, "systemd-analyze")
        with tempfile.TemporaryDirectory() as directory:
            copy = self.write_verifiable_copy(directory)

            # --man=no: Documentation= names pages that are not installed on a
            # build machine, and verify would report each one as missing.
            code, output = run(["systemd-analyze", "verify", "--man=no", str(copy)])

        self.assertEqual(code, 0, output)
        self.assertEqual(output.strip(), "", "verify reported problems")

    def test_security_exposure_is_at_most_two(self):
        require_tool(self, "systemd-analyze")
        with tempfile.TemporaryDirectory() as directory:
            copy = self.write_verifiable_copy(directory)

            # --threshold counts in tenths: 20 is an exposure of 2.0.
            code, output = run(["systemd-analyze", "security", "--offline=yes", "--no-pager",
                                f"--threshold={int(MAX_EXPOSURE * 10)}", str(copy)])

        match = re.search(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)", output)
        self.assertIsNotNone(match, output)
        exposure = float(match.group(1))
        print(f"\nsystemd-analyze security: overall exposure {exposure}", file=sys.stderr)
        self.assertLessEqual(exposure, MAX_EXPOSURE, output)
        self.assertEqual(code, 0, output)

    def test_is_a_notify_service_only_the_main_process_may_notify(self):
        self.assertEqual(single_value(self.unit, "Type"), "notify")
        self.assertEqual(single_value(self.unit, "NotifyAccess"), "main")

    def test_starts_installed_daemon_with_installed_config(self):
        self.assertEqual(single_value(self.unit, "ExecStart"),
                         "/usr/bin/telehealthd --config /etc/telehealthd/telehealthd.toml")
        self.assertEqual(single_value(self.unit, "ExecReload"), "/bin/kill -HUP $MAINPID")

    def test_runs_as_telehealthd_with_admin_group_for_the_socket(self):
        self.assertEqual(single_value(self.unit, "User"), "telehealthd")
        self.assertEqual(single_value(self.unit, "Group"), "telehealthd")
        self.assertIn(ADMIN_GROUP, single_value(self.unit, "SupplementaryGroups").split())

    def test_runtime_directory_is_handed_to_admin_group(self):
        self.assertEqual(single_value(self.unit, "RuntimeDirectory"), "telehealthd")
        self.assertEqual(single_value(self.unit, "RuntimeDirectoryMode"), "0750")
        self.assertIn(f"/bin/chgrp {ADMIN_GROUP} %t/telehealthd",
                      values(self.unit, "ExecStartPre"))

    def test_state_is_private_to_the_daemon(self):
        self.assertEqual(single_value(self.unit, "StateDirectory"), "telehealthd")
        self.assertEqual(single_value(self.unit, "StateDirectoryMode"), "0700")
        self.assertEqual(single_value(self.unit, "UMask"), "0077")

    def test_declares_required_credentials(self):
        declared = {v.split(":", 1)[0] for v in values(self.unit, "LoadCredential")}

        self.assertEqual(declared, REQUIRED_CREDENTIALS)

    def test_credentials_come_from_documented_credstore_names(self):
        # telehealthd(8) tells operators to place NAME in /etc/credstore/telehealthd.NAME.
        for assignment in values(self.unit, "LoadCredential"):
            name, _, source = assignment.partition(":")
            with self.subTest(credential=name):
                self.assertEqual(source, f"telehealthd.{name}")

    def test_each_credential_is_read_by_config_or_documented(self):
        # A credential nothing reads is a secret handed over for nothing; one the
        # configuration reads but the unit does not load is caught by the daemon.
        load_config(self)
        documents = [CONFIG_PATH, *sorted(MAN_DIR.glob("*.[0-9]"))]
        text = "\n".join(p.read_text() for p in documents).replace("\\-", "-")

        for assignment in values(self.unit, "LoadCredential"):
            name = assignment.split(":", 1)[0]
            with self.subTest(credential=name):
                self.assertTrue(f"credential:{name}" in text,
                                f"'credential:{name}' appears in none of "
                                f"{', '.join(p.name for p in documents)}")

    def test_admin_socket_settings_match_config(self):
        config = load_config(self)

        group = config_value(config, "admin.group")
        mode = config_value(config, "admin.socket_mode")
        if group is None and mode is None:
            self.skipTest(f"{CONFIG_PATH.name} sets neither admin.group nor admin.socket_mode")

        if group is not None:
            self.assertEqual(group, ADMIN_GROUP)
        if mode is not None:
            self.assertEqual(int(mode, 8) if isinstance(mode, str) else mode, 0o660)

    def test_timeouts_exceed_daemon_timeouts(self):
        config = load_config(self)
        pairs = [("TimeoutStopSec", "server.drain_timeout_seconds"),
                 ("TimeoutStartSec", "storage.startup_timeout_seconds")]

        for unit_key, config_key in pairs:
            daemon_timeout = config_value(config, config_key)
            with self.subTest(setting=unit_key):
                if daemon_timeout is None:
                    self.skipTest(f"{config_key} is not set in {CONFIG_PATH.name}")
                self.assertGreater(seconds(single_value(self.unit, unit_key)), daemon_timeout)

    def test_watchdog_and_restart_policy(self):
        self.assertEqual(single_value(self.unit, "WatchdogSec"), "30")
        self.assertEqual(single_value(self.unit, "Restart"), "on-failure")


class SysusersTest(unittest.TestCase):
    def test_creates_daemon_user_and_admin_group(self):
        require_tool(self, "systemd-sysusers")
        with tempfile.TemporaryDirectory() as root:
            # An empty --root keeps the host's account databases out of it:
            # nothing there is read, and --dry-run writes nothing anyway.
            (Path(root) / "etc").mkdir()
            code, output = run(["systemd-sysusers", f"--root={root}", "--dry-run",
                                str(SYSUSERS_PATH.resolve())])

        self.assertEqual(code, 0, output)
        self.assertIn("Creating user 'telehealthd'", output)
        self.assertIn("Creating group 'telehealthd'", output)
        self.assertIn(f"Creating group '{ADMIN_GROUP}'", output)


if __name__ == "__main__":
    unittest.main(verbosity=2)
