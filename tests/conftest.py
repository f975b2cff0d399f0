import pytest

from tests.factories import ActorFactory


@pytest.fixture
def make_actor(db):
    return ActorFactory.build_actor


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Password hashing is deliberately slow; tests need it correct, not slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
