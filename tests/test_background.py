"""A part of a job in a second process: same result, errors carried back, never outliving the job."""

from __future__ import annotations

import os
import threading

import pytest

from transcaspian.background import can_fork, in_background
from transcaspian.errors import DataError, OutputError

needs_fork = pytest.mark.skipif(not can_fork(), reason="forking needs Linux and a process running one thread")

_PREPARED: list[int] = []


def _prepare() -> None:
    _PREPARED.append(os.getpid())


def _prepared_and(value: int) -> tuple[int, list[int], int]:
    return os.getpid(), list(_PREPARED), value * 2


def _fail() -> None:
    raise DataError("bad record", file="a.toml", record="leg 'x'")


def _die() -> None:
    os._exit(3)


def _unpicklable() -> object:
    return threading.Lock()


def _wait_for(read_fd: int) -> bytes:
    return os.read(read_fd, 1)  # blocks until the parent writes, which it never does


@needs_fork
def test_in_background__prepares_then_runs_in_another_process():
    with in_background(_prepared_and, prepare=_prepare) as pending:
        assert pending.forked
        pending.start(21)
        pid, prepared, value = pending.result()
    assert pid != os.getpid() and value == 42
    assert prepared == [pid] and _PREPARED == []  # prepared there, not here


def test_in_background__without_fork_runs_here_once_when_the_result_is_asked_for():
    calls: list[int] = []
    with in_background(calls.append, prepare=_prepare, fork=False) as pending:
        assert not pending.forked
        pending.start(7)
        assert calls == []  # not before the result is asked for
        assert pending.result() is None
        pending.result()
    assert calls == [7] and _PREPARED == [os.getpid()]
    _PREPARED.clear()


def test_in_background__result_before_start_and_start_twice_are_errors():
    with in_background(sum, fork=False) as pending:
        with pytest.raises(RuntimeError, match="start"):
            pending.result()
        pending.start([1])
        with pytest.raises(RuntimeError, match="already started"):
            pending.start([2])


@needs_fork
def test_in_background__an_error_comes_back_with_its_type_text_and_the_childs_traceback():
    with in_background(_fail) as pending, pytest.raises(DataError, match="a.toml: leg 'x': bad record") as info:
        pending.start()
        pending.result()
    assert any("in the background process" in note and "_fail" in note for note in info.value.__notes__)


@needs_fork
def test_in_background__a_child_that_dies_is_an_output_error_naming_its_exit_status():
    with in_background(_die) as pending, pytest.raises(OutputError, match=r"_die stopped without a result \(exit status 3\)"):
        pending.start()
        pending.result()


@needs_fork
def test_in_background__an_unpicklable_result_is_an_error_not_a_hang():
    with in_background(_unpicklable) as pending, pytest.raises(Exception, match="lock"):
        pending.start()
        pending.result()


@needs_fork
@pytest.mark.parametrize("started", [True, False])
def test_in_background__leaving_the_block_early_stops_the_child(started):
    read_fd, write_fd = os.pipe()
    try:
        with pytest.raises(KeyboardInterrupt), in_background(_wait_for) as pending:
            process = pending._process
            if started:
                pending.start(read_fd)
            assert process.is_alive()
            raise KeyboardInterrupt  # Ctrl-C (or SIGTERM, turned into an exception) in the parent
        assert not process.is_alive() and process.exitcode is not None
    finally:
        os.close(read_fd)
        os.close(write_fd)


def test_can_fork__not_while_another_thread_runs():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not can_fork()
        with in_background(sum) as pending:
            pending.start([1, 2])
            assert not pending.forked and pending.result() == 3
    finally:
        stop.set()
        thread.join()


def _deaf_to_sigterm() -> None:
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # as a library's bare except would swallow it


@needs_fork
def test_in_background__a_child_waiting_for_arguments_that_never_come_ends_on_its_own():
    """The parent fails before start(): its end of the pipe closes, and the child, deaf to SIGTERM, sees EOF."""
    import functools

    ready_read, ready_write = os.pipe()
    try:
        with pytest.raises(DataError), in_background(_pid_and_nothing, prepare=functools.partial(_deaf_then_ready, ready_write)) as pending:
            process = pending._process
            assert os.read(ready_read, 1) == b"r"
            _fail()
        assert not process.is_alive() and process.exitcode == 0  # returned on EOF, not killed
    finally:
        os.close(ready_read)
        os.close(ready_write)


def _deaf_then_ready(ready_fd: int) -> None:
    _deaf_to_sigterm()
    os.write(ready_fd, b"r")


@needs_fork
def test_in_background__a_child_deaf_to_sigterm_is_killed():
    import functools

    read_fd, write_fd = os.pipe()
    ready_read, ready_write = os.pipe()
    try:
        with pytest.raises(KeyboardInterrupt), in_background(_wait_for, prepare=functools.partial(_deaf_then_ready, ready_write)) as pending:
            process = pending._process
            assert os.read(ready_read, 1) == b"r"  # SIGTERM is ignored from here on
            pending.start(read_fd)
            raise KeyboardInterrupt
        assert not process.is_alive() and process.exitcode == -9  # SIGKILL after the grace period
    finally:
        for fd in (read_fd, write_fd, ready_read, ready_write):
            os.close(fd)


def _pid_and_nothing() -> int:
    return os.getpid()


@needs_fork
def test_in_background__start_does_not_wait_for_the_child_to_be_prepared():
    """Megabytes of arguments (far past a pipe's 64 KiB) are given while prepare() still runs.

    Were start() to wait for prepare(), this would never end: prepare waits for the gate that opens after start().
    """
    import functools

    gate_read, gate_write = os.pipe()
    try:
        with in_background(len, prepare=functools.partial(os.read, gate_read, 1)) as pending:
            pending.start(b"x" * 10_000_000)
            os.write(gate_write, b"g")
            assert pending.result() == 10_000_000
    finally:
        os.close(gate_read)
        os.close(gate_write)


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt


@needs_fork
def test_in_background__stopped_at_once_the_child_prints_nothing_even_with_a_raising_sigterm_handler(capfd):
    """The CLI turns SIGTERM into an exception; a child stopped while it starts must not print that exception's traceback."""
    import signal

    previous = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        for _ in range(20):  # the window is the child's first milliseconds: try it often
            with in_background(_pid_and_nothing, prepare=_prepare) as pending:
                process = pending._process
            assert not process.is_alive()
    finally:
        signal.signal(signal.SIGTERM, previous)
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Exception ignored" not in err, err


def _stop_myself() -> None:
    import signal

    os.kill(os.getpid(), signal.SIGSTOP)  # a child that stops reading: its pipe fills


@needs_fork
def test_in_background__start_returns_at_once_even_when_the_child_never_reads():
    """start() writes the arguments to the shared file and announces their size: it never waits for the child.

    The child here stops itself (SIGSTOP) before reading 10 MB. start() returns
    all the same, with no thread left to finish a write; leaving the block kills
    the child (SIGTERM waits on a stopped process, SIGKILL does not): nothing
    outlives the block.
    """
    with pytest.raises(KeyboardInterrupt), in_background(len, prepare=_stop_myself) as pending:
        process = pending._process
        pending.start(b"x" * 10_000_000)
        assert threading.active_count() == 1
        raise KeyboardInterrupt
    assert not process.is_alive() and process.exitcode == -9
    assert threading.active_count() == 1


@needs_fork
def test_in_background__arguments_of_every_size_arrive_whole():
    sizes = [0, 1, 65_535, 65_536, 1_048_577, 20_000_003]
    for size in sizes:
        data = bytes(range(256)) * (size // 256) + bytes(size % 256)
        with in_background(_digest) as pending:
            pending.start(data)
            assert pending.result() == (size, _sha256(data))


def _digest(data: bytes) -> tuple[int, str]:
    return len(data), _sha256(data)


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_shared_file__reads_back_what_was_written_and_says_when_it_is_short():
    from transcaspian.background import _SharedFile

    shared = _SharedFile()
    try:
        assert shared.write(b"abc" * 100_000) == 300_000
        assert shared.read(300_000) == b"abc" * 100_000
        with pytest.raises(EOFError, match="after 300000 of 300001 bytes"):
            shared.read(300_001)
    finally:
        shared.close()
    shared.close()  # twice is harmless


def _frozen_count() -> int:
    import gc

    return gc.get_freeze_count()


@needs_fork
def test_in_background__objects_are_frozen_for_the_fork_and_given_back_after():
    """gc.freeze() before the fork (the gc module's advice); the parent's collector gets them back at the end."""
    import gc

    assert gc.get_freeze_count() == 0
    with in_background(_frozen_count) as pending:
        assert gc.get_freeze_count() > 0  # frozen here...
        pending.start()
        assert pending.result() > 0  # ...and in the second process
    assert gc.get_freeze_count() == 0
    with pytest.raises(KeyboardInterrupt), in_background(_frozen_count):
        raise KeyboardInterrupt
    assert gc.get_freeze_count() == 0  # given back on the way out of an error too


def test_in_background__without_a_fork_nothing_is_frozen():
    import gc

    with in_background(_frozen_count, fork=False) as pending:
        pending.start()
        assert pending.result() == 0
    assert gc.get_freeze_count() == 0


def _memory_files() -> int:
    """How many of this process's descriptors are a shared arguments file."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += "transcaspian-arguments" in os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
    return count


@needs_fork
@pytest.mark.parametrize("failure", [BlockingIOError(11, "fork: Resource temporarily unavailable"), KeyboardInterrupt()], ids=["fork fails", "Ctrl-C"])
def test_in_background__a_fork_that_fails_leaves_nothing_frozen_or_open(monkeypatch, failure):
    """A failed fork (EAGAIN) runs the function here instead; an interrupt at the fork stops it. Either way nothing is left."""
    import gc
    import multiprocessing.context

    def refuse(process_obj):
        raise failure

    monkeypatch.setattr(multiprocessing.context.ForkProcess, "_Popen", staticmethod(refuse))
    before = _memory_files()
    if isinstance(failure, OSError):
        with in_background(_prepared_and, prepare=_prepare) as pending:
            assert not pending.forked
            pending.start(4)
            assert pending.result() == (os.getpid(), [os.getpid()], 8)
        _PREPARED.clear()
    else:
        with pytest.raises(KeyboardInterrupt), in_background(_prepared_and):
            pass
    assert gc.get_freeze_count() == 0
    assert _memory_files() == before
