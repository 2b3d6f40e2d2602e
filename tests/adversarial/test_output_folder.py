"""Output files and folders: nothing the tool did not write is overwritten (issue 9, items 3, 4, 8, 10).

Found: ``map survey.gpkg -o survey.gpkg`` replaced the user's GeoPackage;
``build --out DIR`` overwrote the user's own files; ``--out ""`` built into
the current folder; rebuilds kept stale files and listed them in
SHA256SUMS; a failed or concurrent build left a mixed folder; SHA256SUMS
followed symlinks out of the folder; SIGTERM left staging folders behind;
rewritten files lost their mode.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hostile import CASPIAN, assert_ok, assert_one_line_error, cli, line_feature, write_geojson

MANIFEST = ".transcaspian-build.json"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file (and link target) under ``folder``, by relative path."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[rel] = b"->" + os.readlink(path).encode()
        elif path.is_file():
            out[rel] = path.read_bytes()
    return out


def sums(folder: Path) -> dict[str, str]:
    lines = (folder / "SHA256SUMS").read_text().splitlines()
    return {line.split("  ", 1)[1]: line.split("  ", 1)[0] for line in lines}


def build(geodata: Path, out: Path, *extra: str):
    return cli("build", "--geodata", geodata, "--out", out, *extra)


# -- single output files (map, measure) -------------------------------------------------


@pytest.mark.parametrize("command", ["map", "measure"])
@pytest.mark.parametrize("spelling", ["same", "dot", "symlink", "hardlink"])
def test_output_never_replaces_an_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, spelling: str):
    monkeypatch.chdir(tmp_path)
    src = write_geojson(tmp_path / "survey.geojson", [line_feature(CASPIAN, name="a")])
    before = src.read_bytes()
    target = {"same": "survey.geojson", "dot": "./sub/../survey.geojson", "symlink": "link.geojson", "hardlink": "hard.geojson"}[spelling]
    (tmp_path / "sub").mkdir()
    if spelling == "symlink":
        (tmp_path / "link.geojson").symlink_to(src)
    if spelling == "hardlink":
        os.link(src, tmp_path / "hard.geojson")
    run = cli(command, "survey.geojson", "-o", target)
    assert_one_line_error(run, codes=(2,), mentions="input")
    assert src.read_bytes() == before


def test_map_output_is_not_a_part_of_an_input_shapefile(tmp_path: Path):
    import geopandas as gpd
    import shapely

    shp = tmp_path / "roads.shp"
    gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.LineString(CASPIAN)], crs=4326).to_file(shp)
    before = (tmp_path / "roads.dbf").read_bytes()
    run = cli("map", shp, "-o", tmp_path / "roads.dbf")
    assert_one_line_error(run, codes=(2,))
    assert (tmp_path / "roads.dbf").read_bytes() == before


@pytest.mark.parametrize("command", [["map"], ["measure"]])
def test_empty_output_path_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]):
    monkeypatch.chdir(tmp_path)
    src = write_geojson(tmp_path / "in.geojson", [line_feature(CASPIAN)])
    run = cli(*command, src, "-o", "")
    assert_one_line_error(run, codes=(2,))
    assert sorted(os.listdir(tmp_path)) == ["in.geojson"]


def test_rewrite_keeps_the_mode_of_the_file(tmp_path: Path):
    src = write_geojson(tmp_path / "in.geojson", [line_feature(CASPIAN)])
    out = tmp_path / "private.html"
    out.write_text("old")
    out.chmod(0o600)
    assert_ok(cli("map", src, "-o", out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text() != "old"


def test_new_file_honours_the_umask(tmp_path: Path):
    src = write_geojson(tmp_path / "in.geojson", [line_feature(CASPIAN)])
    old = os.umask(0o077)
    try:
        assert_ok(cli("measure", src, "--format", "csv", "-o", tmp_path / "m.csv"))
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "m.csv").stat().st_mode) == 0o600


# -- the build's folder -------------------------------------------------------------


def test_build_refuses_a_folder_of_the_users_own_files(tmp_path: Path, mini_geodata: Path):
    out = tmp_path / "mine"
    out.mkdir()
    for name in ("report.md", "metadata.json", "maps/index.html"):
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(f"my own {name}")
    before = snapshot(out)
    assert_one_line_error(build(mini_geodata, out), codes=(2,), mentions="--force")
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_build_force_keeps_the_users_other_files_out_of_the_sums(tmp_path: Path, mini_geodata: Path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "sub").mkdir()
    (out / "sub" / "deep.txt").write_text("mine too")
    inode = out.stat().st_ino
    assert_ok(build(mini_geodata, out, "--force"))
    assert out.stat().st_ino == inode  # the user's folder itself is never renamed or replaced
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "sub" / "deep.txt").read_text() == "mine too"
    listed = sums(out)
    assert "notes.txt" not in listed and "sub/deep.txt" not in listed
    assert "report.md" in listed or "layers/middle_corridor.geojson" in listed


@pytest.mark.parametrize("value", ["", " "])
def test_build_empty_out_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mini_geodata: Path, value: str):
    monkeypatch.chdir(tmp_path)
    before = sorted(os.listdir(tmp_path))
    assert_one_line_error(cli("build", "--geodata", mini_geodata, "--out", value), codes=(2,))
    assert sorted(os.listdir(tmp_path)) == before


def test_build_out_that_is_a_file_is_refused(tmp_path: Path, mini_geodata: Path):
    out = tmp_path / "file"
    out.write_text("precious")
    assert_one_line_error(build(mini_geodata, out), codes=(1, 2))
    assert out.read_text() == "precious"


def test_build_out_inside_the_geodata_is_refused(tmp_path: Path, mini_geodata: Path):
    assert_one_line_error(build(mini_geodata, mini_geodata / "out"), codes=(2,), mentions="geodata")
    assert not (mini_geodata / "out").exists()


def test_rebuild_drops_files_an_earlier_build_wrote_and_this_one_does_not(tmp_path: Path, mini_geodata: Path):
    out = tmp_path / "out"
    assert_ok(build(mini_geodata, out))
    # An earlier version of the build wrote a layer that this one no longer writes.
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["files"].append("layers/retired.geojson")
    (out / MANIFEST).write_text(json.dumps(manifest))
    (out / "layers" / "retired.geojson").write_text("{}")
    assert_ok(build(mini_geodata, out))
    assert not (out / "layers" / "retired.geojson").exists()
    assert "layers/retired.geojson" not in sums(out)


def test_sums_list_exactly_the_files_written_and_follow_no_link(tmp_path: Path, mini_geodata: Path):
    secret = tmp_path / "secret"
    secret.write_text("top secret")
    out = tmp_path / "out"
    assert_ok(build(mini_geodata, out))
    (out / "shadow").symlink_to(secret)
    (out / "layers" / "passwd.geojson").symlink_to("/etc/passwd")
    assert_ok(build(mini_geodata, out))
    listed = sums(out)
    assert "shadow" not in listed and "layers/passwd.geojson" not in listed
    assert hashlib.sha256(secret.read_bytes()).hexdigest() not in listed.values()
    manifest = json.loads((out / MANIFEST).read_text())["files"]
    assert sorted(listed) == sorted(f for f in manifest if f != "SHA256SUMS")
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and not p.is_symlink() and not p.name.startswith(".")}
    assert set(manifest) == on_disk
    result = subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=out, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_fifo_left_in_the_folder_does_not_hang_the_build(tmp_path: Path, mini_geodata: Path):
    out = tmp_path / "out"
    assert_ok(build(mini_geodata, out))
    os.mkfifo(out / "pipe")
    assert_ok(build(mini_geodata, out))
    assert "pipe" not in sums(out)


def test_failed_build_leaves_the_previous_one_whole(tmp_path: Path, mini_geodata: Path, monkeypatch: pytest.MonkeyPatch):
    out = tmp_path / "out"
    assert_ok(build(mini_geodata, out))
    before = snapshot(out)
    import transcaspian.outputs.export as export

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "write_kml", disk_full)
    run = build(mini_geodata, out)
    assert run.exit_code != 0
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"] or all(not p.name.startswith(".out.") for p in tmp_path.iterdir())


def test_concurrent_build_into_the_same_folder_is_refused(tmp_path: Path, mini_geodata: Path):
    out = tmp_path / "out"
    assert_ok(build(mini_geodata, out))
    before = snapshot(out)
    lock = tmp_path / ".out.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another build holds the folder
        assert_one_line_error(build(mini_geodata, out), codes=(1,), mentions="another")
    finally:
        os.close(fd)
    assert snapshot(out) == before


def test_stale_temporaries_of_a_killed_build_are_removed(tmp_path: Path, mini_geodata: Path):
    out = tmp_path / "out"
    assert_ok(build(mini_geodata, out))
    (tmp_path / ".out.staging-dead").mkdir()
    (tmp_path / ".out.staging-dead" / "big.gpkg").write_bytes(b"x" * 1000)
    (tmp_path / ".out.old-dead").mkdir()
    (out / ".report.md.abc123.tmp").write_text("half")
    (out / "csv" / ".staging-xyz").mkdir()
    assert_ok(build(mini_geodata, out))
    assert not (tmp_path / ".out.staging-dead").exists()
    assert not (tmp_path / ".out.old-dead").exists()
    assert not (out / ".report.md.abc123.tmp").exists()
    assert not (out / "csv" / ".staging-xyz").exists()


def test_two_builds_are_byte_identical(tmp_path: Path, mini_geodata: Path):
    assert_ok(build(mini_geodata, tmp_path / "a"))
    assert_ok(build(mini_geodata, tmp_path / "b"))
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")


def _start_build(mini_geodata: Path, out: Path, **popen: Any) -> subprocess.Popen[str]:
    """``transcaspian build`` of the mini geodata into ``out``, running, its output captured."""
    command = [sys.executable, "-m", "transcaspian", "build", "--geodata", str(mini_geodata), "--out", str(out)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def _nothing_left(tmp_path: Path, out: Path) -> None:
    """No staging folder or temporary, no output folder, and no process of the build (either of its two) is left."""
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert not out.exists()
    assert _processes_mentioning(str(out)) == []


def test_sigterm_mid_build_cleans_up_and_exits_143(tmp_path: Path, mini_geodata: Path):
    out = tmp_path / "out"
    proc = _start_build(mini_geodata, out)
    # Wait until the build has started writing (its staging folder exists), then terminate it.
    deadline = 600  # polls, not a time limit on the code under test
    while deadline and proc.poll() is None and not any(p.name.startswith(".out.staging-") for p in tmp_path.iterdir()):
        time.sleep(0.05)
        deadline -= 1
    if proc.poll() is not None:
        pytest.skip("the build finished before it could be terminated")
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate()
    if proc.returncode in (0, -signal.SIGTERM) and (out / "SHA256SUMS").is_file() and not any(p.name.startswith(".") for p in tmp_path.iterdir()):
        # Swapped in whole before the signal came (the process was exiting): a finished build, not a stopped one.
        pytest.skip("the build had finished when SIGTERM came")
    assert proc.returncode == 143, stderr
    assert "Traceback" not in stderr
    assert "terminated" in stderr
    _nothing_left(tmp_path, out)  # the build's second process (the maps, transcaspian.background) went with it


@pytest.mark.parametrize("moment", ["measuring", "writing"])
def test_ctrl_c_on_the_process_group_stops_both_processes_without_a_traceback(tmp_path: Path, mini_geodata: Path, moment: str):
    """Ctrl-C reaches every process of the terminal's group: the build's second process too (transcaspian.background)."""
    out = tmp_path / "out"
    proc = _start_build(mini_geodata, out, start_new_session=True)  # its own process group, as a shell gives a command
    polls = 600  # polls, not a time limit on the code under test
    while polls and proc.poll() is None:
        # Only what the moment needs: reading every process's command line takes long on a busy
        # machine, and the writing lasts about half a second.
        if moment == "measuring" and len(_processes_mentioning(str(out))) >= 2:  # the second process is forked before measuring
            break
        if moment == "writing" and any(p.name.startswith(".out.staging-") for p in tmp_path.iterdir()):
            break
        time.sleep(0.01)
        polls -= 1
    if proc.poll() is not None:
        pytest.skip("the build finished before it could be interrupted")
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate()
    if proc.returncode == 0 and (out / "SHA256SUMS").is_file() and not any(p.name.startswith(".") for p in tmp_path.iterdir()):
        # Swapped in whole before the signal came (the process was exiting): a finished build, not a stopped one.
        pytest.skip("the build had finished when the interrupt came")
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and stderr.count("\n") == 1, stderr
    _nothing_left(tmp_path, out)


def _processes_mentioning(text: str) -> list[int]:
    """Pids of live processes whose command line holds ``text`` (a forked child keeps its parent's)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def test_export_refuses_a_folder_of_the_users_own_files(tmp_path: Path, mini_geodata: Path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "transcaspian.kml").write_text("my own KML")
    assert_one_line_error(cli("export", "--format", "kml", "--geodata", mini_geodata, "--out", out), codes=(2,), mentions="--force")
    assert (out / "transcaspian.kml").read_text() == "my own KML"
    assert_ok(cli("export", "--format", "kml", "--geodata", mini_geodata, "--out", out, "--force"))
    assert (out / "transcaspian.kml").read_text() != "my own KML"


def test_export_twice_into_its_own_folder(tmp_path: Path, mini_geodata: Path):
    out = tmp_path / "out"
    assert_ok(cli("export", "--format", "geojson", "--geodata", mini_geodata, "--out", out))
    assert_ok(cli("export", "--format", "csv", "--geodata", mini_geodata, "--out", out))
    assert_ok(build(mini_geodata, out))


def test_a_build_killed_between_its_two_renames_is_put_back(tmp_path: Path, mini_geodata: Path):
    out = tmp_path / "out"
    assert_ok(build(mini_geodata, out))
    before = snapshot(out)
    # Killed after moving the old build aside and before moving the new one in.
    (tmp_path / ".out.old-dead").mkdir()
    out.rename(tmp_path / ".out.old-dead" / "build")
    assert_ok(build(mini_geodata, out))
    assert snapshot(out) == before
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")]


def test_stale_temporaries_of_a_killed_map_are_removed(tmp_path: Path):
    src = write_geojson(tmp_path / "in.geojson", [line_feature(CASPIAN)])
    out = tmp_path / "m[1].html"  # glob characters in the name are taken literally
    old = tmp_path / ".m[1].html.dead1234.tmp"
    fresh = tmp_path / ".m[1].html.live5678.tmp"  # another run writing right now
    other = tmp_path / ".other.html.dead.tmp"
    for f in (old, fresh, other):
        f.write_text("half")
    os.utime(old, (0, 0))
    os.utime(other, (0, 0))
    assert_ok(cli("map", src, "-o", out))
    assert not old.exists()
    assert fresh.exists() and other.exists()
