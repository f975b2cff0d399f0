"""Event writes: who may save, the public registration's guards, attendance."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lotsen.accounts.actor import Actor
from lotsen.events import services
from lotsen.events.models import Event, Registration
from lotsen.events.selectors import training_hours
from tests.events.conftest import at, make_event, register
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def _save(actor, event=None, **overrides):
    values = {
        "title": "Kunskapsdag: unga och skolan",
        "programme": None,
        "starts_at": at(20, 9),
        "ends_at": at(20, 12, 30),
        "format": "digital",
        "audience": "professionals",
        "link": "https://exempel.se/mote",
        "registration_open": True,
        **overrides,
    }
    return services.event_save(actor=actor, event=event, **values)


def test_a_project_leader_creates_an_event_for_their_organisation(leader, programme):
    event = _save(leader, programme=programme)
    assert event.organiser == leader.organisation
    assert event.slug == "kunskapsdag-unga-och-skolan"
    assert event.duration_hours == 3.5
    second = _save(leader)
    assert second.slug == f"kunskapsdag-unga-och-skolan-{at(20, 9).date().isoformat()}"


def test_only_project_leaders_of_the_organiser_may_save(leader, municipality_leader, make_actor):
    event = _save(leader)
    with pytest.raises(PermissionDenied):
        _save(municipality_leader, event=event, title="Kapad")
    case_worker = make_actor(organisation=leader.organisation, role="case_worker")
    with pytest.raises(PermissionDenied):
        _save(case_worker)
    event.refresh_from_db()
    assert event.title == "Kunskapsdag: unga och skolan"


def test_a_programme_the_organisation_is_not_in_is_refused(municipality_leader, programme):
    # The municipality takes part in the programme: allowed.
    assert _save(municipality_leader, programme=programme).programme == programme
    outsider = OrganisationFactory()
    other = Actor.for_membership(MembershipFactory(organisation=outsider, role="project_leader"))
    with pytest.raises(ValidationError) as exc:
        _save(other, programme=programme)
    assert exc.value.message_dict == {"programme": [services.ERROR_PROGRAMME]}
    assert not Event.objects.filter(organiser=outsider).exists()


def test_on_site_needs_a_place(leader):
    with pytest.raises(ValidationError) as exc:
        _save(leader, format="on_site", link="")
    assert "location" in exc.value.message_dict
    assert not Event.objects.exists()


def test_registration_normalises_and_links_a_known_organisation(region):
    event = make_event(region)
    registration = services.registration_create(
        event=event,
        name="  Karin   Ek ",
        email="Karin.Ek@Kommun.SE ",
        organisation_name="region norrköping",
        role="Kurator",
    )
    assert registration.name == "Karin Ek"
    assert registration.email == "karin.ek@kommun.se"
    assert registration.organisation == region
    assert registration.attended is None


def test_the_same_email_cannot_register_twice(region):
    event = make_event(region)
    args = {"name": "Karin Ek", "organisation_name": "Skolan", "role": "Kurator"}
    services.registration_create(event=event, email="karin@kommun.se", **args)
    with pytest.raises(ValidationError) as exc:
        services.registration_create(event=event, email="KARIN@kommun.se", **args)
    assert exc.value.message_dict == {"email": [services.ERROR_DUPLICATE_EMAIL]}
    assert Registration.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"capacity": 1}, services.ERROR_EVENT_FULL),
        ({"registration_open": False}, services.ERROR_REGISTRATION_CLOSED),
        ({"audience": "young_people"}, services.ERROR_NOT_FOR_PROFESSIONALS),
        ({"starts_at": at(-1, 9), "ends_at": at(-1, 12)}, services.ERROR_EVENT_PAST),
    ],
)
def test_registration_guards(region, fields, error):
    event = make_event(region, **fields)
    if fields.get("capacity"):
        register(event, "Redan Anmäld")
    before = Registration.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.registration_create(
            event=event, name="Ny Person", email="ny@exempel.se", organisation_name="", role=""
        )
    assert exc.value.messages == [error]
    assert Registration.objects.count() == before


def test_capacity_cannot_drop_below_the_registered(leader):
    event = _save(leader, capacity=10)
    for name in ("A A", "B B", "C C"):
        register(event, name)
    with pytest.raises(ValidationError) as exc:
        _save(leader, event=event, capacity=2)
    assert exc.value.message_dict == {
        "capacity": [services.ERROR_CAPACITY_BELOW_REGISTERED.format(count=3)]
    }


def test_attendance_marks_everyone_and_counts_hours(leader, municipality):
    event = make_event(leader.organisation, days=-3)
    came = [register(event, f"Person {n}", organisation=municipality) for n in range(3)]
    absent = register(event, "Borta Person", organisation_name="Skolan")
    assert (
        services.attendance_mark(actor=leader, event=event, attended_ids={r.pk for r in came}) == 3
    )
    absent.refresh_from_db()
    assert absent.attended is False
    data = training_hours(actor=leader)
    assert [(r.label, r.people, r.hours) for r in data.by_organisation] == [("Kommunen", 3, 10.5)]


def test_attendance_waits_for_the_event_and_for_the_organiser(leader, municipality_leader):
    future = make_event(leader.organisation, days=3)
    register(future, "Tidig Person")
    with pytest.raises(ValidationError):
        services.attendance_mark(actor=leader, event=future, attended_ids=set())
    past = make_event(leader.organisation, days=-3)
    with pytest.raises(PermissionDenied):
        services.attendance_mark(actor=municipality_leader, event=past, attended_ids=set())
