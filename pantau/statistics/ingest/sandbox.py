"""Reading a file in a child process with bounded memory and time. A parser fed a hostile file
(a workbook that inflates to gigabytes, a pathological XML) may take all the memory it is
given; in a child process it takes at most PARSE_MEMORY_BYTES more than the worker already
holds (RLIMIT_AS), for at most PARSE_SECONDS, and whatever it took returns to the system when
the child ends. The child writes what it read to a spool file (pickled batches), which the
worker then reads back one batch at a time: once the child has finished (run_bounded), or while
it still reads, frame by frame as it writes them (run_following).

The child never touches the database: the connections it inherits belong to the worker, so
any query made in it raises ParseFailed instead of corrupting them."""

import multiprocessing
import os
import pickle  # nosec B403
import resource
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _

# Memory the child may take beyond what the worker holds when it forks, and its time.
PARSE_MEMORY_BYTES: int = getattr(settings, "PANTAU_IMPORT_PARSE_MEMORY_BYTES", 1024**3)
PARSE_SECONDS: float = getattr(settings, "PANTAU_IMPORT_PARSE_SECONDS", 600)
# Exit codes of the child beyond 0.
_OUT_OF_MEMORY, _FAILED = 3, 4

Emit = Callable[[Any], None]


class ParseFailed(Exception):
    """The child could not read the file: out of memory, out of time, or it crashed."""


def _virtual_size() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _no_database(execute, sql, params, many, context):
    raise RuntimeError("the parsing child process may not query the database")


def _child(
    produce: Callable[[Emit], None],
    spool: str,
    memory: int,
    error: str,
    framed: bool = False,
    seconds: float | None = None,
) -> None:
    limit = _virtual_size() + memory
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if seconds is not None:
        # Its own deadline: SIGALRM ends it even while the worker is busy with its rows (its
        # default action, whatever the worker had set: ignored or handled, it would not).
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        with open(spool, "wb") as fh:

            def emit(obj: Any) -> None:
                if not framed:
                    pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
                    return
                # Framed and flushed: the worker reading along takes whole frames only.
                payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
                fh.write(len(payload).to_bytes(8, "little") + payload)
                fh.flush()

            for alias in connections:
                connections[alias].execute_wrappers.append(_no_database)
            produce(emit)
    except MemoryError:
        os._exit(_OUT_OF_MEMORY)
    except BaseException as exc:
        Path(error).write_text(f"{type(exc).__name__}: {exc}"[:500])
        os._exit(_FAILED)
    os._exit(0)


class Spool:
    """What the child read, to be read back (more than once) and then removed."""

    def __init__(self, path: Path):
        self.path = path

    def __iter__(self) -> Iterator[Any]:
        with open(self.path, "rb") as fh:
            while True:
                try:
                    yield pickle.load(fh)  # noqa: S301 (written by our own child)  # nosec B301
                except EOFError:
                    return

    def close(self) -> None:
        self.path.unlink(missing_ok=True)


def _failure(process, *, what: str, memory: int, seconds: float, error: str) -> ParseFailed | None:
    """Why the finished child failed, or None when it read the whole file."""
    if process.exitcode == _OUT_OF_MEMORY or process.exitcode == -signal.SIGKILL:
        return ParseFailed(
            _("%(what)s: reading needs more than %(memory)s MB of memory (the limit)")
            % {"what": what, "memory": f"{memory // (1024 * 1024):,}"}
        )
    if process.exitcode == -signal.SIGALRM:
        return _too_slow(what, seconds)
    if process.exitcode != 0:
        try:
            reason = Path(error).read_text()
        except OSError:
            reason = f"exit code {process.exitcode}"
        return ParseFailed(
            _("%(what)s: reading stopped by an unexpected error (%(reason)s)")
            % {"what": what, "reason": reason}
        )
    return None


def _too_slow(what: str, seconds: float) -> ParseFailed:
    return ParseFailed(
        _("%(what)s: reading stopped after %(seconds)s seconds (the limit)")
        % {"what": what, "seconds": f"{seconds:,g}"}
    )


def run_bounded(
    produce: Callable[[Emit], None],
    *,
    what: str,
    memory: int | None = None,
    seconds: float | None = None,
) -> Spool:
    """Run `produce(emit)` in a forked child limited to `memory` bytes more than this process
    holds and to `seconds`; each object it emits is kept in the returned Spool. Raises
    ParseFailed (naming `what`) if the child runs out of memory or time, or fails."""
    memory = PARSE_MEMORY_BYTES if memory is None else memory
    seconds = PARSE_SECONDS if seconds is None else seconds
    fd, name = tempfile.mkstemp(prefix="pantau-parse-", suffix=".spool")
    os.close(fd)
    error = name + ".error"
    spool = Spool(Path(name))
    context = multiprocessing.get_context("fork")
    process = context.Process(target=_child, args=(produce, name, memory, error), daemon=True)
    try:
        process.start()
        process.join(seconds)
        if process.is_alive():
            process.kill()
            process.join()
            raise _too_slow(what, seconds)
        failure = _failure(process, what=what, memory=memory, seconds=seconds, error=error)
        if failure is not None:
            raise failure
    except BaseException:
        spool.close()
        raise
    finally:
        Path(error).unlink(missing_ok=True)
        process.close()
    return spool


class FollowingSpool(Spool):
    """The spool of a child still reading (run_following), in frames (a length, then the
    pickled batch): its first reading follows the child frame by frame, waiting for each; when
    the child failed, it raises ParseFailed (as run_bounded would have) after the frames written
    before the failure; out of time, at once.
    The child only writes the file (nothing it sends can fill a pipe and stop it); its end is
    asked of the system by its pid (a pipe's end could be held open by another process forked
    meanwhile). `close` stops the child if it still runs."""

    POLL_SECONDS = 0.01

    def __init__(self, path: Path, process, *, what, memory, seconds):
        super().__init__(path)
        self.process = process
        self.what, self.memory, self.seconds = what, memory, seconds
        # The child stops itself at `seconds` (SIGALRM); this is the worker's safety net.
        self.deadline = time.monotonic() + seconds + 5
        self.finished = False
        self.failure: ParseFailed | None = None  # how the child ended, when it failed

    def __iter__(self) -> Iterator[Any]:
        with open(self.path, "rb") as fh:
            while True:
                start = fh.tell()
                head = fh.read(8)
                body = fh.read(int.from_bytes(head, "little")) if len(head) == 8 else b""
                if len(head) == 8 and len(body) == int.from_bytes(head, "little"):
                    yield pickle.loads(body)  # noqa: S301 (our own child's)  # nosec B301
                    continue
                fh.seek(start)  # not a whole frame yet
                if self.finished:
                    # Every whole frame the child wrote has been read: then its failure, if
                    # it failed (the same rows whenever the worker caught up).
                    if self.failure is not None:
                        raise self.failure
                    return
                self._wait()

    def _wait(self) -> None:
        """Until the child has written more, or has ended (then how: `failure`)."""
        self.process.join(self.POLL_SECONDS)  # ends early when the child does
        if self.process.exitcode is None:  # still reading (waitpid, not a pipe)
            if time.monotonic() > self.deadline:
                self._stop()
                raise _too_slow(self.what, self.seconds)
            return
        self.failure = _failure(
            self.process,
            what=self.what,
            memory=self.memory,
            seconds=self.seconds,
            error=self._error,
        )
        self.finished = True

    @property
    def _error(self) -> str:
        return str(self.path) + ".error"

    def _stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()

    def close(self) -> None:
        self._stop()
        Path(self._error).unlink(missing_ok=True)
        super().close()


def run_following(
    produce: Callable[[Emit], None],
    *,
    what: str,
    memory: int | None = None,
    seconds: float | None = None,
) -> FollowingSpool:
    """run_bounded without waiting for the child: the returned spool is read while the child
    still writes it (the worker checks rows against the database while the child parses the
    next ones, on another core). The same bounds; ParseFailed comes from the reading."""
    memory = PARSE_MEMORY_BYTES if memory is None else memory
    seconds = PARSE_SECONDS if seconds is None else seconds
    fd, name = tempfile.mkstemp(prefix="pantau-parse-", suffix=".spool")
    os.close(fd)
    context = multiprocessing.get_context("fork")
    process = context.Process(
        target=_child, args=(produce, name, memory, name + ".error", True, seconds), daemon=True
    )
    try:
        process.start()
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return FollowingSpool(Path(name), process, what=what, memory=memory, seconds=seconds)
