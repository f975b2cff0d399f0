"""Follow-up pages: the methods catalogue with what happened to the participants who
received each method. Thin: parse, call one selector, render."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from lotsen.insights import exports
from lotsen.insights.selectors import method_get_for, programmes_for, what_works
from lotsen.pages.decorators import actor_required
from lotsen.pages.methods import read_only
from lotsen.stats.downloads import download_response


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
    programmes, programme = _programme(request)
    data = what_works(actor=request.actor, programme=programme)
    return render(request, "insights/methods.html", _context(data, programmes))


@read_only
@actor_required
def method_detail(request, method_id: int):
    method = method_get_for(actor=request.actor, method_id=method_id)
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
    return _download(
        exports.whatworks_csv(data), content_type="text/csv; charset=utf-8", extension="csv"
    )


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
