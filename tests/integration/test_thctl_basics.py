"""thctl's global contract: output formats, --quiet, exit codes and error lines."""

import csv
import io
import json
import os
import re
import shutil
import subprocess
import tempfile

import harness

STATUS_FIELDS = ["version", "node", "uptime_seconds", "storage_backend", "schema_version",
                 "database_reachable", "tls_certificate_expires_at", "tls_certificate_days_left"]


def run_thctl(*args):
    return subprocess.run([harness.THCTL, *args], capture_output=True, text=True, timeout=60)


class ThctlStatusTest(harness.DaemonTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.expected = cls.daemon.admin("GET", "/api/v1/status").json()
        cls.scratch = tempfile.mkdtemp(prefix="th-thctl-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.scratch, ignore_errors=True)
        super().tearDownClass()

    def assert_one_error_line(self, result):
        lines = result.stderr.splitlines()
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertTrue(lines[0].startswith("thctl: error: "), lines[0])
        return lines[0]

    def test_table_lists_each_field_on_its_own_line(self):
        result = self.daemon.thctl("status")

        self.assertEqual(result.returncode, 0, result.stderr)
        rows = dict(re.split(r"\s{2,}", line.strip(), maxsplit=1)
                    for line in result.stdout.splitlines())
        self.assertEqual(rows["version"], self.expected["version"])
        self.assertEqual(rows["storage"], self.expected["storage_backend"])
        self.assertEqual(rows["schema version"], str(self.expected["schema_version"]))
        self.assertEqual(rows["TLS certificate expires"],
                         self.expected["tls_certificate_expires_at"])
        self.assertEqual(result.stderr, "")

    def test_json_is_the_daemons_status_object(self):
        result = self.daemon.thctl("--output", "json", "status")

        self.assertEqual(result.returncode, 0, result.stderr)
        status = json.loads(result.stdout)
        for field in ("version", "storage_backend", "schema_version",
                      "tls_certificate_expires_at"):
            self.assertEqual(status[field], self.expected[field], field)
        self.assertRegex(status["tls_certificate_expires_at"], r"^\d{4}-\d\d-\d\dT")

    def test_csv_is_a_header_and_one_row(self):
        result = self.daemon.thctl("-o", "csv", "status")

        self.assertEqual(result.returncode, 0, result.stderr)
        rows = list(csv.reader(io.StringIO(result.stdout)))
        self.assertEqual(len(rows), 2, result.stdout)
        self.assertEqual(rows[0], STATUS_FIELDS)
        record = dict(zip(rows[0], rows[1]))
        self.assertEqual(record["storage_backend"], self.expected["storage_backend"])
        self.assertEqual(record["schema_version"], str(self.expected["schema_version"]))

    def test_quiet_prints_nothing_on_success(self):
        result = self.daemon.thctl("--quiet", "status")

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, "")
        self.assertEqual(result.stderr, "")

    def test_socket_without_a_daemon_exits_69_with_one_error_line(self):
        missing = os.path.join(self.scratch, "nobody.sock")

        result = run_thctl("--socket", missing, "status")

        self.assertEqual(result.returncode, 69)
        self.assertIn(missing, self.assert_one_error_line(result))
        self.assertEqual(result.stdout, "")

    def test_url_without_a_token_exits_77(self):
        result = self.daemon.thctl("status", remote=True)

        self.assertEqual(result.returncode, 77, result.stderr)
        self.assert_one_error_line(result)

    def test_url_with_a_ca_file_that_does_not_match_exits_69_naming_tls(self):
        other_cert, _ = harness.make_certificate(self.scratch, "stranger")

        result = run_thctl("--url", self.daemon.base_url, "--ca-file", other_cert, "status")

        self.assertEqual(result.returncode, 69)
        self.assertIn("TLS", self.assert_one_error_line(result))

    def test_unknown_subcommand_exits_64(self):
        result = self.daemon.thctl("frobnicate")

        self.assertEqual(result.returncode, 64)
        self.assertTrue(result.stderr.startswith("thctl: error: "), result.stderr)

    def test_version_prints_the_version(self):
        result = run_thctl("--version")

        self.assertEqual(result.returncode, 0)
        self.assertEqual(result.stdout.strip(), "thctl " + self.expected["version"])


if __name__ == "__main__":
    harness.main()
