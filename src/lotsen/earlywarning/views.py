"""Signal pages. Thin: parse, call one selector or service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lotsen.accounts.models import Role
from lotsen.earlywarning.forms import ActionRecordForm, SignalCloseForm
from lotsen.earlywarning.rules import RULES_BY_ID, number
from lotsen.earlywarning.selectors import signal_get_for
from lotsen.earlywarning.services import (
    signal_acknowledge,
    signal_action_record,
    signal_assign,
    signal_close,
    signal_steps_for,
)
from lotsen.pages.decorators import actor_required
from lotsen.pages.forms import form_add_service_errors
from lotsen.pages.methods import post_only, read_only

# How the numbers behind a signal are named on its page. Keys are the evidence keys the
# rules write (signals.rules); a key missing here is shown as it is.
EVIDENCE_LABELS: dict[str, Any] = {
    "from": gettext_lazy("Från"),
    "to": gettext_lazy("Till"),
    "periods": gettext_lazy("Antal perioder"),
    "weeks": gettext_lazy("Antal veckor"),
    "offered_minutes": gettext_lazy("Schemalagd tid (minuter)"),
    "valid_absence_minutes": gettext_lazy("Giltig frånvaro (minuter)"),
    "invalid_absence_minutes": gettext_lazy("Ogiltig frånvaro (minuter)"),
    "invalid_percent": gettext_lazy("Ogiltig frånvaro (%)"),
    "total_percent": gettext_lazy("All frånvaro (%)"),
    "threshold_percent": gettext_lazy("Gräns (%)"),
    "term": gettext_lazy("Termin"),
    "grades": gettext_lazy("Betyg"),
    "basis": gettext_lazy("Grund"),
    "programme": gettext_lazy("Program"),
    "merit_value": gettext_lazy("Meritvärde (prognos)"),
    "missing": gettext_lazy("Saknas för behörighet"),
    "previous_term": gettext_lazy("Förra terminen"),
    "latest_term": gettext_lazy("Senaste terminen"),
    "previous_merit_value": gettext_lazy("Meritvärde förra terminen"),
    "latest_merit_value": gettext_lazy("Meritvärde senaste terminen"),
    "drop": gettext_lazy("Minskning (poäng)"),
    "threshold_points": gettext_lazy("Gräns (poäng)"),
    "failed_points": gettext_lazy("Poäng utan godkänt betyg"),
    "passed_points": gettext_lazy("Godkända poäng"),
    "courses": gettext_lazy("Kurser utan godkänt betyg"),
    "days": gettext_lazy("Dagar i rad"),
    "threshold_days": gettext_lazy("Gräns (dagar)"),
    "roles": gettext_lazy("Roller som har bett om att få veta"),
}
BASIS_TEXT = {"projected": gettext_lazy("prognos utifrån terminsbetyg"), "final": "slutbetyg"}


def _value_text(key: str, value: Any) -> str:
    if key == "basis":
        return str(BASIS_TEXT.get(value, value))
    if key == "roles" and isinstance(value, list):
        return ", ".join(str(Role(r).label) if r in Role.values else str(r) for r in value)
    if isinstance(value, bool):
        return _("ja") if value else _("nej")
    if isinstance(value, int | float):
        return number(value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return ", ".join(
                f"{c.get('course')} ({c.get('points')} p) {c.get('grade')}" for c in value
            )
        return ", ".join(str(v) for v in value)
    return str(value)


def evidence_rows(evidence: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (str(EVIDENCE_LABELS.get(key, key)), _value_text(key, value))
        for key, value in evidence.items()
    ]


def _detail(request, signal, *, action_form=None, close_form=None):
    reasons = signal.reason_list
    parts = [
        {
            "title": reason.title,
            "rule": RULES_BY_ID.get(reason.rule_id),
            "rows": evidence_rows(reason.evidence),
        }
        for reason in reasons
    ] or [
        {
            "title": signal.get_rule_id_display(),
            "rule": RULES_BY_ID.get(signal.rule_id),
            "rows": evidence_rows(signal.evidence),
        }
    ]
    context = {
        "signal": signal,
        "rule": RULES_BY_ID.get(signal.rule_id),
        "evidence_parts": parts,
        "steps": signal_steps_for(actor=request.actor, signal=signal),
        "action_form": action_form or ActionRecordForm(),
        "close_form": close_form or SignalCloseForm(),
        "errors_form": action_form if action_form is not None else close_form,
        "waiting": signal.is_waiting(timezone.localdate()),
    }
    return render(request, "signals/signal_detail.html", context)


def _refused(request, exc: Exception) -> None:
    messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))


@read_only
@actor_required
def signal_detail(request, signal_id: int):
    return _detail(request, signal_get_for(actor=request.actor, signal_id=signal_id))


@post_only
@actor_required
def signal_assign_to_me(request, signal_id: int):
    signal = signal_get_for(actor=request.actor, signal_id=signal_id)
    try:
        signal_assign(actor=request.actor, signal=signal, assignee=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Signalen är din. Kvittera den när du har läst underlaget."))
    return redirect("signals:detail", signal_id=signal.pk)


@post_only
@actor_required
def signal_acknowledge_view(request, signal_id: int):
    signal = signal_get_for(actor=request.actor, signal_id=signal_id)
    try:
        signal_acknowledge(actor=request.actor, signal=signal)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(
            request, _("Signalen är kvitterad. Skriv vad du gör när du har gjort det.")
        )
    return redirect("signals:detail", signal_id=signal.pk)


@post_only
@actor_required
def signal_action_view(request, signal_id: int):
    signal = signal_get_for(actor=request.actor, signal_id=signal_id)
    form = ActionRecordForm(request.POST)
    if form.is_valid():
        try:
            signal_action_record(actor=request.actor, signal=signal, **form.cleaned_data)
        except PermissionDenied as exc:
            _refused(request, exc)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Åtgärden är sparad."))
            return redirect("signals:detail", signal_id=signal.pk)
    return _detail(request, signal, action_form=form)


@post_only
@actor_required
def signal_close_view(request, signal_id: int):
    signal = signal_get_for(actor=request.actor, signal_id=signal_id)
    form = SignalCloseForm(request.POST)
    if form.is_valid():
        try:
            signal_close(actor=request.actor, signal=signal, **form.cleaned_data)
        except PermissionDenied as exc:
            _refused(request, exc)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Signalen är avslutad."))
            return redirect("signals:detail", signal_id=signal.pk)
    return _detail(request, signal, close_form=form)
