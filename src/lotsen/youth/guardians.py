"""A minor's guardian answers consent requests (issue 11).

An organisation that works with a minor asks the guardian for consent
(``consent_request_create``); the guardian logs in with e-ID as guardian (a login kind of
its own, ``accounts.oidc.guardian_user_for_claims``) and answers yes or no
(``consent_request_answer``). A yes is a ``privacy.Consent`` given by the guardian, with
the login as evidence.

Who a guardian reaches, and for how long (the legal basis ``GUARDIAN_BASIS``):
- only a person whose stored guardian (``people.Guardian``) has the personnummer the
  guardian logged in with, read afresh on every request;
- only while an organisation is waiting for, or has had, the guardian's answer on a
  request that the guardian may still answer: nothing else about the minor, no case, no
  notes, no school data. The basis covers the identity category only (the minor's name);
- only while the minor is under 18 and, for each request, younger than the age from which
  the organisations named let the young person consent alone
  (``Organisation.guardian_consent_below_age``).

Why that age rule (/work/shared/domain/swedish-rules-and-sources.md §6.1-6.2): SKL's SIP
material for "barn och unga 0–18 år" has consent given "by child and guardians", so a
guardian speaks for the young person until 18 and never after; and "for minors, secrecy
can apply even towards guardians in some cases" (OSL, via lawline), so once the young
person may consent alone under the organisation's own rule the guardian is no longer
asked, and sees nothing. Guardianship ending at 18 (föräldrabalken 6 kap. 2 §) is not in
that file: [UNVERIFIED there], but it is the bound the SIP material uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from lotsen.accounts.actor import GUARDIAN, Actor
from lotsen.accounts.models import Organisation, Role
from lotsen.people.models import Guardian, GuardianAccount, Person
from lotsen.privacy.door import persons_written, record_read, records_read
from lotsen.privacy.models import Category, ConsentGiver, Purpose
from lotsen.privacy.policy import LegalBasis, purpose_for
from lotsen.privacy.services import consent_record
from lotsen.youth.models import PURPOSE_TEXT_MAX_LENGTH, ConsentRequest, ConsentRequestStatus

# Guardianship ends when the young person turns 18 (see the module docstring).
ADULT_AGE = 18
PURPOSE_TEXT_MIN_LENGTH = 10
# A guardian of many children is still a handful of rows; a bound all the same.
GUARDIAN_REQUEST_LIMIT = 100

ERROR_REQUEST_NO_ORGANISATIONS = "Välj minst en organisation som ska få dela uppgifter."
ERROR_REQUEST_NO_CATEGORIES = "Välj minst en sorts uppgifter som samtycket ska gälla."
ERROR_REQUEST_CATEGORY = "Okänd sorts uppgifter: {category}."
ERROR_REQUEST_PURPOSE = (
    "Skriv med enkla ord vad samtycket ska användas till ({min_length}–{max_length} tecken)."
)
ERROR_REQUEST_NOT_MINOR = (
    "Den unga får själv lämna samtycke till de här organisationerna. Fråga den unga i stället."
)
ERROR_REQUEST_NO_GUARDIAN = (
    "Ingen vårdnadshavare med personnummer finns registrerad för personen. Lägg in "
    "vårdnadshavarens personnummer först."
)
ERROR_REQUEST_ROLE = "Din roll kan inte be vårdnadshavare om samtycke."
ERROR_ALREADY_ANSWERED = "Frågan är redan besvarad."

# What a consent would share, in a guardian's words (plain Swedish, about "ditt barn").
GUARDIAN_CATEGORY_PHRASES = {
    Category.SCHOOL: gettext_lazy("Betyg och frånvaro från skolan"),
    Category.KAA: gettext_lazy("Vad kommunen vet om vad ditt barn gör nu"),
    Category.SUPPORT: gettext_lazy("Stöd och hjälp som ditt barn får"),
    Category.HEALTH: gettext_lazy("Hur ditt barn mår och hälsan"),
    Category.PROGRAMME: gettext_lazy("Projekt som ditt barn är med i"),
}
REQUESTABLE_CATEGORIES = tuple(GUARDIAN_CATEGORY_PHRASES)


# --- The age rule ---------------------------------------------------------------------------


def birthday(born: dt.date, years: int) -> dt.date:
    """The day ``born`` turns ``years`` (people.identity.age_on: a 29 February child turns
    a year older on 1 March in other years)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return dt.date(born.year + years, 3, 1)


def adult_cutoff(today: dt.date) -> dt.date:
    """Persons born on or before this day are 18 or older on ``today``."""
    try:
        return today.replace(year=today.year - ADULT_AGE)
    except ValueError:  # 29 February: whoever was born on 28 February turned 18 today
        return dt.date(today.year - ADULT_AGE, 2, 28)


def guardian_until(*, born: dt.date, organisations: Iterable[Organisation]) -> dt.date:
    """The day the guardian stops answering for the young person on a request naming
    ``organisations``: the highest age below which an organisation named wants a
    guardian's consent too (``Organisation.guardian_consent_below_age``); 18 when none of
    them has such a rule (staff then judge whether the young person is mature enough to
    consent alone); never past 18."""
    # The organisation that asks for the guardian the longest decides: a consent naming a
    # social service that wants guardians up to 16 needs the guardian until 16, even if a
    # school named too lets the young person decide at 13. Never past 18.
    named = [
        org.guardian_consent_below_age
        for org in organisations
        if org.guardian_consent_below_age is not None
    ]
    age = min(max(named), ADULT_AGE) if named else ADULT_AGE
    return birthday(born, age)


# --- The legal basis ------------------------------------------------------------------------


def _live_requests(today: dt.date) -> QuerySet[ConsentRequest]:
    return ConsentRequest.objects.filter(guardian_until__gt=today).exclude(
        status=ConsentRequestStatus.CANCELLED
    )


def guardian_persons_q(actor: Actor, today: dt.date) -> Q:
    """The minors this guardian's login reaches on ``today`` (see the module docstring)."""
    if actor.role != GUARDIAN:
        return Q(pk__in=[])
    numbers = GuardianAccount.objects.filter(user_id=actor.user.pk).values(
        "personal_identity_number"
    )
    return Q(
        pk__in=Guardian.objects.filter(personal_identity_number__in=numbers).values("person_id"),
        date_of_birth__gt=adult_cutoff(today),
    ) & Q(pk__in=_live_requests(today).values("person_id"))


GUARDIAN_BASIS = LegalBasis(
    name="youth.guardian",
    purpose=Purpose.GUARDIAN,
    categories=frozenset({Category.IDENTITY}),
    persons_q=guardian_persons_q,
    contact_details=False,
)


def guardian_risk_persons_q(actor: Actor, today: dt.date) -> Q:
    """The minors whose risk assessment this guardian's login reaches on ``today``: a
    person whose stored guardian has the guardian's personnummer, under 18, whom the
    learned risk model has assessed. No consent request is needed: the guardian speaks
    for the minor's right to an explanation of an automated assessment (EU AI Act Art. 86)."""
    from lotsen.earlywarning.models import RiskScore

    if actor.role != GUARDIAN:
        return Q(pk__in=[])
    numbers = GuardianAccount.objects.filter(user_id=actor.user.pk).values(
        "personal_identity_number"
    )
    return Q(
        pk__in=Guardian.objects.filter(personal_identity_number__in=numbers).values("person_id"),
        date_of_birth__gt=adult_cutoff(today),
    ) & Q(pk__in=RiskScore.objects.values("person_id"))


# The school category, and nothing else: the score and its reasons are drawn from the
# minor's grades and attendance. Only the "Varför?" page for guardians reads under it.
GUARDIAN_RISK_BASIS = LegalBasis(
    name="youth.guardian_risk",
    purpose=Purpose.GUARDIAN,
    categories=frozenset({Category.SCHOOL}),
    persons_q=guardian_risk_persons_q,
    contact_details=False,
)


# --- The guardian's reads -------------------------------------------------------------------


@dataclass
class MinorRow:
    person: Person
    requests: list[ConsentRequest] = field(default_factory=list)

    @property
    def open_requests(self) -> list[ConsentRequest]:
        return [r for r in self.requests if r.status == ConsentRequestStatus.OPEN]


def _require_guardian(actor: Actor | None) -> Actor:
    if actor is None or actor.role != GUARDIAN:
        raise Http404
    return actor


def guardian_overview(*, actor: Actor, today: dt.date | None = None) -> list[MinorRow]:
    """The guardian's minors with their consent requests, through the door: one read,
    logged once per minor with purpose "guardian"."""
    _require_guardian(actor)
    today = today or timezone.localdate()
    requests = records_read(
        _live_requests(today)
        .select_related("person", "requested_in")
        .prefetch_related("organisations")
        .order_by("person__given_name", "person_id", "-requested_at", "-id"),
        actor=actor,
        purpose=Purpose.GUARDIAN,
        window=slice(0, GUARDIAN_REQUEST_LIMIT),
        object_type="consent_request_list",
        today=today,
    )
    rows: dict[int, MinorRow] = {}
    for request in requests:
        rows.setdefault(request.person_id, MinorRow(person=request.person)).requests.append(request)
    return list(rows.values())


def consent_request_get_for_guardian(
    *, actor: Actor, request_id: int | str, today: dt.date | None = None
) -> ConsentRequest:
    """One request the guardian may answer or has answered; 404 for anything else."""
    _require_guardian(actor)
    today = today or timezone.localdate()
    try:
        pk = int(request_id)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    return record_read(
        _live_requests(today)
        .filter(pk=pk)
        .select_related("person", "requested_in")
        .prefetch_related("organisations"),
        actor=actor,
        purpose=Purpose.GUARDIAN,
        object_type="consent_request",
        today=today,
    )


def category_phrases(request: ConsentRequest) -> list[str]:
    return [str(GUARDIAN_CATEGORY_PHRASES.get(c, c)) for c in request.categories]


# --- Staff: asking the guardian -------------------------------------------------------------


def consent_requests_for_staff(*, actor: Actor, person: Person) -> list[ConsentRequest]:
    """The requests the actor's organisation made for a person the caller already reached
    through a person selector (the page has logged the read)."""
    if actor.organisation is None:
        return []
    return list(
        ConsentRequest.objects.filter(person=person, requested_in=actor.organisation)
        .prefetch_related("organisations")
        .select_related("consent")[:GUARDIAN_REQUEST_LIMIT]
    )


@transaction.atomic
def consent_request_create(
    *,
    actor: Actor,
    person: Person,
    organisations: Iterable[Organisation],
    categories: Iterable[str],
    purpose_text: str,
    today: dt.date | None = None,
) -> ConsentRequest:
    """Ask the person's guardians for consent. ``person`` must come from a person selector
    (the caller may see them)."""
    purpose = purpose_for(actor)
    if purpose is None or actor.organisation is None or actor.role == Role.YOUNG_PERSON:
        raise PermissionDenied(ERROR_REQUEST_ROLE)
    today = today or timezone.localdate()
    organisations = list(organisations)
    categories = sorted(set(categories) - {Category.IDENTITY})
    purpose_text = (purpose_text or "").strip()
    errors: dict[str, str] = {}
    if not organisations:
        errors["organisations"] = ERROR_REQUEST_NO_ORGANISATIONS
    if not categories:
        errors["categories"] = ERROR_REQUEST_NO_CATEGORIES
    for category in categories:
        if category not in REQUESTABLE_CATEGORIES:
            errors["categories"] = ERROR_REQUEST_CATEGORY.format(category=category[:20])
    if not PURPOSE_TEXT_MIN_LENGTH <= len(purpose_text) <= PURPOSE_TEXT_MAX_LENGTH:
        errors["purpose_text"] = ERROR_REQUEST_PURPOSE.format(
            min_length=PURPOSE_TEXT_MIN_LENGTH, max_length=PURPOSE_TEXT_MAX_LENGTH
        )
    if errors:
        raise ValidationError(errors)
    until = guardian_until(born=person.date_of_birth, organisations=organisations)
    if until <= today:
        raise ValidationError({"organisations": ERROR_REQUEST_NOT_MINOR})
    if not Guardian.objects.filter(person=person).exclude(personal_identity_number="").exists():
        raise ValidationError({"__all__": ERROR_REQUEST_NO_GUARDIAN})
    request = ConsentRequest.objects.create(
        person=person,
        requested_by=actor.user,
        requested_in=actor.organisation,
        categories=categories,
        purpose_text=purpose_text,
        guardian_until=until,
    )
    request.organisations.set(organisations)
    persons_written(
        actor=actor,
        action="create",
        purpose=purpose,
        person_ids=[person.pk],
        object_type="consent_request",
        object_id=str(request.pk),
    )
    return request


# --- The guardian's answer ------------------------------------------------------------------


@dataclass(frozen=True)
class LoginEvidence:
    """What the guardian's login proves, kept with the answer: the identity provider, its
    subject and session for this login, and when it was. Never the personnummer."""

    provider: str = ""
    subject: str = ""
    session_id: str = ""
    auth_time: int | None = None

    def as_dict(self) -> dict:
        return {
            "provider": self.provider[:50],
            "sub": self.subject[:255],
            "sid": self.session_id[:255],
            "auth_time": self.auth_time,
        }


def _guardian_name(actor: Actor, person: Person) -> str:
    numbers = GuardianAccount.objects.filter(user_id=actor.user.pk).values(
        "personal_identity_number"
    )
    guardian = (
        Guardian.objects.filter(person=person, personal_identity_number__in=numbers)
        .order_by("pk")
        .first()
    )
    # The basis let the guardian reach the person, so the row exists; the name is the
    # guardian's own, as the organisation registered it.
    return guardian.name if guardian else "Vårdnadshavare"


@transaction.atomic
def consent_request_answer(
    *,
    actor: Actor,
    request: ConsentRequest,
    yes: bool,
    evidence: LoginEvidence,
    today: dt.date | None = None,
) -> ConsentRequest:
    """The guardian's yes or no. ``request`` comes from ``consent_request_get_for_guardian``.
    A yes records the consent, given by the guardian, in the organisations named; both
    answers keep the login as evidence and are logged with purpose "guardian"."""
    _require_guardian(actor)
    today = today or timezone.localdate()
    locked = ConsentRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != ConsentRequestStatus.OPEN:
        raise ValidationError(ERROR_ALREADY_ANSWERED)
    now = timezone.now()
    locked.answered_by = actor.user
    locked.answered_at = now
    locked.answered_assurance_level = actor.assurance_level[:32]
    locked.answered_evidence = evidence.as_dict()
    if yes:
        locked.status = ConsentRequestStatus.GIVEN
        consent = consent_record(
            actor=actor,
            person=request.person,
            purpose=Purpose.GUARDIAN,
            given_by=ConsentGiver.GUARDIAN,
            organisations=request.organisations.all(),
            categories=request.categories,
            given_on=today,
            guardian_name=_guardian_name(actor, request.person),
            evidence=_evidence_text(actor, evidence, now),
        )
        # Recorded in the organisation that asked, which sees the answer even when it
        # named only others (privacy.selectors.consent_list_for_person).
        consent.recorded_in = request.requested_in
        consent.save(update_fields=["recorded_in"])
        locked.consent = consent
    else:
        locked.status = ConsentRequestStatus.REFUSED
        persons_written(
            actor=actor,
            action="update",
            purpose=Purpose.GUARDIAN,
            person_ids=[request.person_id],
            object_type="consent_request",
            object_id=str(request.pk),
        )
    locked.save()
    return locked


def _evidence_text(actor: Actor, evidence: LoginEvidence, at: dt.datetime) -> str:
    # Kept in the consent itself so that every page that shows consents shows how this one
    # was given, in the register's language (staff read it).
    return (
        f"Vårdnadshavaren svarade ja i Lotsen efter inloggning med e-legitimation "
        f"(konto {actor.user.pk}, {timezone.localtime(at):%Y-%m-%d %H:%M}, "
        f"tillitsnivå {actor.assurance_level or 'okänd'}, "
        f"inloggningstjänst {evidence.provider or 'okänd'}, "
        f"subjekt {evidence.subject or 'okänt'}, session {evidence.session_id or 'okänd'})."
    )[:2000]
