"""The examples in docs/*.md run as written: Python blocks and ``$ transcaspian ...`` lines.

Each page runs in one fresh folder, its blocks in order (a later block may use a file an
earlier one wrote, as a reader following the page would); Python blocks share one namespace.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = ("newsroom.md", "fact-checker.md", "gis-analyst.md")
BLOCK = re.compile(r"^```(python|console)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def blocks(page: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer((DOCS / page).read_text(encoding="utf-8"))]


def test_docs__every_page_is_linked_from_the_readme():
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    for page in PAGES:
        assert f"docs/{page}" in readme, page


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_docs__examples_run(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    found = blocks(page)
    assert any(kind == "python" for kind, _ in found) and any(kind == "console" for kind, _ in found), page
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for kind, code in found:
        if kind == "python":
            exec(compile(code, f"{page} (python block)", "exec"), namespace)
            continue
        for line in code.splitlines():
            if not line.startswith("$ "):
                continue
            args = shlex.split(line[2:])
            assert args[0] == "transcaspian", line
            result = subprocess.run([sys.executable, "-m", "transcaspian", *args[1:]], capture_output=True, text=True, check=False, env=os.environ)
            assert result.returncode == 0, f"{page}: {line}\n{result.stderr}"
            assert "Traceback" not in result.stderr
