"""Hostile uploads: a workbook that inflates to hundreds of megabytes (a zip bomb, generated
here, never committed) is refused before it is opened, with an error naming the file, and
nothing is written; the parser runs in a child process bounded in memory and time, which may
not touch the database."""

import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pantau.audit.models import AuditEvent

from ..ingest import pipeline, readers, sandbox, services
from ..models import DataImport, DataValue
from .factories import GOOD_ROWS, write_xlsx

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
ROW = (
    b'<row><c t="inlineStr"><is><t>TH</t></is></c><c><v>2020</v></c>'
    b'<c t="inlineStr"><is><t>DRUG_SEIZURE</t></is></c></row>'
)


def zip_bomb(tmp_path: Path, name: str, inflated_bytes: int) -> Path:
    """A real workbook (openpyxl's) whose sheet is replaced by `inflated_bytes` of rows: the
    file stays small (the rows compress about a thousand times)."""
    source = write_xlsx(tmp_path / "source.xlsx", GOOD_ROWS)
    path = tmp_path / name
    chunk = ROW * ((1024 * 1024) // len(ROW))
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as bomb:
        for item in original.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(item, original.read(item.filename), zipfile.ZIP_DEFLATED)
                continue
            info = zipfile.ZipInfo(item.filename)
            info.compress_type = zipfile.ZIP_DEFLATED
            # Streamed: the test never holds the inflated sheet either.
            with bomb.open(info, "w", force_zip64=True) as sheet:
                sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/')
                sheet.write(b'spreadsheetml/2006/main"><sheetData>')
                written = 0
                while written < inflated_bytes:
                    sheet.write(chunk)
                    written += len(chunk)
                sheet.write(b"</sheetData></worksheet>")
    return path


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    path = zip_bomb(
        tmp_path_factory.mktemp("bomb"),
        "bomb.xlsx",
        readers.MAX_WORKBOOK_UNCOMPRESSED_BYTES + 1024**2,
    )
    assert path.stat().st_size < 2 * 1024 * 1024  # small on disk
    return path


def test_a_zip_bomb_is_refused_before_it_is_opened(people, bomb):
    with pytest.raises(readers.UnreadableFile) as refused:
        readers.XlsxReader(bomb)
    assert "bomb.xlsx: the workbook would unpack to 258.0 MB" in refused.value.message
    assert "at most 256.0 MB" in refused.value.message

    events = AuditEvent.objects.count()
    result = pipeline.run_import(acting_user=people.th_focal, path=bomb)

    assert not result.ok
    assert result.data_import.status == "failed"
    assert [(p.line, p.column) for p in result.problems] == [(0, "")]
    assert "bomb.xlsx: the workbook would unpack to" in result.problems[0].message
    assert not DataValue.objects.exists()
    assert AuditEvent.objects.count() == events + 1  # the refusal, and nothing else


def test_a_part_that_inflates_more_than_a_sheet_does_is_refused(tmp_path):
    path = zip_bomb(tmp_path, "dense.xlsx", 20 * 1024 * 1024)  # under the total, ~1000:1
    with pytest.raises(readers.UnreadableFile) as refused:
        readers.XlsxReader(path)
    message = refused.value.message
    assert message.startswith("dense.xlsx: the part xl/worksheets/sheet1.xml of the workbook")
    assert "possible zip bomb" in message


def test_a_bomb_uploaded_on_the_web_fails_in_the_worker_and_writes_nothing(
    people, bomb, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE
    upload = SimpleUploadedFile("bomb.xlsx", bomb.read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        data_import = services.register_import(acting_user=people.th_focal, uploaded_file=upload)

    data_import.refresh_from_db()
    assert data_import.status == "failed"
    assert "bomb.xlsx: the workbook would unpack to" in data_import.problems[0]["message"]
    assert not DataValue.objects.exists()
    assert DataImport.objects.count() == 1


# --- the bounded child process ------------------------------------------------------------------


def _allocate(emit) -> None:
    emit("started")
    hog = bytearray(4 * 1024**3)  # four gigabytes: past the limit below
    emit(len(hog))


def _sleep(emit) -> None:
    time.sleep(60)


def _query(emit) -> None:
    DataValue.objects.count()


def test_the_parser_runs_with_bounded_memory():
    with pytest.raises(sandbox.ParseFailed) as failed:
        sandbox.run_bounded(_allocate, what="big.xlsx", memory=256 * 1024**2)
    assert str(failed.value) == "big.xlsx: reading needs more than 256 MB of memory (the limit)"


def test_the_parser_runs_with_bounded_time():
    with pytest.raises(sandbox.ParseFailed) as failed:
        sandbox.run_bounded(_sleep, what="slow.xml", seconds=0.5)
    assert str(failed.value) == "slow.xml: reading stopped after 0.5 seconds (the limit)"


def test_the_parser_may_not_touch_the_database():
    with pytest.raises(sandbox.ParseFailed) as failed:
        sandbox.run_bounded(_query, what="file.csv")
    assert "may not query the database" in str(failed.value)
    assert DataValue.objects.count() == 0  # the worker's own connection still works


def test_what_the_child_read_comes_back_in_order():
    spool = sandbox.run_bounded(lambda emit: [emit([n, str(n)]) for n in range(3)], what="f")
    try:
        assert list(spool) == [[0, "0"], [1, "1"], [2, "2"]]
        assert list(spool) == [[0, "0"], [1, "1"], [2, "2"]]  # read again (duplicates)
    finally:
        spool.close()
    assert not spool.path.exists()


# --- reading while the child still parses (run_following: what an import uses) ------------------


def _slow_rows(emit) -> None:
    emit([0, "0"])
    time.sleep(1.5)
    emit([1, "1"])


def _fails_midway(emit) -> None:
    emit("first")
    raise ValueError("broken at line 9")


def test_rows_are_read_while_the_child_still_parses():
    spool = sandbox.run_following(_slow_rows, what="f")
    try:
        rows = iter(spool)
        assert next(rows) == [0, "0"]
        assert spool.process.is_alive()  # the first batch came before the child finished
        assert next(rows) == [1, "1"]
        assert list(rows) == []
        assert list(spool) == [[0, "0"], [1, "1"]]  # read again, whole (duplicates)
    finally:
        spool.close()
    assert not spool.path.exists()


def test_a_child_failing_midway_raises_from_the_reading():
    spool = sandbox.run_following(_fails_midway, what="bad.csv")
    rows = iter(spool)
    try:
        assert next(rows) == "first"
        with pytest.raises(sandbox.ParseFailed) as failed:
            next(rows)
    finally:
        spool.close()
    assert str(failed.value) == (
        "bad.csv: reading stopped by an unexpected error (ValueError: broken at line 9)"
    )


def test_the_following_reader_keeps_the_bounds():
    spool = sandbox.run_following(_sleep, what="slow.xml", seconds=0.5)
    with pytest.raises(sandbox.ParseFailed) as failed:
        list(spool)
    spool.close()
    assert str(failed.value) == "slow.xml: reading stopped after 0.5 seconds (the limit)"
    spool = sandbox.run_following(_allocate, what="big.xlsx", memory=256 * 1024**2)
    with pytest.raises(sandbox.ParseFailed) as failed:
        list(spool)
    spool.close()
    assert str(failed.value) == "big.xlsx: reading needs more than 256 MB of memory (the limit)"
    spool = sandbox.run_following(_query, what="file.csv")
    with pytest.raises(sandbox.ParseFailed, match="may not query the database"):
        list(spool)
    spool.close()
    assert DataValue.objects.count() == 0


def test_an_import_whose_parser_fails_after_rows_were_staged_writes_nothing(
    people, tmp_path, monkeypatch
):
    """The worker compares and stages the first rows while the child parses on; the child then
    fails: the import is refused, its problem named, and nothing is written."""
    from .factories import write_csv

    parse = pipeline._parse

    def parse_then_fail(path, structure, writable):
        for n, item in enumerate(parse(path, structure, writable)):
            yield item
            if n == 4:  # the format, the estimate and three rows
                raise RuntimeError("the disk went away")

    monkeypatch.setattr(pipeline, "_parse", parse_then_fail)
    monkeypatch.setattr(pipeline, "SPOOL_BATCH", 1)  # each row handed over at once
    path = write_csv(tmp_path / "good.csv", GOOD_ROWS)
    before = AuditEvent.objects.count()
    result = pipeline.run_import(acting_user=people.admin, path=path)
    assert not result.ok
    assert [p.message for p in result.problems] == [
        "good.csv: reading stopped by an unexpected error (RuntimeError: the disk went away)"
    ]
    assert not DataValue.objects.exists()
    assert DataImport.objects.get().status == "failed"
    assert AuditEvent.objects.count() == before + 1  # the failed import's record only


def test_the_child_keeps_its_time_limit_whatever_the_worker_does_with_sigalrm():
    """A worker with a SIGALRM handler of its own (a timeout library, say): the child still
    stops at its limit, with the limit's message (not an "unexpected error" from the handler)."""
    import signal

    class Alarm(Exception):
        pass

    def handler(signum, frame):
        raise Alarm("the worker's own alarm")

    previous = signal.signal(signal.SIGALRM, handler)
    try:
        spool = sandbox.run_following(_sleep, what="slow.xml", seconds=0.5)
        with pytest.raises(sandbox.ParseFailed) as failed:
            list(spool)
        spool.close()
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert str(failed.value) == "slow.xml: reading stopped after 0.5 seconds (the limit)"


def test_why_the_reading_stopped_is_named_before_the_rows_problems(people, tmp_path, monkeypatch):
    from .factories import write_csv

    parse = pipeline._parse

    def parse_then_fail(path, structure, writable):
        yield from parse(path, structure, writable)
        raise MemoryError  # the child's way of saying it ran out of memory

    monkeypatch.setattr(pipeline, "_parse", parse_then_fail)
    monkeypatch.setattr(pipeline, "SPOOL_BATCH", 1)  # the rows reach the worker first
    bad = [["TH", "2020", "NO_SUCH_INDICATOR", "", "", "", "", "KG", "1", "A", ""]] * 3
    path = write_csv(tmp_path / "big.csv", bad + GOOD_ROWS)
    result = pipeline.run_import(acting_user=people.admin, path=path)
    assert not result.ok and len(result.problems) == 4
    assert result.problems[0].message.startswith("big.csv: reading needs more than")
    assert all("NO_SUCH_INDICATOR" in p.message for p in result.problems[1:])
    assert not DataValue.objects.exists()
