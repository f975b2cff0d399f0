"""SS 12000 sources configured in the admin: the client secret encrypted at rest and never
shown back, "Synka nu" and the schedule starting one import job per enabled source (never
a second while one waits), and the last runs on the source's page."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.urls import reverse

from lotsen.accounts.models import OrganisationKind
from lotsen.jobs.models import JobRun, JobStatus
from lotsen.school.sources import SchoolDataSource
from lotsen.school.tasks import IMPORT_JOB, ss12000_sync_job
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET = "hemlig-klientnyckel-123"  # noqa: S105 (a test value)


@pytest.fixture
def organiser(db):
    return OrganisationFactory(name="Skolförvaltningen", kind=OrganisationKind.SCHOOL_ORGANISER)


def source_with_secret(organiser, *, name="Skolsystemet", enabled=True, **fields):
    source = SchoolDataSource(
        organisation=organiser,
        name=name,
        base_url=fields.pop("base_url", f"https://ss12000.example.se/{name}"),
        client_id="lotsen",
        enabled=enabled,
        **fields,
    )
    source.client_secret_set(SECRET)
    source.save()
    return source


def stored_secret(source) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT client_secret_encrypted FROM school_schooldatasource WHERE id = %s",
            [source.pk],
        )
        return cursor.fetchone()[0]


def test_the_secret_is_encrypted_at_rest_and_read_back_with_the_key(organiser, settings):
    source = source_with_secret(organiser)
    raw = stored_secret(source)
    assert SECRET not in raw and raw.startswith("gAAAA")  # a Fernet token
    assert SchoolDataSource.objects.get(pk=source.pk).client_secret() == SECRET

    # A configured key (rotation: the new key first, the old one still reads).
    new_key = Fernet.generate_key().decode()
    derived = SchoolDataSource.objects.get(pk=source.pk)
    settings.LOTSEN_FIELD_ENCRYPTION_KEY = new_key
    with pytest.raises(ImproperlyConfigured):
        derived.client_secret()  # encrypted with the key derived from SECRET_KEY
    derived.client_secret_set(SECRET)
    derived.save()
    assert Fernet(new_key.encode()).decrypt(stored_secret(derived).encode()).decode() == SECRET
    settings.LOTSEN_FIELD_ENCRYPTION_KEY = "inte-en-nyckel"
    with pytest.raises(ImproperlyConfigured):
        derived.client_secret()


def test_the_admin_never_shows_the_secret_and_keeps_it_when_left_empty(client, organiser):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    add = client.post(
        reverse("admin:school_schooldatasource_add"),
        {
            "name": "Skolsystemet",
            "organisation": organiser.pk,
            "base_url": "https://ss12000.example.se/v2",
            "token_url": "",
            "client_id": "lotsen",
            "client_secret": SECRET,
            "enabled": "on",
        },
    )
    assert add.status_code == 302, add.text
    source = SchoolDataSource.objects.get()
    assert source.client_secret() == SECRET

    page = client.get(reverse("admin:school_schooldatasource_change", args=[source.pk]))
    assert page.status_code == 200
    assert SECRET not in page.text and stored_secret(source) not in page.text
    assert "satt" in page.text

    # Saved again without a secret: the one that is set stays.
    client.post(
        reverse("admin:school_schooldatasource_change", args=[source.pk]),
        {
            "name": "Skolsystemet 2",
            "organisation": organiser.pk,
            "base_url": "https://ss12000.example.se/v2",
            "token_url": "",
            "client_id": "lotsen",
            "client_secret": "",
            "enabled": "on",
        },
    )
    source.refresh_from_db()
    assert source.name == "Skolsystemet 2" and source.client_secret() == SECRET


def test_a_new_source_without_a_secret_is_refused(client, organiser):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    page = client.post(
        reverse("admin:school_schooldatasource_add"),
        {
            "name": "Utan",
            "organisation": organiser.pk,
            "base_url": "https://ss12000.example.se/v2",
            "client_id": "lotsen",
            "client_secret": "",
        },
    )
    assert page.status_code == 200 and "Ange klienthemligheten." in page.text
    assert not SchoolDataSource.objects.exists()


def test_sync_now_starts_one_import_per_source_and_the_page_lists_the_runs(client, organiser):
    source = source_with_secret(organiser)
    user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(user)
    url = reverse("admin:school_schooldatasource_changelist")
    # The broker is not asked here (the message would go after the commit): the run is
    # what "Synka nu" records.
    for _ in range(2):
        client.post(url, {"action": "sync_now", "_selected_action": [source.pk]})
    [run] = JobRun.objects.filter(name=IMPORT_JOB)
    assert run.params == {"source_id": source.pk}
    assert (run.trigger, run.started_by, run.status) == ("user", user, JobStatus.QUEUED)

    page = client.get(reverse("admin:school_schooldatasource_change", args=[source.pk]))
    assert reverse("admin:jobs_jobrun_change", args=[run.pk]) in page.text
    assert "I kö" in page.text


def test_the_schedule_starts_one_job_per_enabled_source_and_never_a_second(organiser):
    first = source_with_secret(organiser, name="Ett")
    second = source_with_secret(organiser, name="Två")
    source_with_secret(organiser, name="Av", enabled=False)

    counts = ss12000_sync_job.job_function(run=None)
    assert counts == {"started": 2, "already_running": 0}
    assert sorted(r.params["source_id"] for r in JobRun.objects.filter(name=IMPORT_JOB)) == [
        first.pk,
        second.pk,
    ]
    assert ss12000_sync_job.job_function(run=None) == {"started": 0, "already_running": 2}
    JobRun.objects.filter(name=IMPORT_JOB).update(status=JobStatus.SUCCEEDED)
    assert ss12000_sync_job.job_function(run=None) == {"started": 2, "already_running": 0}
