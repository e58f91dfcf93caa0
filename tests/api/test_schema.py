"""schemathesis against the API's own OpenAPI schema: requests built from the schema,
valid and invalid, on every operation; no answer is a server error, and every one is
documented, of the documented type, and valid against its schema."""

import pytest
import schemathesis
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
    max_examples=10,
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


def test_every_answer_is_documented_and_valid(api_world):
    # Read from the API itself, as a client would. One test for every operation (the
    # plan built once), rather than schemathesis's test per operation.
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 12

    for operation in operations:

        @EXAMPLES
        @given(case=cases(operation))
        def check(case):
            case.call_and_validate(checks=CHECKS)

        check()
