"""Programme pages. Thin: parse, call selectors and services, render.

Project leaders and evaluators see programmes and sub-projects; numbers are exact for the
project team and suppressed for everyone else (``programmes.policy`` decides which).
Participant records (name, gender, age band and the participation's own data) are shown
only to the team's project leaders, through the selectors; never a person's page or
contact details.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from lotsen.accounts.models import Organisation
from lotsen.pages.decorators import actor_required
from lotsen.pages.forms import form_page
from lotsen.pages.methods import form_view, read_only
from lotsen.programmes import exports, forms, indicators
from lotsen.programmes.dashboard import SUPPRESSED_TEXT, dashboard_for
from lotsen.programmes.policy import ProgrammePolicy
from lotsen.programmes.selectors import (
    indicator_report_for,
    missing_data_list,
    participation_for_update,
    participation_get_for,
    participation_list,
    programme_get_for,
    programme_list_for,
    regions_of,
    subproject_get_for,
    subprojects_of,
    team_subproject_get_for,
)
from lotsen.programmes.services import (
    participant_enrol,
    participation_exit,
    participation_followup,
    participation_update,
)
from lotsen.stats import suppression
from lotsen.stats.downloads import csv_response, download_response


def _budget(subprojects):
    """The finance app's budget summary for these sub-projects."""
    from lotsen.finance.selectors import budget_summary

    return budget_summary(subprojects=subprojects)


@read_only
@actor_required
def programme_list(request):
    if not ProgrammePolicy(request.actor).may_read_programmes():
        raise Http404
    programmes = programme_list_for(actor=request.actor)
    return render(request, "programmes/programme_list.html", {"programmes": programmes})


def _region_from(request, regions) -> Organisation | None:
    wanted = request.GET.get("region", "")
    for region in regions:
        if str(region.pk) == wanted:
            return region
    return None


@read_only
@actor_required
def programme_detail(request, programme_id: int):
    programme = programme_get_for(actor=request.actor, programme_id=programme_id)
    regions = regions_of(programme=programme)
    region = _region_from(request, regions)
    subprojects = list(subprojects_of(programme=programme, region=region).prefetch_related("goals"))
    team = ProgrammePolicy(request.actor).sees_exact_figures(
        programme=programme, part=subprojects if region is not None else None
    )
    today = timezone.localdate()
    board = dashboard_for(
        subprojects=subprojects,
        team=team,
        framework=programme.framework,
        today=today,
        with_regions=region is None,
    )
    context = {
        "programme": programme,
        "team": team,
        "regions": regions,
        "region": region,
        "subprojects": subprojects,
        "board": board,
        "budget": _budget(subprojects),
        "report_query": urlencode({"region": region.pk}) if region else "",
    }
    return render(request, "programmes/programme.html", context)


@read_only
@actor_required
def subproject_detail(request, subproject_id: int):
    subproject = subproject_get_for(actor=request.actor, subproject_id=subproject_id)
    team = ProgrammePolicy(request.actor).sees_exact_figures(
        programme=subproject.programme, part=[subproject]
    )
    board = dashboard_for(
        subprojects=[subproject],
        team=team,
        framework=subproject.programme.framework,
        today=timezone.localdate(),
    )
    context = {
        "subproject": subproject,
        "programme": subproject.programme,
        "team": team,
        "board": board,
        "budget": _budget([subproject]),
        "organisations": list(subproject.organisations.all()),
        "goals": list(subproject.goals.all()),
    }
    return render(request, "programmes/subproject.html", context)


# --- Participants --------------------------------------------------------------------------


@read_only
@actor_required
def participants(request, subproject_id: int):
    subproject = team_subproject_get_for(actor=request.actor, subproject_id=subproject_id)
    rows = participation_list(actor=request.actor, subproject=subproject)
    today = timezone.localdate()
    report = indicator_report_for(
        subprojects=[subproject],
        framework=subproject.programme.framework,
        start=subproject.start,
        end=max(subproject.start, min(subproject.end, today)),
        today=today,
    )
    missing = missing_data_list(actor=request.actor, report=report)
    context = {
        "subproject": subproject,
        "programme": subproject.programme,
        "rows": rows,
        "missing": missing,
        "labels": indicators.LABELS,
    }
    return render(request, "programmes/participants.html", context)


def _posted(request):
    # An empty POST is still a submission: it must show the errors, not a fresh form.
    return request.POST if request.method == "POST" else None


def _form_page(request, *, form, subproject, template_context, on_valid, success, back_url):
    """A form about a sub-project; saved, it goes back to ``back_url``."""
    return form_page(
        request,
        form=form,
        save=lambda: on_valid(form.cleaned_data),
        success_message=success,
        success_url=back_url,
        template="programmes/form_page.html",
        context={"subproject": subproject, "back_url": back_url, **template_context},
    )


@form_view
@actor_required
def participant_add(request, subproject_id: int):
    subproject = team_subproject_get_for(actor=request.actor, subproject_id=subproject_id)
    form = forms.EnrolForm(_posted(request))

    def save(data):
        participant_enrol(actor=request.actor, subproject=subproject, **data)

    return _form_page(
        request,
        form=form,
        subproject=subproject,
        template_context={
            "page_title": _("Ny deltagare"),
            "submit_label": _("Spara deltagaren"),
            "caption": subproject.name,
        },
        on_valid=save,
        success=_("Deltagaren är registrerad."),
        back_url=reverse("programmes:participants", args=[subproject.pk]),
    )


def _participation(request, participation_id: int):
    """The row the form completes, and the record its page shows (the name, never more)."""
    record = participation_get_for(actor=request.actor, participation_id=participation_id)
    participation = participation_for_update(
        actor=request.actor, participation_id=record.participation_id
    )
    return participation, record


@form_view
@actor_required
def participation_edit(request, participation_id: int):
    participation, record = _participation(request, participation_id)
    subproject = participation.subproject
    initial = {
        "given_name": participation.given_name,
        "family_name": participation.family_name,
        "gender": participation.gender,
        "entry_date": participation.entry_date,
        "entry_status": participation.entry_status,
        "education_level": participation.education_level,
        "disability": participation.disability,
        "foreign_background": participation.foreign_background,
        "methods": list(participation.methods.all()),
    }
    form = forms.EntryForm(_posted(request), initial=initial)

    def save(data):
        participation_update(actor=request.actor, participation=participation, **data)

    return _form_page(
        request,
        form=form,
        subproject=subproject,
        template_context={
            "page_title": _("Uppgifter vid start"),
            "submit_label": _("Spara uppgifterna"),
            "caption": record.name,
        },
        on_valid=save,
        success=_("Uppgifterna är sparade."),
        back_url=reverse("programmes:participants", args=[subproject.pk]),
    )


@form_view
@actor_required
def participation_exit_view(request, participation_id: int):
    participation, record = _participation(request, participation_id)
    subproject = participation.subproject
    form = forms.ExitForm(
        _posted(request),
        initial={"exit_date": participation.exit_date, "exit_status": participation.exit_status},
    )

    def save(data):
        participation_exit(actor=request.actor, participation=participation, **data)

    return _form_page(
        request,
        form=form,
        subproject=subproject,
        template_context={
            "page_title": _("Avslut"),
            "submit_label": _("Spara avslutet"),
            "caption": record.name,
        },
        on_valid=save,
        success=_("Avslutet är sparat."),
        back_url=reverse("programmes:participants", args=[subproject.pk]),
    )


@form_view
@actor_required
def participation_followup_view(request, participation_id: int):
    participation, record = _participation(request, participation_id)
    subproject = participation.subproject
    form = forms.FollowupForm(
        _posted(request), initial={"followup_6m_status": participation.followup_6m_status}
    )

    def save(data):
        participation_followup(actor=request.actor, participation=participation, **data)

    return _form_page(
        request,
        form=form,
        subproject=subproject,
        template_context={
            "page_title": _("Uppföljning sex månader efter avslut"),
            "submit_label": _("Spara uppföljningen"),
            "caption": record.name,
        },
        on_valid=save,
        success=_("Uppföljningen är sparad."),
        back_url=reverse("programmes:participants", args=[subproject.pk]),
    )


# --- Indicator report ----------------------------------------------------------------------


def _report_scope(request, programme):
    """The sub-projects, scope name and form for the report's query string."""
    subprojects = list(programme.subprojects.order_by("name"))
    today = timezone.localdate()
    defaults = {
        "framework": programme.framework,
        "start": programme.start.isoformat(),
        "end": min(programme.end, today).isoformat()
        if programme.start <= today
        else programme.end.isoformat(),
        "subproject": "",
    }
    data = {**defaults, **{k: v for k, v in request.GET.items() if k in defaults and v}}
    form = forms.ReportForm(data, subprojects=subprojects)
    chosen = list(subprojects)
    scope = programme.name
    part = None  # The whole programme.
    region = None
    if form.is_valid():
        if form.cleaned_data["subproject"]:
            chosen = [s for s in subprojects if str(s.pk) == form.cleaned_data["subproject"]]
            scope = chosen[0].name
            part = chosen
        elif request.GET.get("region"):
            region = _region_from(request, regions_of(programme=programme))
            if region is not None:
                chosen = list(subprojects_of(programme=programme, region=region))
                scope = f"{programme.name}, {region.name}"
                part = chosen
    team = ProgrammePolicy(request.actor).sees_exact_figures(programme=programme, part=part)
    return form, chosen, scope, team, region


@read_only
@actor_required
def report(request, programme_id: int):
    programme = programme_get_for(actor=request.actor, programme_id=programme_id)
    form, chosen, scope, team, region = _report_scope(request, programme)
    context = {"programme": programme, "form": form, "scope": scope, "team": team}
    if form.is_valid():
        data = form.cleaned_data
        result = indicator_report_for(
            subprojects=chosen, framework=data["framework"], start=data["start"], end=data["end"]
        )
        values = exports.report_values(result, public=not team)
        columns = exports.columns(result.framework)
        context.update(
            {
                "report": result,
                "rows": [
                    (
                        key,
                        indicators.label(key, result.framework),
                        [_cell(values[key][c]) for c in columns],
                        len(result.missing[key]),
                    )
                    for key in result.keys
                ],
                "column_labels": [exports.COLUMN_LABELS[c] for c in columns],
                "missing": missing_data_list(actor=request.actor, report=result) if team else [],
                "missing_count": result.missing_count(),
                "query": urlencode(
                    {
                        "framework": data["framework"],
                        "start": data["start"].isoformat(),
                        "end": data["end"].isoformat(),
                        "subproject": data["subproject"],
                        **({"region": region.pk} if region else {}),
                    }
                ),
                "esf2014_note": exports.ESF_2014_NOTE
                if result.framework == indicators.ESF_2014
                else "",
                "suppression_note": exports.SUPPRESSION_NOTE,
            }
        )
    return render(request, "programmes/report.html", context)


def _cell(value):
    return SUPPRESSED_TEXT if value == suppression.PRIMARY else value


CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
}


@read_only
@actor_required
def report_export(request, programme_id: int, fmt: str):
    if fmt not in CONTENT_TYPES:
        raise Http404
    programme = programme_get_for(actor=request.actor, programme_id=programme_id)
    form, chosen, scope, team, _region = _report_scope(request, programme)
    if not form.is_valid():
        raise Http404
    data = form.cleaned_data
    result = indicator_report_for(
        subprojects=chosen, framework=data["framework"], start=data["start"], end=data["end"]
    )
    # Outside the project team every file is suppressed; the team chooses a suppressed
    # file ("offentlig") for anything it sends on.
    public = not team or request.GET.get("offentlig") == "1"
    suffix = "-offentlig" if public else ""
    name = (
        f"esf-indikatorer-{programme.pk}-{data['start']:%Y%m%d}-{data['end']:%Y%m%d}{suffix}.{fmt}"
    )
    if fmt == "csv":
        report = exports.report_csv(result, public=public)
        return csv_response(report, filename=name, bom=True, request=request)
    if fmt == "xlsx":
        body = exports.report_xlsx(result, public=public, scope=scope, programme=programme.name)
    else:
        body = exports.report_json(result, public=public).encode("utf-8")
    return download_response(body, filename=name, content_type=CONTENT_TYPES[fmt])
