import pytest

from tests.oidc.server import provider_config, running_provider

# The test client's host, and the identity providers the tests configure in Lotsen.
TEST_SERVER = "http://testserver"
SLUGS = ["kommun", "betrodd", "region", "eid"]


@pytest.fixture(scope="session")
def oidc_provider():
    with running_provider(provider_config([TEST_SERVER], SLUGS)) as provider:
        yield provider
