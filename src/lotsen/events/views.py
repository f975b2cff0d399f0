"""Event pages. Thin: parse, call one selector or service, render.

Staff pages live under /evenemang/hantera/ for the organiser's project leaders; the
public page /evenemang/<adress>/ needs no login and shows the event, never who else has
registered.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from lotsen.events import exports, forms
from lotsen.events.selectors import (
    event_get_for,
    event_public_get,
    events_for,
    places_left,
    programmes_for,
    public_events_upcoming,
    registrations_for,
    training_hours,
    training_hours_scope,
)
from lotsen.events.services import attendance_mark, event_save, registration_create
from lotsen.pages.decorators import actor_required
from lotsen.pages.forms import form_add_service_errors
from lotsen.pages.methods import form_view, read_only
from lotsen.stats.downloads import csv_response, download_response

SESSION_REGISTERED = "events_registered"


def _posted(request):
    """The posted data, bound even when empty: an empty POST must show its errors."""
    return request.POST if request.method == "POST" else None


# --- Staff pages -----------------------------------------------------------------------------


@read_only
@actor_required
def event_list(request):
    events = list(events_for(actor=request.actor))
    now = timezone.now()
    context = {
        "upcoming": [e for e in events if e.ends_at > now][::-1],
        "past": [e for e in events if e.ends_at <= now],
        "current": "list",
    }
    return render(request, "events/list.html", context)


def _event_form_page(request, *, event=None):
    programmes = list(programmes_for(request.actor).order_by("name"))
    initial = forms.EventForm.initial_for(event) if event else {}
    form = forms.EventForm(_posted(request), initial=initial, programmes=programmes)
    if request.method == "POST" and form.is_valid():
        try:
            saved = event_save(actor=request.actor, event=event, **form.service_arguments())
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Evenemanget är sparat."))
            return redirect("events:detail", event_id=saved.pk)
    context = {
        "form": form,
        "event": event,
        "page_title": _("Ändra evenemang") if event else _("Nytt evenemang"),
    }
    return render(request, "events/event_form.html", context)


@form_view
@actor_required
def event_create(request):
    events_for(actor=request.actor)  # 404 for anyone who may not manage events
    return _event_form_page(request)


@form_view
@actor_required
def event_edit(request, event_id: int):
    event = event_get_for(actor=request.actor, event_id=event_id)
    return _event_form_page(request, event=event)


@read_only
@actor_required
def event_detail(request, event_id: int):
    event = event_get_for(actor=request.actor, event_id=event_id)
    registrations = registrations_for(actor=request.actor, event=event)
    context = {
        "event": event,
        "registrations": registrations,
        "attended": sum(1 for r in registrations if r.attended),
        "places_left": places_left(event),
        "public_url": request.build_absolute_uri(event.get_absolute_url()),
        "may_mark_attendance": event.starts_at <= timezone.now(),
    }
    return render(request, "events/detail.html", context)


@form_view
@actor_required
def attendance(request, event_id: int):
    event = event_get_for(actor=request.actor, event_id=event_id)
    registrations = registrations_for(actor=request.actor, event=event)
    error = None
    if request.method == "POST":
        ids = {int(v) for v in request.POST.getlist("attended") if v.isdigit()}
        try:
            came = attendance_mark(actor=request.actor, event=event, attended_ids=ids)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("Närvaron är sparad: %(came)s av %(total)s deltog.")
                % {"came": came, "total": len(registrations)},
            )
            return redirect("events:detail", event_id=event.pk)
    context = {"event": event, "registrations": registrations, "error": error}
    return render(request, "events/attendance.html", context)


def _training_hours_data(request):
    training_hours_scope(request.actor)  # 404 before anything else is read
    programmes = list(programmes_for(request.actor).order_by("name"))
    form = forms.TrainingHoursFilterForm(request.GET or None, programmes=programmes)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {
            "programme": form.cleaned_data["programme"],
            "date_from": form.cleaned_data["date_from"],
            "date_to": form.cleaned_data["date_to"],
        }
    data = training_hours(actor=request.actor, total_label=_("Totalt"), **filters)
    return form, data


@read_only
@actor_required
def training_hours_page(request):
    form, data = _training_hours_data(request)
    query = request.GET.urlencode()
    context = {
        "form": form,
        "data": data,
        "query": f"?{query}" if query else "",
        "current": "hours",
    }
    return render(request, "events/training_hours.html", context)


def _download(content, *, content_type: str, name: str) -> HttpResponse:
    return download_response(content, filename=name, content_type=content_type)


@read_only
@actor_required
def training_hours_csv(request):
    _form, data = _training_hours_data(request)
    return csv_response(
        exports.training_hours_csv(data),
        filename=f"utbildningstimmar-{timezone.localdate().isoformat()}.csv",
        request=request,
    )


@read_only
@actor_required
def training_hours_xlsx(request):
    _form, data = _training_hours_data(request)
    return _download(
        exports.training_hours_xlsx(data),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        name=f"utbildningstimmar-{timezone.localdate().isoformat()}.xlsx",
    )


# --- Public pages ----------------------------------------------------------------------------


@read_only
def public_list(request):
    return render(request, "events/public_list.html", {"events": public_events_upcoming()})


@form_view
def public_event(request, slug: str):
    event = event_public_get(slug=slug)
    left = places_left(event)
    accepts = (
        event.audience == "professionals"
        and event.registration_open
        and event.starts_at > timezone.now()
    )
    form = forms.RegistrationForm(_posted(request)) if accepts and left != 0 else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            registration = registration_create(event=event, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            left = places_left(event)
        else:
            request.session[SESSION_REGISTERED] = registration.pk
            return redirect("events:registered", slug=event.slug)
    context = {
        "event": event,
        "form": form,
        "accepts": accepts,
        "places_left": left,
        "full": accepts and left == 0,
    }
    return render(request, "events/public_event.html", context)


@read_only
def public_registered(request, slug: str):
    event = event_public_get(slug=slug)
    registration = event.registrations.filter(pk=request.session.get(SESSION_REGISTERED)).first()
    return render(
        request, "events/public_registered.html", {"event": event, "registration": registration}
    )
