"""Run one part of a job in a second process while the first goes on.

A build draws its static images with matplotlib (importing it and drawing
two figures takes about as long as every other output together) while the
same process writes the layers, exports and web pages; on a machine with two
or more cores the build then takes the longer of the two instead of their
sum (issue 13).

The second process is a fork: it starts with the parent's memory (the
measured data, the imported modules), so nothing is copied in, and sends its
result back through a pipe. Forking is only safe in a process running one
thread (a lock held by another thread at the fork stays held in the child
for ever), and only on Linux is it the documented default; anywhere else,
and whenever the process runs threads (a notebook, a test runner with
threads), the function runs in the calling process when its result is asked
for. The result is the same either way; only the time differs.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

from transcaspian.errors import OutputError

T = TypeVar("T")


def can_fork() -> bool:
    """True when :func:`in_background` runs its function in a forked process."""
    return sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


class Pending(Generic[T]):
    """The result of a function started by :func:`in_background`."""

    def __init__(self, function: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any], fork: bool) -> None:
        self._call = (function, args, kwargs)
        self._process: Any = None
        self._receive: Connection | None = None
        self._done = False
        self._value: Any = None
        if fork:
            context = multiprocessing.get_context("fork")
            receive, send = context.Pipe(duplex=False)
            # With the fork start method neither the function nor its arguments are pickled.
            self._process = context.Process(target=_child, args=(function, args, kwargs, send), daemon=True)
            self._process.start()
            send.close()  # the child holds the other copy; EOF here then means the child is gone
            self._receive = receive

    @property
    def forked(self) -> bool:
        """Whether the function runs in a second process."""
        return self._process is not None

    def result(self) -> T:
        """Wait for the function and return its value, or raise what it raised.

        Raises
        ------
        OutputError
            The second process died without a result (killed, or crashed).
        """
        if not self._done:
            self._value = self._collect() if self.forked else self._call[0](*self._call[1], **self._call[2])
            self._done = True
        return self._value

    def _collect(self) -> Any:
        assert self._receive is not None
        try:
            status, payload = self._receive.recv()
        except EOFError:
            self._process.join()
            name = getattr(self._call[0], "__name__", "the background part")
            raise OutputError(f"{name} stopped without a result (exit status {self._process.exitcode}); run the command again") from None
        finally:
            self._receive.close()
        self._process.join()
        if status == "error":
            raise payload
        return payload

    def cancel(self) -> None:
        """Stop the second process if it still runs (on an error or an interrupt in the parent)."""
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join()


def _child(function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], send: Connection) -> None:
    try:
        message: tuple[str, Any] = ("ok", function(*args, **kwargs))
    except BaseException as error:  # noqa: BLE001 - everything goes back to the parent, which decides
        message = ("error", _portable(error))
    try:
        send.send(message)
    except Exception as error:  # an unpicklable result: say so rather than die silently
        send.send(("error", _portable(error)))
    finally:
        send.close()


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
def in_background(function: Callable[..., T], *args: Any, fork: bool | None = None, **kwargs: Any) -> Iterator[Pending[T]]:
    """Start ``function(*args, **kwargs)`` in a second process; its result when asked for.

    Parameters
    ----------
    function : callable
        What to run; its result must pickle (bytes, str, dicts of them).
    *args, **kwargs
        Its arguments (not copied: the child sees the parent's memory).
    fork : bool, optional
        Force (True) or avoid (False) the second process; by default it is
        used where :func:`can_fork` says it is safe.

    Yields
    ------
    Pending
        Call :meth:`Pending.result` inside the block. Leaving the block
        (normally or by an exception, Ctrl-C or SIGTERM) stops the second
        process if it still runs, so it never outlives the job.

    Examples
    --------
    >>> with in_background(sum, [1, 2, 3]) as pending:
    ...     pending.result()
    6
    """
    pending = Pending(function, args, kwargs, can_fork() if fork is None else fork)
    try:
        yield pending
    finally:
        pending.cancel()
