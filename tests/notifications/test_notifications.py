"""Notifications end to end, with e-mail through a real SMTP server (aiosmtpd).

The world: a school with a pupil, social services that receive referrals about her, a
municipality whose KAA coordinators receive notices, and an administrator who reviews
emergency access. The last test scans every mail the module's tests received: no
personnummer, no young person's name, no word about health.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Membership, OrganisationKind, Role
from lotsen.kaa.services import notice_send
from lotsen.notifications.models import DigestSent, Notification
from lotsen.notifications.selectors import (
    notification_list,
    notification_unread_count,
    preference_choices,
)
from lotsen.notifications.services import (
    notification_preferences_set,
    notifications_mark_all_read,
    notify,
    send_digests,
)
from lotsen.privacy.services import emergency_access_open
from lotsen.support.services import case_open, referral_accept, referral_decline, referral_send
from tests.factories import (
    EnrolmentFactory,
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PersonFactory,
    SchoolUnitFactory,
    UserFactory,
    consent_create,
)
from tests.notifications.conftest import subject_of, text_of

pytestmark = pytest.mark.django_db

REFERRAL_RECEIVED = "support.referral_received"
REFERRAL_ANSWERED = "support.referral_answered"

# Every mail the module's tests received, and the young people they were about, for the
# scan in the last test.
MAILS_SEEN: list[str] = []
PERSONS_SEEN: list[tuple[str, str, str]] = []
PERSONNUMMER = re.compile(r"(?<!\d)(\d{6}|\d{8})[-+]?\d{4}(?!\d)")
HEALTH_WORDS = (
    "hälsa", "psykisk", "diagnos", "ångest", "depression", "missbruk", "sjuk",
    "ungdomsmottagning", "vård",
)  # fmt: skip


@pytest.fixture(autouse=True)
def _keep_mails_for_the_scan(mailbox):
    yield
    MAILS_SEEN.extend(text_of(message) for message in mailbox.messages)


def staff(organisation, role=Role.CASE_WORKER, *, email_address="") -> Actor:
    user = UserFactory(
        email=email_address
        or f"{organisation.pk}-{role}-{UserFactory._meta.model.objects.count()}@example.se"
    )
    return Actor.for_membership(MembershipFactory(user=user, organisation=organisation, role=role))


@pytest.fixture
def school(db):
    return SchoolUnitFactory(name="Björkskolan", municipality_code="0180")


@pytest.fixture
def social(db):
    return OrganisationFactory(name="Socialtjänsten", kind=OrganisationKind.SOCIAL_SERVICES)


def pupil_in(school):
    person = PersonFactory(given_name="Saga", family_name="Lindqvist")
    EnrolmentFactory(person=person, school_unit=school)
    PERSONS_SEEN.append((person.given_name, person.family_name, person.personal_identity_number))
    return person


@pytest.fixture
def mentor(school):
    return staff(school, Role.MENTOR)


@pytest.fixture
def coach(social):
    return staff(social)


@pytest.fixture
def colleague(social):
    return staff(social)


def referral_to(social, *, mentor, school):
    pupil = pupil_in(school)
    consent = consent_create(person=pupil, organisations=[social], categories=["support"])
    case = case_open(actor=mentor, person=pupil, target_groups=["dropout"])
    referral = referral_send(
        actor=mentor, case=case, to_organisation=social, consent=consent, message="Behöver stöd"
    )
    return referral, consent


def test_a_referral_notifies_the_receiving_case_workers_in_app_and_by_email(
    mentor, coach, colleague, social, school, mailbox, django_capture_on_commit_callbacks
):
    bystander = staff(OrganisationFactory(name="Annan förvaltning"))
    with django_capture_on_commit_callbacks(execute=True):
        referral, _consent = referral_to(social, mentor=mentor, school=school)

    url = reverse("support:referral_detail", args=[referral.pk])
    for actor in (coach, colleague):
        [notification] = notification_list(actor=actor)
        assert (notification.kind, notification.url) == (REFERRAL_RECEIVED, url)
        assert notification_unread_count(actor=actor) == 1
        [mail] = mailbox.to(actor.user.email)
        assert subject_of(mail) == "Du har en ny remiss i Lotsen"
        assert f"https://lotsen.example.se{url}" in mail.get_content()
        assert notification.__class__.objects.get(pk=notification.pk).emailed_at is not None
    assert list(notification_list(actor=bystander)) == []
    assert list(notification_list(actor=mentor)) == []
    assert len(mailbox.messages) == 2


def test_an_answer_notifies_the_sender(
    mentor, coach, social, school, mailbox, django_capture_on_commit_callbacks
):
    referral, _consent = referral_to(social, mentor=mentor, school=school)
    with django_capture_on_commit_callbacks(execute=True):
        referral_accept(actor=coach, referral=referral)
    [notification] = notification_list(actor=mentor)
    assert notification.kind == REFERRAL_ANSWERED
    [mail] = mailbox.to(mentor.user.email)
    assert subject_of(mail) == "En remiss du skickat har fått svar i Lotsen"

    declined, _consent = referral_to(social, mentor=mentor, school=school)
    with django_capture_on_commit_callbacks(execute=True):
        referral_decline(actor=coach, referral=declined, reason="Inte vår målgrupp")
    assert [n.object_id for n in notification_list(actor=mentor)] == [declined.pk, referral.pk]
    assert "Inte vår målgrupp" not in "".join(text_of(m) for m in mailbox.messages)


def test_a_notification_rolls_back_with_the_change(mentor, coach, school, social, mailbox):
    pupil = pupil_in(school)
    case = case_open(actor=mentor, person=pupil, target_groups=["dropout"])
    with pytest.raises(Exception):  # noqa: B017 (the consent does not name the receiver)
        referral_send(
            actor=mentor,
            case=case,
            to_organisation=social,
            consent=consent_create(person=pupil, organisations=[school], categories=["support"]),
            message="Hjälp",
        )
    assert Notification.objects.count() == 0
    assert mailbox.messages == []


def test_a_digest_user_gets_one_digest_with_the_right_items_once(
    mentor, coach, colleague, social, school, mailbox, django_capture_on_commit_callbacks
):
    notification_preferences_set(user=coach.user, choices={REFERRAL_RECEIVED: "digest"})
    notification_preferences_set(user=colleague.user, choices={REFERRAL_RECEIVED: "none"})
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = referral_to(social, mentor=mentor, school=school)
        second, _ = referral_to(social, mentor=mentor, school=school)
    assert mailbox.messages == []  # neither wanted an e-mail at once
    assert notification_unread_count(actor=coach) == 2

    now = timezone.now()
    assert send_digests(now=now) == 1
    [digest] = mailbox.to(coach.user.email)
    assert subject_of(digest) == "Det här har hänt i Lotsen"
    body = digest.get_content()
    for referral in (first, second):
        assert reverse("support:referral_detail", args=[referral.pk]) in body
    assert body.count("Du har en ny remiss i Lotsen") == 2
    assert mailbox.to(colleague.user.email) == []  # chose no e-mail

    # A second run the same (local) day sends nothing, even with something new to tell.
    # An hour later, but never past midnight: run at 23:30 the hour is tomorrow.
    referral_to(social, mentor=mentor, school=school)
    end_of_day = timezone.localtime(now).replace(hour=23, minute=59, second=59, microsecond=0)
    later_today = now + max(dt.timedelta(0), min(dt.timedelta(hours=1), end_of_day - now))
    assert send_digests(now=later_today) == 0
    assert len(mailbox.messages) == 1
    assert DigestSent.objects.filter(user=coach.user).count() == 1
    # The next day the new one goes out, and only it.
    assert send_digests(now=now + dt.timedelta(days=1)) == 1
    latest = mailbox.to(coach.user.email)[-1].get_content()
    assert latest.count("Du har en ny remiss i Lotsen") == 1


def test_withdrawn_consent_removes_the_notification_and_its_digest(
    mentor, coach, social, school, mailbox, django_capture_on_commit_callbacks
):
    notification_preferences_set(user=coach.user, choices={REFERRAL_RECEIVED: "digest"})
    referral, consent = referral_to(social, mentor=mentor, school=school)
    assert notification_unread_count(actor=coach) == 1

    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    assert list(notification_list(actor=coach)) == []
    assert notification_unread_count(actor=coach) == 0
    assert send_digests() == 0
    assert mailbox.messages == []


def test_withdrawn_before_the_commit_sends_no_immediate_mail(
    mentor, coach, social, school, mailbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        referral, consent = referral_to(social, mentor=mentor, school=school)
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    for callback in callbacks:
        callback()
    assert mailbox.to(coach.user.email) == []


def test_a_kaa_notice_goes_to_the_coordinators_of_the_home_municipality(
    school, mailbox, django_capture_on_commit_callbacks
):
    municipality = MunicipalityFactory(municipality_code="0180")
    other = MunicipalityFactory(municipality_code="0181")
    coordinator = staff(municipality, Role.KAA_COORDINATOR)
    elsewhere = staff(other, Role.KAA_COORDINATOR)
    pupil = pupil_in(school)
    with django_capture_on_commit_callbacks(execute=True):
        notice_send(
            actor=staff(school, Role.MENTOR),
            kind="absence",
            personal_identity_number=pupil.personal_identity_number,
            home_municipality_code="0180",
            event_date=timezone.localdate(),
            message="Mycket frånvaro",
        )
    [notification] = notification_list(actor=coordinator)
    assert notification.url == reverse("kaa:inbox")
    assert list(notification_list(actor=elsewhere)) == []
    [mail] = mailbox.to(coordinator.user.email)
    assert subject_of(mail) == "Din kommun har fått en ny anmälan från en skola i Lotsen"

    # The coordinator leaves the municipality: the notification goes with the inbox, and
    # the digest has nothing for them.
    Membership.objects.filter(user=coordinator.user).delete()
    Notification.objects.update(emailed_at=None)
    assert send_digests() == 0
    assert len(mailbox.messages) == 1


def test_emergency_access_tells_the_young_person_and_the_reviewing_admin(
    client, school, mailbox, django_capture_on_commit_callbacks
):
    pupil = pupil_in(school)
    own = UserFactory(email="saga@example.se", person=pupil)
    admin = staff(school, Role.ORGANISATION_ADMIN)
    nurse = staff(school, Role.STUDENT_HEALTH)
    with django_capture_on_commit_callbacks(execute=True):
        grant = emergency_access_open(
            actor=nurse, person=pupil, reason="Akut läge, behöver nå kontaktuppgifter nu"
        )
    young = Actor.for_young_person(own)
    [on_me] = notification_list(actor=young)
    assert (on_me.object_id, on_me.url) == (grant.pk, reverse("youth:access_log"))
    [to_review] = notification_list(actor=admin)
    assert to_review.url == reverse("web:emergency_review_list")
    assert list(notification_list(actor=nurse)) == []
    assert subject_of(mailbox.to("saga@example.se")[0]) == (
        "Någon har använt nödåtkomst till dina uppgifter i Lotsen"
    )
    assert "Akut läge" not in "".join(text_of(m) for m in mailbox.messages)

    # On "Mina sidor" the young person sees the count at once, and the centre lists it.
    client.force_login(own)
    page = client.get(reverse("youth:start"))
    assert 'class="govuk-tag govuk-tag--blue lotsen-notification-count">1<' in page.text
    centre = client.get(reverse("notifications:centre"))
    assert reverse("youth:access_log") in centre.text


def test_the_centre_lists_newest_first_in_pages_and_marks_read(
    client, coach, social, mentor, school
):
    referrals = [referral_to(social, mentor=mentor, school=school)[0] for _ in range(3)]
    client.force_login(coach.user)
    start = client.get(reverse("web:start"))
    assert 'lotsen-notification-count">3<' in start.text

    centre = client.get(reverse("notifications:centre"))
    assert centre.status_code == 200
    assert '<h1 class="govuk-heading-l">Notiser</h1>' in centre.text
    links = re.findall(r'href="(/arenden/remiss/\d+/)"', centre.text)
    assert links == [reverse("support:referral_detail", args=[r.pk]) for r in reversed(referrals)]
    assert centre.text.count("Markera som läst") == 3

    newest = notification_list(actor=coach).first()
    mark = reverse("notifications:mark_read", args=[newest.pk])
    swapped = client.post(mark, HTTP_HX_REQUEST="true")
    assert swapped.status_code == 200
    assert f'id="notis-{newest.pk}"' in swapped.text and "Markera som läst" not in swapped.text
    assert notification_unread_count(actor=coach) == 2
    assert client.post(mark).url == reverse("notifications:centre")  # without htmx
    assert client.get(mark).status_code == 405

    # Someone else's notification is answered as missing.
    other = Notification.objects.exclude(user=coach.user).first()
    assert (
        other is None
        or client.post(reverse("notifications:mark_read", args=[other.pk])).status_code == 404
    )
    client.post(reverse("notifications:mark_all_read"))
    assert notification_unread_count(actor=coach) == 0
    assert "lotsen-notification-count" not in client.get(reverse("web:start")).text


def test_the_centre_pages_at_25(client, coach, social, mentor, school):
    referral, _ = referral_to(social, mentor=mentor, school=school)
    for _ in range(30):
        notify(users=[coach.user], kind=REFERRAL_RECEIVED, url="/arenden/", object_id=referral.pk)
    client.force_login(coach.user)
    first = client.get(reverse("notifications:centre"))
    assert first.text.count('<li class="govuk-!-margin-bottom-4"') == 25
    assert 'href="?sida=2"' in first.text
    second = client.get(reverse("notifications:centre") + "?sida=2")
    assert second.text.count('<li class="govuk-!-margin-bottom-4"') == 6


def test_someone_elses_notification_cannot_be_marked(
    client, coach, colleague, social, mentor, school
):
    referral_to(social, mentor=mentor, school=school)
    theirs = notification_list(actor=colleague).get()
    client.force_login(coach.user)
    assert client.post(reverse("notifications:mark_read", args=[theirs.pk])).status_code == 404
    assert notifications_mark_all_read(user=coach.user) == 1
    assert notification_unread_count(actor=colleague) == 1


def test_the_preferences_page_offers_the_kinds_of_the_users_roles(client, coach):
    client.force_login(coach.user)
    url = reverse("notifications:preferences")
    page = client.get(url)
    assert "Du har en ny remiss i Lotsen" in page.text
    assert "nödåtkomst till dina uppgifter" not in page.text  # a young person's kind
    # Every kind the page offers is answered; two of them are changed.
    offered = {kind.name: "immediate" for kind, _ in preference_choices(user=coach.user)}
    response = client.post(url, {**offered, REFERRAL_RECEIVED: "digest", REFERRAL_ANSWERED: "none"})
    assert response.url == url
    again = client.get(url)
    assert 'name="support.referral_received" type="radio" value="digest" checked' in again.text
    assert 'name="support.referral_answered" type="radio" value="none" checked' in again.text
    bad = client.post(url, {**offered, REFERRAL_RECEIVED: "weekly", REFERRAL_ANSWERED: "none"})
    assert bad.status_code == 200 and "govuk-error-summary" in bad.text


def test_notify_takes_only_a_path_on_this_site(coach):
    for url in ("https://elsewhere.example/", "//elsewhere.example/", "/a/?pnr=1"):
        with pytest.raises(ValueError):
            notify(users=[coach.user], kind=REFERRAL_RECEIVED, url=url, object_id=1)
    with pytest.raises(ValueError):
        notify(users=[coach.user], kind="no.such.kind", url="/", object_id=1)


def test_zz_no_mail_in_this_module_carries_personal_data():
    """Runs last in the module: every mail the tests above received."""
    assert MAILS_SEEN, "the tests above should have sent mail"
    everything = "\n".join(MAILS_SEEN)
    assert not PERSONNUMMER.search(everything)
    lowered = everything.lower()
    for given, family, number in PERSONS_SEEN:
        assert given.lower() not in lowered and family.lower() not in lowered
        assert number not in everything and number[2:] not in everything
    for word in HEALTH_WORDS:
        assert word not in lowered, word
