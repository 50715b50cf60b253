import pytest
import yaml
from django.urls import reverse
from openapi_spec_validator import validate


@pytest.mark.django_db
def test_schema_is_valid_openapi_3(client):
    response = client.get(reverse("api-schema"))
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    validate(schema)  # raises on an invalid document
    assert "/api/v1/auth/token/" in schema["paths"]
    assert "/api/v1/me/" in schema["paths"]
    components = schema["components"]["schemas"]
    assert {"TokenObtainViewInputRequest", "TokenObtainViewOutput", "MeViewOutput"} <= set(
        components
    )


@pytest.mark.django_db
def test_interactive_docs_work_offline(client):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    # Served from our own static files (drf-spectacular-sidecar), not from a CDN.
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
