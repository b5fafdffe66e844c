"""The authorisation walk: EVERY URL pattern of the project (the resolver, walked recursively)
and EVERY operation of the OpenAPI document, requested as anonymous, as the focal point,
approver and ASEAN-NARCO officer of another Member State (MY), as the focal point of the right
one (TH), as a working-group member and as the Secretariat.

For every request: never a 500. Anonymous gets a login redirect, 401 or 404 on everything
that is not public (PUBLIC_PAGES, PUBLIC_OPERATIONS). Unsafe methods (POST on pages; POST,
PUT, PATCH, DELETE on the API) by somebody who may not do it answer 401/403/404/405/409/412/
428 (or the login page, for anonymous) and leave the database exactly as it was: a fingerprint
of every table (row count, highest id, newest updated_at, highest version), the audit log
included. Where a persona may write, WRITES lists it. Where a page takes a POST that changes
nothing for anyone (a login form), HARMLESS_POSTS lists it.

A URL pattern or operation the walk cannot build a sample for (a parameter with no sample
value) fails the test with its name, so a new endpoint is covered or the test fails; SKIPPED
lists what is deliberately left out, each with its reason.

Run it alone: `pytest -m authz_walk` (or this file). Every request runs in a savepoint that is
rolled back, so the walk's own requests never change what the next one sees.
"""

import datetime
import json
import os
import re
from dataclasses import dataclass
from http.cookies import SimpleCookie

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, models, transaction
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from pantau.accounts import otp
from pantau.accounts.services import add_totp_device, issue_token
from pantau.analytics.models import Target
from pantau.site.api import api

pytestmark = [pytest.mark.django_db, pytest.mark.authz_walk]

PLAN = "2016-2025"
YEAR = 2025  # the open cycle
ACTIVITY = "15.a"

# --- Who ------------------------------------------------------------------------------------------

# persona -> (role, member state, working group); None: anonymous.
PERSONAS: dict[str, tuple[str, str | None, str | None] | None] = {
    "anonymous": None,
    "my-focal": ("focal_point", "MY", None),
    "my-approver": ("approver", "MY", None),
    "my-narco": ("narco_officer", "MY", None),
    "th-focal": ("focal_point", "TH", None),
    "wg-member": ("wg_member", None, "LE"),
    "secretariat": ("secretariat", None, None),
}
ELSEWHERE = {"anonymous", "my-focal", "my-approver", "my-narco", "wg-member"}

# --- What is public -------------------------------------------------------------------------------

PUBLIC_PAGES = {
    "home",
    "healthz",
    "workplan:current",
    "workplan:detail",
    "workplan:activity-status",
    "workplan:heatmap",
    "workplan:status-xlsx",  # the filled Work Plan's exports (published only, for anonymous)
    "workplan:status-pdf",
    "members:list",
    "members:detail",
    "reporting:index",  # lists published reports only to anonymous
    "accounts:login",
    # "Forgot your password": the request form, its answer, the link and its end.
    "accounts:password-reset",
    "accounts:password-reset-done",
    "accounts:password-reset-confirm",
    "accounts:password-reset-complete",
    "api-v1:openapi-json",
    "api-v1:openapi-view",
    "admin:login",  # sends to Pantau's sign-in page
    "accounts:logout",  # signing out needs no sign-in (GET: 405)
    "admin:logout",  # the same (GET: sends to the admin's index, which asks to sign in)
    "analytics:explore",  # published statistics only, for anonymous
    "analytics:targets",
    "analytics:target",
    "analytics:compare",  # published national figures only, for anonymous
    # Statistics people read (published figures only, for anonymous) and the import's help.
    "statistics_read:overview",
    "statistics_read:area-year",
    "statistics_read:indicator",
    "statistics:import-guide",
    "statistics:import-codes",
    "reviews:list",  # published reviews only, for anonymous
    # The public portal: published statistics and published reports only, for everybody.
    "portal:home",
    "portal:country",
    "portal:indicator",
    "portal:catalogue",
    "portal:download",
    "portal:feed",
    "portal:workplan",
    "portal:programmes",  # published programmes and services only, for everybody
    "portal:programmes-download",
    "portal:events",  # the events marked public only, for everybody
    "clearinghouse:browse",  # published items only, for anonymous
    "clearinghouse:detail",  # the sample is a submitted item: 404 for the public
    "clearinghouse:file",
    "calendar-feed",  # the secret address is the credential; the sample one is unknown: 404
    "set_language",  # the language switcher: sets the language cookie, nothing else
}
PUBLIC_OPERATIONS = {
    "GET /api/v1/workplans/",
    "GET /api/v1/workplans/{code}",
    "GET /api/v1/workplans/{code}/status",  # the filled Work Plan (published only, for anonymous)
    "GET /api/v1/member-states/",
    "GET /api/v1/member-states/{code}",
    "GET /api/v1/reports/",  # published reports only, for anonymous
    "GET /api/v1/reports/{ref_area}/{year}",  # the sample is a draft: 404 for anonymous
    "GET /api/v1/reports/{ref_area}/{year}/entries/{activity_code}",
    "GET /api/v1/data/{indicator}",  # published statistics only, for anonymous
    "GET /api/v1/targets/",
    "GET /api/v1/targets/{target_id}/progress",  # on published statistics, for anonymous
    "GET /api/v1/analytics/implementation",  # approved reports the caller may see
    "GET /api/v1/analytics/implementation/lagging",
    "GET /api/v1/analytics/explore/{indicator}",
    "GET /api/v1/analytics/compare/{indicator}",  # published national figures, for anonymous
    "GET /api/v1/reviews/",  # published reviews only, for anonymous
    "GET /api/v1/reviews/{review_id}",
    "GET /api/v1/documents/",  # published items only, for anonymous
    "GET /api/v1/documents/{id}",
    "GET /api/v1/documents/{id}/similar",
    "GET /api/v1/treatment/aggregates",  # suppressed counts for anybody but the coordinator
    "GET /api/v1/events/",  # public events only, for anonymous
    "GET /api/v1/events/{event_id}",
    # National programmes and services: published entries only, for anonymous.
    "GET /api/v1/programmes/",
    "GET /api/v1/programmes/{programme_id}",
    "GET /api/v1/programme-services/",
    "GET /api/v1/programme-services/{service_id}",
}

# Pages whose POST changes nothing for anyone (forms that only sign in or check a code):
# any answer but a 500, and the database unchanged.
HARMLESS_POSTS = {
    "accounts:login": "the sign-in form: an empty form is an invalid form",
    "admin:login": "sends to Pantau's sign-in page",
    "accounts:2fa-verify": "checks a code; without a pending sign-in it sends to the login page",
    "accounts:password-reset": "an empty form is an invalid form (a valid one notes the request)",
    "accounts:password-reset-confirm": "the sample link is not valid: nothing is set",
    "accounts:logout": "signs the session out (sessions are not in the fingerprint)",
    "admin:logout": "the same, for the admin",
    "set_language": "the language switcher: sets the language cookie, nothing in the database",
}

SIGNED_IN = [p for p, spec in PERSONAS.items() if spec is not None]
OPTIONAL_2FA = ["my-focal", "th-focal", "wg-member"]

# (endpoint, persona): may change the database: their own account, or what their roles allow
# on the sample objects (the Thai draft report, the Thai agency, their own records).
WRITES: set[tuple[str, str]] = {
    # One's own account: a token, a second factor (optional ones may be turned off).
    *(("accounts:token-create", p) for p in SIGNED_IN),
    *(("accounts:2fa-setup", p) for p in SIGNED_IN),
    *(("accounts:2fa-disable", p) for p in OPTIONAL_2FA),
    *(("accounts:time-zone", p) for p in SIGNED_IN),
    ("accounts:token-revoke", "th-focal"),  # the sample token is th-focal's
    # Thailand's focal point: its agencies and its draft report.
    ("members:agency-edit", "th-focal"),
    ("PATCH /api/v1/member-states/{code}/agencies/{agency_id}", "th-focal"),
    ("reporting:entry-save", "th-focal"),
    ("PUT /api/v1/reports/{ref_area}/{year}/entries/{activity_code}", "th-focal"),
    ("reporting:evidence-add", "th-focal"),
    ("reporting:evidence-remove", "th-focal"),
    ("reporting:xlsx-upload", "th-focal"),
    ("reporting:xlsx-apply", "th-focal"),
    ("reporting:comment-add", "th-focal"),
    ("statistics:import", "th-focal"),
    ("statistics:entry", "th-focal"),
    # The Secretariat: cycles, the workflow, comments on any report.
    ("reporting:cycle-open", "secretariat"),
    ("reporting:transition", "secretariat"),
    ("POST /api/v1/reports/{ref_area}/{year}/transitions", "secretariat"),
    ("reporting:comment-add", "secretariat"),
    # An ASEAN-NARCO officer records persons and syndicates for their own Member State.
    ("narco:person-create", "my-narco"),
    ("narco:syndicate-create", "my-narco"),
    ("POST /api/v1/narco/persons", "my-narco"),
    ("POST /api/v1/narco/syndicates", "my-narco"),
    # Reviews: the Secretariat creates, edits and builds a draft review.
    ("reviews:create", "secretariat"),
    ("reviews:texts", "secretariat"),
    ("reviews:build", "secretariat"),
    ("POST /api/v1/reviews/", "secretariat"),
    ("POST /api/v1/reviews/{review_id}/build", "secretariat"),
    # Statistics: Thailand's focal point imports Thai figures (the sample file is Thai).
    ("POST /api/v1/data/imports", "th-focal"),
    # Analytics: the Secretariat adds component 9 targets.
    ("POST /api/v1/targets/", "secretariat"),
    # The API only queues an upload (nothing is parsed in a web request): a Malaysian focal
    # point or approver may import, so their upload of the Thai sample is kept as their own
    # pending import (and its audit event); the worker then refuses its Thai rows and writes
    # no value (statistics/tests/test_api.py::test_a_bad_file_names_every_problem...).
    ("POST /api/v1/data/imports", "my-focal"),
    ("POST /api/v1/data/imports", "my-approver"),
    # The clearinghouse: any registered user submits; the Secretariat moderates.
    *(("clearinghouse:submit", p) for p in SIGNED_IN),
    *(("POST /api/v1/documents/", p) for p in SIGNED_IN),
    ("clearinghouse:moderate", "secretariat"),
    *(
        (f"POST /api/v1/documents/{{id}}/{action}", "secretariat")
        for action in ("publish", "request-changes", "reject", "withdraw")
    ),
    # Cooperation: the Secretariat records events and projects for any organiser.
    ("POST /api/v1/events/", "secretariat"),
    ("POST /api/v1/funding/projects/", "secretariat"),
    # Cooperation pages (#22): record an event for one's own state (an empty form is 400),
    # edit and document Thailand's sample event; link evidence to Thailand's draft report.
    *(("cooperation:event-create", p) for p in ("my-focal", "my-approver", "th-focal")),
    ("cooperation:event-create", "secretariat"),
    ("cooperation:event-edit", "th-focal"),
    ("cooperation:event-edit", "secretariat"),
    ("cooperation:document-add", "th-focal"),
    ("cooperation:document-add", "secretariat"),
    ("reporting:entry-cooperation", "th-focal"),
    ("POST /api/v1/reports/{ref_area}/{year}/entries/{activity_code}/evidence", "th-focal"),
    # The reporting calendar (#22): the Secretariat sets deadlines.
    ("reporting:deadlines", "secretariat"),
    ("PUT /api/v1/deadlines/{year}/{kind}", "secretariat"),
    # Cultivation: a focal point loads its own Member State's boundaries (the sample file is
    # the caller's; the worker then checks it against the country).
    ("POST /api/v1/cultivation/boundaries", "th-focal"),
    ("POST /api/v1/cultivation/boundaries", "my-focal"),
    # ... and edits its own draft survey (the sample's empty rows are refused: nothing changes).
    ("PUT /api/v1/cultivation/surveys/{survey_id}/areas", "th-focal"),
    ("cultivation:survey-areas", "th-focal"),
    ("cultivation:survey-file", "th-focal"),  # the walk sends no file: refused, nothing kept
    ("cultivation:programme-action", "th-focal"),  # starting without a baseline is refused
    # One's own calendar feed address: issue and revoke it.
    *(("POST /api/v1/calendar", p) for p in SIGNED_IN),
    *(("DELETE /api/v1/calendar", p) for p in SIGNED_IN),
    # Programmes and services: Thailand's focal point writes Thai drafts (the samples).
    *(
        (endpoint, "th-focal")
        for endpoint in (
            "programmes:programme-new",
            "programmes:programme-edit",
            "programmes:programme-transition",
            "programmes:service-new",
            "programmes:service-edit",
            "programmes:service-transition",
            "POST /api/v1/programmes/",
            "PUT /api/v1/programmes/{programme_id}",
            "POST /api/v1/programmes/{programme_id}/transitions",
            "POST /api/v1/programme-services/",
            "PUT /api/v1/programme-services/{service_id}",
            "POST /api/v1/programme-services/{service_id}/transitions",
        )
    ),
    # A Malaysian focal point or approver writes Malaysian drafts (the sample names no state).
    *(
        (endpoint, persona)
        for endpoint in (
            "programmes:programme-new",
            "programmes:service-new",
            "POST /api/v1/programmes/",
            "POST /api/v1/programme-services/",
        )
        for persona in ("my-focal", "my-approver")
    ),
}
NARCO_OFFICERS = {"my-narco"}

# Deliberately not walked, with the reason. Nothing else may be missing.
SKIPPED: dict[str, str] = {}

DENIED = {401, 403, 404, 405, 409, 412, 428}

# --- Samples for the parameters of URL patterns and operations ------------------------------------


@dataclass
class World:
    """The objects the samples point at, made through the services."""

    values: dict[str, str]
    by_endpoint: dict[tuple[str, str], str]


def make_world(make_user, users: dict, tmp_path) -> World:
    from pantau.members.models import Agency
    from pantau.narco import services as narco
    from pantau.narco.choices import InformationGrade, SourceReliability
    from pantau.reporting import services as reporting
    from pantau.reporting.models import ActivityStatus, CountryReport
    from pantau.reporting.spreadsheet import build_template, register_upload
    from pantau.workplan.models import WorkPlan

    secretariat = users["secretariat"]
    th_focal = users["th-focal"]
    reporting.open_cycle(
        acting_user=secretariat,
        plan=WorkPlan.objects.get(code=PLAN),
        year=YEAR,
        deadline=timezone.localdate() + datetime.timedelta(days=60),
    )
    report = CountryReport.objects.get(member_state__code="TH", cycle__year=YEAR)
    entry = ActivityStatus.objects.get(report=report, activity__code=ACTIVITY)
    entry = reporting.save_entry(
        acting_user=th_focal, entry=entry, version=entry.version, status="in_progress"
    )
    evidence = reporting.add_evidence(
        acting_user=th_focal,
        entry=entry,
        kind="link",
        title="Walk evidence",
        url="https://example.org/evidence",
    )
    upload = register_upload(
        acting_user=th_focal,
        report=report,
        uploaded_file=SimpleUploadedFile("walk.xlsx", build_template(report)),
    )
    th_narco = make_user("narco_officer", "TH")
    person = narco.create_person(
        acting_user=th_narco, names=["Illustrative Walk Person"], nationality="TH"
    )
    syndicate = narco.create_syndicate(acting_user=th_narco, name="Illustrative Walk Network")
    watch = narco.add_watch_entry(
        acting_user=th_narco,
        person=person,
        activity="Illustrative walk activity",
        source_agency="Illustrative agency",
        source_reliability=SourceReliability.B,
        information_grade=InformationGrade.G2,
    )
    token, _ = issue_token(acting_user=th_focal, user=th_focal, name="walk")
    # A statistics import of th-focal's (an import is seen by its uploader, the Secretariat
    # and administrators only).
    from pantau.statistics.ingest.pipeline import run_import

    statistics_file = tmp_path / "walk-statistics.csv"
    statistics_file.write_text(
        "REF_AREA,TIME_PERIOD,INDICATOR,DRUG,UNIT_MEASURE,OBS_VALUE\n"
        f"TH,{YEAR},DRUG_SEIZURE,HEROIN,KG,12\n"
    )
    data_import = run_import(acting_user=th_focal, path=statistics_file).data_import
    agency = Agency.objects.get(member_state__code="TH", is_lead=True)
    from pantau.clearinghouse.services import submit_document

    document = submit_document(
        acting_user=th_focal,
        title="Illustrative walk study",
        year=2024,
        type="research",
        link="https://example.org/walk",
    )
    from django.contrib.contenttypes.models import ContentType

    from pantau.reviews.services import create_review

    review = create_review(
        acting_user=secretariat,
        kind="end-of-term",
        plan=WorkPlan.objects.get(code=PLAN),
        year=2024,
    )  # a draft: nobody but the Secretariat (and ASOD) sees it
    from pantau.programmes.services import create_programme, create_service

    programme = create_programme(
        acting_user=th_focal,
        member_state="TH",
        title="Illustrative walk programme",
        summary="A draft",
        lead_agency="Illustrative agency",
        groups=["youth"],
    )  # a Thai draft: Thai users and the Secretariat see it
    programme_service = create_service(
        acting_user=th_focal,
        member_state="TH",
        name="Illustrative walk service",
        description="A draft",
        kind="prevention",
        groups=["youth"],
    )

    from pantau.cooperation import services as cooperation

    event = cooperation.create_event(
        acting_user=th_focal,
        organiser="TH",
        activities=[ACTIVITY],
        kind="training",
        title="Illustrative walk training",
        start_date=datetime.date(YEAR, 2, 3),
        end_date=datetime.date(YEAR, 2, 4),
    )
    event_document = cooperation.add_event_document(
        acting_user=th_focal,
        event=event,
        kind="agenda",
        file=SimpleUploadedFile("walk-agenda.pdf", b"%PDF-1.4 walk"),
    )

    from pantau.cultivation.tests.walk import cultivation_samples

    cultivation = cultivation_samples(th_focal, users["secretariat"], make_user)

    return World(
        values={
            # Generic: a parameter of this name anywhere.
            "ref_area": "TH",
            "year": str(YEAR),
            "activity": ACTIVITY,
            "activity_code": ACTIVITY,
            "numeral": "I",
            "name": "Illustrative Walk",
        },
        by_endpoint={
            ("workplan:*", "code"): PLAN,
            ("members:*", "code"): "TH",
            ("members:agency-edit", "pk"): str(agency.pk),
            ("reporting:*", "code"): ACTIVITY,
            ("reporting:evidence-file", "pk"): str(evidence.pk),
            ("reporting:evidence-remove", "pk"): str(evidence.pk),
            ("reporting:xlsx-preview", "pk"): str(upload.pk),
            ("reporting:xlsx-apply", "pk"): str(upload.pk),
            ("reporting:transition-confirm", "action"): "submit",
            ("reporting:diff", "old"): "1",
            ("reporting:diff", "new"): "1",
            ("narco:person-detail", "pk"): str(person.pk),
            ("narco:person-edit", "pk"): str(person.pk),
            ("narco:person-confirm", "pk"): str(person.pk),
            ("narco:person-watch", "pk"): str(person.pk),
            ("narco:syndicate-detail", "pk"): str(syndicate.pk),
            ("narco:syndicate-edit", "pk"): str(syndicate.pk),
            ("narco:syndicate-confirm", "pk"): str(syndicate.pk),
            ("narco:syndicate-watch", "pk"): str(syndicate.pk),
            ("narco:watch-confirm", "pk"): str(watch.pk),
            ("accounts:token-revoke", "pk"): str(token.pk),
            ("accounts:password-reset-confirm", "uidb64"): "MQ",
            ("accounts:password-reset-confirm", "token"): "set-password",
            ("statistics:import-detail", "pk"): str(data_import.pk),
            ("GET /api/v1/data/imports/{import_id}", "import_id"): str(data_import.pk),
            ("statistics:entry", "group"): "seizures",
            ("statistics:import-template", "fmt"): "xlsx",
            ("statistics_read:*", "code"): "DRUG_SEIZURE",
            ("portal:country", "code"): "TH",
            ("portal:indicator", "code"): "DRUG_SEIZURE",
            ("portal:download", "code"): "DRUG_SEIZURE",
            ("portal:download", "suffix"): "sdmx.csv",
            # The statistics metadata: administrators only (no persona is one).
            ("statistics_metadata:*", "indicator"): "DRUG_SEIZURE",
            ("statistics_metadata:*", "codelist"): "DRUG",
            ("statistics_metadata:*", "code"): "HEROIN",
            ("statistics_metadata:*", "unit"): "G",
            # The admin: none of the personas is staff, so every admin page refuses before
            # it looks an object up; any id will do.
            ("admin:*", "object_id"): "1",
            ("admin:*", "app_label"): "accounts",
            ("admin:*", "content_type_id"): str(ContentType.objects.first().pk),
            ("admin:*", "url"): "no-such-page/",
            ("admin:*", "pk"): "1",
            ("admin:*", "id"): "1",
            # The API.
            ("/api/v1/workplans/*", "code"): PLAN,
            ("/api/v1/data/*", "indicator"): "DRUG_SEIZURE",
            ("/api/v1/member-states/*", "code"): "TH",
            ("/api/v1/member-states/*", "agency_id"): str(agency.pk),
            ("/api/v1/narco/persons/*", "id"): str(person.pk),
            ("/api/v1/narco/syndicates/*", "id"): str(syndicate.pk),
            ("analytics:*", "target_id"): str(Target.objects.order_by("pk").first().pk),
            ("/api/v1/targets/*", "target_id"): str(Target.objects.order_by("pk").first().pk),
            ("/api/v1/analytics/*", "indicator"): "DRUG_SEIZURE",
            ("/api/v1/analytics/*", "reference"): "UNODC World Drug Report",
            ("reviews:*", "pk"): str(review.pk),
            ("reviews:*", "version"): "1",
            ("reviews:*", "fmt"): "pdf",
            ("/api/v1/reviews/*", "review_id"): str(review.pk),
            ("clearinghouse:*", "pk"): str(document.pk),
            ("/api/v1/documents/*", "id"): str(document.pk),
            ("calendar-feed", "token"): "no-such-token",
            ("programmes:*", "pk"): str(programme.pk),
            ("programmes:service", "pk"): str(programme_service.pk),
            ("programmes:service-edit", "pk"): str(programme_service.pk),
            ("programmes:service-transition", "pk"): str(programme_service.pk),
            ("portal:programmes-download", "kind"): "services",
            ("portal:programmes-download", "suffix"): "xlsx",
            ("/api/v1/programmes/*", "programme_id"): str(programme.pk),
            ("/api/v1/programme-services/*", "service_id"): str(programme_service.pk),
            ("cooperation:*", "pk"): str(event.pk),
            ("cooperation:document", "doc"): str(event_document.pk),
            ("/api/v1/deadlines/*", "kind"): "submission_due",
            ("/api/v1/events/*", "event_id"): "1",
            ("/api/v1/treatment/*", "id"): "1",  # no persona is a centre's staff: 404 for all
            ("/api/v1/treatment/*", "REF_AREA"): "TH",
            ("/api/v1/treatment/*", "TIME_PERIOD"): "2024",
            ("treatment:*", "pk"): "1",  # no persona uses the treatment pages: 404 for all
            **cultivation,
        },
    )


class MissingSample(Exception):
    pass


def sample_value(world: World, endpoint: str, param: str, namespace: str = "") -> str:
    """The sample for `param` of `endpoint`: the endpoint's own, its namespace's or path
    prefix's, then the generic one; none is a MissingSample (the test fails, naming it)."""
    candidates = [(endpoint, param)]
    if namespace:
        candidates.append((namespace + ":*", param))
    elif endpoint.startswith(("GET ", "POST ", "PUT ", "PATCH ", "DELETE ")):
        parts = endpoint.split(" ", 1)[1].split("/")
        for n in range(len(parts), 0, -1):
            candidates.append(("/".join(parts[:n]) + "/*", param))
    for key in candidates:
        if key in world.by_endpoint:
            return world.by_endpoint[key]
    if param in world.values:
        return world.values[param]
    raise MissingSample(f"{endpoint}: no sample value for the parameter {param!r}")


# --- Walking the resolver -------------------------------------------------------------------------

CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")


@dataclass
class Page:
    name: str  # "namespace:name" (or "namespace:<unnamed route>")
    namespace: str
    route: str
    pattern: URLPattern
    pieces: list


def url_patterns() -> list[Page]:
    found: list[Page] = []

    def walk(patterns, prefix: list, namespaces: list[str]) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(
                    p.url_patterns,
                    [*prefix, p.pattern],
                    namespaces + ([p.namespace] if p.namespace else []),
                )
            else:
                route = "".join(str(piece) for piece in [*prefix, p.pattern])
                name = ":".join([*namespaces, p.name or f"<unnamed {route}>"])
                found.append(Page(name, ":".join(namespaces), route, p, [*prefix, p.pattern]))

    walk(get_resolver().url_patterns, [], [])
    return found


def _fill_regex(regex: str, value_of) -> str:
    """A path matching a Django regex pattern, each named group replaced by its sample."""
    regex = regex.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
    out, i = [], 0
    while i < len(regex):
        if regex.startswith("(?P<", i):
            close = regex.index(">", i)
            name = regex[i + 4 : close]
            depth, j = 1, close + 1
            while depth:
                if regex[j] == "\\":
                    j += 2
                    continue
                depth += {"(": 1, ")": -1}.get(regex[j], 0)
                j += 1
            out.append(value_of(name))
            i = j
        elif regex[i] == "\\":
            out.append(regex[i + 1])
            i += 2
        elif regex[i] in "?*+":
            i += 1
        else:
            out.append(regex[i])
            i += 1
    return "".join(out)


def build_url(world: World, page: Page) -> str:
    def value_of(param: str) -> str:
        return sample_value(world, page.name, param, page.namespace)

    parts = []
    for piece in page.pieces:
        if isinstance(piece, RoutePattern):
            parts.append(CONVERTER.sub(lambda m: value_of(m["parameter"]), str(piece)))
        elif isinstance(piece, RegexPattern):
            parts.append(_fill_regex(piece._regex, value_of))
        elif isinstance(piece, LocalePrefixPattern):
            parts.append(piece.language_prefix)  # i18n_patterns: "" in the default language
        else:
            raise MissingSample(f"{page.name}: unknown pattern type {type(piece).__name__}")
    url = "/" + "".join(parts)
    try:
        match = resolve(url.split("?")[0])
    except Resolver404 as exc:
        raise MissingSample(f"{page.name}: the sample {url} does not resolve") from exc
    if match.func is not page.pattern.callback and match.url_name != page.pattern.name:
        raise MissingSample(f"{page.name}: the sample {url} resolves to {match.view_name}")
    return url


# --- Walking the OpenAPI document -----------------------------------------------------------------


@dataclass
class Operation:
    key: str  # "METHOD /path/{param}"
    method: str
    path: str
    spec: dict


def operations() -> list[Operation]:
    schema = api.get_openapi_schema()
    return [
        Operation(f"{method.upper()} {path}", method.upper(), path, spec)
        for path, item in schema["paths"].items()
        for method, spec in item.items()
    ]


def _resolve_ref(schema: dict, document: dict) -> dict:
    while "$ref" in schema:
        node = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def sample_body(schema: dict, document: dict):
    """The smallest value the schema accepts (required properties only)."""
    schema = _resolve_ref(schema, document)
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            options = [s for s in schema[combinator] if s.get("type") != "null"]
            return sample_body(options[0], document)
    if "allOf" in schema:
        merged: dict = {}
        for part in schema["allOf"]:
            value = sample_body(part, document)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {k: sample_body(props[k], document) for k in schema.get("required", [])}
    if kind == "array":
        n = schema.get("minItems", 0)
        return [sample_body(schema.get("items", {}), document) for _ in range(n)]
    if kind == "string":
        return {"date": "2025-01-01", "date-time": "2025-01-01T00:00:00Z"}.get(
            schema.get("format", ""), "x" * max(1, schema.get("minLength", 1))
        )
    if kind in ("integer", "number"):
        return 1
    if kind == "boolean":
        return False
    return None


class Multipart(dict):
    """A multipart body: field name -> (file name, bytes)."""


# Files for the operations that take an upload: one Thai observation (the exchange format).
SAMPLE_FILES = {
    "POST /api/v1/documents/": {"file": ("walk.pdf", b"%PDF-1.4\n%%EOF\n")},
    "POST /api/v1/cultivation/boundaries": {
        "file": (
            "areas.geojson",
            b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
            b'{"code": "TH-W1", "name": "Walk"}, "geometry": {"type": "Polygon", "coordinates": '
            b"[[[100, 15], [101, 15], [101, 16], [100, 16], [100, 15]]]}}]}",
        )
    },
    "POST /api/v1/data/imports": {
        "file": (
            "th.csv",
            b"REF_AREA,TIME_PERIOD,INDICATOR,DRUG,UNIT_MEASURE,OBS_VALUE\n"
            b"TH,2024,DRUG_SEIZURE,HEROIN,KG,12\n",
        )
    },
}


def build_request(world: World, op: Operation, document: dict) -> tuple[str, dict | None]:
    path = op.path
    query = []
    for param in op.spec.get("parameters", []):
        if param["in"] == "path":
            value = sample_value(world, op.key, param["name"])
            path = path.replace("{" + param["name"] + "}", value)
        elif param["in"] == "query" and param.get("required"):
            query.append(f"{param['name']}={sample_value(world, op.key, param['name'])}")
    if "{" in path:
        raise MissingSample(f"{op.key}: a path parameter is not in the document's parameters")
    body = None
    content = op.spec.get("requestBody", {}).get("content", {})
    if content:
        if "multipart/form-data" in content:
            body = Multipart(SAMPLE_FILES[op.key]) if op.key in SAMPLE_FILES else None
            if body is None:
                raise MissingSample(f"{op.key}: no sample file for its multipart body")
        elif "application/json" not in content:
            raise MissingSample(f"{op.key}: no sample for a {', '.join(content)} body")
        else:
            body = sample_body(content["application/json"]["schema"], document)
    return path + ("?" + "&".join(query) if query else ""), body


# --- The database's fingerprint -------------------------------------------------------------------

NOT_DATA = {"sessions.session"}  # the client's own state, not Pantau's data


def fingerprint_sql() -> str:
    q = connection.ops.quote_name
    columns = []
    for model in apps.get_models():
        meta = model._meta
        if not meta.managed or meta.proxy or meta.label_lower in NOT_DATA:
            continue
        table = q(meta.db_table)
        columns.append(f"(SELECT COUNT(*) FROM {table})")
        if isinstance(meta.pk, models.AutoField | models.BigAutoField):
            columns.append(f"(SELECT MAX({q(meta.pk.column)}) FROM {table})")
        for f in meta.concrete_fields:
            if f.name in {"updated_at", "version", "lock_version", "revoked_at"}:
                columns.append(f"(SELECT MAX({q(f.column)}) FROM {table})")
    return "SELECT " + ", ".join(columns)


# --- The walk -------------------------------------------------------------------------------------


@dataclass
class Result:
    persona: str
    method: str
    endpoint: str
    url: str
    status: int
    location: str
    changed: bool


class Walker:
    def __init__(self, clients: dict[str, Client]):
        self.clients = clients
        self.cookies = {name: SimpleCookie(c.cookies) for name, c in clients.items()}
        self.sql = fingerprint_sql()
        self.results: list[Result] = []

    def fingerprint(self):
        with connection.cursor() as cursor:
            cursor.execute(self.sql)
            return cursor.fetchone()

    def request(self, persona, method, endpoint, url, body=None, headers=None) -> Result:
        client = self.clients[persona]
        client.cookies = SimpleCookie(self.cookies[persona])
        kwargs = {"headers": headers or {}}
        if isinstance(body, Multipart):
            files = {k: SimpleUploadedFile(name, data) for k, (name, data) in body.items()}
            kwargs.update(data=encode_multipart(BOUNDARY, files), content_type=MULTIPART_CONTENT)
        elif body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        changed = False
        with transaction.atomic():
            before = self.fingerprint() if method != "GET" else None
            response = client.generic(method, url, **kwargs)
            if before is not None:
                try:
                    changed = self.fingerprint() != before
                except DatabaseError:
                    changed = True  # the transaction broke: report it
            transaction.set_rollback(True)
        result = Result(
            persona,
            method,
            endpoint,
            url,
            response.status_code,
            response.get("Location", ""),
            changed,
        )
        self.results.append(result)
        return result


def is_login_redirect(result: Result) -> bool:
    login = str(settings.LOGIN_URL)
    return result.status == 302 and (
        result.location.startswith("/accounts/login/")
        or result.location.startswith("/admin/login/")
        or result.location.startswith(login)
    )


def out_of_reach(endpoint: str, url: str) -> bool:
    """The sample is Thailand's and not public: the Thai draft report (pages and API), the
    Thai ASEAN-NARCO records (shared with nobody) and th-focal's own token."""
    return (
        (endpoint.startswith("reporting:") and "/TH/" in url)
        or (endpoint.startswith("narco:") and re.search(r"/\d+/", url) is not None)
        or endpoint.startswith(("GET /api/v1/reports/{", "GET /api/v1/narco/persons/{"))
        or endpoint.startswith("GET /api/v1/narco/syndicates/{")
        or endpoint in {"accounts:token-revoke", "members:agency-edit"}
        or (endpoint == "statistics:entry" and "/TH/" in url)
        or endpoint == "statistics:import-detail"  # th-focal's import
        or (endpoint.startswith("reviews:") and re.search(r"/\d+/", url) is not None)
        or endpoint.startswith("GET /api/v1/reviews/{")  # the sample review is a draft
    )


def check(
    result: Result,
    *,
    public: bool,
    harmless: bool,
    unsafe: bool,
    as_get: Result | None = None,
) -> str | None:
    """What is wrong with this answer, or None. `as_get`: the same persona's GET of a page."""
    who, what = result.persona, f"{result.method} {result.url} ({result.endpoint})"
    if result.status >= 500:
        return f"{who}: {what} answered {result.status}"
    narco = result.endpoint.startswith(("narco:", "GET /api/v1/narco", "POST /api/v1/narco"))
    narco = narco or result.endpoint.startswith("PUT /api/v1/narco")
    if narco and who not in NARCO_OFFICERS and who != "anonymous" and result.status != 404:
        # The module reveals nothing, not even that it exists, to anybody but its officers.
        return f"{who}: {what} answered {result.status}: ASEAN-NARCO must answer 404"
    if narco and who == "anonymous" and "/api/v1/" in result.endpoint and result.status != 404:
        # No credentials answers like the wrong ones: missing and forbidden are the same 404.
        return f"anonymous: {what} answered {result.status}: ASEAN-NARCO must answer 404"
    if unsafe and (result.endpoint, who) not in WRITES:
        if result.changed:
            return f"{who}: {what} changed the database (status {result.status})"
        if harmless:
            return None
        if result.status in DENIED or (who == "anonymous" and is_login_redirect(result)):
            return None
        if result.endpoint.startswith("admin:") and is_login_redirect(result):
            return None  # not staff: the admin sends to its sign-in page
        if (
            as_get is not None
            and (as_get.status, as_get.location) == (result.status, result.location)
            and result.status in {200, 302}
        ):
            return None  # a read-only page that ignores the method: answered like GET
        return f"{who}: {what} answered {result.status}, not a refusal"
    if unsafe:
        return None
    if who == "anonymous" and not public:
        if result.status in {401, 404, 405} or is_login_redirect(result):
            return None  # 405: a POST-only URL, refused before anything is looked up
        return f"anonymous: {what} answered {result.status}: not public"
    if (
        who in ELSEWHERE
        and out_of_reach(result.endpoint, result.url)
        and 200 <= result.status < 300
    ):
        return f"{who}: {what} answered {result.status}: Thailand's, not theirs"
    return None


@pytest.fixture
def walker(make_user, settings, tmp_path):
    settings.PANTAU_REQUIRE_2FA = True  # as in production: sessions are verified below
    settings.MEDIA_ROOT = tmp_path / "media"
    users, clients = {}, {}
    for persona, spec in PERSONAS.items():
        client = Client(raise_request_exception=False)
        clients[persona] = client
        if spec is None:
            continue
        role, state, group = spec
        user = users[persona] = make_user(role, state, group, username=f"walk.{persona}")
        client.force_login(user)
        device = add_totp_device(acting_user=user, user=user, key=otp.new_key())
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    world = make_world(make_user, users, tmp_path)
    tokens = {
        persona: issue_token(acting_user=user, user=user, name="walk", scope="write")[1]
        for persona, user in users.items()
    }
    w = Walker(clients)
    w.world = world  # type: ignore[attr-defined]
    w.tokens = tokens  # type: ignore[attr-defined]
    return w


def _report(walker: Walker) -> None:
    if os.environ.get("PANTAU_WALK_REPORT"):
        for r in walker.results:
            print(
                f"{r.persona:12} {r.method:6} {r.status} {'CHANGED' if r.changed else '-':7} "
                f"{r.endpoint:40} {r.url} {r.location}"
            )


def test_every_url_pattern(walker):
    problems: list[str] = []
    api_paths = {op.path for op in operations()}
    walked = 0
    for page in url_patterns():
        if page.name in SKIPPED:
            continue
        if page.name.startswith("api-v1:"):
            as_operation = "/" + CONVERTER.sub(lambda m: "{" + m["parameter"] + "}", page.route)
            if as_operation in api_paths:
                continue  # walked, with its methods, by test_every_api_operation
        try:
            url = build_url(walker.world, page)  # type: ignore[attr-defined]
        except MissingSample as exc:
            problems.append(str(exc))
            continue
        walked += 1
        public = page.name in PUBLIC_PAGES
        for persona in PERSONAS:
            got = walker.request(persona, "GET", page.name, url)
            posted = walker.request(persona, "POST", page.name, url)
            for result in (got, posted):
                problem = check(
                    result,
                    public=public,
                    harmless=page.name in HARMLESS_POSTS,
                    unsafe=result is posted,
                    as_get=got,
                )
                if problem:
                    problems.append(problem)
    _report(walker)
    assert walked > 100
    assert not problems, "\n".join(problems)


def test_every_api_operation(walker):
    problems: list[str] = []
    document = api.get_openapi_schema()
    ops = operations()
    for op in ops:
        if op.key in SKIPPED:
            continue
        try:
            url, body = build_request(walker.world, op, document)  # type: ignore[attr-defined]
        except MissingSample as exc:
            problems.append(str(exc))
            continue
        for persona in PERSONAS:
            headers = {}
            if persona in walker.tokens:  # type: ignore[attr-defined]
                headers["Authorization"] = f"Bearer {walker.tokens[persona]}"  # type: ignore[attr-defined]
            result = walker.request(persona, op.method, op.key, url, body, headers)
            problem = check(
                result,
                public=op.key in PUBLIC_OPERATIONS,
                harmless=False,
                unsafe=op.method != "GET",
            )
            if problem:
                problems.append(problem)
    _report(walker)
    assert len(ops) >= 20
    assert not problems, "\n".join(problems)


# --- What the public reads ------------------------------------------------------------------------

CONTENT_YEAR = 2024
UNPUBLISHED = "Walk-marker-approved-not-published"
PUBLISHED = "Walk-marker-published"


def test_the_public_reads_published_reports_only(walker):
    """The CONTENT of every public page and API answer, for anonymous: the narrative, lead
    agency and partners of an approved but unpublished report appear nowhere (nor its status
    counts), those of a published report do (pantau.reporting.permissions
    .sees_unpublished_reports)."""
    from pantau.reporting.tests import factories

    factories.cycle(CONTENT_YEAR)
    for state, marker, advance_to in (("TH", UNPUBLISHED, "approve"), ("MY", PUBLISHED, "publish")):
        report = factories.draft_report(state, CONTENT_YEAR)
        factories.fill(
            report,
            {ACTIVITY: "completed" if state == "TH" else "ongoing"},
            narrative=f"{marker} narrative",
            lead_agency=f"{marker} agency",
            partners=f"{marker} partners",
        )
        factories.advance(report, advance_to)
    world = World(
        values={**walker.world.values, "year": str(CONTENT_YEAR)},  # type: ignore[attr-defined]
        by_endpoint=walker.world.by_endpoint,  # type: ignore[attr-defined]
    )
    urls = [
        build_url(world, page)
        for page in url_patterns()
        if page.name in PUBLIC_PAGES and page.name not in SKIPPED
    ]
    document = api.get_openapi_schema()
    urls += [
        build_request(world, op, document)[0] for op in operations() if op.key in PUBLIC_OPERATIONS
    ]
    for state in ("TH", "MY"):
        urls += [
            f"/reporting/{state}/{CONTENT_YEAR}/",
            f"/api/v1/reports/{state}/{CONTENT_YEAR}",
            f"/api/v1/reports/{state}/{CONTENT_YEAR}/entries/{ACTIVITY}",
        ]
    urls += [f"/api/v1/reports/?year={CONTENT_YEAR}", f"/workplan/{PLAN}/?year={CONTENT_YEAR}"]

    anonymous = walker.clients["anonymous"]
    leaks, seen = [], []
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code < 500, url
        text = response.content.decode("utf-8", "replace")
        if UNPUBLISHED in text:
            leaks.append(url)
        if PUBLISHED in text:
            seen.append(url)
    assert not leaks, f"approved but unpublished content shown to the public on {leaks}"
    drill_down = f"/workplan/{PLAN}/status/{CONTENT_YEAR}/{ACTIVITY}/"
    assert drill_down in urls
    assert {drill_down, f"/api/v1/reports/MY/{CONTENT_YEAR}"} <= set(seen)

    # The counts: Thailand's "completed" counts nowhere public; Malaysia's "ongoing" does.
    status = anonymous.get(f"/api/v1/workplans/{PLAN}/status?year={CONTENT_YEAR}").json()
    counts = {a["code"]: a["counts"] for a in status["activities"]}[ACTIVITY]
    assert (status["approved"], counts["completed"], counts["ongoing"]) == (1, 0, 1)
    heatmap = anonymous.get(f"/workplan/{PLAN}/heatmap/{CONTENT_YEAR}/").text
    assert f'title="TH {ACTIVITY}: completed"' not in heatmap
    assert f'title="MY {ACTIVITY}: ongoing"' in heatmap

    # The Secretariat reads both.
    secretariat = walker.clients["secretariat"]
    page = secretariat.get(drill_down).content.decode()
    assert UNPUBLISHED in page and PUBLISHED in page
