"""The OpenAPI document the app serves is a valid OpenAPI 3.1 document and documents its errors."""
import pytest
from openapi_spec_validator import validate


def test_openapi_document_validates_against_the_3_1_schema(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"] == "3.1.0"
    validate(spec)


def test_every_operation_documents_its_error_responses(client):
    spec = client.get("/api/v1/openapi.json").json
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            assert operation.get("summary") or operation.get("description"), f"{method} {path} is undocumented"
            codes = set(operation["responses"])
            assert any(code.startswith("2") for code in codes), f"{method} {path}"


def test_every_schema_has_a_name_of_its_own(sqlite_url, tmp_path):
    """Two schemas of one name would be merged under a generated name that an integrator cannot rely on."""
    import warnings

    from tests.conftest import make_app

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        make_app(sqlite_url, tmp_path / "instance").test_client().get("/api/v1/openapi.json")
    assert not [str(w.message) for w in caught if "Multiple schemas resolved" in str(w.message)]


@pytest.mark.one_database
def test_the_document_is_described_when_first_read_not_when_an_app_is_made(client):
    """Describing the routes and the error responses of every HTTP status costs more than the rest of making an
    app: a web worker that never serves the document does without it; the first reader gets all of it."""
    api = client.application.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    components = api._spec.components
    assert not components.responses and not components.responses_lazy and api._undocumented
    document = client.get("/api/v1/openapi.json").get_json()
    assert "DEFAULT_ERROR" in document["components"]["responses"] and document["paths"]
