"""Ctrl-C: stop the command and every process it started at once; one line, exit code 130.

Python turns SIGINT into KeyboardInterrupt only between two bytecodes of the main thread,
and whatever catches it may then clean up for a long time: a process pool waits for its
running jobs, a dask cluster says goodbye to its workers (and their event loops print
tracebacks while it does). So, while :func:`handling_interrupts` is active, SIGINT only wakes
a watcher thread (through :func:`signal.set_wakeup_fd`), which stops every descendant
process (all stopped first, so that none starts another), prints ``lyapunov: interrupted``
and ends the process with exit code 130, running no cleanup code that could hang; the
stopped processes are killed the moment it has ended. The processes the command starts
inherit SIGINT blocked, so that a terminal's Ctrl-C, which reaches the whole process group,
makes none of them print a traceback first (multiprocessing's resource tracker unblocks it
in the thread that starts it: :mod:`lyapunov.sweep.cluster` starts it beforehand). Where
this cannot be installed (not the main thread, no POSIX signals), SIGINT is Python's
KeyboardInterrupt, which :func:`lyapunov.cli.main` reports the same way.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Iterator

__all__ = [
    "EXIT_INTERRUPT",
    "MESSAGE",
    "handling_interrupts",
    "quick_interrupts",
    "descendants",
    "freeze_descendants",
    "stop_descendants",
]

#: the exit code of a command stopped by Ctrl-C (128 + SIGINT, as a shell reports it)
EXIT_INTERRUPT = 130
MESSAGE = "interrupted"


def descendants(pid: int | None = None) -> list[int]:
    """The processes started by ``pid`` (default: this process), their children and so on
    (psutil where installed, else /proc; empty where neither says)."""
    pid = os.getpid() if pid is None else pid
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        try:
            return [p.pid for p in psutil.Process(pid).children(recursive=True)]
        except psutil.Error:
            return []
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(pid, sig)


def freeze_descendants() -> set[int]:
    """Stop (SIGSTOP) every descendant of this process, repeating until no new one appears,
    so that none can start another; returns their ids."""
    stopped: set[int] = set()
    for _ in range(100):
        new = [p for p in descendants() if p not in stopped]
        if not new:
            break
        for p in new:
            _signal(p, signal.SIGSTOP)
        stopped.update(new)
    return stopped


def stop_descendants() -> None:
    """Kill every descendant of this process (frozen first, then SIGKILL)."""
    for p in freeze_descendants():
        _signal(p, signal.SIGKILL)


def _flush(timeout: float = 0.5) -> None:
    """Flush stdout and stderr, giving up after ``timeout`` seconds (the main thread may be
    holding their locks, blocked on a full pipe)."""

    def flush() -> None:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()

    t = threading.Thread(target=flush, daemon=True)
    t.start()
    t.join(timeout)


def _say(prog: str, fd: int) -> None:
    """The one line, on file descriptor ``fd`` (after a newline on a terminal, past its ^C)."""
    lead = "\n" if os.isatty(fd) else ""
    with contextlib.suppress(OSError):
        os.write(fd, f"{lead}{prog}: {MESSAGE}\n".encode())


def _stop(prog: str, err: int) -> None:
    """Freeze the descendants (stopped processes close no connection, so the command's own
    threads notice nothing), flush what was printed, say so on ``err`` (the standard error
    of the start, whatever file descriptor 2 is now) and exit at once; the frozen processes
    are killed once this process has ended (:func:`_kill_after_exit`)."""
    frozen = freeze_descendants()
    _flush()
    _say(prog, err)
    _kill_after_exit(frozen)
    os._exit(EXIT_INTERRUPT)


def _kill_after_exit(pids: set[int]) -> None:
    """Kill ``pids`` (SIGKILL) once this process has exited, from a forked process.

    Killed while this process still ran, a worker would be noticed by the threads of the
    command (dask's nanny restarts it, multiprocessing relaunches its resource tracker, and
    what they start prints tracebacks); after the exit no thread of it is left to notice.
    Where fork is refused they are killed here and now."""
    if not pids:
        return
    parent = os.getpid()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # fork of a process with threads: this child
            child = os.fork()  # calls nothing but getppid, kill and _exit
    except OSError:
        child = -1
    if child == 0:
        try:
            deadline = time.monotonic() + 10
            while os.getppid() == parent and time.monotonic() < deadline:
                time.sleep(0.002)  # reparented the moment the command exits
            for p in pids:
                _signal(p, signal.SIGKILL)
        finally:
            os._exit(0)
    if child < 0:
        for p in pids:
            _signal(p, signal.SIGKILL)


def _watch(fd: int, prog: str, err: int) -> None:
    while True:
        try:
            data = os.read(fd, 512)
        except OSError:
            return
        if not data:  # the write end was closed: handling_interrupts has ended
            for end in (fd, err):
                with contextlib.suppress(OSError):
                    os.close(end)
            return
        if signal.SIGINT in data:
            _stop(prog, err)


def _ignore(signum, frame) -> None:
    """SIGINT's Python handler: nothing (the watcher thread acts on the wakeup byte)."""


@contextlib.contextmanager
def handling_interrupts(prog: str = "lyapunov") -> Iterator[None]:
    """Within this block SIGINT stops the process and its descendants at once (module
    docstring); the previous handler is restored afterwards."""
    posix = hasattr(signal, "SIGKILL") and hasattr(signal, "set_wakeup_fd")
    if not posix or threading.current_thread() is not threading.main_thread():
        yield
        return
    try:
        err = os.dup(2)
    except OSError:
        err = os.open(os.devnull, os.O_WRONLY)
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    try:
        old_fd = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
        old_handler = signal.signal(signal.SIGINT, _ignore)
    except (ValueError, OSError):  # e.g. an embedding that owns the signals
        for end in (read_end, write_end, err):
            os.close(end)
        yield
        return
    watcher = threading.Thread(
        target=_watch, args=(read_end, prog, err), daemon=True, name="lyapunov-interrupt"
    )
    watcher.start()
    # SIGINT blocked in this thread, so delivered to the watcher; every thread started from
    # here on and every process they start inherit the block: a terminal's Ctrl-C, sent to
    # the whole process group, reaches only this process, and no worker prints a traceback
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
        signal.signal(signal.SIGINT, old_handler)
        signal.set_wakeup_fd(old_fd)
        os.close(write_end)


@contextlib.contextmanager
def quick_interrupts(prog: str = "lyapunov") -> Iterator[None]:
    """While the command modules load (seconds, before any process is started), Ctrl-C
    prints the one line and exits with 130 at once, not a KeyboardInterrupt traceback from
    inside an import. Only where SIGINT has Python's default handler (a host's own handler
    is left alone); the default is restored afterwards."""
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return

    def handler(signum, frame) -> None:
        _say(prog, 2)
        os._exit(EXIT_INTERRUPT)

    signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
