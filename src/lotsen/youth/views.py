"""The young person's own pages ("Mina sidor"). Thin: parse, call one selector or
service, render. Every selector answers 404 to anyone but a young person, and 404 for a
case or consent that is not theirs."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from lotsen.accounts.models import Role
from lotsen.pages.decorators import actor_required
from lotsen.pages.forms import form_add_service_errors
from lotsen.pages.methods import form_view, read_only
from lotsen.youth import selectors, services
from lotsen.youth.forms import WHO5_STEM, MessageForm, WellbeingForm


def young_person_required(view):
    """Logged in as a young person; staff get 404 on GET and POST alike."""

    @actor_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.actor.role != Role.YOUNG_PERSON:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@read_only
@young_person_required
def start(request):
    overview = selectors.youth_start(actor=request.actor)
    return render(request, "youth/start.html", {"overview": overview, "current": "start"})


@read_only
@young_person_required
def plan(request, case_id: int | None = None):
    cases = selectors.youth_plans(actor=request.actor, case_id=case_id)
    return render(request, "youth/plan.html", {"cases": cases, "current": "plan"})


@read_only
@young_person_required
def contacts(request, case_id: int | None = None):
    cases = selectors.youth_contacts(actor=request.actor, case_id=case_id)
    return render(request, "youth/contacts.html", {"cases": cases, "current": "contacts"})


@form_view
@young_person_required
def wellbeing(request):
    form = WellbeingForm(request.POST or None)
    if request.method == "POST":
        try:
            checkin = services.wellbeing_checkin_record(actor=request.actor, answers=request.POST)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Tack! Du fick %(score)s av 100.") % {"score": checkin.score},
            )
            return redirect(reverse("youth:wellbeing") + "#resultat")
    checkins = selectors.youth_checkins(actor=request.actor)
    return render(
        request,
        "youth/wellbeing.html",
        {"form": form, "stem": WHO5_STEM, "checkins": checkins, "current": "wellbeing"},
    )


@form_view
@young_person_required
def message(request):
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.youth_message_record(actor=request.actor, text=form.cleaned_data["text"])
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Tack! Nu kan de som hjälper dig läsa det du skrev."))
            return redirect("youth:message")
    written = selectors.youth_messages(actor=request.actor)
    return render(
        request, "youth/message.html", {"form": form, "written": written, "current": "message"}
    )


@read_only
@young_person_required
def consents(request):
    consent_list = selectors.youth_consents(actor=request.actor)
    return render(request, "youth/consents.html", {"consents": consent_list, "current": "consents"})


@form_view
@young_person_required
def consent_withdraw(request, consent_id: int):
    consent = selectors.youth_consent_get(actor=request.actor, consent_id=consent_id)
    if request.method == "POST":
        try:
            services.youth_consent_withdraw(actor=request.actor, consent_id=consent.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            names = ", ".join(org.name for org in consent.organisations.all())
            messages.success(
                request,
                _("Du har tagit tillbaka samtycket. Nu kan %(names)s inte läsa om dig längre.")
                % {"names": names},
            )
        return redirect("youth:consents")
    return render(
        request,
        "youth/consent_withdraw.html",
        {"consent": consent, "current": "consents"},
    )


@read_only
@young_person_required
def access_log(request):
    log = selectors.youth_access_log_page(actor=request.actor, page_number=request.GET.get("sida"))
    return render(request, "youth/access_log.html", {"log": log, "current": "access_log"})
