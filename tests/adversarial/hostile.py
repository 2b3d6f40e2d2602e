"""Helpers for the adversarial suite (imported by its modules; see conftest.py): hostile files and the CLI run as a user runs it.

Every test here goes through the ``transcaspian`` command (black box), so the
suite holds whatever the modules behind it are called. :func:`cli` runs the
command in-process with click's runner (an uncaught exception is a failure:
the promise is one line on stderr, never a traceback); :func:`cli_process`
runs it as a real process where signals or the process environment matter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

#: Text that must reach every output as the same, inert text.
TEMPLATE_PAYLOADS = [
    "{{ 6*7 }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{% for x in range(3) %}x{% endfor %}",
    "a {% b",
    "{# unclosed comment",
    "{{",
    "}}{%",
    "{% raw %}",
    "${alert(1)}",
]
HTML_PAYLOADS = [
    "<script>alert(1)</script>",
    "</script><script>alert(2)</script>",
    "<img src=x onerror=alert(3)>",
    "<!--",
    '"><svg onload=alert(4)>',
    "javascript:alert(5)",
]
FORMULA_PAYLOADS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x.invalid","click")']
OTHER_PAYLOADS = ["]]>", "<![CDATA[x]]>", "\u202eevil\u202c", "\u200fRTL", "tab\there", "x" * 10_000, "\u0000nul", "\x1b[31mred"]


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None


def cli(*args: Any, env: dict[str, str] | None = None) -> Run:
    """Run ``transcaspian ARGS`` in-process; never lets an exception through silently."""
    result = CliRunner().invoke(_main(), [str(a) for a in args], env=env, catch_exceptions=True)
    exc = result.exception
    if isinstance(exc, SystemExit):
        exc = None
    return Run(result.exit_code, result.stdout, result.stderr, exc)


def _main():
    from transcaspian.cli import main

    return main


def cli_process(*args: Any, cwd: Path | None = None, env: dict[str, str] | None = None, **kw: Any) -> subprocess.CompletedProcess:
    """Run ``python -m transcaspian ARGS`` as a separate process."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "transcaspian", *map(str, args)],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        check=False,
        **kw,
    )


def assert_one_line_error(run: Run | subprocess.CompletedProcess, *, codes: tuple[int, ...] = (1, 2), mentions: str | None = None) -> str:
    """The run failed with one line on stderr (no traceback); returns that line."""
    code = run.exit_code if isinstance(run, Run) else run.returncode
    exc = run.exception if isinstance(run, Run) else None
    assert exc is None, f"uncaught {type(exc).__name__}: {exc}"
    assert code in codes, (code, run.stderr)
    lines = [line for line in run.stderr.splitlines() if line.startswith("transcaspian: error:")]
    assert lines, run.stderr
    assert "Traceback" not in run.stderr
    assert len(lines) == 1, run.stderr
    if mentions is not None:
        assert mentions in lines[0], lines[0]
    return lines[0]


def assert_ok(run: Run) -> None:
    assert run.exception is None, f"uncaught {type(run.exception).__name__}: {run.exception}"
    assert run.exit_code == 0, run.stderr
    assert "Traceback" not in run.stderr


def line_feature(coords, **props) -> dict:
    return {"type": "Feature", "properties": props, "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords]}}


def write_geojson(path: Path, features: list[dict]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), encoding="utf-8")
    return path


#: A short line in the Caspian region (Aktau -> Sumgayit).
CASPIAN = [(51.17, 43.65), (50.3, 42.0), (49.65, 40.59)]
