"""Every command explains itself: each option has a help line and each command shows examples
that the parser itself accepts."""

from __future__ import annotations

import argparse
import shlex

import pytest

from sheets_sync import cli


def commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def options_without_help(parser: argparse.ArgumentParser) -> list[str]:
    return [a.dest for a in parser._actions
            if not isinstance(a, argparse._SubParsersAction) and (not a.help or a.help == argparse.SUPPRESS)]


PARSER = cli.build_parser()


def test_the_walk_sees_every_command():
    assert set(commands(PARSER)) >= {"init", "sync", "check", "run", "status", "report", "import", "template"}
    assert set(commands(PARSER)) == set(cli.EXAMPLES)


@pytest.mark.parametrize("name", sorted(commands(PARSER)))
def test_every_option_of_every_command_has_help_text(name):
    assert options_without_help(commands(PARSER)[name]) == []


def test_the_top_level_options_have_help_text():
    assert options_without_help(PARSER) == []


def test_an_option_without_help_is_caught():
    p = argparse.ArgumentParser()
    p.add_argument("--format")
    assert options_without_help(p) == ["format"]


@pytest.mark.parametrize("name", sorted(commands(PARSER)))
def test_every_command_help_ends_with_examples_the_parser_accepts(name):
    text = commands(PARSER)[name].format_help()
    assert "\nExamples:\n" in text
    examples = [ln.strip() for ln in text.split("\nExamples:\n", 1)[1].splitlines() if ln.startswith("  sheets-sync")]
    assert examples, text
    for line in examples:
        args = shlex.split(line)[1:]
        parsed = cli.build_parser().parse_args(args)
        assert parsed.command == name


def test_the_readme_shows_one_example_of_every_command():
    from tests.support import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("One example per command:", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    shown = {}
    for line in block.strip().splitlines():
        args = shlex.split(line.split("#", 1)[0])[1:]
        shown[cli.build_parser().parse_args(args).command] = line
    assert set(shown) == set(commands(PARSER))
