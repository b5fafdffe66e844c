"""Errors answer the site's pages (in its layout, saying where to go) and JSON under /api/;
never a traceback or Django's list of URL patterns (the tests run with DEBUG off, as
`make run` and production do)."""

import pytest
from django.template.loader import render_to_string

pytestmark = pytest.mark.django_db


def test_404_page_in_the_sites_layout(client):
    response = client.get("/no/such/page", HTTP_REFERER="http://testserver/members/TH/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert '<header class="site">' in html  # the base layout
    assert 'href="http://testserver/members/TH/">Back' in html
    assert 'href="/accounts/login/?next=/no/such/page"' in html
    assert "urlpatterns" not in html and "URLconf" not in html


def test_back_link_only_to_this_site(client):
    response = client.get("/no/such/page", HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in response.content.decode()


def test_api_404_is_json(client):
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


@pytest.mark.urls("pantau.core.tests.urls_errors")
def test_403_page_for_anonymous_offers_sign_in(client):
    response = client.get("/test/forbidden")
    assert response.status_code == 403
    html = response.content.decode()
    assert "You may not do this" in html and '<header class="site">' in html
    assert 'href="/accounts/login/?next=/test/forbidden"' in html


@pytest.mark.urls("pantau.core.tests.urls_errors")
def test_500_page_without_traceback(client):
    client.raise_request_exception = False
    response = client.get("/test/boom")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html and '<header class="site">' in html
    assert "secret detail" not in html and "Traceback" not in html
    assert response["X-Request-ID"] in html  # to quote to an administrator


@pytest.mark.urls("pantau.core.tests.urls_errors")
def test_api_500_is_json_without_traceback(client):
    client.raise_request_exception = False
    response = client.get("/api/v1/test/boom")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal Server Error"}


def test_500_page_renders_without_request_or_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = render_to_string("500.html")
    assert "Something went wrong on our side" in html


# --- the services' errors, mapped once (pantau.core.exceptions, ServiceErrorMiddleware) -------


@pytest.mark.urls("pantau.core.tests.urls_errors")
def test_a_service_refusal_answers_the_403_page_with_its_reason(client):
    response = client.get("/test/service-refuses")
    assert response.status_code == 403
    assert "Only the ASEAN Secretariat opens reporting cycles" in response.text
    assert '<header class="site">' in response.text


@pytest.mark.urls("pantau.core.tests.urls_errors")
def test_a_service_refusal_under_the_api_is_json(client):
    response = client.get("/api/v1/test/service-refuses")
    assert response.status_code == 403
    assert response.json() == {"detail": "Only the ASEAN Secretariat opens reporting cycles"}


@pytest.mark.urls("pantau.core.tests.urls_errors")
def test_a_conflict_no_view_handles_answers_the_409_page(client):
    response = client.get("/test/conflict", HTTP_REFERER="http://testserver/members/TH/")
    assert response.status_code == 409
    assert "Somebody else saved first" in response.text
    assert "now version 3, you edited version 2" in response.text
    assert 'href="http://testserver/members/TH/">Back' in response.text


@pytest.mark.urls("pantau.core.tests.urls_errors")
def test_a_conflict_under_the_api_is_json(client):
    response = client.get("/api/v1/test/conflict")
    assert response.status_code == 409
    assert "you edited version 2" in response.json()["detail"]
