"""A signal's reasons in the reader's language.

``signals.rules`` is pure and writes each reason in Swedish, with the numbers it used kept
as evidence. Swedish is the source language, so a Swedish reader gets the stored text as
the rule wrote it; any other language gets the same sentence rebuilt from the evidence
through Django's translations (the English is in ``locale/en``). A reason whose evidence
lacks a number (written by an older version) is shown as stored rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import get_language, gettext, ngettext

from lotsen.earlywarning import rules
from lotsen.school.merit import NO_GRADE, SUBJECT_NAMES


def _swedish() -> bool:
    return (get_language() or "sv").lower().startswith("sv")


def _number(value: float) -> str:
    # Swedish writes a decimal comma, English a point.
    return rules.number(value).replace(",", ".")


def _weeks(weeks: int) -> str:
    if weeks == 1:
        return gettext("den senaste veckan")
    return ngettext("de senaste %(count)s veckan", "de senaste %(count)s veckorna", weeks) % {
        "count": weeks
    }


def _absence_invalid(evidence: Mapping[str, Any]) -> str:
    return gettext("Ogiltig frånvaro %(percent)s %% %(weeks)s (gräns %(threshold)s %%)") % {
        "percent": _number(evidence["invalid_percent"]),
        "weeks": _weeks(int(evidence["weeks"])),
        "threshold": _number(evidence["threshold_percent"]),
    }


def _absence_total(evidence: Mapping[str, Any]) -> str:
    return gettext(
        "Frånvaro %(percent)s %% %(weeks)s, varav ogiltig %(invalid)s %% (gräns %(threshold)s %%)"
    ) % {
        "percent": _number(evidence["total_percent"]),
        "invalid": _number(evidence["invalid_percent"]),
        "weeks": _weeks(int(evidence["weeks"])),
        "threshold": _number(evidence["threshold_percent"]),
    }


def _upper_secondary_absence(evidence: Mapping[str, Any]) -> str:
    return _absence_invalid(evidence) + gettext(
        ". Bedöm om frånvaron ska anmälas till elevens hemkommun (skollagen 15 kap. 15 §)."
    )


def _absence_watch(evidence: Mapping[str, Any]) -> str:
    return gettext("Frånvaro %(percent)s %% %(weeks)s (bevakning från %(threshold)s %%)") % {
        "percent": _number(evidence["total_percent"]),
        "weeks": _weeks(int(evidence["weeks"])),
        "threshold": _number(evidence["threshold_percent"]),
    }


def _absence_streak(evidence: Mapping[str, Any]) -> str:
    return gettext(
        "Frånvarande %(days)s skoldagar i rad, %(first)s–%(last)s (gräns %(threshold)s dagar)"
    ) % {
        "days": evidence["days"],
        "first": evidence["from"],
        "last": evidence["to"],
        "threshold": _number(evidence["threshold_days"]),
    }


def _join(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return gettext("%(items)s och %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _core_subjects(evidence: Mapping[str, Any]) -> str:
    items = [
        "{} ({})".format(
            SUBJECT_NAMES.get(code, code),
            gettext("streck, inget betyg") if value == NO_GRADE else value,
        )
        for code, value in evidence["grades"].items()
    ]
    return gettext("Inte godkänt i %(subjects)s – terminsbetyg %(term)s") % {
        "subjects": _join(items),
        "term": evidence["term"],
    }


def _projected_not_eligible(evidence: Mapping[str, Any]) -> str:
    text = gettext("Prognos utifrån terminsbetyg %(term)s: inte behörig till yrkesprogram") % {
        "term": evidence["term"]
    }
    missing = evidence.get("missing") or []
    if missing:
        text += " – " + gettext("saknar %(missing)s") % {"missing": _join(list(missing))}
    return text


def _merit_drop(evidence: Mapping[str, Any]) -> str:
    return gettext(
        "Meritvärdet har sjunkit %(drop)s poäng, från %(before)s till %(now)s, mellan "
        "%(previous)s och %(latest)s (gräns %(threshold)s poäng)"
    ) % {
        "drop": _number(evidence["drop"]),
        "before": _number(evidence["previous_merit_value"]),
        "now": _number(evidence["latest_merit_value"]),
        "previous": evidence["previous_term"],
        "latest": evidence["latest_term"],
        "threshold": _number(evidence["threshold_points"]),
    }


def _course_points_failed(evidence: Mapping[str, Any]) -> str:
    count = len(evidence["courses"])
    return ngettext(
        "%(count)s kurs utan godkänt betyg, sammanlagt %(points)s poäng "
        "(gräns %(threshold)s poäng)",
        "%(count)s kurser utan godkänt betyg, sammanlagt %(points)s poäng "
        "(gräns %(threshold)s poäng)",
        count,
    ) % {
        "count": count,
        "points": evidence["failed_points"],
        "threshold": _number(evidence["threshold_points"]),
    }


FORMATTERS: Mapping[str, Callable[[Mapping[str, Any]], str]] = {
    rules.ABSENCE_INVALID: _absence_invalid,
    rules.ABSENCE_TOTAL: _absence_total,
    rules.UPPER_SECONDARY_ABSENCE: _upper_secondary_absence,
    rules.ABSENCE_WATCH: _absence_watch,
    rules.ABSENCE_STREAK: _absence_streak,
    rules.CORE_SUBJECTS_NOT_PASSED: _core_subjects,
    rules.PROJECTED_NOT_ELIGIBLE: _projected_not_eligible,
    rules.MERIT_DROP: _merit_drop,
    rules.COURSE_POINTS_FAILED: _course_points_failed,
}


def reason_text(rule_id: str, evidence: Mapping[str, Any], stored: str) -> str:
    """The reason for the reader: as stored in Swedish, rebuilt from the evidence in any
    other language."""
    if _swedish():
        return stored
    formatter = FORMATTERS.get(rule_id)
    if formatter is None:
        return stored
    try:
        return formatter(evidence)
    except (KeyError, TypeError, ValueError):
        return stored


# --- The learned model's reasons ----------------------------------------------------------


def _feature_text(name: str, value: float | None) -> str | None:
    from lotsen.earlywarning import features as F

    if value is None:
        return gettext("%(label)s: uppgift saknas") % {"label": F.FEATURES_BY_NAME[name].label}
    if name == F.SCHOOL_YEAR:
        if value > F.UPPER_SECONDARY_OFFSET:
            return gettext("Går år %(year)s i gymnasieskolan") % {
                "year": int(value) - F.UPPER_SECONDARY_OFFSET
            }
        return gettext("Går i årskurs %(year)s") % {"year": int(value)}
    if name == F.MERIT_VALUE:
        return gettext("Meritvärde %(value)s i de senaste betygen") % {"value": _number(value)}
    if name == F.FAILED_SUBJECTS:
        return ngettext(
            "%(count)s ämne utan godkänt betyg i de senaste betygen",
            "%(count)s ämnen utan godkänt betyg i de senaste betygen",
            int(value),
        ) % {"count": int(value)}
    if name == F.CORE_SUBJECTS_FAILED:
        return gettext("Inte godkänt i %(count)s av svenska, engelska och matematik") % {
            "count": int(value)
        }
    if name == F.MERIT_CHANGE:
        if value < 0:
            return gettext("Meritvärdet har sjunkit %(points)s poäng sedan terminen före") % {
                "points": _number(-value)
            }
        if value > 0:
            return gettext("Meritvärdet har stigit %(points)s poäng sedan terminen före") % {
                "points": _number(value)
            }
        return gettext("Meritvärdet är detsamma som terminen före")
    percent = _number(int(value * 10) / 10)
    if name in (F.ABSENCE_SHORT, F.ABSENCE_LONG):
        weeks = F.SHORT_WEEKS if name == F.ABSENCE_SHORT else F.LONG_WEEKS
        return gettext("Frånvaro %(percent)s %% %(weeks)s") % {
            "percent": percent,
            "weeks": _weeks(weeks),
        }
    if name in (F.INVALID_ABSENCE_SHORT, F.INVALID_ABSENCE_LONG):
        weeks = F.SHORT_WEEKS if name == F.INVALID_ABSENCE_SHORT else F.LONG_WEEKS
        return gettext("Ogiltig frånvaro %(percent)s %% %(weeks)s") % {
            "percent": percent,
            "weeks": _weeks(weeks),
        }
    if name == F.COURSE_POINTS_FAILED:
        return gettext("%(points)s gymnasiepoäng utan godkänt betyg") % {"points": int(value)}
    if name == F.COURSE_POINTS_PASSED:
        return gettext("%(points)s godkända gymnasiepoäng") % {"points": int(value)}
    return None


def feature_reason(reason: Mapping[str, Any]) -> str:
    """One of the model's reasons (an item of ``RiskScore.explanation``) for the reader: as
    stored in Swedish, rebuilt from the feature and its value in any other language."""
    stored = reason.get("text", "")
    if _swedish():
        return stored
    try:
        return _feature_text(reason["feature"], reason.get("value")) or stored
    except (KeyError, TypeError, ValueError):
        return stored
