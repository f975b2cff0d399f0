"""Importera: upload a file, follow its run, see the organisation's runs. Thin: the
services are in ``lotsen.web.uploads``."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from lotsen.pages.decorators import actor_required
from lotsen.pages.methods import form_view, read_only
from lotsen.web.uploads import (
    import_run_get_for,
    import_run_outcome,
    import_run_progress,
    import_runs_for,
    import_upload_start,
    outcome_label,
    upload_kind_get,
    upload_kinds_for,
    upload_max_bytes,
)

RUNS_PER_PAGE = 25
# Labels for the counts importers report; a key without one is shown as it is.
COUNT_LABELS = {
    "persons_created": _("Nya personer"),
    "persons_updated": _("Ändrade personer"),
    "residence_periods_written": _("Folkbokföringsperioder skrivna"),
    "notices_linked": _("Anmälningar kopplade"),
    "enrolments_created": _("Nya inskrivningar"),
    "enrolments_updated": _("Ändrade inskrivningar"),
    "enrolments_unchanged": _("Oförändrade inskrivningar"),
    "qualifications_created": _("Nya examina och bevis"),
    "qualifications_unchanged": _("Oförändrade examina och bevis"),
    "skipped_unknown_person": _("Rader om personer som inte finns i Lotsen (hoppades över)"),
    "created": _("Nya"),
    "updated": _("Ändrade"),
    "unchanged": _("Oförändrade"),
}


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Fil"))


def _kind_titles(actor) -> dict[str, str]:
    return {importer.kind: importer.title or importer.help for importer in upload_kinds_for(actor)}


@read_only
@actor_required
def import_index(request):
    kinds = upload_kinds_for(request.actor)
    return render(request, "web/imports/index.html", {"kinds": kinds})


@form_view
@actor_required
def import_upload(request, kind: str):
    importer = upload_kind_get(actor=request.actor, kind=kind)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = import_upload_start(
                actor=request.actor, kind=importer.kind, file=form.cleaned_data["file"]
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("web:import_run", run_id=run.pk)
    context = {
        "importer": importer,
        "form": form,
        "max_mb": upload_max_bytes() // 2**20,
    }
    return render(request, "web/imports/upload.html", context)


ANNOUNCE_STEP = 25  # per cent: a screen reader hears the progress four times per phase


def _announcement(outcome: str, progress: dict, rejected_lines: int | None) -> tuple[str, str]:
    """(step, text): the text for the live region, said again only when the step changes
    (the page sends the step it last announced with each poll)."""
    if outcome == "done":
        return "done", str(_("Importen är klar."))
    if outcome == "rejected":
        return "rejected", str(
            _("Filen avvisades: %(lines)s rader har fel. Ingenting sparades.")
            % {"lines": rejected_lines or 0}
        )
    if outcome == "failed":
        return "failed", str(_("Importen misslyckades. Ingenting sparades."))
    total = progress.get("total")
    if not total:
        return outcome, str(_("Importen har startat.") if outcome == "running" else _("I kö."))
    if progress["writing"]:
        share = 100 * (progress["written"] or 0) // total
        step = share - share % ANNOUNCE_STEP
        return f"writing-{step}", str(_("Sparar: %(percent)s %% klart.") % {"percent": step})
    share = 100 * (progress["read"] or 0) // total
    step = share - share % ANNOUNCE_STEP
    return f"reading-{step}", str(
        _("Läser och kontrollerar: %(percent)s %% klart.") % {"percent": step}
    )


def _run_context(request, run_id: int, *, fragment: bool = False) -> dict:
    run = import_run_get_for(actor=request.actor, run_id=run_id)
    outcome = import_run_outcome(run)
    result = run.counts.get("result") or {}
    progress = import_run_progress(run)
    rejected_lines = run.counts.get("rejected_lines")
    if rejected_lines is None and run.rejects:
        # The importer stores the refused rows on the run before the job adds its counts.
        rejected_lines = len({reject.get("line") for reject in run.rejects})
    step, text = _announcement(outcome, progress, rejected_lines)
    # The whole page shows the state itself; a poll announces only what changed.
    announced = request.GET.get("announced", "")[:20] if fragment else step
    return {
        "step": step,
        "announce": text if step != announced else "",
        "run": run,
        "outcome": outcome,
        "outcome_label": outcome_label(outcome),
        "finished": outcome in ("done", "rejected", "failed"),
        "progress": progress,
        "title": _kind_titles(request.actor).get(run.kind, run.kind),
        "counts": [(COUNT_LABELS.get(key, key), value) for key, value in sorted(result.items())],
        "rejects_total": run.counts.get("rejects_total", len(run.rejects)),
        "rejected_lines": rejected_lines,
    }


@read_only
@actor_required
def import_run(request, run_id: int):
    return render(request, "web/imports/run.html", _run_context(request, run_id))


@read_only
@actor_required
def import_run_status(request, run_id: int):
    """The fragment the run page polls every second until the run has ended."""
    # A poll writes nothing, not even the session (SESSION_SAVE_EVERY_REQUEST): on SQLite
    # the import's transaction holds the one write lock while it writes, and a session
    # save would wait for it, so the page could not show the progress it asks for. A
    # poll is not the user's activity either, so it does not keep an idle session alive.
    request.session.save = _no_save
    context = _run_context(request, run_id, fragment=True)
    return render(request, "web/imports/_run_status.html", context)


def _no_save(*args, **kwargs) -> None:
    return None


@read_only
@actor_required
def import_runs(request):
    runs = import_runs_for(request.actor)
    page = Paginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("sida"))
    titles = _kind_titles(request.actor)
    rows = [
        {
            "run": run,
            "title": titles.get(run.kind, run.kind),
            "outcome": import_run_outcome(run),
            "outcome_label": outcome_label(import_run_outcome(run)),
        }
        for run in page.object_list
    ]
    return render(request, "web/imports/runs.html", {"page": page, "rows": rows})
