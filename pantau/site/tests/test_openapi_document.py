"""The OpenAPI document states authentication and status codes as the server answers them
(pantau.site.openapi); `make schemathesis` checks the server against it."""

import pytest

from pantau.site.tests.test_authorization_walk import PUBLIC_OPERATIONS

pytestmark = pytest.mark.django_db

OPTIONAL = [{}, {"BearerToken": []}, {"SessionAuth": []}]


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", method, operation


def test_public_operations_take_credentials_optionally(document):
    public = {
        key: op["security"] for key, _, op in operations(document) if key in PUBLIC_OPERATIONS
    }
    assert set(public) == PUBLIC_OPERATIONS
    assert all(security == OPTIONAL for security in public.values()), public
    assert "OptionalBearer" not in document["components"]["securitySchemes"]


def test_other_operations_need_credentials(document):
    for key, _, operation in operations(document):
        if key not in PUBLIC_OPERATIONS:
            assert {} not in operation["security"], key
            assert operation["security"], key


def test_every_operation_with_parameters_or_a_body_documents_422(document):
    validation = document["components"]["schemas"]["ValidationError"]
    assert validation["properties"]["detail"]["type"] == "array"
    checked = 0
    for key, _, operation in operations(document):
        if operation.get("parameters") or "requestBody" in operation:
            answer = operation["responses"]["422"]
            schema = answer["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ValidationError"}, key
            checked += 1
    assert checked >= 15


def test_shared_answers_are_documented(document):
    for key, method, operation in operations(document):
        responses = operation["responses"]
        assert {"401", "503"} <= set(responses), key
        if method in {"post", "put", "patch", "delete"}:
            assert {"403", "413"} <= set(responses), key
        if "{" in key:
            assert "404" in responses, key
        if key.startswith(("GET /api/v1/narco", "POST /api/v1/narco", "PUT /api/v1/narco")):
            assert "404" in responses, key  # officers only: everybody else gets 404


def test_a_validation_error_answers_as_documented(client):
    response = client.get("/api/v1/workplans/2016-2025/status?year=not-a-year")
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert {"loc", "msg", "type"} <= set(problem)
    assert problem["loc"][-1] == "year"


def test_public_operations_answer_without_credentials(client):
    assert client.get("/api/v1/member-states/").status_code == 200
    assert client.get("/api/v1/workplans/").status_code == 200


def test_no_two_schemas_share_a_name(document):
    """The document keys schemas by class name: two apps' `TransitionIn` would silently
    describe one endpoint with the other's fields."""
    from ninja import Schema

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    named: dict[str, set[str]] = {}
    for cls in subclasses(Schema):
        if (
            cls.__module__.startswith("pantau.")
            and cls.__name__ in document["components"]["schemas"]
        ):
            named.setdefault(cls.__name__, set()).add(cls.__module__)
    assert {name: mods for name, mods in named.items() if len(mods) > 1} == {}


def test_every_file_an_operation_answers_is_documented(document):
    """An operation that answers a file (`format=csv`, an export) says so beside its JSON."""
    content = document["paths"]["/api/v1/data/{indicator}"]["get"]["responses"]["200"]["content"]
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/ObservationsOut"}
    assert content["text/csv"]["schema"] == {"type": "string"}
