"""KAA pages. Thin: parse, call one selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from lotsen.kaa import forms, report, stats
from lotsen.kaa.models import CohortReason, LeftReason, Notice
from lotsen.kaa.selectors import (
    STATUS_IN_MEASURE,
    STATUS_REACHED,
    STATUS_UNKNOWN,
    UNASSIGNED,
    kaa_caseload,
    kaa_caseload_per_coordinator,
    kaa_cohort_list,
    kaa_coordinators_for,
    kaa_follow_up_get_for,
    kaa_measure_get_for,
    kaa_notice_count_open,
    kaa_notice_get_for,
    kaa_notice_inbox,
    kaa_person_for_write,
    kaa_person_get_for,
    kaa_person_shown,
    kaa_plan_for,
    kaa_scope,
)
from lotsen.kaa.services import (
    SCHOOL_STAFF_ROLES,
    caseload_assign,
    contact_attempt_record_many,
    contact_record,
    equivalent_education_record,
    follow_up_add,
    follow_up_done,
    measure_decline,
    measure_end,
    measure_record,
    measure_start,
    notice_mark_handled,
    notice_send,
    plan_save,
)
from lotsen.pages.decorators import actor_required
from lotsen.pages.forms import form_add_service_errors, form_page
from lotsen.pages.methods import form_view, post_only, read_only
from lotsen.stats import charts
from lotsen.stats.downloads import csv_response, download_response

STATUS_TEXT = {
    STATUS_UNKNOWN: stats.STATUS_LABELS[STATUS_UNKNOWN],
    STATUS_REACHED: stats.STATUS_LABELS[STATUS_REACHED],
    STATUS_IN_MEASURE: stats.STATUS_LABELS[STATUS_IN_MEASURE],
}


def _scope_or_404(request):
    scope = kaa_scope(request.actor)
    if scope is None:
        raise Http404
    return scope


# --- Overview and dashboard ------------------------------------------------------------------


@read_only
@actor_required
def overview(request):
    scope = _scope_or_404(request)
    board = stats.kaa_dashboard(scope=scope)
    reasons, left_reasons = dict(CohortReason.choices), dict(LeftReason.choices)
    context = {
        "board": board,
        "unknown_text": stats.percent_text(board.unknown_share),
        "reached_text": stats.percent_text(board.reached_share),
        "in_measure_text": stats.percent_text(board.in_measure_share),
        "over_time_chart": charts.column_chart(
            [(day.isoformat()[2:7], count) for day, count in board.over_time]
        ),
        "status_chart": charts.bar_chart(
            [
                (str(_("Okänd status")), board.unknown_share),
                (str(_("Nådda")), board.reached_share),
                (str(_("I en åtgärd")), board.in_measure_share),
            ],
            unit=" %",
            maximum=100,
        ),
        "entries_chart": charts.bar_chart([(str(reasons[r]), n) for r, n in board.entries.items()]),
        "exits_chart": charts.bar_chart(
            [(str(left_reasons[r]), n) for r, n in board.exits.items()]
        ),
        "open_notices": kaa_notice_count_open(actor=request.actor),
        "tables": board.tables,
        "caseloads": kaa_caseload_per_coordinator(actor=request.actor),
    }
    return render(request, "kaa/overview.html", context)


@read_only
@actor_required
def statistics_csv(request):
    scope = _scope_or_404(request)
    board = stats.kaa_dashboard(scope=scope)
    name = f"kaa-statistik-{scope.municipality_code}-{board.today.isoformat()}.csv"
    return csv_response(stats.dashboard_csv(board), filename=name)


# --- The cohort list and the inbox -----------------------------------------------------------


@read_only
@actor_required
def cohort(request):
    _scope_or_404(request)
    form = forms.CohortFilterForm(request.GET or None)
    status, query = "", ""
    if form.is_valid():
        status, query = form.cleaned_data["status"], form.cleaned_data["q"]
    try:
        offset = max(int(request.GET.get("fran", 0)), 0)
    except ValueError:
        offset = 0
    page = kaa_cohort_list(actor=request.actor, status=status, query=query, offset=offset)
    base = {"status": status, "q": query}
    context = {
        "form": form,
        "page": page,
        "status_text": STATUS_TEXT,
        "status_label": STATUS_TEXT.get(page.status, ""),
        "next_url": f"?{urlencode({**base, 'fran': page.offset + page.limit})}",
        "previous_url": f"?{urlencode({**base, 'fran': max(page.offset - page.limit, 0)})}",
    }
    return render(request, "kaa/cohort.html", context)


@read_only
@actor_required
def inbox(request):
    _scope_or_404(request)
    include_handled = request.GET.get("alla") == "1"
    rows = kaa_notice_inbox(actor=request.actor, include_handled=include_handled)
    return render(request, "kaa/inbox.html", {"rows": rows, "include_handled": include_handled})


@post_only
@actor_required
def notice_handled(request, notice_id: int):
    notice = kaa_notice_get_for(actor=request.actor, notice_id=notice_id)
    notice_mark_handled(actor=request.actor, notice=notice)
    messages.success(request, _("Anmälan är markerad som hanterad."))
    return redirect("kaa:inbox")


# --- The caseload ------------------------------------------------------------------------------


def _offset(request) -> int:
    try:
        return min(max(int(request.GET.get("fran", 0)), 0), 1_000_000)
    except ValueError:
        return 0


@form_view
@actor_required
def caseload(request):
    """A coordinator's young people, status unknown first, and a bulk action on those
    ticked: assign them to a coordinator, or record a letter sent to each. The filter is
    kept in the URL; a done action comes back to the same list."""
    _scope_or_404(request)
    coordinators = kaa_coordinators_for(actor=request.actor)
    filters = forms.CaseloadFilterForm(
        request.GET or None, coordinators=coordinators, me=request.actor.user
    )
    who, status = "", ""
    if filters.is_valid():
        who, status = filters.cleaned_data["samordnare"], filters.cleaned_data["status"]
    page = kaa_caseload(
        actor=request.actor,
        coordinator_id=UNASSIGNED if who == forms.NOBODY else (who or None),
        status=status,
        offset=_offset(request),
    )
    bulk = forms.CaseloadBulkForm(
        request.POST or None,
        person_ids=[row.person.pk for row in page.rows],
        coordinators=coordinators,
    )
    if request.method == "POST" and bulk.is_valid():
        try:
            if bulk.cleaned_data["action"] == forms.ACTION_ASSIGN:
                result = caseload_assign(
                    actor=request.actor,
                    person_ids=bulk.cleaned_data["person"],
                    coordinator_id=bulk.coordinator_id,
                )
                messages.success(
                    request,
                    ngettext(
                        "%(count)d ung person är fördelad.",
                        "%(count)d unga är fördelade.",
                        result.count,
                    )
                    % {"count": result.count},
                )
            else:
                result = contact_attempt_record_many(
                    actor=request.actor,
                    person_ids=bulk.cleaned_data["person"],
                    method="letter",
                    contact_date=bulk.cleaned_data["contact_date"],
                )
                messages.success(
                    request,
                    ngettext(
                        "Brevet är registrerat som kontaktförsök för %(count)d ung person.",
                        "Brevet är registrerat som kontaktförsök för %(count)d unga.",
                        result.count,
                    )
                    % {"count": result.count},
                )
        except ValidationError as exc:
            form_add_service_errors(bulk, exc)
        except PermissionDenied as exc:
            bulk.add_error(None, str(exc))
        else:
            query = urlencode({"samordnare": who, "status": status})
            return redirect(f"{reverse('kaa:caseload')}?{query}")
    base = {"samordnare": who, "status": status}
    context = {
        "filters": filters,
        "bulk": bulk,
        "page": page,
        "who": who,
        "coordinators": coordinators,
        "status_text": STATUS_TEXT,
        "checked": {int(v) for v in bulk["person"].value() or [] if str(v).isdigit()},
        "next_url": f"?{urlencode({**base, 'fran': page.offset + page.limit})}",
        "previous_url": f"?{urlencode({**base, 'fran': max(page.offset - page.limit, 0)})}",
    }
    return render(request, "kaa/caseload.html", context)


# --- One person's register page --------------------------------------------------------------


@read_only
@actor_required
def person(request, person_id: int):
    record = kaa_person_get_for(actor=request.actor, person_id=person_id)
    context = {
        "record": record,
        "person": record.person,
        "status_text": STATUS_TEXT,
        "language": get_language(),
    }
    return render(request, "kaa/person.html", context)


def _form_page(request, *, person_id, form_class, template, service, success, title, submit):
    """A form about a young person in the register; saved, it goes back to the person."""
    person = kaa_person_for_write(actor=request.actor, person_id=person_id)
    form = form_class(request.POST or None)
    response = form_page(
        request,
        form=form,
        save=lambda: service(actor=request.actor, person=person, **form.cleaned_data),
        success_message=success,
        success_url=reverse("kaa:person", kwargs={"person_id": person.pk}),
        template=template,
        context={"person": person, "page_title": title, "submit_label": submit},
    )
    if response.status_code == 200:
        kaa_person_shown(actor=request.actor, person=person)
    return response


@form_view
@actor_required
def contact_create(request, person_id: int):
    return _form_page(
        request,
        person_id=person_id,
        form_class=forms.ContactForm,
        template="kaa/contact_form.html",
        service=contact_record,
        success=_("Kontakten är registrerad."),
        title=_("Registrera kontakt"),
        submit=_("Spara kontakten"),
    )


@form_view
@actor_required
def measure_create(request, person_id: int):
    return _form_page(
        request,
        person_id=person_id,
        form_class=forms.MeasureForm,
        template="kaa/measure_form.html",
        service=measure_record,
        success=_("Åtgärden är registrerad."),
        title=_("Registrera åtgärd"),
        submit=_("Spara åtgärden"),
    )


@form_view
@actor_required
def plan_edit(request, person_id: int):
    person = kaa_person_for_write(actor=request.actor, person_id=person_id)
    record_plan = kaa_plan_for(actor=request.actor, person=person)
    initial = (
        {
            "planning": record_plan.planning,
            "goal": record_plan.goal,
            "coordinated_support_needed": record_plan.coordinated_support_needed,
            "coordinated_support_note": record_plan.coordinated_support_note,
        }
        if record_plan
        else {}
    )
    form = forms.PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan_save(actor=request.actor, person=person, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Planeringen är sparad."))
            return redirect("kaa:person", person_id=person.pk)
    kaa_person_shown(actor=request.actor, person=person)
    context = {
        "form": form,
        "person": person,
        "page_title": _("Planering"),
        "submit_label": _("Spara planeringen"),
    }
    return render(request, "kaa/plan_form.html", context)


@form_view
@actor_required
def equivalent_create(request, person_id: int):
    return _form_page(
        request,
        person_id=person_id,
        form_class=forms.EquivalentEducationForm,
        template="kaa/equivalent_form.html",
        service=equivalent_education_record,
        success=_("Utbildningen är registrerad och aktivitetsansvaret är omräknat."),
        title=_("Registrera motsvarande utbildning"),
        submit=_("Spara utbildningen"),
    )


def _measure_page(
    request, person_id, measure_id, *, form_class, template, service, success, title, submit
):
    person = kaa_person_for_write(actor=request.actor, person_id=person_id)
    measure = kaa_measure_get_for(actor=request.actor, person=person, measure_id=measure_id)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service(actor=request.actor, measure=measure, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, success)
            return redirect("kaa:person", person_id=person.pk)
    kaa_person_shown(actor=request.actor, person=person)
    context = {
        "form": form,
        "person": person,
        "measure": measure,
        "page_title": f"{title}: {measure.measure_type.label}",
        "submit_label": submit,
    }
    return render(request, template, context)


@form_view
@actor_required
def measure_start_view(request, person_id: int, measure_id: int):
    return _measure_page(
        request,
        person_id,
        measure_id,
        form_class=forms.MeasureStartForm,
        template="kaa/measure_start_form.html",
        service=measure_start,
        success=_("Åtgärden är påbörjad."),
        title=_("Påbörja åtgärd"),
        submit=_("Spara"),
    )


@form_view
@actor_required
def measure_end_view(request, person_id: int, measure_id: int):
    return _measure_page(
        request,
        person_id,
        measure_id,
        form_class=forms.MeasureEndForm,
        template="kaa/measure_end_form.html",
        service=measure_end,
        success=_("Åtgärden är avslutad."),
        title=_("Avsluta åtgärd"),
        submit=_("Avsluta åtgärden"),
    )


@form_view
@actor_required
def follow_up_add_view(request, person_id: int, measure_id: int):
    return _measure_page(
        request,
        person_id,
        measure_id,
        form_class=forms.FollowUpForm,
        template="kaa/follow_up_form.html",
        service=follow_up_add,
        success=_("Uppföljningen är inlagd."),
        title=_("Lägg till uppföljning"),
        submit=_("Spara uppföljningen"),
    )


@post_only
@actor_required
def measure_decline_view(request, person_id: int, measure_id: int):
    person = kaa_person_for_write(actor=request.actor, person_id=person_id)
    measure = kaa_measure_get_for(actor=request.actor, person=person, measure_id=measure_id)
    try:
        measure_decline(actor=request.actor, measure=measure)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Åtgärden är markerad som nekad."))
    return redirect("kaa:person", person_id=person.pk)


@post_only
@actor_required
def follow_up_done_view(request, person_id: int, follow_up_id: int):
    person = kaa_person_for_write(actor=request.actor, person_id=person_id)
    follow_up = kaa_follow_up_get_for(actor=request.actor, person=person, follow_up_id=follow_up_id)
    form = forms.FollowUpDoneForm(request.POST)
    form.is_valid()
    try:
        follow_up_done(
            actor=request.actor, follow_up=follow_up, note=form.cleaned_data.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Uppföljningen är gjord."))
    return redirect("kaa:person", person_id=person.pk)


# --- The national report ---------------------------------------------------------------------


@form_view
@actor_required
def export(request):
    _scope_or_404(request)
    form = forms.ExportForm(request.POST or None)
    data = None
    if request.method == "POST" and form.is_valid():
        period_code = form.cleaned_data["period"].code
        action = request.POST.get("action", "check")
        if action in (report.FORMAT_CSV, report.FORMAT_XLSX):
            try:
                file = report.kaa_report_export(
                    actor=request.actor, period_code=period_code, file_format=action
                )
            except report.ExportBlocked:
                messages.error(
                    request,
                    _("Filen togs inte fram: kontrollen hittade fel. Rätta felen nedan först."),
                )
            else:
                return download_response(
                    file.content, filename=file.filename, content_type=file.content_type
                )
        data = report.kaa_report_check(actor=request.actor, period_code=period_code)
    context = {
        "form": form,
        "data": data,
        "block_titles": report.BLOCK_TITLES,
        "today": timezone.localdate(),
    }
    return render(request, "kaa/export.html", context)


# --- Notices from schools --------------------------------------------------------------------


def _school_staff_or_404(request) -> None:
    actor = request.actor
    if actor.role not in SCHOOL_STAFF_ROLES or actor.organisation is None:
        raise Http404


@form_view
@actor_required
def notice_create(request):
    _school_staff_or_404(request)
    form = forms.NoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            receipt = notice_send(actor=request.actor, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            return redirect(reverse("kaa:notice_receipt", args=[receipt.receipt]))
    return render(request, "kaa/notice_form.html", {"form": form})


@read_only
@actor_required
def notice_receipt(request, receipt: str):
    _school_staff_or_404(request)
    notice = Notice.objects.filter(receipt=receipt, sender=request.user).first()
    if notice is None:
        raise Http404
    # The receipt says what was sent and when, never anything about the pupil.
    return render(
        request,
        "kaa/notice_receipt.html",
        {"receipt": notice.receipt, "sent_at": notice.sent_at, "kind": notice.get_kind_display()},
    )
