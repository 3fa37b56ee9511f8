"""Schemathesis against /api/schema/: generated requests, valid and invalid (`--mode all`), for every
operation, sent through the real WSGI application as anonymous and as each role, with schemathesis's
checks on: no server error, every response (status, content type, headers, body) as the schema says.

A bounded number of examples per operation and mode keeps it inside the CI time. The CLI equivalent
against a running server:
`schemathesis run http://127.0.0.1:8000/api/schema/ --checks all --mode all --max-examples 10 \
-H "Authorization: Token …"`.
(schemathesis.pytest.from_fixture does not run under pytest 9, hence the explicit loop over operations.)
"""
import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.roles import user_of

ROLES = (None, "rep_a", "studio_staff_a", "liaison_a", "organisation")
MAX_EXAMPLES = 10
SEMANTIC_VALIDATION = {("/api/v1/petitions", "POST"), ("/api/v1/proposals", "POST"), ("/api/v1/auth/token", "POST"),
                       ("/api/v1/petitions/{tracking_code}/actions/{action_name}", "POST"),
                       ("/api/v1/assignments/{id}/report", "POST"), ("/api/v1/reports/figures", "GET"),
                       # The duties' services refuse what only the database can judge: a due date already past,
                       # a department, studio or representative outside the agency's area, an empty reason,
                       # answer, report or review (the page's own messages, 400 on the field).
                       ("/api/v1/research-topics", "POST"), ("/api/v1/agency/assignments", "POST"),
                       ("/api/v1/proposals/{id}/decline", "POST"), ("/api/v1/proposals/{id}/hand-over", "POST"),
                       ("/api/v1/proposals/{id}/answer", "POST"), ("/api/v1/research-claims/{id}/report", "POST"),
                       ("/api/v1/research-claims/{id}/review", "POST"),
                       ("/api/v1/studios/{studio_code}/members", "POST"),
                       # A date still to come, a representative who is not a member, an outcome without its
                       # value; a post of spaces only.
                       ("/api/v1/studios/{studio_code}/activities", "POST"),
                       ("/api/v1/discussions/{id}/posts", "POST")}
OPERATIONS = sorted((path, method.upper()) for path, ops in
                    SchemaGenerator().get_schema(request=None, public=True)["paths"].items() for method in ops)


@pytest.fixture
def api_schema(world, monkeypatch):
    """The schema, loaded from the running WSGI application (the same handler gunicorn runs)."""
    from django.core import signals
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    for scope in ("anon", "user", "submit"):
        monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, "100000/min")
    # As Django's test client does: the test's transaction must survive the end of each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def role_headers(world):
    headers = {}
    for role in ROLES:
        if role is None:
            headers[role] = {}
        else:
            token, _ = Token.objects.get_or_create(user=user_of(world, role))
            headers[role] = {"Authorization": f"Token {token.key}"}
    return headers


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("path, method", OPERATIONS)
def test_api_conforms_to_its_schema(api_schema, role_headers, path, method, mode):
    operation = api_schema[path][method]
    hotline = path == "/api/v1/hotline/events"
    # These accept a schema-valid request only if the database agrees (the studio code exists, the
    # credentials are right, the text is 10 characters once normalised, the period starts on its first
    # day): a 400 for such a request is correct, so "schema-valid data is accepted" does not apply.
    excluded = [positive_data_acceptance] if (path, method) in SEMANTIC_VALIDATION else []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
              database=None)
    def check(case):
        if hotline:
            # Signed by HMAC, not by a token (tests/petitions/test_hotline.py): here only "never a 500".
            assert case.call().status_code < 500
            return
        for headers in role_headers.values():
            case.call_and_validate(headers=headers, excluded_checks=excluded)

    try:
        check()
    except Unsatisfiable:
        # Negative mode on an operation whose every parameter is a free string: there is no request that
        # breaks the schema to send (hypothesis finds none). Positive mode still runs for it.
        assert mode == GenerationMode.NEGATIVE
