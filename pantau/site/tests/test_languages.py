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
    # The project's and the apps' own (pantau/<app>/locale: programmes, cultivation...).
    apps = (Path(settings.BASE_DIR) / "pantau").glob("*/locale/id/LC_MESSAGES/*.po")
    return sorted(CATALOGUE.glob("*.po")) + sorted(apps)


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text.replace("%%", "")))


@pytest.mark.parametrize("po_path", _catalogues(), ids=lambda p: p.parts[-5])
def test_the_catalogue_is_complete(po_path):
    po = polib.pofile(str(po_path))
    assert len(po) > (500 if po_path.parent == CATALOGUE else 0)  # an app may hold a few
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


@pytest.mark.parametrize("po_path", _catalogues(), ids=lambda p: p.parts[-5])
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


# --- Numbers: localised on pages, never in files or API answers -----------------------------


@pytest.fixture
def seizures(tmp_path):
    from django.core.cache import cache

    from pantau.statistics.tests.observations import import_rows, row

    cache.clear()
    import_rows(
        None,
        tmp_path,
        [
            row("TH", 2023, "DRUG_SEIZURE", "KG", 1000, DRUG="HEROIN"),
            row("TH", 2024, "DRUG_SEIZURE", "KG", "1234567.5", DRUG="HEROIN"),
            row("MY", 2024, "DRUG_SEIZURE", "KG", 10, DRUG="HEROIN"),
        ],
        publish=True,
        source="National annual reports",
    )


def test_figures_in_the_readers_language():
    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.template import Context, Template
    from django.utils import translation

    from pantau.statistics.read.display import figure, figure_for_reader

    year = Template("{{ year }}")
    with translation.override("id"):
        assert figure_for_reader(1234567.5) == "1.234.567,5"
        assert intcomma(1234567) == "1.234.567"
        assert year.render(Context({"year": 2025})) == "2025"  # no separator in a year
        assert figure(1234567.5) == "1,234,567.5"  # figure() itself stays plain for forms
    with translation.override("en"):
        assert figure_for_reader(1234567.5) == "1,234,567.5"
        assert intcomma(1234567) == "1,234,567"
        assert year.render(Context({"year": 2025})) == "2025"


@pytest.mark.django_db
def test_pages_show_numbers_in_the_readers_language(client, seizures):
    english = client.get("/statistics/indicators/DRUG_SEIZURE/").content.decode()
    assert "1,234,567.5" in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    indonesian = client.get("/statistics/indicators/DRUG_SEIZURE/").content.decode()
    assert '<html lang="id">' in indonesian
    assert "1.234.567,5" in indonesian and "1,234,567.5" not in indonesian
    portal = client.get("/id/portal/TH/").content.decode()
    assert "1.234.567,5" in portal or "1.234.568" in portal


@pytest.mark.django_db
def test_downloads_and_the_api_never_localise_numbers(client, seizures, tmp_path):
    import io
    import json

    import openpyxl

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    headers = {"accept-language": "id"}
    csv = client.get("/id/portal/data/DRUG_SEIZURE.csv", headers=headers)
    assert csv.status_code == 200
    text = csv.content.decode()
    assert "1234567.5" in text and "1.234.567" not in text and "1234567,5" not in text
    sdmx_csv = client.get("/id/portal/data/DRUG_SEIZURE.sdmx.csv", headers=headers)
    assert "1234567.5" in sdmx_csv.content.decode()
    sdmx_ml = client.get("/id/portal/data/DRUG_SEIZURE.sdmx.xml", headers=headers)
    assert 'OBS_VALUE="1234567.5"' in sdmx_ml.content.decode()
    xlsx = client.get("/id/portal/data/DRUG_SEIZURE.xlsx", headers=headers)
    values = [
        cell
        for row in openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(
            values_only=True
        )
        for cell in row
    ]
    assert 1234567.5 in values
    api = client.get("/api/v1/data/DRUG_SEIZURE?REF_AREA=TH", headers=headers)
    assert api.status_code == 200
    assert 1234567.5 in [r["OBS_VALUE"] for r in json.loads(api.content)["observations"]]
    api_csv = client.get("/api/v1/data/DRUG_SEIZURE?REF_AREA=TH&format=csv", headers=headers)
    assert "1234567.5" in api_csv.content.decode()
    explore = "/analytics/?indicator=DRUG_SEIZURE&area=TH&from=2023&to=2024"
    page = client.get(explore).content.decode()
    assert "1.234.567,5" in page or "1.234.567,50" in page
    explore_csv = client.get(explore + "&format=csv").content.decode()
    assert "1234567.5" in explore_csv and "1.234.567" not in explore_csv


# --- Every marked string has its Indonesian translation, in whichever catalogue --------------

# Collected like makemessages does (Django's templatize for templates, the gettext calls of the
# Python source), then looked up through Django's own machinery: every catalogue (the project's,
# the apps' own, Django's and the libraries') merged in the order Django uses, so a string left
# out of every catalogue, or shadowed by another catalogue's untranslated entry, is caught.
_SINGULAR = {"_", "gettext", "gettext_lazy", "gettext_noop"}
_PLURAL = {"ngettext", "ngettext_lazy"}
_CONTEXT = {"pgettext", "pgettext_lazy"}
_CONTEXT_PLURAL = {"npgettext", "npgettext_lazy"}
_ARITY = {
    **dict.fromkeys(_SINGULAR, 1),
    **dict.fromkeys(_PLURAL | _CONTEXT, 2),
    **dict.fromkeys(_CONTEXT_PLURAL, 3),
}
_LITERAL = r"""u?(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
_TEMPLATE_CALL = re.compile(
    rf"(?<![\w.])(npgettext|pgettext|ngettext|gettext|_)\(\s*({_LITERAL}(?:\s*,\s*{_LITERAL})*)"
)

# Written the same in Bahasa Indonesia: proper names, codes, units and formats, and words the
# language has taken as they are. Each must still be in a catalogue (checked below).
SAME_IN_INDONESIAN = {
    # Proper names, codes, units, formats.
    "ASEAN", "API", "Bahasa Indonesia", "Bahasa Melayu", "Brunei Darussalam", "Indonesia",
    "Malaysia", "Myanmar", "Thailand", "Timor-Leste", "SDMX-CSV 2.0", "Clearinghouse",
    "Nimetazepam (Erimin-5)", "Modus operandi", "kg", "n/m", "%(sign)s%(value)s%%",
    "%(y)s: %(value)s %(unit)s",
    # Indonesian words spelled as in English.
    "(total)", "Administrator", "Agenda", "Episode", "Heroin", "Interval (ha)", "Interval (kg)",
    "Kratom", "Label", "No.", "Opium", "Per kilogram", "Seminar", "Status", "status", "Target",
    "Token", "Total", "Total (USD)", "USD per unit", "Volume",
}  # fmt: skip


def _marked_key(name: str, strings: list[str]) -> tuple[str, str, str]:
    """(context, msgid, msgid_plural), '' where there is none."""
    if name in _SINGULAR:
        return ("", strings[0], "")
    if name in _PLURAL:
        return ("", strings[0], strings[1])
    if name in _CONTEXT:
        return (strings[0], strings[1], "")
    return (strings[0], strings[1], strings[2])


def _marked_in_python(path: Path):
    import ast

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in _ARITY:
            continue
        args = node.args[: _ARITY[name]]
        if len(args) == _ARITY[name] and all(
            isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args
        ):
            yield _marked_key(name, [a.value for a in args]), f"{path}:{node.lineno}"


def _marked_in_template(path: Path):
    import ast

    from django.utils.translation.template import templatize

    text = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    for match in _TEMPLATE_CALL.finditer(text):
        name = match.group(1)
        strings = ast.literal_eval(f"({match.group(2)},)")
        if len(strings) >= _ARITY[name]:
            line = text.count("\n", 0, match.start()) + 1
            yield _marked_key(name, list(strings[: _ARITY[name]])), f"{path}:{line}"


def _marked_strings() -> dict[tuple[str, str, str], list[str]]:
    source = Path(settings.BASE_DIR) / "pantau"
    skipped = {"tests", "migrations", "static", "locale", "node_modules"}
    found: dict[tuple[str, str, str], list[str]] = {}
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if skipped & set(relative.parts[:-1]) or path.name == "conftest.py":
            continue
        if path.suffix == ".py":
            marked = _marked_in_python(path)
        elif path.suffix in (".html", ".txt") and "templates" in relative.parts:
            marked = _marked_in_template(path)
        else:
            continue
        for key, where in marked:
            found.setdefault(key, []).append(str(Path(where).relative_to(source)))
    return found


def test_every_marked_string_reads_in_bahasa_indonesia():
    from django.utils import translation
    from django.utils.translation import trans_real

    found = _marked_strings()
    assert len(found) > 1500  # the collection works: templates and Python both read
    assert ("", "Sign in", "") in found and ("", "Member State", "") in found
    catalogue = trans_real.translation("id")._catalog
    untranslated = []
    with translation.override("id"):
        for (context, msgid, plural), where in sorted(found.items()):
            if plural:
                one, two = (
                    translation.npgettext(context, msgid, plural, n)
                    if context
                    else translation.ngettext(msgid, plural, n)
                    for n in (1, 2)
                )
                # Untranslated, Django answers the singular for 1 and the plural for 2;
                # translated, Indonesian's one form for both ("%(n)d seminar" is Indonesian too).
                key = (f"{context}\x04{msgid}" if context else msgid, 0)
                done = one == two and (
                    msgid != plural
                    or one != msgid
                    or (msgid in SAME_IN_INDONESIAN and key in catalogue)
                )
            else:
                text = (
                    translation.pgettext(context, msgid) if context else translation.gettext(msgid)
                )
                key = f"{context}\x04{msgid}" if context else msgid
                done = text != msgid or (msgid in SAME_IN_INDONESIAN and key in catalogue)
            if not done:
                untranslated.append(f"{msgid!r} ({', '.join(where[:3])})")
    assert untranslated == [], "no Indonesian translation in any catalogue:\n" + "\n".join(
        untranslated
    )
