"""The guardian's pages ("Vårdnadshavare") and the staff page that asks a guardian for
consent (issue 11). Thin: parse, call youth.guardians, render.

A guardian's page answers only a session that logged in as guardian (an e-ID login of its
own kind, on a guardian account): anybody else, staff and young people included, gets 404,
on GET and POST alike."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Role
from lotsen.accounts.oidc import LOGIN_GUARDIAN, SESSION_LOGIN_EVIDENCE, SESSION_LOGIN_KIND
from lotsen.pages.decorators import actor_required
from lotsen.pages.forms import form_add_service_errors
from lotsen.pages.methods import form_view, read_only
from lotsen.people.models import GuardianAccount
from lotsen.people.selectors import person_get_for
from lotsen.youth import guardians
from lotsen.youth.guardian_forms import ANSWER_YES, ConsentAnswerForm, ConsentRequestForm


def guardian_actor_for_request(request) -> Actor | None:
    """The guardian acting in this session, or None: only a session whose login was a
    guardian's e-ID login, on a guardian account."""
    user = request.user
    if not user.is_authenticated or request.session.get(SESSION_LOGIN_KIND) != LOGIN_GUARDIAN:
        return None
    if not GuardianAccount.objects.filter(user_id=user.pk).exists():
        return None
    return Actor.for_guardian(user, assurance_level=getattr(request, "assurance_level", ""))


def guardian_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.guardian = guardian_actor_for_request(request)
        if request.guardian is None:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@read_only
@guardian_required
def start(request):
    from lotsen.youth.risk import guardian_minors_assessed

    minors = guardians.guardian_overview(actor=request.guardian)
    assessed = guardian_minors_assessed(actor=request.guardian)
    return render(request, "guardians/start.html", {"minors": minors, "assessed": assessed})


@form_view
@guardian_required
def answer(request, request_id: int):
    consent_request = guardians.consent_request_get_for_guardian(
        actor=request.guardian, request_id=request_id
    )
    form = ConsentAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        evidence = request.session.get(SESSION_LOGIN_EVIDENCE) or {}
        try:
            guardians.consent_request_answer(
                actor=request.guardian,
                request=consent_request,
                yes=form.cleaned_data["answer"] == ANSWER_YES,
                evidence=guardians.LoginEvidence(
                    provider=str(evidence.get("provider") or ""),
                    subject=str(evidence.get("subject") or ""),
                    session_id=str(evidence.get("session_id") or ""),
                    auth_time=evidence.get("auth_time")
                    if isinstance(evidence.get("auth_time"), int)
                    else None,
                ),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(_(m) for m in exc.messages))
        else:
            if form.cleaned_data["answer"] == ANSWER_YES:
                messages.success(request, _("Tack! Du har sagt ja. Samtycket gäller nu."))
            else:
                messages.success(request, _("Tack! Du har sagt nej. Inget samtycke är lämnat."))
        return redirect("guardians:start")
    return render(
        request,
        "guardians/answer.html",
        {
            "consent_request": consent_request,
            "categories": guardians.category_phrases(consent_request),
            "form": form,
        },
    )


# --- Staff ------------------------------------------------------------------------------------


@form_view
@actor_required
def request_create(request, person_id: int):
    """Ask the person's guardians for consent (staff who reach the person, not by
    emergency access)."""
    access = person_get_for(actor=request.actor, person_id=person_id)
    if request.actor.role == Role.YOUNG_PERSON or access.is_emergency:
        raise Http404
    form = ConsentRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            guardians.consent_request_create(
                actor=request.actor, person=access.person, **form.cleaned_data
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, _(str(exc)))
        else:
            messages.success(
                request,
                _("Frågan är skickad. Vårdnadshavaren svarar efter inloggning med e-legitimation."),
            )
            return redirect("guardians:request_create", person_id=access.person.pk)
    return render(
        request,
        "guardians/request_form.html",
        {
            "form": form,
            "person": access.person,
            "requests": guardians.consent_requests_for_staff(
                actor=request.actor, person=access.person
            ),
        },
    )
