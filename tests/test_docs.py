"""Meta-tests: every command, option and setting is documented (they fail when one is not)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer.main

from threadline import config
from threadline.cli import app
from threadline.cli import commands as _commands  # noqa: F401  (registers the commands)

ROOT = Path(__file__).resolve().parents[1]
CLI_DOC = (ROOT / "docs" / "cli.md").read_text("utf-8")


# Typer's command objects (click-compatible; typer >= 0.20 vendors click) are walked by duck
# typing: a group has `commands`, an option has param_type_name "option".
def _leaves(cmd: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    if hasattr(cmd, "commands"):
        return [leaf for name, sub in cmd.commands.items() for leaf in _leaves(sub, (*path, name))]
    return [(path, cmd)]


COMMANDS = _leaves(typer.main.get_command(app))


def _sections() -> dict[str, str]:
    parts = re.split(r"^## `threadline ([^`]+)`", CLI_DOC, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


@pytest.mark.parametrize(("path", "cmd"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_and_option_is_in_docs_cli(path: tuple[str, ...], cmd: Any) -> None:
    sections = _sections()
    name = " ".join(path)
    assert name in sections, f"docs/cli.md has no section '## `threadline {name}`'"
    for param in cmd.params:
        if param.param_type_name == "option" and not param.hidden:
            flag = max(param.opts, key=len)
            assert flag in sections[name], f"`threadline {name}` option {flag} is not documented"


def test_global_options_are_documented() -> None:
    root = typer.main.get_command(app)
    for param in root.params:
        if param.param_type_name == "option":
            assert max(param.opts, key=len) in CLI_DOC


def test_every_environment_variable_is_documented() -> None:
    ops = (ROOT / "docs" / "operations.md").read_text("utf-8")
    names = [v for k, v in vars(config).items() if k.startswith("ENV_")]
    assert names
    for name in names:
        assert name in ops, f"{name} is not in docs/operations.md"


def test_readme_quick_start_is_two_commands() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", quick, flags=re.S)
    assert [b.strip().count("\n") for b in blocks] == [0, 0]
    assert "threadline demo" in blocks[0] and "pytest" in blocks[1]
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "pip install -q -e '.[test]'" in ci and "\npytest" in ci
