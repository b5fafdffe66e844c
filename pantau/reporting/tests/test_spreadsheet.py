"""The spreadsheet round-trip of a country report: the XLSX template a focal point downloads,
fills offline and uploads back; the preview of what it changes; applying all rows or none.

Every test reads real files with openpyxl. Refused uploads leave the entries exactly as they
were: at most the upload itself is recorded (with its problems), never an entry change."""

import datetime
import io
import os
import zipfile

import pytest
from django.db.models import Max
from django.test import override_settings
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from pantau.audit.models import AuditEvent
from pantau.core.exceptions import PermissionDenied
from pantau.reporting import services, spreadsheet
from pantau.reporting.models import ActivityStatus, CountryReport, ReportUpload
from pantau.workplan.models import Activity, WorkPlan

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- fixtures and helpers ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Users are made with a password; Argon2 would make each one cost half a second here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cycle(make_user):
    return services.open_cycle(
        acting_user=make_user("secretariat"),
        plan=WorkPlan.objects.get(code="2016-2025"),
        year=2024,
        deadline=datetime.date(2025, 3, 31),
    )


def report_of(code: str) -> CountryReport:
    return CountryReport.objects.select_related("member_state", "cycle__plan").get(
        member_state__code=code, cycle__year=2024
    )


@pytest.fixture
def th(cycle) -> CountryReport:
    return report_of("TH")


@pytest.fixture
def th_focal(make_user):
    return make_user("focal_point", "TH")


def reportable_codes() -> list[str]:
    return list(
        Activity.objects.filter(plan__code="2016-2025")
        .reportable()
        .order_by("order")
        .values_list("code", flat=True)
    )


def entries_state(report: CountryReport) -> list[tuple]:
    """Every stored value of every entry of the report, versions included."""
    return list(
        ActivityStatus.objects.filter(report=report)
        .order_by("activity__order")
        .values_list("activity__code", *services.ENTRY_FIELDS, "version", "updated_by")
    )


def last_event_id() -> int:
    return AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0


def events_since(event_id: int) -> list[str]:
    return list(
        AuditEvent.objects.filter(id__gt=event_id).order_by("id").values_list("action", flat=True)
    )


def url(name: str, code: str = "TH", **extra) -> str:
    return reverse(f"reporting:{name}", kwargs={"ref_area": code, "year": 2024, **extra})


def download(client, user, code: str = "TH") -> bytes:
    client.force_login(user)
    response = client.get(url("xlsx-template", code))
    assert response.status_code == 200, response.content[:200]
    return response.content


def workbook(content: bytes):
    return load_workbook(io.BytesIO(content))


def header_row(ws) -> int:
    return next(r for r in range(1, 30) if ws.cell(row=r, column=1).value == "Code")


def rows_by_code(ws) -> dict[str, int]:
    first = header_row(ws) + 1
    return {
        ws.cell(row=r, column=1).value: r
        for r in range(first, ws.max_row + 1)
        if ws.cell(row=r, column=1).value
    }


def as_file(wb_or_bytes, name: str = "th-2024.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    if isinstance(wb_or_bytes, bytes):
        content = wb_or_bytes
    else:
        out = io.BytesIO()
        wb_or_bytes.save(out)
        content = out.getvalue()
    return SimpleUploadedFile(name, content, content_type=XLSX)


def upload(client, user, file, code: str = "TH"):
    client.force_login(user)
    return client.post(url("xlsx-upload", code), {"file": file})


def last_upload() -> ReportUpload:
    return ReportUpload.objects.order_by("-pk").first()


def problems_of(response) -> list[dict]:
    return list(response.context["problems"])


# --- the template ------------------------------------------------------------------------------


def test_template_has_one_locked_row_per_reportable_activity_in_plan_order(
    client, th, th_focal, django_assert_max_num_queries
):
    client.force_login(th_focal)
    with django_assert_max_num_queries(12):
        response = client.get(url("xlsx-template"))
    assert response["Content-Type"] == XLSX
    assert 'filename="pantau-TH-2024-v1.xlsx"' in response["Content-Disposition"]

    wb = workbook(response.content)
    ws = wb["Report"]
    header = header_row(ws)
    assert [c.value for c in ws[header]] == [
        "Code",
        "Activity",
        "Status",
        "What was done",
        "Lead agency",
        "Partners",
        "Period from",
        "Period to",
    ]
    codes = [ws.cell(row=r, column=1).value for r in range(header + 1, ws.max_row + 1)]
    assert len(codes) == 81
    assert codes == reportable_codes()

    title = [ws.cell(row=r, column=c).value for r in range(1, header) for c in (1, 2)]
    assert "Thailand (TH)" in title and "2024" in title and "Draft" in title
    assert "Illustrative demo data" not in title

    # A sub-activity shows its parent's heading.
    row = rows_by_code(ws)["15.b.ii"]
    assert ws.cell(row=row, column=2).value.startswith("Treatment and Rehabilitation Modality\n")

    # The status column is a drop-down of the human labels over every data row.
    first, last = header + 1, header + 81
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1
    assert str(lists[0].sqref) == f"C{first}:C{last}"
    assert "Ongoing / continuous" in lists[0].formula1 and "In progress" in lists[0].formula1

    # Only C-H of the data rows can be edited.
    assert ws.protection.sheet is True
    for r in (first, last):
        assert ws.cell(row=r, column=1).protection.locked is True
        assert ws.cell(row=r, column=2).protection.locked is True
        for c in range(3, 9):
            assert ws.cell(row=r, column=c).protection.locked is False
    assert ws.cell(row=header, column=3).protection.locked is True

    meta = wb["_pantau"]
    assert meta.sheet_state == "hidden"
    assert meta.protection.sheet is True
    identity = {k: v for k, v, *_ in meta.iter_rows(values_only=True)}
    assert identity["ref_area"] == "TH"
    assert identity["year"] == "2024"
    assert identity["version"] == "1"
    assert identity["plan"] == "2016-2025"
    assert identity["format"] == spreadsheet.FORMAT_VERSION


def test_demo_report_says_so(client, th, th_focal):
    CountryReport.objects.filter(pk=th.pk).update(is_demo=True)
    ws = workbook(download(client, th_focal))["Report"]
    assert "Illustrative demo data" in [ws.cell(row=r, column=1).value for r in range(1, 12)]


def test_template_is_prefilled_and_formula_injection_is_neutralised(client, th, th_focal):
    entry = th.entries.get(activity__code="9.c")
    services.save_entry(
        acting_user=th_focal,
        entry=entry,
        version=entry.version,
        status="completed",
        narrative='=HYPERLINK("http://evil.example","click")',
        lead_agency="+66 2 245 9350",
        partners="@SUM(A1:A2)",
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 6, 30),
    )
    content = download(client, th_focal)
    wb = workbook(content)
    ws = wb["Report"]
    row = rows_by_code(ws)["9.c"]
    cells = {c: ws.cell(row=row, column=c) for c in range(3, 9)}
    assert cells[3].value == "Completed"
    assert cells[4].value == '\'=HYPERLINK("http://evil.example","click")'
    assert cells[5].value == "'+66 2 245 9350"
    assert cells[6].value == "'@SUM(A1:A2)"
    assert cells[7].value == datetime.datetime(2024, 1, 1)
    assert cells[8].value == datetime.datetime(2024, 6, 30)
    formulas = [
        c.coordinate for s in wb.worksheets for r in s.iter_rows() for c in r if c.data_type == "f"
    ]
    assert formulas == []

    # The neutralised text reads back as what was saved: uploading the untouched template
    # changes nothing.
    before = entries_state(th)
    upload(client, th_focal, as_file(content))
    assert spreadsheet.counts(last_upload().rows) == {"created": 0, "changed": 0, "unchanged": 81}
    assert entries_state(th) == before


# --- the round trip ----------------------------------------------------------------------------


def test_round_trip_download_fill_upload_preview_apply(client, th, th_focal):
    # One entry was filled on the web before the download: the file changes it.
    entry = th.entries.get(activity__code="1.a")
    services.save_entry(
        acting_user=th_focal,
        entry=entry,
        version=entry.version,
        status="planned",
        narrative="x\r\ny",
    )
    wb = workbook(download(client, th_focal))
    ws = wb["Report"]
    rows = rows_by_code(ws)
    ws.cell(row=rows["1.a"], column=3).value = "Completed"
    ws.cell(row=rows["2.a"], column=3).value = "IN_PROGRESS"  # an API key, any case
    ws.cell(row=rows["2.a"], column=4).value = "Regional information network set up"
    ws.cell(row=rows["2.a"], column=5).value = "ONCB"
    ws.cell(row=rows["2.a"], column=6).value = "UNODC"
    ws.cell(row=rows["2.a"], column=7).value = datetime.date(2024, 1, 15)
    ws.cell(row=rows["2.a"], column=8).value = "2024-12-31"  # text dates are accepted too
    ws.cell(row=rows["15.b.ii"], column=3).value = "ongoing / continuous"
    ws.cell(row=rows["16"], column=4).value = "- research repository online"
    before_events = last_event_id()

    response = upload(client, th_focal, as_file(wb))
    registered = last_upload()
    assert response.status_code == 302
    assert response["Location"] == url("xlsx-preview", pk=registered.pk)

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["counts"] == {"created": 3, "changed": 1, "unchanged": 77}
    assert page.context["problems"] == []
    assert page.context["can_apply"] is True
    by_code = {c["code"]: c for c in page.context["changes"]}
    assert by_code["1.a"]["change"] == "changed"
    # The multi-line narrative saved on the web is not a change (only "\r\n" vs "\n").
    assert [f["label"] for f in by_code["1.a"]["fields"]] == ["Status"]
    assert by_code["2.a"]["change"] == "created"
    assert b"Apply all 4 changes" in page.content
    assert th.entries.get(activity__code="2.a").status == ""  # nothing written yet

    response = client.post(url("xlsx-apply", pk=registered.pk))
    assert response.status_code == 302
    assert response["Location"] == url("report")

    saved = {e.activity.code: e for e in th.entries.select_related("activity")}
    assert saved["1.a"].status == "completed"
    assert saved["1.a"].narrative == "x\r\ny"
    assert saved["1.a"].version == 3
    e = saved["2.a"]
    assert (e.status, e.narrative, e.lead_agency, e.partners) == (
        "in_progress",
        "Regional information network set up",
        "ONCB",
        "UNODC",
    )
    assert (e.period_start, e.period_end) == (
        datetime.date(2024, 1, 15),
        datetime.date(2024, 12, 31),
    )
    assert e.version == 2 and e.updated_by == th_focal
    assert saved["15.b.ii"].status == "ongoing"
    assert saved["16"].narrative == "- research repository online"
    assert saved["1.b"].version == 1

    actions = events_since(before_events)
    assert actions == [
        "reporting.upload.register",
        *["reporting.entry.update"] * 4,
        "reporting.upload.apply",
    ]
    update = AuditEvent.objects.filter(id__gt=before_events, action="reporting.entry.update").get(
        object_id=str(e.pk)
    )
    assert update.before["status"] == "" and update.after["status"] == "in_progress"
    assert update.actor == th_focal and update.member_state == "TH"
    registered.refresh_from_db()
    assert registered.applied_at is not None

    # The same file again: all unchanged.
    after = entries_state(th)
    upload(client, th_focal, as_file(wb))
    assert spreadsheet.counts(last_upload().rows) == {"created": 0, "changed": 0, "unchanged": 81}

    # The same upload applied twice is refused.
    mark = last_event_id()
    response = client.post(url("xlsx-apply", pk=registered.pk), follow=True)
    assert "was applied on" in response.content.decode()
    assert entries_state(th) == after
    assert events_since(mark) == []


def test_entry_saved_after_the_preview_makes_apply_fail_and_apply_nothing(
    client, th, th_focal, make_user
):
    wb = workbook(download(client, th_focal))
    ws = wb["Report"]
    rows = rows_by_code(ws)
    ws.cell(row=rows["1.a"], column=3).value = "Completed"
    ws.cell(row=rows["3.c"], column=3).value = "Planned"
    upload(client, th_focal, as_file(wb))
    registered = last_upload()

    colleague = make_user("focal_point", "TH")
    entry = th.entries.get(activity__code="3.c")
    services.save_entry(acting_user=colleague, entry=entry, version=entry.version, narrative="mine")
    before, mark = entries_state(th), last_event_id()

    page = client.get(url("xlsx-preview", pk=registered.pk))
    assert page.context["stale"] == ["3.c"] and page.context["can_apply"] is False

    response = client.post(url("xlsx-apply", pk=registered.pk), follow=True)
    assert "3.c changed in Pantau after this file was uploaded" in response.content.decode()
    assert entries_state(th) == before
    assert events_since(mark) == []
    registered.refresh_from_db()
    assert registered.applied_at is None

    with pytest.raises(spreadsheet.UploadConflict):
        spreadsheet.apply_upload(acting_user=th_focal, upload=registered)
    assert entries_state(th) == before


# --- bad files ---------------------------------------------------------------------------------


def _edit(content: bytes, code: str, column: int, value) -> Workbook:
    wb = workbook(content)
    ws = wb["Report"]
    ws.cell(row=rows_by_code(ws)[code], column=column).value = value
    return wb


def _assert_refused(client, th, user, file, *expected: str) -> list[dict]:
    """The upload is shown with its problems, no Apply button, and nothing but the upload
    itself is recorded."""
    before, mark = entries_state(th), last_event_id()
    response = upload(client, user, file)
    assert response.status_code == 302
    page = client.get(response["Location"])
    problems = problems_of(page)
    assert problems, "expected problems"
    text = page.content.decode()
    for part in expected:
        assert any(part in f"{p['row']} {p['column']} {p['message']}" for p in problems), (
            part,
            problems,
        )
    assert all(p["file"] == file.name for p in problems)
    assert page.context["can_apply"] is False and "Apply all" not in text
    assert entries_state(th) == before
    assert events_since(mark) == ["reporting.upload.register"]
    registered = last_upload()
    assert registered.rows == [] and registered.applied_at is None
    with pytest.raises(spreadsheet.UploadError):
        spreadsheet.apply_upload(acting_user=user, upload=registered)
    assert entries_state(th) == before
    return problems


def test_template_of_another_country_is_refused(client, th, th_focal, make_user):
    my_content = download(client, make_user("focal_point", "MY"), "MY")
    problems = _assert_refused(
        client,
        th,
        th_focal,
        as_file(my_content, "my-2024.xlsx"),
        "this template is for MY 2024, not TH 2024",
    )
    assert problems[0]["row"] is None


def test_unknown_activity_code_is_refused(client, th, th_focal):
    wb = _edit(download(client, th_focal), "1.a", 1, "99.z")
    row = rows_by_code(wb["Report"])["99.z"]
    _assert_refused(
        client, th, th_focal, as_file(wb), f'{row} A (Code) "99.z" is not a reportable activity'
    )


def test_code_twice_is_refused(client, th, th_focal):
    wb = _edit(download(client, th_focal), "1.b", 1, "1.a")
    ws = wb["Report"]
    first = header_row(ws) + 1
    _assert_refused(
        client,
        th,
        th_focal,
        as_file(wb),
        f"{first + 1} A (Code) 1.a appears twice (first in row {first})",
    )


def test_invalid_status_is_refused(client, th, th_focal):
    content = download(client, th_focal)
    wb = _edit(content, "4.b", 3, "Done")
    wb["Report"].cell(row=rows_by_code(wb["Report"])["4.c"], column=3).value = "Completed"
    row = rows_by_code(wb["Report"])["4.b"]
    _assert_refused(client, th, th_focal, as_file(wb), f'{row} C (Status) "Done" is not a status')


def test_dates_that_are_not_dates_and_reversed_periods_are_refused(client, th, th_focal):
    wb = _edit(download(client, th_focal), "5.a", 7, "31/01/2024")
    ws = wb["Report"]
    rows = rows_by_code(ws)
    ws.cell(row=rows["5.b"], column=7).value = datetime.date(2024, 6, 1)
    ws.cell(row=rows["5.b"], column=8).value = datetime.date(2024, 1, 1)
    _assert_refused(
        client,
        th,
        th_focal,
        as_file(wb),
        f'{rows["5.a"]} G (Period from) "31/01/2024" is not a date',
        f"{rows['5.b']} H (Period to) the period ends (2024-01-01) before it starts (2024-06-01)",
    )


def test_formula_cell_is_refused(client, th, th_focal):
    wb = _edit(download(client, th_focal), "6.a", 4, "=1+1")
    row = rows_by_code(wb["Report"])["6.a"]
    _assert_refused(
        client, th, th_focal, as_file(wb), f"{row} D (What was done) formulas are not accepted"
    )


def test_text_file_renamed_xlsx_is_refused(client, th, th_focal):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile("report.xlsx", b"Code;Status\n1.a;Completed\n", content_type=XLSX)
    _assert_refused(client, th, th_focal, file, "not an XLSX workbook")


def test_workbook_without_identity_sheet_is_refused(client, th, th_focal):
    wb = Workbook()
    wb.active.append(["Code", "Activity", "Status"])
    _assert_refused(client, th, th_focal, as_file(wb), "not a Pantau template")


@override_settings(PANTAU_MAX_UPLOAD_BYTES=1000)
def test_file_over_the_limit_is_refused(client, th, th_focal):
    _assert_refused(client, th, th_focal, as_file(download(client, th_focal)), "the limit is")


def test_real_eleven_megabyte_file_is_refused(client, th, th_focal):
    """A genuine XLSX padded past 10 MB with incompressible data: refused for its size."""
    content = io.BytesIO(download(client, th_focal))
    with zipfile.ZipFile(content, "a") as archive:
        archive.writestr("xl/media/padding.bin", os.urandom(11 * 1024 * 1024))
    assert len(content.getvalue()) > 11 * 1024 * 1024
    problems = _assert_refused(
        client, th, th_focal, as_file(content.getvalue()), "the limit is 10 MB"
    )
    assert problems[0]["message"].startswith("the file is 11.")


# --- who may upload ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        pytest.param(("focal_point", "MY"), 404, id="my-focal-point"),
        pytest.param(("approver", "MY"), 404, id="my-approver"),
        pytest.param(("secretariat", None), 403, id="secretariat"),
        pytest.param(("asod_reviewer", None), 403, id="asod-reviewer"),
        pytest.param((None, None), 404, id="no-role"),
    ],
)
def test_others_cannot_upload_to_th(client, th, th_focal, make_user, who, status):
    content = download(client, th_focal)
    wb = _edit(content, "1.a", 3, "Completed")
    upload(client, th_focal, as_file(wb))
    registered = last_upload()
    other = make_user(*who)
    before, mark, uploads = entries_state(th), last_event_id(), ReportUpload.objects.count()

    client.force_login(other)
    assert client.get(url("xlsx-upload")).status_code == status
    assert client.post(url("xlsx-upload"), {"file": as_file(wb)}).status_code == status
    apply_status = client.post(url("xlsx-apply", pk=registered.pk)).status_code
    assert apply_status == status

    assert entries_state(th) == before
    assert events_since(mark) == []
    assert ReportUpload.objects.count() == uploads
    registered.refresh_from_db()
    assert registered.applied_at is None


def test_anonymous_is_sent_to_sign_in_and_nothing_changes(client, th, th_focal):
    wb = _edit(download(client, th_focal), "1.a", 3, "Completed")
    upload(client, th_focal, as_file(wb))
    registered = last_upload()
    client.logout()
    before, mark = entries_state(th), last_event_id()
    for response in (
        client.get(url("xlsx-upload")),
        client.post(url("xlsx-upload"), {"file": as_file(wb)}),
        client.get(url("xlsx-preview", pk=registered.pk)),
        client.post(url("xlsx-apply", pk=registered.pk)),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    # A draft is not public: its template is not either.
    assert client.get(url("xlsx-template")).status_code == 404
    assert entries_state(th) == before
    assert events_since(mark) == []


def test_other_countries_do_not_see_th_template_or_preview(client, th, th_focal, make_user):
    wb = _edit(download(client, th_focal), "1.a", 3, "Completed")
    upload(client, th_focal, as_file(wb))
    client.force_login(make_user("focal_point", "MY"))
    assert client.get(url("xlsx-template")).status_code == 404
    assert client.get(url("xlsx-preview", pk=last_upload().pk)).status_code == 404
    # ... nor through their own country's address.
    assert client.get(url("xlsx-preview", "MY", pk=last_upload().pk)).status_code == 404


def test_services_enforce_the_permission(th, th_focal, make_user, client):
    content = download(client, th_focal)
    for user in (make_user("focal_point", "MY"), make_user("secretariat")):
        with pytest.raises(PermissionDenied):
            spreadsheet.register_upload(acting_user=user, report=th, uploaded_file=as_file(content))
    upload(client, th_focal, as_file(_edit(content, "1.a", 3, "Completed")))
    before = entries_state(th)
    with pytest.raises(PermissionDenied):
        spreadsheet.apply_upload(acting_user=make_user("focal_point", "MY"), upload=last_upload())
    assert entries_state(th) == before


def test_submitted_report_refuses_upload(client, th, th_focal, make_user):
    content = download(client, th_focal)
    wb = _edit(content, "1.a", 3, "Completed")
    upload(client, th_focal, as_file(wb))
    registered = last_upload()
    services.transition(
        acting_user=make_user("approver", "TH"), report=th, action="submit", empty_reason="test"
    )
    th.refresh_from_db()
    before, mark, uploads = entries_state(th), last_event_id(), ReportUpload.objects.count()

    client.force_login(th_focal)
    assert client.get(url("xlsx-upload")).status_code == 403
    assert client.post(url("xlsx-upload"), {"file": as_file(wb)}).status_code == 403
    response = client.post(url("xlsx-apply", pk=registered.pk), follow=True)
    assert "entries are read-only" in response.content.decode()
    with pytest.raises(services.ReportLocked):
        spreadsheet.register_upload(acting_user=th_focal, report=th, uploaded_file=as_file(wb))

    assert entries_state(th) == before
    assert events_since(mark) == []
    assert ReportUpload.objects.count() == uploads
    # The submitted report can still be downloaded, read-only.
    assert client.get(url("xlsx-template")).status_code == 200
