"""Portal pages kept for first visits (issue 23): a visitor without any cookie gets the page
rendered for the data's version, language and URL from the cache; anyone with a cookie (a
session: signed in; messages) gets it rendered for them."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _without_token(content: bytes) -> bytes:
    import re

    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)
    return re.sub(rb'"X-CSRFToken": "[^"]*"', b"", content)  # htmx's header (base.html)


def _get(client: Client, path: str):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response, len(queries)


@pytest.mark.parametrize("path", ["/portal/", "/portal/TH/", "/id/portal/"])
def test_a_first_visit_gets_the_kept_page(path):
    first, first_queries = _get(Client(), path)
    again, again_queries = _get(Client(), path)  # another visitor, no cookie either
    assert first.status_code == again.status_code == 200
    assert _without_token(again.content) == _without_token(first.content)  # each its own token
    assert again["ETag"] == first["ETag"]
    assert again_queries < first_queries
    assert "Sign in" in again.content.decode() or "Masuk" in again.content.decode()


def test_a_signed_in_visitor_never_gets_the_kept_page(make_user):
    Client().get("/portal/")  # kept for visitors without cookies
    user = make_user("secretariat", username="sec_cache")
    client = Client()
    client.force_login(user)
    page = client.get("/portal/").content.decode()
    assert "sec_cache" in page
    assert "Sign in" not in page
    assert "sec_cache" not in Client().get("/portal/").content.decode()


def test_the_languages_are_kept_apart():
    english = Client().get("/portal/").content
    indonesian = Client().get("/id/portal/").content
    assert english != indonesian
    assert b'lang="id"' in indonesian


def test_the_static_files_are_collected_as_in_production(tmp_path, settings):
    """Production's storage (hashed, compressed) rewrites the references inside CSS and JS
    files: a reference to a file that is not shipped (a vendored script's source map) stopped
    `pantau serve` from starting with PANTAU_ENV=production (found by bench/site.py)."""
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)  # raised before the fix
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("vendor/vega/vega-interpreter.*.js"))


def test_a_kept_page_lets_its_visitor_switch_language():
    """The kept page's language switcher is a POST form: the second visitor gets a CSRF token
    and cookie of their own, so their switch is not refused (it was: 403, the first visitor's
    token in the kept page)."""
    import re

    Client().get("/portal/")  # the first visitor: the page is kept
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get("/portal/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token, "the portal page has a language switcher form"
    switched = visitor.post(
        "/i18n/setlang/",
        {"language": "id", "next": "/portal/", "csrfmiddlewaretoken": token.group(1)},
    )
    assert switched.status_code == 302
    assert switched.cookies["django_language"].value == "id"


def test_every_token_of_a_kept_page_is_its_visitors_own():
    """The form's token and htmx's header (base.html's hx-headers) both: the first visitor's
    header was once left in the kept page."""
    import re

    first = Client().get("/portal/").content.decode()
    page = Client().get("/portal/").content.decode()
    tokens = re.findall(r'(?:csrfmiddlewaretoken" value="|"X-CSRFToken": ")([^"]+)"', page)
    assert len(tokens) == 2 and len(set(tokens)) == 1
    assert tokens[0] not in first
