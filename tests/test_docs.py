"""The README stays short and every page of docs/ stays reachable from it; links between the
pages resolve (files and #anchors); the code docs/contributing.md quotes is the real code."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
# [text](target) and ![alt](target), skipping inline code spans first.
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
CODE_SPAN = re.compile(r"`[^`\n]*`")
FENCE = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)


def _pages() -> list[Path]:
    return [README, *sorted(DOCS.rglob("*.md"))]


def _links(page: Path) -> list[str]:
    text = CODE_SPAN.sub("", FENCE.sub("", page.read_text()))
    return LINK.findall(text)


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text())
    return {_anchor(line.lstrip("#")) for line in text.splitlines() if line.startswith("#")}


def _relative(target: str) -> bool:
    return not re.match(r"^[a-z]+:", target) and not target.startswith("//")


def test_the_readme_is_at_most_150_lines():
    assert len(README.read_text().splitlines()) <= 150


def test_every_relative_link_resolves():
    broken = []
    for page in _pages():
        for target in _links(page):
            if not _relative(target):
                continue
            path, _, anchor = target.partition("#")
            resolved = (page.parent / path).resolve() if path else page
            if not resolved.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
            elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert broken == []


def test_every_page_of_docs_is_reachable_from_the_readme():
    seen, todo = set(), [README.resolve()]
    while todo:
        page = todo.pop()
        if page in seen:
            continue
        seen.add(page)
        for target in _links(page):
            path = target.partition("#")[0]
            if not path or not _relative(target):
                continue
            resolved = (page.parent / path).resolve()
            if resolved.is_dir():
                todo.extend(resolved.glob("*.md"))
            elif resolved.suffix == ".md" and resolved.exists():
                todo.append(resolved)
    unreachable = [str(p.relative_to(ROOT)) for p in DOCS.rglob("*.md") if p.resolve() not in seen]
    assert unreachable == []


def test_the_code_quoted_in_contributing_is_the_real_code():
    """Each ```python block starts with a `# path` line; the rest must appear in that file."""
    text = (DOCS / "contributing.md").read_text()
    blocks = re.findall(r"^```python\n(.*?)^```", text, re.DOTALL | re.MULTILINE)
    assert len(blocks) >= 8
    for block in blocks:
        first, _, code = block.partition("\n")
        assert first.startswith("# "), first
        source = (ROOT / first[2:].strip()).read_text()
        assert code.rstrip("\n") in source, f"{first[2:]} no longer has:\n{code}"
