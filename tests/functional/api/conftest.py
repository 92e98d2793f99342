"""API keys for the API's functional tests."""
import pytest

from portal.api.keys import create_api_key


@pytest.fixture
def write_key(dbsession):
    return create_api_key(dbsession, "Accounting", "write")[1]


@pytest.fixture
def read_key(dbsession):
    return create_api_key(dbsession, "Reports", "read")[1]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}
