import os

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests import mailscan
from tests.factories import ActorFactory

# Hypothesis's "too slow" health check times the generation of examples, which on a busy
# 2-core CI machine says more about the machine than about the test: a failure there is
# noise. Deadlines go for the same reason. Every other health check stays on.
hypothesis_settings.register_profile(
    "lotsen", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("lotsen")

DB_FIXTURES = {"db", "transactional_db", "client", "admin_client", "django_db_setup", "live_server"}


def _uses_database(item) -> bool:
    from django.test import TransactionTestCase

    if item.get_closest_marker("django_db"):
        return True
    if DB_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    cls = getattr(item, "cls", None)
    return bool(cls and issubclass(cls, TransactionTestCase))


def pytest_configure(config):
    from django.conf import settings

    # Tests render pages without running collectstatic first: plain static storage, no
    # manifest. (The browser tests serve the real, collected files.)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def pytest_collection_modifyitems(config, items):
    # The second pass of `make test` runs on PostgreSQL to test what depends on the
    # database; pure modules behave the same whatever the database, so they run once.
    if not os.environ.get("LOTSEN_DB_TESTS_ONLY"):
        return
    keep = [item for item in items if _uses_database(item)]
    deselected = [item for item in items if not _uses_database(item)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = keep


@pytest.fixture
def make_actor(db):
    return ActorFactory.build_actor


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Password hashing is deliberately slow; tests need it correct, not slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _mail_scan():
    """Every e-mail sent in the suite, through Django's locmem outbox or to a real SMTP
    server in the tests, carries no personnummer, no demo or test person's name and no
    word about health (tests/mailscan.py). Costs nothing when a test sends no mail."""
    from django.core import mail

    yield
    outbox = getattr(mail, "outbox", None) or []
    texts = [mailscan.django_message_text(message) for message in outbox]
    texts += [mailscan.smtp_message_text(message) for message in mailscan.received]
    mailscan.received.clear()
    problems = [problem for text in texts for problem in mailscan.findings(text)]
    if problems:
        pytest.fail("An e-mail carries personal data: " + "; ".join(problems), pytrace=False)
