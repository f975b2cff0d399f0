"""Finance pages. Thin: parse, call one selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lotsen.accounts.models import Organisation
from lotsen.finance import exports, forms, imports, services
from lotsen.finance.selectors import (
    actual_cost_get_for_write,
    budget_line_get_for_write,
    budget_rows,
    budget_summaries_by_subproject,
    budget_summary,
    finance_can_edit,
    finance_programme_get_for,
    finance_programmes_for,
    finance_subproject_get_for,
    finance_subprojects_for,
    funding_source_get_for_write,
    subproject_finance_detail,
)
from lotsen.pages.decorators import actor_required
from lotsen.pages.forms import form_page
from lotsen.pages.methods import form_view, post_only, read_only
from lotsen.stats.downloads import csv_response, download_response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(content, *, name: str, content_type: str) -> HttpResponse:
    return download_response(content, filename=name, content_type=content_type)


def _check_format(file_format: str) -> None:
    if file_format not in ("xlsx", "csv"):
        raise Http404


def _stamp() -> str:
    return timezone.localdate().isoformat()


# --- Programmes -------------------------------------------------------------------------------


@read_only
@actor_required
def programme_list(request):
    programmes = list(finance_programmes_for(actor=request.actor))
    if len(programmes) == 1:
        return redirect("finance:programme", programme_id=programmes[0].pk)
    return render(request, "finance/programme_list.html", {"programmes": programmes})


def _programme_data(request, programme_id: int):
    programme = finance_programme_get_for(actor=request.actor, programme_id=programme_id)
    subprojects = list(finance_subprojects_for(actor=request.actor, programme=programme))
    rows = budget_rows(subprojects=subprojects)
    summary = budget_summary(subprojects=subprojects)
    return programme, subprojects, rows, summary


@read_only
@actor_required
def programme(request, programme_id: int):
    programme, subprojects, rows, summary = _programme_data(request, programme_id)
    context = {
        "programme": programme,
        "rows": rows,
        "budget": summary,
        "whole_programme": len(subprojects) == programme.subprojects.count(),
    }
    return render(request, "finance/programme.html", context)


@read_only
@actor_required
def programme_export(request, programme_id: int, file_format: str):
    _check_format(file_format)
    programme, subprojects, rows, summary = _programme_data(request, programme_id)
    name = f"budget-{slugify(programme.name)}-{_stamp()}"
    if file_format == "xlsx":
        content = exports.programme_xlsx(
            title=programme.name,
            summary=summary,
            rows=rows,
            summaries=budget_summaries_by_subproject(subprojects=subprojects),
        )
        return _download(content, name=f"{name}.xlsx", content_type=XLSX)
    content = exports.programme_csv(summary=summary, rows=rows)
    return csv_response(content, filename=f"{name}.csv", request=request)


# --- One sub-project --------------------------------------------------------------------------


@read_only
@actor_required
def subproject(request, subproject_id: int):
    sub = finance_subproject_get_for(actor=request.actor, subproject_id=subproject_id)
    lines, sources, costs = subproject_finance_detail(subproject=sub)
    context = {
        "subproject": sub,
        "programme": sub.programme,
        "budget": budget_summary(subprojects=[sub]),
        "lines": lines,
        "sources": sources,
        "costs": costs,
        "can_edit": finance_can_edit(actor=request.actor, subproject=sub),
        "upload_form": forms.CostUploadForm(),
    }
    return render(request, "finance/subproject.html", context)


@read_only
@actor_required
def subproject_export(request, subproject_id: int, file_format: str):
    _check_format(file_format)
    sub = finance_subproject_get_for(actor=request.actor, subproject_id=subproject_id)
    summary = budget_summary(subprojects=[sub])
    name = f"budget-{slugify(sub.name)}-{_stamp()}"
    if file_format == "xlsx":
        content = exports.subproject_xlsx(name=sub.name, summary=summary)
        return _download(content, name=f"{name}.xlsx", content_type=XLSX)
    content = exports.subproject_csv(summary=summary)
    return csv_response(content, filename=f"{name}.csv", request=request)


def _organisations_for(sub) -> object:
    return Organisation.objects.filter(
        Q(pk=sub.lead_organisation_id)
        | Q(pk=sub.programme.lead_organisation_id)
        | Q(subprojects=sub)
    ).distinct()


def _form_page(request, *, sub, form, save, success: str, title: str, submit: str, anchor: str):
    """A form about a sub-project's money; saved, it goes back to that part of its page."""
    back_url = f"{sub_url(sub)}#{anchor}"
    return form_page(
        request,
        form=form,
        save=lambda: save(form.cleaned_data),
        success_message=success,
        success_url=back_url,
        template="finance/form_page.html",
        context={
            "subproject": sub, "page_title": title, "submit_label": submit, "back_url": back_url,
        },
    )  # fmt: skip


def sub_url(sub) -> str:
    return reverse("finance:subproject", args=[sub.pk])


@form_view
@actor_required
def budget_line_create(request, subproject_id: int):
    sub = finance_subproject_get_for(
        actor=request.actor, subproject_id=subproject_id, for_write=True
    )
    return _form_page(
        request,
        sub=sub,
        form=forms.BudgetLineForm(request.POST or None),
        save=lambda data: services.budget_line_create(actor=request.actor, subproject=sub, **data),
        success=_("Budgetraden är sparad."),
        title=_("Lägg till budgetrad"),
        submit=_("Spara budgetraden"),
        anchor="budget",
    )


@form_view
@actor_required
def budget_line_edit(request, line_id: int):
    line = budget_line_get_for_write(actor=request.actor, line_id=line_id)
    initial = {
        "category": line.category,
        "amount": f"{line.amount}".replace(".", ","),
        "year": line.year,
        "description": line.description,
    }
    return _form_page(
        request,
        sub=line.subproject,
        form=forms.BudgetLineForm(request.POST or None, initial=initial),
        save=lambda data: services.budget_line_update(actor=request.actor, line=line, **data),
        success=_("Budgetraden är ändrad."),
        title=_("Ändra budgetrad"),
        submit=_("Spara ändringen"),
        anchor="budget",
    )


@post_only
@actor_required
def budget_line_delete(request, line_id: int):
    line = budget_line_get_for_write(actor=request.actor, line_id=line_id)
    sub = line.subproject
    services.budget_line_delete(actor=request.actor, line=line)
    messages.success(request, _("Budgetraden är borttagen."))
    return redirect(f"{sub_url(sub)}#budget")


@form_view
@actor_required
def funding_source_create(request, subproject_id: int):
    sub = finance_subproject_get_for(
        actor=request.actor, subproject_id=subproject_id, for_write=True
    )
    return _form_page(
        request,
        sub=sub,
        form=forms.FundingSourceForm(request.POST or None, organisations=_organisations_for(sub)),
        save=lambda data: services.funding_source_create(
            actor=request.actor, subproject=sub, **data
        ),
        success=_("Finansieringen är sparad."),
        title=_("Lägg till finansiering"),
        submit=_("Spara finansieringen"),
        anchor="finansiering",
    )


@form_view
@actor_required
def funding_source_edit(request, source_id: int):
    source = funding_source_get_for_write(actor=request.actor, source_id=source_id)
    sub = source.subproject
    initial = {
        "kind": source.kind,
        "organisation": source.organisation_id,
        "amount": "" if source.hours else f"{source.amount}".replace(".", ","),
        "hours": source.hours,
        "hourly_rate": source.hourly_rate,
        "description": source.description,
    }
    return _form_page(
        request,
        sub=sub,
        form=forms.FundingSourceForm(
            request.POST or None, initial=initial, organisations=_organisations_for(sub)
        ),
        save=lambda data: services.funding_source_update(
            actor=request.actor, source=source, **data
        ),
        success=_("Finansieringen är ändrad."),
        title=_("Ändra finansiering"),
        submit=_("Spara ändringen"),
        anchor="finansiering",
    )


@post_only
@actor_required
def funding_source_delete(request, source_id: int):
    source = funding_source_get_for_write(actor=request.actor, source_id=source_id)
    sub = source.subproject
    services.funding_source_delete(actor=request.actor, source=source)
    messages.success(request, _("Finansieringen är borttagen."))
    return redirect(f"{sub_url(sub)}#finansiering")


@form_view
@actor_required
def actual_cost_create(request, subproject_id: int):
    sub = finance_subproject_get_for(
        actor=request.actor, subproject_id=subproject_id, for_write=True
    )
    return _form_page(
        request,
        sub=sub,
        form=forms.ActualCostForm(request.POST or None),
        save=lambda data: services.actual_cost_create(actor=request.actor, subproject=sub, **data),
        success=_("Kostnaden är sparad."),
        title=_("Registrera kostnad"),
        submit=_("Spara kostnaden"),
        anchor="utfall",
    )


@form_view
@actor_required
def actual_cost_edit(request, cost_id: int):
    cost = actual_cost_get_for_write(actor=request.actor, cost_id=cost_id)
    initial = {
        "date": cost.date,
        "category": cost.category,
        "amount": f"{cost.amount}".replace(".", ","),
        "description": cost.description,
    }
    return _form_page(
        request,
        sub=cost.subproject,
        form=forms.ActualCostForm(request.POST or None, initial=initial),
        save=lambda data: services.actual_cost_update(actor=request.actor, cost=cost, **data),
        success=_("Kostnaden är ändrad."),
        title=_("Ändra kostnad"),
        submit=_("Spara ändringen"),
        anchor="utfall",
    )


@post_only
@actor_required
def actual_cost_delete(request, cost_id: int):
    cost = actual_cost_get_for_write(actor=request.actor, cost_id=cost_id)
    sub = cost.subproject
    try:
        services.actual_cost_delete(actor=request.actor, cost=cost)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Kostnaden är borttagen."))
    return redirect(f"{sub_url(sub)}#utfall")


@form_view
@actor_required
def costs_upload(request, subproject_id: int):
    sub = finance_subproject_get_for(
        actor=request.actor, subproject_id=subproject_id, for_write=True
    )
    form = forms.CostUploadForm(request.POST or None, request.FILES or None)
    problems: list[imports.Problem] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = imports.costs_import(
                programme=sub.programme,
                content=form.cleaned_data["file"].read(),
                actor=request.actor,
                subprojects=[sub],
            )
        except imports.CostImportError as exc:
            problems = exc.problems
            form.add_error(
                "file",
                ngettext(
                    "Filen har fel på %(count)s ställe. Inget är importerat.",
                    "Filen har fel på %(count)s ställen. Inget är importerat.",
                    len(problems),
                )
                % {"count": len(problems)},
            )
        else:
            messages.success(
                request,
                _(
                    "Importen är klar: %(created)s nya, %(updated)s ändrade, "
                    "%(unchanged)s oförändrade."
                )
                % {
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
            return redirect(f"{sub_url(sub)}#utfall")
    context = {"form": form, "subproject": sub, "problems": problems}
    return render(request, "finance/upload.html", context)
