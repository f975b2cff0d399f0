"""Pages. Thin: parse, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lotsen.accounts.exports import grant_events_csv
from lotsen.accounts.forms import MembershipAddForm, RoleGrantDecisionForm
from lotsen.accounts.models import GrantStatus, Role
from lotsen.accounts.roles import CASE_ROLES
from lotsen.accounts.selectors import (
    actor_is_system_admin,
    grant_event_list_for,
    membership_get_for_admin,
    membership_list_for_admin,
    role_grant_get_to_approve,
    role_grant_invitations_for,
    role_grant_open_for_admin,
    role_grant_to_approve,
)
from lotsen.accounts.services import (
    membership_grant,
    membership_remove,
    role_grant_approve,
    role_grant_reject,
)
from lotsen.earlywarning.charts import attendance_chart
from lotsen.inbox.selectors import (
    inbox_overdue_counts_for,
    inbox_reasons_for_person,
    inbox_top_for,
)
from lotsen.inbox.sources import kinds_for
from lotsen.pages.decorators import actor_required
from lotsen.pages.forms import form_add_service_errors
from lotsen.pages.methods import form_view, post_only, read_only
from lotsen.people.forms import PersonCreateForm, PersonSearchForm
from lotsen.people.selectors import (
    person_count,
    person_find_for_emergency,
    person_get_for,
    person_list,
)
from lotsen.people.services import person_create
from lotsen.privacy.forms import ConsentForm, EmergencyAccessForm, EmergencyReviewForm
from lotsen.privacy.models import Purpose
from lotsen.privacy.policy import EMERGENCY_ROLES, purpose_for, reaches_persons
from lotsen.privacy.selectors import (
    access_log_for_person,
    consent_get_for_person,
    consent_list_for_person,
    emergency_access_to_review,
)
from lotsen.privacy.services import (
    consent_record,
    consent_withdraw,
    emergency_access_open,
    emergency_access_review,
)
from lotsen.stats.downloads import csv_response
from lotsen.support.selectors import case_list_for
from lotsen.web.person_page import school_overview_for_person
from lotsen.web.tasks import tasks_for

# What the administrator is told after a grant or an approval, by where the grant now stands.
GRANT_MESSAGES = {
    GrantStatus.ACTIVE: gettext_lazy("Rollen är tilldelad."),
    GrantStatus.INVITED: gettext_lazy(
        "Användaren är inbjuden. Rollen gäller när hen har accepterat inbjudan."
    ),
    GrantStatus.AWAITING_APPROVAL: gettext_lazy(
        "Rollen väntar på att en annan administratör godkänner den."
    ),
}
GRANT_EVENTS_ON_PAGE = 200


@read_only
@actor_required
def start(request):
    """Every role's first screen is its work: the inbox's first rows (one per young
    person, in priority order) and a link to the whole inbox, then the rest."""
    actor = request.actor
    if actor.role == Role.YOUNG_PERSON:
        return redirect("youth:start")
    has_inbox = bool(kinds_for(actor))
    context = {
        "purpose": purpose_for(actor),
        "person_count": person_count(actor=actor),
        "search_form": PersonSearchForm(),
        "to_review": emergency_access_to_review(actor=actor).count(),
        "to_approve": role_grant_to_approve(actor=actor).count(),
        "invitations": role_grant_invitations_for(user=request.user),
        "may_register": actor.role == Role.KAA_COORDINATOR,
        "works_in_cases": actor.role in CASE_ROLES,
        "shows_tasks": actor.role == Role.PROJECT_LEADER,
        "tasks": tasks_for(actor=actor),
        "pending_referrals": [],
        "inbox": inbox_top_for(actor=actor) if has_inbox else None,
        "inbox_overdue": inbox_overdue_counts_for(actor=actor)
        if actor.role == Role.ORGANISATION_ADMIN
        else [],
    }
    return render(request, "web/start.html", context)


@form_view
@actor_required
def person_search(request):
    # Roles that reach nobody (administrators, project leaders, evaluators) have no person
    # search: the page does not exist for them, and is not in their navigation.
    if not reaches_persons(request.actor):
        raise Http404
    # Searches arrive by POST so that a personnummer never lands in a URL.
    form = PersonSearchForm(request.POST if request.method == "POST" else None)
    persons = None
    if form.is_valid():
        persons = person_list(actor=request.actor, query=form.cleaned_data["q"])
    template = (
        "web/_person_results.html"
        if request.headers.get("HX-Request")
        else "web/person_search.html"
    )
    return render(
        request,
        template,
        {
            "form": form,
            "persons": persons,
            "may_use_emergency": request.actor.role in EMERGENCY_ROLES,
        },
    )


@read_only
@actor_required
def person_detail(request, person_id: int):
    access = person_get_for(actor=request.actor, person_id=person_id)
    person = access.person
    # Read before the access log, so that the log on the page includes this read too.
    school = school_overview_for_person(actor=request.actor, person=person, purpose=access.purpose)
    context = {
        "access": access,
        "person": person,
        "guardians": list(person.guardians.all()),
        "consents": consent_list_for_person(actor=request.actor, person=person),
        "access_log": access_log_for_person(actor=request.actor, person=person),
        "may_record_consent": request.actor.role != Role.YOUNG_PERSON and not access.is_emergency,
        "school": school,
        "attendance_chart": attendance_chart(school.attendance) if school else None,
        "works_in_cases": request.actor.role in CASE_ROLES and not access.is_emergency,
        # Why the person is in the actor's inbox, in plain words (nothing under emergency
        # access: the inbox is the actor's own work, not what emergency access opened).
        "inbox_reasons": []
        if access.is_emergency
        else inbox_reasons_for_person(actor=request.actor, person=person),
    }
    if context["works_in_cases"]:
        context["cases"] = case_list_for(actor=request.actor, status=None, person=person)
    return render(request, "web/person_detail.html", context)


@form_view
@actor_required
def person_create_view(request):
    actor = request.actor
    if actor.role != Role.KAA_COORDINATOR:
        raise Http404
    form = PersonCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = person_create(
                actor=actor,
                purpose=Purpose.KAA,
                home_municipality_code=actor.organisation.municipality_code,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Personen är registrerad."))
            return redirect("web:person_detail", person_id=person.pk)
    return render(request, "web/person_create.html", {"form": form})


@form_view
@actor_required
def consent_create(request, person_id: int):
    access = person_get_for(actor=request.actor, person_id=person_id)
    if request.actor.role == Role.YOUNG_PERSON or access.is_emergency:
        raise Http404
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            consent_record(
                actor=request.actor,
                person=access.person,
                purpose=access.purpose,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Samtycket är registrerat."))
            case_id = request.GET.get("arende", "")
            if case_id.isdigit():  # back to the case the consent was recorded from
                return redirect("support:case_detail", case_id=int(case_id))
            return redirect("web:person_detail", person_id=access.person.pk)
    return render(request, "web/consent_form.html", {"form": form, "person": access.person})


@post_only
@actor_required
def consent_withdraw_view(request, person_id: int, consent_id: int):
    access = person_get_for(actor=request.actor, person_id=person_id)
    if access.is_emergency:
        raise Http404
    consent = consent_get_for_person(
        actor=request.actor, person=access.person, consent_id=consent_id
    )
    if consent is None:
        raise Http404
    try:
        consent_withdraw(actor=request.actor, consent=consent, purpose=access.purpose)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Samtycket är återkallat. Det gäller från och med nu."))
    return redirect("web:person_detail", person_id=access.person.pk)


@form_view
@actor_required
def emergency_access(request):
    if request.actor.role not in EMERGENCY_ROLES:
        raise Http404
    form = EmergencyAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = person_find_for_emergency(
            identity_number=form.cleaned_data["personal_identity_number"]
        )
        if person is None:
            form.add_error(
                "personal_identity_number", _("Ingen person med det personnumret finns i Lotsen.")
            )
        else:
            try:
                emergency_access_open(
                    actor=request.actor, person=person, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                return redirect("web:person_detail", person_id=person.pk)
    return render(request, "web/emergency_access.html", {"form": form})


def _require_administrator(actor) -> None:
    # Organisation admins and system admins; everybody else gets the same 404 as for a
    # page that does not exist.
    if actor.role != Role.ORGANISATION_ADMIN and not actor_is_system_admin(actor):
        raise Http404


@form_view
@actor_required
def organisation_members(request):
    actor = request.actor
    if actor.role != Role.ORGANISATION_ADMIN:
        raise Http404
    form = MembershipAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = membership_grant(
                actor=actor, organisation=actor.organisation, **form.cleaned_data
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, GRANT_MESSAGES[grant.status])
            return redirect("web:organisation_members")
    context = {
        "form": form,
        "memberships": membership_list_for_admin(actor=actor),
        "open_grants": role_grant_open_for_admin(actor=actor),
        "to_approve": role_grant_to_approve(actor=actor).count(),
        "to_review": emergency_access_to_review(actor=actor).count(),
    }
    return render(request, "web/organisation_members.html", context)


@post_only
@actor_required
def membership_remove_view(request, membership_id: int):
    membership = membership_get_for_admin(actor=request.actor, membership_id=membership_id)
    try:
        membership_remove(actor=request.actor, membership=membership)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Medlemskapet är borttaget."))
    return redirect("web:organisation_members")


@read_only
@actor_required
def organisation_grants(request):
    """The role-administration audit trail, and the requests waiting for a second
    administrator's approval."""
    _require_administrator(request.actor)
    context = {
        "to_approve": role_grant_to_approve(actor=request.actor),
        "events": grant_event_list_for(actor=request.actor)[:GRANT_EVENTS_ON_PAGE],
        "events_on_page": GRANT_EVENTS_ON_PAGE,
    }
    return render(request, "web/organisation_grants.html", context)


@read_only
@actor_required
def organisation_grants_export(request):
    _require_administrator(request.actor)
    day = timezone.localdate().isoformat()
    return csv_response(
        grant_events_csv(grant_event_list_for(actor=request.actor)),
        filename=f"behorighetslogg-{day}.csv",
        bom=True,
    )


@post_only
@actor_required
def role_grant_decide(request, grant_id: int):
    _require_administrator(request.actor)
    grant = role_grant_get_to_approve(actor=request.actor, grant_id=grant_id)
    form = RoleGrantDecisionForm(request.POST)
    if not form.is_valid():
        raise Http404
    try:
        if form.cleaned_data["decision"] == "approve":
            grant = role_grant_approve(actor=request.actor, grant=grant)
            messages.success(request, GRANT_MESSAGES[grant.status])
        else:
            role_grant_reject(actor=request.actor, grant=grant)
            messages.success(request, _("Begäran är inte godkänd. Rollen delas inte ut."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("web:organisation_grants")


@read_only
@actor_required
def emergency_review_list(request):
    """Emergency accesses waiting for review: those opened in the admin's organisation and
    in every organisation below it (school units have no admin of their own)."""
    _require_administrator(request.actor)
    context = {
        "emergency_accesses": emergency_access_to_review(actor=request.actor).select_related(
            "organisation"
        ),
        "review_form": EmergencyReviewForm(),
    }
    return render(request, "web/emergency_review.html", context)


@post_only
@actor_required
def emergency_review_view(request, grant_id: int):
    grant = emergency_access_to_review(actor=request.actor).filter(pk=grant_id).first()
    if grant is None:
        raise Http404
    form = EmergencyReviewForm(request.POST)
    form.is_valid()
    emergency_access_review(
        actor=request.actor, grant=grant, note=form.cleaned_data.get("note", "")
    )
    messages.success(request, _("Nödåtkomsten är granskad."))
    return redirect("web:emergency_review_list")
