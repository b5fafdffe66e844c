"""The samples of the cultivation app for the authorisation walk (pantau/site/tests/
test_authorization_walk.py): Thai objects made through the services, keyed by endpoint."""

from django.core.files.uploadedfile import SimpleUploadedFile

from pantau.cultivation.ad import create_programme
from pantau.cultivation.boundaries import register_boundary_file
from pantau.cultivation.services import create_survey, set_survey_areas
from pantau.cultivation.tasks import load_boundary_file
from pantau.members.models import MemberState

from .files import geojson_bytes, square

TH_AREAS = [
    {"code": "TH-W1", "name": "Walk North", "parent": "", "ring": square(99.0, 19.0)},
    {"code": "TH-W2", "name": "Walk South", "parent": "", "ring": square(100.0, 15.0)},
]


def cultivation_samples(th_focal, secretariat, make_user) -> dict[tuple[str, str], str]:
    thailand = MemberState.objects.get(code="TH")
    boundary = register_boundary_file(
        acting_user=th_focal,
        member_state=thailand,
        uploaded_file=SimpleUploadedFile("th.geojson", geojson_bytes(TH_AREAS)),
    )
    load_boundary_file(boundary.pk)
    survey = create_survey(
        acting_user=th_focal, member_state=thailand, year=2024, crop="OPIUM_POPPY", method="ground"
    )
    survey = set_survey_areas(
        acting_user=th_focal,
        survey=survey,
        rows=[{"area_code": "TH-W1", "area_ha": "120", "yield_kg_ha": "10"}],
        version=survey.version,
    )
    programme = create_programme(
        acting_user=th_focal, member_state=thailand, name="Illustrative walk programme"
    )
    return {
        ("cultivation:programme", "pk"): str(programme.pk),
        ("cultivation:programme-action", "pk"): str(programme.pk),
        ("cultivation:programme-action", "action"): "start",
        ("cultivation:survey", "pk"): str(survey.pk),
        ("cultivation:survey-areas", "pk"): str(survey.pk),
        ("cultivation:survey-file", "pk"): str(survey.pk),
        ("cultivation:survey-transition", "pk"): str(survey.pk),
        ("cultivation:survey-transition", "action"): "approve",
        ("/api/v1/cultivation/*", "survey_id"): str(survey.pk),
        ("cultivation:*", "pk"): str(boundary.pk),
        ("/api/v1/cultivation/*", "boundary_id"): str(boundary.pk),
        ("/api/v1/cultivation/*", "REF_AREA"): "TH",
    }
