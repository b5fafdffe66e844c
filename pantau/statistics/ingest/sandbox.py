"""Reading a file in a child process with bounded memory and time. A parser fed a hostile file
(a workbook that inflates to gigabytes, a pathological XML) may take all the memory it is
given; in a child process it takes at most PARSE_MEMORY_BYTES more than the worker already
holds (RLIMIT_AS), for at most PARSE_SECONDS, and whatever it took returns to the system when
the child ends. The child writes what it read to a spool file (pickled batches), which the
worker then reads back one batch at a time.

The child never touches the database: the connections it inherits belong to the worker, so
any query made in it raises ParseFailed instead of corrupting them."""

import multiprocessing
import os
import pickle  # nosec B403
import resource
import tempfile
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


def _child(produce: Callable[[Emit], None], spool: str, memory: int, error: str) -> None:
    limit = _virtual_size() + memory
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        with open(spool, "wb") as fh:

            def emit(obj: Any) -> None:
                pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)

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
            raise ParseFailed(
                _("%(what)s: reading stopped after %(seconds)s seconds (the limit)")
                % {"what": what, "seconds": f"{seconds:,g}"}
            )
        if process.exitcode == _OUT_OF_MEMORY or process.exitcode == -9:
            raise ParseFailed(
                _("%(what)s: reading needs more than %(memory)s MB of memory (the limit)")
                % {"what": what, "memory": f"{memory // (1024 * 1024):,}"}
            )
        if process.exitcode != 0:
            try:
                reason = Path(error).read_text()
            except OSError:
                reason = f"exit code {process.exitcode}"
            raise ParseFailed(
                _("%(what)s: reading stopped by an unexpected error (%(reason)s)")
                % {"what": what, "reason": reason}
            )
    except BaseException:
        spool.close()
        raise
    finally:
        Path(error).unlink(missing_ok=True)
        process.close()
    return spool
