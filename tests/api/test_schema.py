"""schemathesis against the API's own OpenAPI schema: requests built from the schema,
valid and invalid, on every operation; no answer is a server error, and every one is
documented, of the documented type, and valid against its schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from feminisation.wsgi import application

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# A few requests per operation: the API answers in a few queries, and the other
# tests check the figures themselves.
EXAMPLES = settings(
    max_examples=6,
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def cases(operation):
    """Valid requests, and for an operation with parameters invalid ones too."""
    valid = operation.as_strategy(GenerationMode.POSITIVE)
    if not operation.query:
        return valid
    return st.one_of(valid, operation.as_strategy(GenerationMode.NEGATIVE))


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """The requests go through the WSGI application, whose end closes the database
    connection that the test's transaction lives in (Django's test client spares it
    the same way)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def test_every_answer_is_documented_and_valid(api_world, wsgi_keeps_the_test_connection):
    # Read from the API itself, as a client would. One test for every operation (the
    # plan built once), rather than schemathesis's test per operation.
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 13

    for operation in operations:

        @EXAMPLES
        @given(case=cases(operation))
        def check(case):
            case.call_and_validate(checks=CHECKS)

        check()


def test_an_exceeded_target_is_answered_as_the_schema_says(
    client, api_world, wsgi_keeps_the_test_connection
):
    """A target exceeded passes 1, which the schema allows (it said at most 1); a
    target nearly reached never reads 1 (rounded down, as on the pages)."""
    from indicators.figures import store
    from tests.indicators.factories import TargetFactory

    with store.collecting():
        TargetFactory(plan=api_world["plan"], year=2025, audience=api_world["girls"], people=1)
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    [operation] = [
        result.ok()
        for result in schema.get_all_operations()
        if result.ok().path == "/api/v1/chiffres/objectifs/"
    ]

    response = operation.Case(query={"annee": 2025}).call_and_validate(checks=CHECKS)

    assert max(line["avancement"] for line in response.json()["lignes"]) > 1
