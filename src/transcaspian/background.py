"""Run one part of a job in a second process while the first goes on.

A build writes its maps (importing folium, nine pages and two images take
about as long as every other output together) in a second process while the
first writes the layers and exports; on a machine with two or more cores the
build then takes the longer of the two instead of their sum (issue 13).

The second process is a fork, made before the work it is given exists: it
starts with the parent's imported modules and can prepare (import folium,
read the basemap) while the parent computes. The arguments are then written,
pickled, to an anonymous in-memory file both processes hold (one write, however
large: through a pipe, a megabyte went 64 KiB at a time, each step waiting for
the other process's busy interpreter), a pipe says they are there, and the
result comes back through another pipe. Forking is only safe in a process running one
thread (a lock held by another thread at the fork stays held in the child
for ever), and only on Linux is it the documented default; anywhere else,
and whenever the process runs threads (a notebook, a test runner with
threads), and when the fork itself fails (no memory, no processes left), the
function runs in the calling process when its result is asked for. The
result is the same either way; only the time differs.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import signal
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from typing import Any, Generic, TypeVar

from transcaspian.errors import OutputError

T = TypeVar("T")
#: Seconds a stopped second process has to exit after SIGTERM before it is killed.
_GRACE_SECONDS = 5.0
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def can_fork() -> bool:
    """True when :func:`in_background` runs its function in a forked process."""
    return sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


class Pending(Generic[T]):
    """A function run by :func:`in_background`: give it its arguments, then ask for its result."""

    def __init__(self, function: Callable[..., T], prepare: Callable[[], object] | None, fork: bool) -> None:
        self._function = function
        self._prepare = prepare
        self._call: tuple[tuple[Any, ...], dict[str, Any]] | None = None
        self._process: Any = None
        self._send: Connection | None = None
        self._receive: Connection | None = None
        self._arguments: _SharedFile | None = None
        self._done = False
        self._value: Any = None
        self._froze = False
        if fork:
            try:
                self._fork(prepare, function)
            except OSError:
                # No fork or no memory file here (EAGAIN, ENOMEM, a sandbox): the function
                # runs in this process when its result is asked for, as on other systems.
                self._release()
            except BaseException:  # Ctrl-C delivered as the signals are let through again
                self._release()
                raise

    def _fork(self, prepare: Callable[[], object] | None, function: Callable[..., T]) -> None:
        context = multiprocessing.get_context("fork")
        self._arguments = _SharedFile()
        args_receive, args_send = context.Pipe(duplex=False)
        result_receive, result_send = context.Pipe(duplex=False)
        self._send, self._receive = args_send, result_receive
        # With the fork start method neither function is pickled: the child has them already.
        self._process = context.Process(
            target=_child, args=(prepare, function, self._arguments, args_receive, result_send, (args_send, result_receive)), daemon=True
        )
        # Ctrl-C and SIGTERM are held back across the fork: the child inherits the
        # parent's handlers (which raise), and one arriving before the child has
        # replaced them would print a traceback from the child.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        # Every object alive now (the imported libraries: a million or so) leaves the
        # garbage collector's view in both processes, as the gc module advises before
        # a fork: its full collections scanned them again and again, a tenth of a
        # second of a build. in_background() gives them back to this process at the end.
        self._froze = gc.get_freeze_count() == 0
        if self._froze:
            gc.freeze()
        try:
            self._process.start()
        finally:
            # The child holds the other copies: EOF on either end then means the other side is gone.
            args_receive.close()
            result_send.close()
            signal.pthread_sigmask(signal.SIG_SETMASK, held)

    def _release(self) -> None:
        """Undo a fork that failed or was interrupted: no child left, nothing held, nothing frozen."""
        self.cancel()
        self.thaw()
        self._process = self._send = self._receive = self._arguments = None

    @property
    def forked(self) -> bool:
        """Whether the function runs in a second process."""
        return self._process is not None

    def start(self, *args: Any, **kwargs: Any) -> None:
        """Give the function its arguments; in a second process it starts at once.

        The arguments are pickled to a file both processes hold (the second process was
        forked before they existed), so they should be data: frames, dicts,
        paths. Without a second process nothing runs until :meth:`result`.
        """
        if self._call is not None:
            raise RuntimeError("already started")
        self._call = (args, kwargs)
        if self._send is not None and self._arguments is not None:
            # Written whole to the shared file, then announced by their size: the pipe
            # carries a few bytes, so this never waits for the child, busy or not.
            size = self._arguments.write(ForkingPickler.dumps((args, kwargs)))
            self._arguments.close()
            try:
                self._send.send(size)
            except OSError:
                pass  # the child is gone; result() says how
            finally:
                self._send.close()

    def result(self) -> T:
        """Wait for the function and return its value, or raise what it raised.

        Raises
        ------
        RuntimeError
            :meth:`start` was not called.
        OutputError
            The second process died without a result (killed, or crashed).
        """
        if self._call is None:
            raise RuntimeError("start() the function before asking for its result")
        if not self._done:
            if self.forked:
                self._value = self._collect()
            else:
                if self._prepare is not None:
                    self._prepare()
                self._value = self._function(*self._call[0], **self._call[1])
            self._done = True
        return self._value

    def _collect(self) -> Any:
        assert self._receive is not None
        try:
            status, payload = self._receive.recv()
        except EOFError:
            self._process.join()
            name = getattr(self._function, "__name__", "the background part")
            raise OutputError(f"{name} stopped without a result (exit status {self._process.exitcode}); run the command again") from None
        finally:
            self._receive.close()
        self._process.join()
        if status == "error":
            raise payload
        return payload

    def thaw(self) -> None:
        """Give the objects frozen at the fork back to this process's garbage collector.

        (:func:`gc.unfreeze` thaws whatever is frozen: only done when nothing was frozen before the fork.)
        """
        if self._froze:
            gc.unfreeze()
            self._froze = False

    def cancel(self) -> None:
        """Stop the second process if it still runs (on an error or an interrupt in the parent)."""
        for end in (self._send, self._receive):
            if end is not None and not end.closed:
                end.close()
        if self._arguments is not None:
            self._arguments.close()
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            # A library in the child may set its own SIGTERM handler; SIGKILL
            # cannot be caught: the child must never outlive the job.
            self._process.join(_GRACE_SECONDS)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()


def _child(
    prepare: Callable[[], object] | None,
    function: Callable[..., Any],
    arguments: _SharedFile,
    receive: Connection,
    send: Connection,
    parent_ends: tuple[Connection, ...],
) -> None:
    # Ctrl-C is the parent's to handle (it stops this process); SIGTERM, from the
    # parent's cancel(), ends this process at once, as it would any program.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    # The fork copied the parent's ends of both pipes too: closed here, so that
    # the parent closing its own is seen as EOF (no arguments will come).
    for end in parent_ends:
        end.close()
    try:
        if prepare is not None:
            prepare()
        try:
            size = receive.recv()
        except EOFError:  # the parent stopped before giving the arguments
            return
        data = arguments.read(size)
        arguments.close()  # the memory file goes now, not after the call
        args, kwargs = pickle.loads(data)
        del data
        message: tuple[str, Any] = ("ok", function(*args, **kwargs))
    except BaseException as error:  # noqa: BLE001 - everything goes back to the parent, which decides
        message = ("error", _portable(error))
    try:
        send.send(message)
    except BrokenPipeError:
        pass  # the parent is gone
    except Exception as error:  # an unpicklable result: say so rather than die silently
        send.send(("error", _portable(error)))
    finally:
        send.close()
        receive.close()


class _SharedFile:
    """An anonymous file in memory, made before the fork so that both processes hold it.

    The parent writes the pickled arguments once (:meth:`write`); the child
    reads them from the start (:meth:`read`). Positional reads and writes: the
    two processes share the file's offset. Gone when both have closed it.
    """

    def __init__(self) -> None:
        try:
            self._fd = os.memfd_create("transcaspian-arguments", os.MFD_CLOEXEC)
        except (AttributeError, OSError):  # a kernel without memfd: an unlinked temporary file
            self._fd = os.dup(tempfile.TemporaryFile().fileno())

    def write(self, data: bytes | memoryview) -> int:
        view = memoryview(data).cast("B")
        done = 0
        while done < len(view):
            done += os.pwrite(self._fd, view[done:], done)
        return done

    def read(self, size: int) -> bytearray:
        data = bytearray(size)  # read in place: a read of more than 2 GiB comes in pieces, and joining them would copy
        view = memoryview(data)
        done = 0
        while done < size:
            got = os.preadv(self._fd, [view[done:]], done)
            if got == 0:
                raise EOFError(f"the arguments end after {done} of {size} bytes")
            done += got
        return data

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _portable(error: BaseException) -> BaseException:
    """``error`` if it survives pickling, else an OutputError with its text; the child's traceback as a note."""
    import pickle

    detail = "".join(traceback.format_exception(error)).rstrip()
    try:
        copy = pickle.loads(pickle.dumps(error))
    except Exception:  # noqa: BLE001 - any exception type may refuse to pickle
        copy = OutputError(f"{type(error).__name__}: {error}")
    if isinstance(copy, BaseException):
        copy.add_note(f"in the background process:\n{detail}")
        return copy
    return OutputError(f"{type(error).__name__}: {error}")


@contextmanager
def in_background(function: Callable[..., T], *, prepare: Callable[[], object] | None = None, fork: bool | None = None) -> Iterator[Pending[T]]:
    """Run ``function`` in a second process, forked now, started by :meth:`Pending.start`.

    Parameters
    ----------
    function : callable
        What to run; its result must pickle (bytes, str, dicts of them).
    prepare : callable, optional
        Run in the second process as soon as it is forked, while the first
        computes the arguments (e.g. importing a slow library); its result
        is dropped.
    fork : bool, optional
        Force (True) or avoid (False) the second process; by default it is
        used where :func:`can_fork` says it is safe.

    Yields
    ------
    Pending
        Call :meth:`Pending.start` with the arguments, then
        :meth:`Pending.result`, inside the block. Leaving the block
        (normally or by an exception, Ctrl-C or SIGTERM) stops the second
        process if it still runs, so it never outlives the job.

    Examples
    --------
    >>> with in_background(sum) as pending:
    ...     pending.start([1, 2, 3])
    ...     pending.result()
    6
    """
    pending = Pending(function, prepare, can_fork() if fork is None else fork)
    try:
        yield pending
    finally:
        try:
            pending.cancel()
        finally:
            pending.thaw()
