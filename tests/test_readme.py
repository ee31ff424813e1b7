"""The README keeps exactly two set-up commands, and CI runs the second one verbatim."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", section, re.S)]


def test_readme_has_two_setup_commands():
    commands = readme_commands()
    assert len(commands) == 2
    assert all(c.startswith("python3 -m venv .venv") and "torch==2.13.0" in c for c in commands)
    assert commands[0].endswith("lbpnet-train")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert readme_commands()[1] in ci


def test_pyproject_keeps_a_torch_range_not_a_pin():
    text = (ROOT / "pyproject.toml").read_text()
    assert '"torch>=2.4"' in text and "torch==" not in text


def test_ci_starts_from_an_empty_data_cache():
    """CI reproduces a new machine: no data cache warmed by an earlier run."""
    ci = (ROOT / ".ci" / "run").read_text()
    assert 'LBPNET_CACHE="$(mktemp -d' in ci and "export LBPNET_CACHE" in ci
