"""Follow-up pages: the methods catalogue with what happened to the participants who
received each method. Thin: parse, call one selector, render."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from lotsen.insights import exports
from lotsen.insights.selectors import (
    method_catalogue_for,
    method_get_for,
    programmes_for,
    reads_figures,
    what_works,
)
from lotsen.pages.decorators import actor_required
from lotsen.pages.methods import read_only
from lotsen.stats.downloads import csv_response, download_response


def _programme(request):
    programmes = list(programmes_for(request.actor))
    chosen = request.GET.get("program", "")
    programme = next((p for p in programmes if str(p.pk) == chosen), None)
    return programmes, programme


def _context(data, programmes):
    return {
        "data": data,
        "programmes": programmes,
        "descriptive_note": exports.descriptive_note(),
        "suppression_note": exports.suppression_note(),
        "query": f"?program={data.programme.pk}" if data.programme else "",
    }


@read_only
@actor_required
def methods(request):
    if not reads_figures(request.actor):
        # Staff outside the programmes read the catalogue without the outcome figures.
        context = {"methods": method_catalogue_for(actor=request.actor)}
        return render(request, "insights/catalogue.html", context)
    programmes, programme = _programme(request)
    data = what_works(actor=request.actor, programme=programme)
    return render(request, "insights/methods.html", _context(data, programmes))


@read_only
@actor_required
def method_detail(request, method_id: int):
    method = method_get_for(actor=request.actor, method_id=method_id)
    if not reads_figures(request.actor):
        return render(request, "insights/method_detail.html", {"method": method})
    programmes, programme = _programme(request)
    data = what_works(actor=request.actor, programme=programme, method=method)
    context = {**_context(data, programmes), "method": method, "row": data.rows[0]}
    return render(request, "insights/method_detail.html", context)


def _download(content, *, content_type: str, extension: str) -> HttpResponse:
    name = f"metoder-utfall-{timezone.localdate().isoformat()}.{extension}"
    return download_response(content, filename=name, content_type=content_type)


@read_only
@actor_required
def methods_csv(request):
    _programmes, programme = _programme(request)
    data = what_works(actor=request.actor, programme=programme, export=True)
    name = f"metoder-utfall-{timezone.localdate().isoformat()}.csv"
    return csv_response(exports.whatworks_csv(data), filename=name, request=request)


@read_only
@actor_required
def methods_xlsx(request):
    _programmes, programme = _programme(request)
    data = what_works(actor=request.actor, programme=programme, export=True)
    return _download(
        exports.whatworks_xlsx(data),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        extension="xlsx",
    )
