"""MkDocs hook: pages the site takes from the repository at build time, never copied by hand.

- every ``experiments/<study>/`` folder: its Markdown (README.md becomes the study's page,
  results.md and the other notes beside it) and its images, served under ``experiments/``;
- ``benchmarks/README.md``;
- one API reference page per sub-package of ``lbpnet`` (``api/<name>.md``, rendered by
  mkdocstrings from the docstrings), so a sub-package added later gets its page without an edit;
- the navigation's "Experiments" and "API reference" sections, listed from what exists.

A relative link in one of these pages (or in a README section a guide includes) that points to a
repository file the site does not serve (a script, a config, a source file) becomes the file's
repository path in code type; a link to a folder whose README the site serves points at that page;
a link to a file that does not exist is left as it is, so ``mkdocs build --strict`` fails on it.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
IMAGE_SUFFIXES = {".png", ".svg", ".jpg", ".jpeg", ".gif"}
LINK = re.compile(r"(?<!!)\[([^\]\n]*)\]\(\s*([^)\s]+)\s*\)")


def studies() -> list[Path]:
    """The ``experiments/<study>/`` folders that have a README.md, sorted by name."""
    return sorted(p.parent for p in (ROOT / "experiments").glob("*/README.md"))


def subpackages() -> list[str]:
    """Names of the sub-packages of ``lbpnet`` (folders with an ``__init__.py``), sorted."""
    return sorted(p.parent.name for p in (ROOT / "lbpnet").glob("*/__init__.py")
                  if not p.parent.name.startswith("_"))


def title_of(readme: Path) -> str:
    """The first Markdown heading of ``readme``, else its folder's name."""
    for line in readme.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return readme.parent.name


def api_page(name: str) -> str:
    """Markdown of the API page of ``lbpnet.<name>``: the package and each public module."""
    package = ROOT / "lbpnet" / name
    modules = sorted(p.stem for p in package.glob("*.py")
                     if not p.stem.startswith("_"))
    subfolders = sorted(p.parent.name for p in package.glob("*/__init__.py")
                        if not p.parent.name.startswith("_"))
    parts = [f"# `lbpnet.{name}`\n", f"::: lbpnet.{name}\n    options:\n      members: false\n"]
    for module in modules + subfolders:
        parts.append(f"::: lbpnet.{name}.{module}\n")
    return "\n".join(parts)


def on_config(config, **kwargs):
    """Append the Experiments and API sections to the navigation, from what exists."""
    nav = list(config["nav"] or [])
    experiments = [{title_of(s / "README.md"): f"experiments/{s.name}/README.md"}
                   for s in studies()]
    if (ROOT / "benchmarks" / "README.md").is_file():
        experiments.append({"Speed and memory benchmarks": "benchmarks/README.md"})
    nav.append({"Experiments": experiments})
    nav.append({"API reference": [{f"lbpnet.{n}": f"api/{n}.md"} for n in subpackages()]})
    config["nav"] = nav
    return config


def on_files(files: Files, config, **kwargs) -> Files:
    """Add the experiments' Markdown and images, the benchmarks README and the API pages."""
    def add(path: Path) -> None:
        uri = path.relative_to(ROOT).as_posix()
        files.append(File.generated(config, uri, abs_src_path=str(path)))

    for study in studies():
        for path in sorted(study.iterdir()):
            if path.is_file() and (path.suffix == ".md" or path.suffix.lower() in IMAGE_SUFFIXES):
                add(path)
    if (ROOT / "benchmarks" / "README.md").is_file():
        add(ROOT / "benchmarks" / "README.md")
    for name in subpackages():
        files.append(File.generated(config, f"api/{name}.md", content=api_page(name)))
    return files


def _rewrite(markdown: str, page_source: Path, page_uri: str, site: dict[Path, str]) -> str:
    """``markdown`` with its relative links to repository files resolved against the site.

    ``page_source`` is the page's file on disk, ``page_uri`` its place in the site and ``site``
    maps each served file on disk to its place in the site.
    """
    def replace(match: re.Match) -> str:
        text, target = match.group(1), match.group(2)
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^#|^/", target):
            return match.group(0)
        path_part, _, anchor = target.partition("#")
        resolved = (page_source.parent / path_part).resolve()
        if not resolved.is_relative_to(ROOT) or not resolved.exists():
            return match.group(0)          # leaves the repo or is missing: strict mode says so
        if resolved.is_dir() and (resolved / "README.md").resolve() in site:
            resolved = (resolved / "README.md").resolve()
        if resolved in site:
            rel = posixpath.relpath(site[resolved], posixpath.dirname(page_uri) or ".")
            return f"[{text}]({rel}{'#' + anchor if anchor else ''})"
        label = text.strip("`") or resolved.relative_to(ROOT).as_posix()
        repo_path = resolved.relative_to(ROOT).as_posix() + ("/" if resolved.is_dir() else "")
        return f"`{label}`" if label.rstrip("/") == repo_path.rstrip("/") else \
            f"{text} (`{repo_path}`)"
    return LINK.sub(replace, markdown)


@event_priority(-100)   # after include-markdown has put README sections into the guides
def on_page_markdown(markdown: str, page, config, files: Files, **kwargs) -> str:
    """Turn links to repository files the site does not serve into their repository path."""
    if page.file.abs_src_path is None:
        return markdown
    site = {Path(f.abs_src_path).resolve(): f.src_uri for f in files if f.abs_src_path}
    return _rewrite(markdown, Path(page.file.abs_src_path).resolve(), page.file.src_uri, site)
