#!/usr/bin/env python3
"""thctl's shell completions and manual page cover every command of the built binary.

The command tree is discovered from the binary itself: `thctl --help`, then
`thctl NOUN --help` and so on, reading CLI11's "Subcommands:" and "Options:"
sections. Every noun, verb and option must then be offered by the bash and
fish completions (run for real), appear in the zsh completion, and be
documented in thctl(1), so that a new command cannot ship without them.
The three completion files must also pass their shell's syntax check.

Environment: TH_SOURCE_DIR and TH_BINARY_DIR, as for every integration test.
"""

import re
import shutil
import subprocess
import unittest
from pathlib import Path

import harness

SOURCE_DIR = Path(harness.SOURCE_DIR)
BASH_FILE = SOURCE_DIR / "completions" / "thctl.bash"
ZSH_FILE = SOURCE_DIR / "completions" / "_thctl"
FISH_FILE = SOURCE_DIR / "completions" / "thctl.fish"
MAN_PAGE = SOURCE_DIR / "man" / "thctl.1"

# Offered everywhere by the completions; not worth a man page entry per verb.
GENERIC_OPTIONS = {"--help"}


def run(command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, timeout=60, **kwargs)


def help_sections(text):
    """Maps each "Heading:" of CLI11 help to the first column of its entries."""
    sections = {}
    current = None
    for line in text.splitlines():
        heading = re.match(r"^([A-Z][A-Za-z ]*):\s*$", line)
        if heading:
            current = sections.setdefault(heading.group(1), [])
            continue
        entry = re.match(r"^  (\S+(?: \S+)*?)(?:\s{2,}|$)", line)
        if current is not None and entry:
            current.append(entry.group(1))
    return sections


def long_options(entries):
    options = set()
    for entry in entries:
        options.update(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", entry.split(" ")[0]))
    return options


def discover(path=()):
    """Yields (path, options) for every command, depth first, from the binary's help."""
    result = run([harness.THCTL, *path, "--help"])
    if result.returncode != 0:
        raise AssertionError("thctl %s --help failed: %s" % (" ".join(path), result.stderr))
    sections = help_sections(result.stdout)
    yield tuple(path), long_options(sections.get("Options", []))
    for entry in sections.get("Subcommands", []):
        yield from discover(path + (entry.split(" ")[0],))


def bash_candidates(words):
    """What thctl.bash offers with the cursor after `words` (the last one being typed)."""
    script = (
        'source "$1"; shift; COMP_WORDS=(thctl "$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ));'
        ' _thctl; printf "%s\\n" "${COMPREPLY[@]}"')
    result = run(["bash", "-c", script, "bash", str(BASH_FILE), *words])
    if result.returncode != 0:
        raise AssertionError("bash completion failed: " + result.stderr)
    return set(result.stdout.split())


def fish_candidates(words):
    line = " ".join(["thctl", *words])
    result = run(["fish", "--no-config", "-c",
                  'source $argv[1]; complete --do-complete=$argv[2]', str(FISH_FILE), line])
    if result.returncode != 0:
        raise AssertionError("fish completion failed: " + result.stderr)
    return {candidate.split("\t")[0] for candidate in result.stdout.splitlines()}


def man_text():
    """thctl(1) with roff escapes removed, as words a reader sees."""
    text = MAN_PAGE.read_text()
    text = re.sub(r"\\f[BIRP]|\\f\(..|\\&", "", text)
    return text.replace("\\-", "-").replace("\\e", "\\")


def man_subsections(text):
    """Maps each .SS heading of thctl(1) to its text, up to the next .SS or .SH."""
    parts = re.split(r"^\.SS\s+(.*)$", text, flags=re.MULTILINE)
    return {parts[i].strip().strip('"'): re.split(r"^\.SH", parts[i + 1], flags=re.MULTILINE)[0]
            for i in range(1, len(parts), 2)}


class CompletionSyntaxTest(unittest.TestCase):
    def test_bash_file_parses(self):
        result = run(["bash", "-n", str(BASH_FILE)])

        self.assertEqual(result.returncode, 0, result.stderr)

    def test_zsh_file_parses(self):
        if shutil.which("zsh") is None:
            self.fail("zsh is not installed; .ci/install-deps.sh installs it")

        result = run(["zsh", "-n", str(ZSH_FILE)])

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(ZSH_FILE.read_text().startswith("#compdef thctl\n"))

    def test_fish_file_parses(self):
        if shutil.which("fish") is None:
            self.fail("fish is not installed; .ci/install-deps.sh installs it")

        result = run(["fish", "--no-execute", str(FISH_FILE)])

        self.assertEqual(result.returncode, 0, result.stderr)


class CompletionCoverageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.commands = dict(discover())
        cls.zsh_words = set(re.findall(r"[\w.-]+", ZSH_FILE.read_text()))

    def test_discovery_finds_the_command_tree(self):
        self.assertIn(("status",), self.commands)
        self.assertIn(("user", "create"), self.commands)
        self.assertIn(("access", "emergency", "review"), self.commands)
        self.assertIn("--output", self.commands[()])
        self.assertIn("--username", self.commands[("user", "create")])

    def test_bash_offers_every_noun_verb_and_option(self):
        for path, options in self.commands.items():
            with self.subTest(command=" ".join(path) or "thctl"):
                if path:
                    self.assertIn(path[-1], bash_candidates([*path[:-1], ""]),
                                  "thctl.bash does not offer this command")
                missing = options - bash_candidates([*path, "--"])
                self.assertFalse(missing, "thctl.bash does not offer %s" % sorted(missing))

    def test_fish_offers_every_noun_verb_and_option(self):
        if shutil.which("fish") is None:
            self.fail("fish is not installed; .ci/install-deps.sh installs it")

        for path, options in self.commands.items():
            with self.subTest(command=" ".join(path) or "thctl"):
                if path:
                    self.assertIn(path[-1], fish_candidates([*path[:-1], ""]),
                                  "thctl.fish does not offer this command")
                missing = options - fish_candidates([*path, "--"])
                self.assertFalse(missing, "thctl.fish does not offer %s" % sorted(missing))

    def test_zsh_names_every_noun_verb_and_option(self):
        for path, options in self.commands.items():
            with self.subTest(command=" ".join(path) or "thctl"):
                if path:
                    self.assertTrue(path[-1] in self.zsh_words, "_thctl does not name it")
                    handler = "_thctl_" + "_".join(word.replace("-", "_") for word in path)
                    has_own_arguments = bool(options - GENERIC_OPTIONS)
                    if has_own_arguments:
                        self.assertTrue(handler in self.zsh_words,
                                        "_thctl has no %s for its options" % handler)
                missing = options - self.zsh_words
                self.assertFalse(missing, "_thctl does not name %s" % sorted(missing))


class ManPageCoverageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.commands = dict(discover())
        cls.text = man_text()
        cls.subsections = man_subsections(cls.text)

    def test_every_noun_has_a_subsection(self):
        for path in self.commands:
            if len(path) == 1:
                with self.subTest(noun=path[0]):
                    self.assertTrue(path[0] in self.subsections,
                                    "thctl(1) has no subsection for it")

    def test_every_command_and_its_options_are_documented_under_its_noun(self):
        for path, options in self.commands.items():
            if not path:
                continue
            with self.subTest(command=" ".join(path)):
                subsection = self.subsections.get(path[0], "")

                mentioned = re.search(r"(?<![\w-])" + re.escape(" ".join(path)) + r"(?![\w-])",
                                      subsection)
                self.assertTrue(mentioned, "'%s' is not in the subsection %s of thctl(1)"
                                % (" ".join(path), path[0]))
                for option in options - GENERIC_OPTIONS:
                    self.assertTrue(option in subsection, "%s of '%s' is not in thctl(1)"
                                    % (option, " ".join(path)))

    def test_global_options_are_documented(self):
        for option in self.commands[()]:
            with self.subTest(option=option):
                self.assertTrue(option in self.text, "thctl(1) does not document it")


if __name__ == "__main__":
    unittest.main(verbosity=2)
