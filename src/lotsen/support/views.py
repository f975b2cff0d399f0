"""Case pages. Thin: parse, call one selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lotsen.accounts.models import Organisation
from lotsen.accounts.roles import CASE_ROLES
from lotsen.earlywarning.selectors import signal_get_for
from lotsen.pages.decorators import actor_required
from lotsen.pages.forms import form_add_service_errors, form_page
from lotsen.pages.methods import form_view, post_only, read_only
from lotsen.support import forms
from lotsen.support.models import (
    CaseStatus,
    Intervention,
    Method,
    NoteCategory,
    PlanAction,
    TeamMember,
)
from lotsen.support.panels import case_panels_for
from lotsen.support.policy import CasePolicy
from lotsen.support.selectors import (
    case_detail_for,
    case_for_person_of_org,
    case_get_for,
    case_list_for,
    handover_get_for,
    person_visible_for_case,
    referral_get_for,
    team_organisations_with_consent,
)
from lotsen.support.services import (
    PlanConflict,
    case_close,
    case_open,
    case_open_from_signal,
    contact_record,
    goal_add,
    handover_create,
    intervention_add,
    intervention_end,
    note_add,
    plan_action_add,
    plan_action_done,
    plan_update,
    referral_accept,
    referral_decline,
    referral_revoke,
    referral_send,
    team_member_add,
    team_member_remove,
)


def _posted(request):
    """The POST data, or None for GET: an empty POST (no box ticked) is still a submission."""
    return request.POST if request.method == "POST" else None


def _staff(request) -> None:
    if request.actor.organisation is None or request.actor.role not in CASE_ROLES:
        raise Http404


def _team_organisations(case) -> list[Organisation]:
    members = TeamMember.objects.filter(case=case, removed_at__isnull=True).select_related(
        "organisation"
    )
    organisations = {case.owner_id: case.owner}
    for member in members:
        organisations.setdefault(member.organisation_id, member.organisation)
    return sorted(organisations.values(), key=lambda org: org.name)


def _form_page(request, *, case, form, title, submit, call, success, template=None, extra=None):
    """A form about a case; saved, it goes back to the case."""
    return form_page(
        request,
        form=form,
        save=lambda: call(form),
        success_message=success,
        success_url=reverse("support:case_detail", kwargs={"case_id": case.pk}),
        template=template or "support/form_page.html",
        context={"case": case, "page_title": title, "submit_label": submit} | (extra or {}),
    )


@read_only
@actor_required
def case_list(request):
    _staff(request)
    status = request.GET.get("status", CaseStatus.OPEN)
    if status not in CaseStatus.values:
        status = CaseStatus.OPEN
    cases = case_list_for(actor=request.actor, status=status)
    return render(request, "support/case_list.html", {"cases": cases, "status": status})


@form_view
@actor_required
def case_open_view(request, person_id: int):
    _staff(request)
    person = person_visible_for_case(actor=request.actor, person_id=person_id)
    existing = case_for_person_of_org(actor=request.actor, person=person)
    form = forms.CaseOpenForm(_posted(request))
    if existing is None and request.method == "POST" and form.is_valid():
        try:
            case = case_open(actor=request.actor, person=person, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Ärendet är öppnat."))
            return redirect("support:case_detail", case_id=case.pk)
    others = case_list_for(actor=request.actor, status=None, person=person)
    context = {"person": person, "form": form, "existing": existing, "others": others}
    return render(request, "support/case_open.html", context)


@form_view
@actor_required
def case_open_from_signal_view(request, signal_id: int):
    _staff(request)
    signal = signal_get_for(actor=request.actor, signal_id=signal_id)
    existing = case_for_person_of_org(actor=request.actor, person=signal.person)
    if existing is not None:
        messages.info(request, _("Er organisation har redan ett pågående ärende för eleven."))
        return redirect("support:case_detail", case_id=existing.pk)
    form = forms.CaseOpenForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            case = case_open_from_signal(
                actor=request.actor, signal=signal, target_groups=form.cleaned_data["target_groups"]
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Ärendet är öppnat från signalen."))
            return redirect("support:case_detail", case_id=case.pk)
    context = {"person": signal.person, "form": form, "signal": signal, "others": []}
    return render(request, "support/case_open.html", context)


@read_only
@actor_required
def case_detail(request, case_id: int):
    case = case_get_for(actor=request.actor, case_id=case_id)
    if request.actor.role == "young_person":
        return redirect("youth:plan")
    detail = case_detail_for(actor=request.actor, case=case)
    context = {"detail": detail, "case": case, "today": timezone.localdate()}
    # The young person's own voice (check-ins, messages to the team) is youth's: the top
    # floor registers those panels (support.panels), each read through its own policy.
    context |= case_panels_for(actor=request.actor, case=case)
    return render(request, "support/case_detail.html", context)


@form_view
@actor_required
def plan_edit(request, case_id: int):
    case = case_get_for(actor=request.actor, case_id=case_id)
    _staff(request)
    plan = case.plan
    goals = list(plan.goals.all())
    initial = {"version": plan.version, "own_goal": plan.own_goal, "lead_party": plan.lead_party}
    form = forms.PlanForm(_posted(request), goals=goals, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            plan_update(
                actor=request.actor,
                case=case,
                version=form.cleaned_data["version"],
                own_goal=form.cleaned_data["own_goal"],
                lead_party=form.cleaned_data["lead_party"] or "",
                goal_statuses=form.goal_statuses(),
            )
        except PlanConflict as exc:
            conflict = exc
            # The form keeps what this user wrote; saving again means choosing it over
            # what the other person saved, which they have now been shown.
            data = request.POST.copy()
            data["version"] = exc.current.version
            form = forms.PlanForm(data, goals=goals)
            form.is_valid()
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Planen är sparad."))
            return redirect("support:case_detail", case_id=case.pk)
    context = {"case": case, "form": form, "conflict": conflict}
    return render(request, "support/plan_form.html", context)


@form_view
@actor_required
def goal_create(request, case_id: int):
    case = case_get_for(actor=request.actor, case_id=case_id)
    _staff(request)
    form = forms.GoalForm(_posted(request))
    return _form_page(
        request,
        case=case,
        form=form,
        title=_("Lägg till mål"),
        submit=_("Spara målet"),
        success=_("Målet är tillagt i planen."),
        call=lambda f: goal_add(actor=request.actor, case=case, **f.cleaned_data),
    )


@form_view
@actor_required
def action_create(request, case_id: int):
    case = case_get_for(actor=request.actor, case_id=case_id)
    _staff(request)
    form = forms.PlanActionForm(_posted(request), organisations=_team_organisations(case))
    return _form_page(
        request,
        case=case,
        form=form,
        title=_("Lägg till insats i planen"),
        submit=_("Spara"),
        success=_("Insatsen är tillagd i planen."),
        call=lambda f: plan_action_add(actor=request.actor, case=case, **f.cleaned_data),
    )


@post_only
@actor_required
def action_done(request, case_id: int, action_id: int):
    case = case_get_for(actor=request.actor, case_id=case_id)
    _staff(request)
    action = PlanAction.objects.filter(plan__case=case, pk=action_id).first()
    if action is None:
        raise Http404
    plan_action_done(actor=request.actor, case=case, action=action)
    messages.success(request, _("Uppföljningen är markerad som klar."))
    return redirect("support:case_detail", case_id=case.pk)


@form_view
@actor_required
def intervention_create(request, case_id: int):
    case = case_get_for(actor=request.actor, case_id=case_id)
    _staff(request)
    form = forms.InterventionForm(_posted(request), organisations=_team_organisations(case))
    return _form_page(
        request,
        case=case,
        form=form,
        title=_("Registrera insats"),
        submit=_("Spara insatsen"),
        success=_("Insatsen är registrerad."),
        call=lambda f: intervention_add(actor=request.actor, case=case, **f.cleaned_data),
        extra={"methods": Method.objects.filter(active=True)},
        template="support/intervention_form.html",
    )


@form_view
@actor_required
def intervention_end_view(request, case_id: int, intervention_id: int):
    case = case_get_for(actor=request.actor, case_id=case_id)
    _staff(request)
    intervention = Intervention.objects.filter(case=case, pk=intervention_id).first()
    if intervention is None:
        raise Http404
    form = forms.InterventionEndForm(_posted(request))
    return _form_page(
        request,
        case=case,
        form=form,
        title=_("Avsluta insatsen %(method)s") % {"method": intervention.method},
        submit=_("Avsluta insatsen"),
        success=_("Insatsen är avslutad."),
        call=lambda f: intervention_end(
            actor=request.actor, case=case, intervention=intervention, **f.cleaned_data
        ),
    )


@form_view
@actor_required
def contact_create(request, case_id: int):
    case = case_get_for(actor=request.actor, case_id=case_id)
    _staff(request)
    form = forms.ContactForm(_posted(request), initial={"date": timezone.localdate()})
    return _form_page(
        request,
        case=case,
        form=form,
        title=_("Registrera kontakt"),
        submit=_("Spara kontakten"),
        success=_("Kontakten är registrerad."),
        call=lambda f: contact_record(actor=request.actor, case=case, **f.cleaned_data),
    )


@form_view
@actor_required
def note_create(request, case_id: int):
    case = case_get_for(actor=request.actor, case_id=case_id)
    _staff(request)
    # Below the level health-related and social-services notes need, the page asks for a
    # step-up instead (issue 11): social services' staff for every note they write, others
    # for the health-related kind, which the form then leaves out.
    policy = CasePolicy(request.actor)
    org_kind = request.actor.organisation.kind
    every_note = policy.note_withheld_kinds(
        category=NoteCategory.SUPPORT, organisation_kind=org_kind
    )
    if every_note:
        context = {"case": case, "withheld": every_note}
        return render(request, "support/note_step_up.html", context)
    health = policy.note_withheld_kinds(category=NoteCategory.HEALTH, organisation_kind=org_kind)
    form = forms.NoteForm(_posted(request))
    if health:
        form.fields["category"].choices = [
            choice for choice in form.fields["category"].choices if choice[0] != NoteCategory.HEALTH
        ]
    return _form_page(
        request,
        case=case,
        form=form,
        title=_("Skriv journalanteckning"),
        submit=_("Spara anteckningen"),
        success=_("Anteckningen är sparad."),
        call=lambda f: note_add(actor=request.actor, case=case, **f.cleaned_data),
        template="support/note_form.html",
        extra={"health_withheld": bool(health)},
    )


@form_view
@actor_required
def team_add(request, case_id: int):
    case = case_get_for(actor=request.actor, case_id=case_id)
    _staff(request)
    consented = [org for org, _consent in team_organisations_with_consent(case=case)]
    form = forms.TeamMemberForm(_posted(request), organisations=[case.owner, *consented])
    return _form_page(
        request,
        case=case,
        form=form,
        title=_("Lägg till i teamet"),
        submit=_("Lägg till"),
        success=_("Teamet är uppdaterat."),
        call=lambda f: team_member_add(actor=request.actor, case=case, **f.cleaned_data),
    )


@post_only
@actor_required
def team_remove(request, case_id: int, member_id: int):
    case = case_get_for(actor=request.actor, case_id=case_id)
    _staff(request)
    member = TeamMember.objects.filter(case=case, pk=member_id, removed_at__isnull=True).first()
    if member is None:
        raise Http404
    try:
        team_member_remove(actor=request.actor, case=case, member=member)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("%(org)s är borttagen ur teamet.") % {"org": member})
    return redirect("support:case_detail", case_id=case.pk)


@form_view
@actor_required
def referral_create(request, case_id: int):
    case = case_get_for(actor=request.actor, case_id=case_id)
    _staff(request)
    pairs = team_organisations_with_consent(case=case)
    choices = [
        (f"{org.pk}:{consent.pk}", org.name)
        for org, consent in pairs
        if org.pk != request.actor.organisation.pk
    ]
    form = forms.ReferralForm(_posted(request), choices=choices)

    def send(f):
        org_id, consent_id = f.cleaned_ids()
        org = next(org for org, _c in pairs if org.pk == org_id)
        consent = next(c for o, c in pairs if o.pk == org_id and c.pk == consent_id)
        referral_send(
            actor=request.actor,
            case=case,
            to_organisation=org,
            consent=consent,
            message=f.cleaned_data["message"],
        )

    return _form_page(
        request,
        case=case,
        form=form,
        title=_("Skicka remiss"),
        submit=_("Skicka remissen"),
        success=_("Remissen är skickad."),
        call=send,
        template="support/referral_form.html",
        extra={"has_choices": bool(choices)},
    )


@read_only
@actor_required
def referral_detail(request, referral_id: int):
    _staff(request)
    referral = referral_get_for(actor=request.actor, referral_id=referral_id)
    org = request.actor.organisation
    context = {
        "referral": referral,
        "is_receiver": referral.to_organisation_id == org.pk,
        "is_sender": referral.from_organisation_id == org.pk,
        "decline_form": forms.ReferralDeclineForm(),
        "age_days": (timezone.now() - referral.sent_at).days,
    }
    return render(request, "support/referral_detail.html", context)


def _referral_answer(request, referral_id: int, answer, success: str):
    """Accept or revoke, then back to the case (the receiver is on its team now)."""
    _staff(request)
    referral = referral_get_for(actor=request.actor, referral_id=referral_id)
    try:
        answer(referral)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("support:referral_detail", referral_id=referral.pk)
    messages.success(request, success)
    return redirect("support:case_detail", case_id=referral.case_id)


@post_only
@actor_required
def referral_accept_view(request, referral_id: int):
    return _referral_answer(
        request,
        referral_id,
        lambda r: referral_accept(actor=request.actor, referral=r),
        _("Remissen är accepterad. Ni finns nu i teamet."),
    )


@form_view
@actor_required
def referral_decline_view(request, referral_id: int):
    _staff(request)
    referral = referral_get_for(actor=request.actor, referral_id=referral_id)
    form = forms.ReferralDeclineForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            referral_decline(
                actor=request.actor,
                referral=referral,
                reason=form.cleaned_data["decline_reason"],
            )
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, ValidationError):
                form_add_service_errors(form, exc)
            else:
                form.add_error(None, str(exc))
        else:
            messages.success(request, _("Remissen är avböjd."))
            return redirect("web:start")
    context = {
        "referral": referral,
        "is_receiver": True,
        "decline_form": form,
        "age_days": (timezone.now() - referral.sent_at).days,
    }
    return render(request, "support/referral_detail.html", context)


@post_only
@actor_required
def referral_revoke_view(request, referral_id: int):
    return _referral_answer(
        request,
        referral_id,
        lambda r: referral_revoke(actor=request.actor, referral=r),
        _("Remissen är återtagen."),
    )


@form_view
@actor_required
def case_close_view(request, case_id: int):
    case = case_get_for(actor=request.actor, case_id=case_id)
    _staff(request)
    form = forms.CaseCloseForm(_posted(request), initial={"closed_on": timezone.localdate()})
    return _form_page(
        request,
        case=case,
        form=form,
        title=_("Avsluta ärendet"),
        submit=_("Avsluta ärendet"),
        success=_("Ärendet är avslutat."),
        call=lambda f: case_close(actor=request.actor, case=case, **f.cleaned_data),
    )


@form_view
@actor_required
def handover_create_view(request, person_id: int):
    _staff(request)
    person = person_visible_for_case(actor=request.actor, person_id=person_id)
    form = forms.HandoverForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            handover = handover_create(actor=request.actor, person=person, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Överlämningen är sparad."))
            return redirect("support:handover_detail", handover_id=handover.pk)
    return render(request, "support/handover_form.html", {"person": person, "form": form})


@read_only
@actor_required
def handover_detail(request, handover_id: int):
    _staff(request)
    handover = handover_get_for(actor=request.actor, handover_id=handover_id)
    return render(request, "support/handover_detail.html", {"handover": handover})
