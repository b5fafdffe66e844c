"""Reading the text of an uploaded PDF or DOCX, in a child process with limits.

The worker runs `python -m pantau.clearinghouse.extract PATH KIND` under resource limits
(address space, CPU seconds, no file writes) and a wall-clock timeout (run_extraction): a
hostile file can exhaust the child, never the worker or the server. The child prints one JSON
object: {"ok": true, "text": ..., "pages": n} or {"ok": false, "problem": ...}.
This module imports nothing of Django, so the child starts quickly and holds no connection."""

import json
import os
import subprocess  # nosec B404
import sys
import zipfile
from dataclasses import dataclass

MAX_PAGES = 2_000
MAX_DECOMPRESSED = 200 * 1024 * 1024  # bytes of page content a PDF may inflate to
MAX_DOCX_ENTRIES = 5_000
MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, for a zip entry over 1 MB
MAX_TEXT = 5_000_000  # characters kept of a document's text
MEMORY_BYTES = 1024 * 1024 * 1024
CPU_SECONDS = 60
WALL_SECONDS = 90


class Refused(Exception):
    """The file is refused, with the reason the submitter reads."""


def _pdf(path: str) -> tuple[str, int]:
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PdfReadError

    try:
        reader = PdfReader(path, strict=False)
    except PdfReadError as exc:
        raise Refused(f"not a readable PDF ({exc})") from exc
    if reader.is_encrypted:
        raise Refused("the PDF is encrypted (password-protected); upload it without protection")
    count = len(reader.pages)
    if count > MAX_PAGES:
        raise Refused(f"the PDF has {count} pages, more than the {MAX_PAGES} accepted")
    try:
        return _pdf_text(reader, count)
    except LimitReachedError as exc:
        raise Refused("the PDF inflates far beyond its size (a decompression bomb?)") from exc


def _pdf_text(reader, count: int) -> tuple[str, int]:
    parts: list[str] = []
    inflated = 0
    size = 0
    for page in reader.pages:
        contents = page.get_contents()
        if contents is not None:
            inflated += len(contents.get_data())
            if inflated > MAX_DECOMPRESSED:
                raise Refused("the PDF's pages inflate to more than 200 MB (a decompression bomb?)")
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
        if size > MAX_TEXT:
            break
    return "\n".join(parts)[:MAX_TEXT], count


def _docx(path: str) -> tuple[str, int]:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise Refused("not a readable DOCX (not a zip archive)") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_DOCX_ENTRIES:
            raise Refused("the DOCX has too many parts")
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(
                info.compress_size, 1
            ):
                raise Refused("the DOCX inflates far beyond its size (a decompression bomb?)")
        if total > MAX_DOCX_UNCOMPRESSED:
            raise Refused("the DOCX inflates to more than 200 MB")
        if "word/document.xml" not in archive.namelist():
            raise Refused("not a Word document (no word/document.xml)")
    import docx

    document = docx.Document(path)
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(parts)[:MAX_TEXT], 0


def extract(path: str, kind: str) -> dict:
    try:
        text, pages = _pdf(path) if kind == "pdf" else _docx(path)
    except Refused as exc:
        return {"ok": False, "problem": str(exc)}
    except MemoryError:
        return {"ok": False, "problem": "reading the file needed more memory than allowed"}
    except Exception as exc:  # a malformed file: refused with what the reader said
        return {"ok": False, "problem": f"the file could not be read ({type(exc).__name__})"}
    return {"ok": True, "text": text, "pages": pages}


def _limit() -> None:  # pragma: no cover - runs in the child
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NPROC, (64, 64))


@dataclass
class Extraction:
    ok: bool
    text: str = ""
    pages: int = 0
    problem: str = ""


def run_extraction(
    path: str, kind: str, *, memory: int = MEMORY_BYTES, cpu: int = CPU_SECONDS
) -> Extraction:
    """Read the file in a limited child process; a child killed by a limit is a refusal."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PANTAU_EXTRACT_MEMORY": str(memory),
        "PANTAU_EXTRACT_CPU": str(cpu),
    }
    try:
        done = subprocess.run(  # nosec B603
            [sys.executable, "-m", "pantau.clearinghouse.extract", path, kind],
            capture_output=True,
            timeout=WALL_SECONDS,
            env=env,
            cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Extraction(False, problem="reading the file took longer than allowed")
    if done.returncode != 0:
        return Extraction(
            False, problem="reading the file exceeded the time or memory allowed and was stopped"
        )
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        return Extraction(False, problem="the file could not be read")
    if not answer.get("ok"):
        return Extraction(False, problem=answer.get("problem", "the file could not be read"))
    return Extraction(True, text=answer["text"], pages=answer["pages"])


def main() -> None:  # pragma: no cover - runs in the child
    global MEMORY_BYTES, CPU_SECONDS
    MEMORY_BYTES = int(os.environ.get("PANTAU_EXTRACT_MEMORY", MEMORY_BYTES))
    CPU_SECONDS = int(os.environ.get("PANTAU_EXTRACT_CPU", CPU_SECONDS))
    _limit()
    sys.stdout.write(json.dumps(extract(sys.argv[1], sys.argv[2])))


if __name__ == "__main__":
    main()
