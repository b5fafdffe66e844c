"""Identifiers (document numbers, dates of birth) are encrypted at rest with a key that is
not in the database: the raw column holds no identifier, and without the key nothing reads."""

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from pantau.narco import crypto
from pantau.narco.models import Person

from .factories import make_person

pytestmark = pytest.mark.django_db

PASSPORT = "ZX9876543"


@pytest.fixture
def person(officers):
    return make_person(
        officers.th,
        ["Illustrative Somchai Demo"],
        date_of_birth="1979-04-01",
        identity_documents=[{"type": "passport", "number": PASSPORT, "country": "TH"}],
    )


@pytest.fixture
def other_key(monkeypatch):
    """The application running with a different key (PANTAU_NARCO_KEYS)."""
    monkeypatch.setenv("PANTAU_NARCO_KEYS", Fernet.generate_key().decode())
    crypto._fernet.cache_clear()
    yield
    monkeypatch.undo()
    crypto._fernet.cache_clear()


def raw_columns(pk: int) -> tuple[str, str]:
    table = connection.ops.quote_name(Person._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT identity_documents, date_of_birth FROM {table} WHERE id = %s",
            [pk],
        )
        return cursor.fetchone()


def test_identifiers_are_not_stored_in_clear(person):
    documents, born = raw_columns(person.pk)
    assert PASSPORT not in documents
    assert "passport" not in documents
    assert "1979" not in born
    # Fernet tokens, and each value its own (random IV): equal values do not show.
    assert documents.startswith("gAAAA")
    assert born.startswith("gAAAA")


def test_identifiers_decrypt_with_the_key(person):
    documents, born = raw_columns(person.pk)
    assert PASSPORT in crypto.decrypt(documents)
    assert crypto.decrypt(born) == '"1979-04-01"'
    fresh = Person.objects.get(pk=person.pk)
    assert fresh.identity_documents == [{"type": "passport", "number": PASSPORT, "country": "TH"}]
    assert fresh.date_of_birth == "1979-04-01"


def test_without_the_right_key_decryption_fails_clearly(person, other_key):
    with pytest.raises(RuntimeError, match="Cannot decrypt a NARCO identifier"):
        Person.objects.get(pk=person.pk)
    documents, _ = raw_columns(person.pk)
    with pytest.raises(RuntimeError, match="wrong PANTAU_NARCO_KEYS"):
        crypto.decrypt(documents)


def test_keys_rotate_newest_first(monkeypatch):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    try:
        monkeypatch.setenv("PANTAU_NARCO_KEYS", old_key)
        crypto._fernet.cache_clear()
        written_before = crypto.encrypt(PASSPORT)
        monkeypatch.setenv("PANTAU_NARCO_KEYS", f"{new_key},{old_key}")
        crypto._fernet.cache_clear()
        assert crypto.decrypt(written_before) == PASSPORT  # read with the old key
        token = crypto.encrypt("x")
        assert Fernet(new_key.encode()).decrypt(token.encode()) == b"x"  # written with the new
    finally:
        monkeypatch.undo()
        crypto._fernet.cache_clear()


def test_empty_identifiers_stay_empty(officers):
    person = make_person(officers.th, ["Illustrative No Papers"])
    assert raw_columns(person.pk) == (None, None)
    assert Person.objects.get(pk=person.pk).identity_documents is None


def test_a_development_key_is_created_once_readable_by_its_owner_only(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    path = tmp_path / "narco.key"
    crypto._create_key_file(path)
    first = path.read_bytes()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    Fernet(first)  # a valid key
    crypto._create_key_file(path)  # a second process arriving late keeps the first key
    assert path.read_bytes() == first
    assert [p.name for p in tmp_path.iterdir()] == ["narco.key"]
