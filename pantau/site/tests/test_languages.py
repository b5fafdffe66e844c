"""Screens in English and Bahasa Indonesia: the project catalogue is complete (no untranslated,
no fuzzy entry, the same placeholders, the compiled .mo matches the .po), the language switcher
(Django's set_language) keeps the choice in the language cookie, and every page honours it:
the portal (its /id/ URLs), the sign-in page and the signed-in pages outside i18n_patterns."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

CATALOGUE = Path(settings.BASE_DIR) / "pantau" / "locale" / "id" / "LC_MESSAGES"

# %(name)s, %s, %d, %.1f... and {0}, {name} (str.format, JavaScript's interpolate).
PLACEHOLDER = re.compile(
    r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdfiorxXeEgG]"  # %(name)s
    r"|%[-#0 +]*\d*(?:\.\d+)?[sdfi]"  # %s, %d
    r"|\{[\w.]*\}"  # {0}, {name}
)


def _catalogues() -> list[Path]:
    return sorted(CATALOGUE.glob("*.po"))


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text.replace("%%", "")))


@pytest.mark.parametrize("po_path", _catalogues(), ids=lambda p: p.name)
def test_the_catalogue_is_complete(po_path):
    po = polib.pofile(str(po_path))
    assert len(po) > 500
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert po.obsolete_entries() == []
    for entry in po.translated_entries():
        if entry.msgid_plural:
            for msgstr in entry.msgstr_plural.values():
                # Indonesian has one plural form: it may use the plural's placeholders.
                assert _placeholders(msgstr) in (
                    _placeholders(entry.msgid),
                    _placeholders(entry.msgid_plural),
                ), entry.msgid
        else:
            assert _placeholders(entry.msgstr) == _placeholders(entry.msgid), entry.msgid
        # Markup kept as it was (links, emphasis): the same tags in the same number.
        for text in entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]:
            assert sorted(re.findall(r"</?\w+", text)) == sorted(
                re.findall(r"</?\w+", entry.msgid)
            ), entry.msgid


@pytest.mark.parametrize("po_path", _catalogues(), ids=lambda p: p.name)
def test_the_compiled_catalogue_is_the_committed_one(po_path):
    po = polib.pofile(str(po_path))
    mo = polib.mofile(str(po_path.with_suffix(".mo")))

    def key(e) -> tuple[str, str]:
        return (e.msgctxt or "", e.msgid)

    compiled = {key(e): (e.msgstr, dict(e.msgstr_plural)) for e in mo if e.msgid}
    source = {
        key(e): (e.msgstr, {int(k): v for k, v in e.msgstr_plural.items()})
        for e in po.translated_entries()
    }
    assert {k: (s, {int(i): v for i, v in p.items()}) for k, (s, p) in compiled.items()} == source


# --- Pages ----------------------------------------------------------------------------------


@pytest.fixture
def indonesian(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    return client


@pytest.mark.django_db
def test_the_switcher_is_on_every_page_and_keeps_the_choice(client, make_user):
    page = client.get("/accounts/login/").content.decode()
    assert f'action="{reverse("set_language")}"' in page
    assert 'name="language" value="id"' in page
    answer = client.post(reverse("set_language"), {"language": "id", "next": "/accounts/login/"})
    assert answer.status_code == 302 and answer["Location"] == "/accounts/login/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "id"
    assert '<html lang="id">' in client.get("/accounts/login/").content.decode()
    # Back to English.
    client.post(reverse("set_language"), {"language": "en", "next": "/id/portal/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


@pytest.mark.django_db
def test_the_switcher_sends_the_portal_to_its_indonesian_address(client):
    answer = client.post(reverse("set_language"), {"language": "id", "next": "/portal/"})
    assert answer["Location"] == "/id/portal/"
    answer = client.post(reverse("set_language"), {"language": "en", "next": "/id/portal/"})
    assert answer["Location"] == "/portal/"


@pytest.mark.django_db
def test_the_switcher_never_sends_elsewhere(client):
    answer = client.post(
        reverse("set_language"), {"language": "id", "next": "https://evil.example/"}
    )
    assert answer.status_code == 302 and "evil" not in answer["Location"]


@pytest.mark.django_db
def test_the_switcher_needs_the_csrf_token():
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    answer = strict.post(reverse("set_language"), {"language": "id", "next": "/portal/"})
    assert answer.status_code == 403
    assert settings.LANGUAGE_COOKIE_NAME not in answer.cookies


@pytest.mark.django_db
def test_the_portal_in_bahasa_indonesia_with_the_cookie(indonesian):
    answer = indonesian.get("/portal/")
    assert answer.status_code == 302 and answer["Location"] == "/id/portal/"
    assert "Cookie" in answer["Vary"]
    page = indonesian.get("/portal/", follow=True).content.decode()
    assert '<html lang="id">' in page
    assert "Statistik narkoba ASEAN" in page
    assert "Portal publik" in page


@pytest.mark.django_db
def test_the_sign_in_page_in_bahasa_indonesia_with_the_cookie(indonesian, client):
    page = indonesian.get("/accounts/login/").content.decode()
    assert '<html lang="id">' in page
    assert "Masuk" in page and "Kata sandi" in page
    assert "Sign in" not in page


@pytest.mark.django_db
def test_english_without_the_cookie(client):
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in page and "Sign in" in page
    assert client.get("/portal/").status_code == 200  # no cookie: the English address stays


@pytest.mark.django_db
def test_signed_in_pages_honour_the_choice(indonesian, make_user):
    user = make_user("focal_point", "TH")
    indonesian.force_login(user)
    page = indonesian.get("/start/").content.decode()
    assert '<html lang="id">' in page and "Keluar" in page  # "Sign out"
    page = indonesian.get("/reporting/").content.decode()
    assert '<html lang="id">' in page and "Laporan negara" in page
