"""schemathesis against the service's own OpenAPI document: generated requests for every
operation, checked for 5xx and for responses that break the documented schemas."""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis.specs.openapi import checks as oc
from hypothesis import HealthCheck, given, settings

from evaluation.loopback import running
from service.http.app import create_app
from service.core.engine import Engine
from service.core.settings import Settings

pytestmark = pytest.mark.slow
# No 5xx, and every response as documented (status, content type, headers, body schema).
# Schemathesis's "positive data accepted" check is left out on purpose: a schema-valid
# multipart body with an empty or corrupt `file` *must* be refused with a 4xx.
CHECKS = [schemathesis.checks.not_a_server_error, oc.status_code_conformance,
          oc.content_type_conformance, oc.response_headers_conformance,
          oc.response_schema_conformance]
ALL = "dictate read_notes approve export"


@pytest.fixture(scope="module")
def api(tmp_path_factory, engine):
    tmp = tmp_path_factory.mktemp("fuzz")
    base = Settings()
    settings_ = Settings(model_dir=base.model_dir, data_dir=tmp)
    app = create_app(settings_, engine=Engine(settings_, manager=engine.manager))
    key = app.state.dikta.store.create_key("fuzz", ALL)
    with running(app) as url:
        yield url, key


@pytest.fixture(scope="module")
def web_schema(api):
    url, key = api
    return schemathesis.openapi.from_url(f"{url}/openapi.json")


def test_no_server_errors_and_documented_responses(web_schema, api):
    _, key = api
    headers = {"Authorization": f"Bearer {key}"}
    operations = [result.ok() for result in web_schema.get_all_operations()]
    assert len(operations) >= 15
    counts = {}
    for operation in operations:
        if operation.path == "/metrics":
            continue  # Prometheus text, no JSON schema to check against

        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck),
                  database=None, derandomize=True)  # reproducible in CI
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.method, case.path, response.text[:300])
            case.validate_response(response, headers=headers, checks=CHECKS)
            counts[operation.label] = counts.get(operation.label, 0) + 1

        check()
    print(f"schemathesis cases run: {sum(counts.values())} over {len(counts)} operations")
