"""The inbox page: GET shows a page of rows with filters kept in the URL; POST applies a
bulk action to the selected rows and comes back to the same filtered page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lotsen.accounts.models import Role
from lotsen.inbox.forms import InboxBulkForm, InboxFilterForm
from lotsen.inbox.selectors import (
    SORTS,
    STATUSES,
    WHOS,
    colleagues_for,
    inbox_groups_for,
    inbox_page_for,
    kind_label,
    overdue_days,
    team_roles_for,
)
from lotsen.inbox.services import inbox_bulk_apply
from lotsen.inbox.sources import kinds_for
from lotsen.pages.decorators import actor_required
from lotsen.pages.forms import form_add_service_errors
from lotsen.pages.methods import form_view

SORT_LABELS = {
    "prioritet": "Prioritet",
    "forfaller": "Förfaller först",
    "vantat": "Väntat längst",
    "namn": "Namn",
}
STATUS_LABELS = {"ny": "Ny", "kvitterad": "Kvitterad", "forsenad": "Försenad"}
WHO_LABELS = {"mig": "Tilldelat mig", "team": "Mitt team", "otilldelat": "Otilldelat"}


def _query(request, **changes) -> str:
    params = {k: v for k, v in request.GET.items() if v and k != "sida"}
    params.update({k: v for k, v in changes.items() if v})
    return urlencode(params)


@form_view
@actor_required
def inbox(request):
    actor = request.actor
    if not kinds_for(actor) or actor.role == Role.YOUNG_PERSON:
        raise Http404
    bulk = InboxBulkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and bulk.is_valid():
        data = bulk.cleaned_data
        try:
            changed = inbox_bulk_apply(
                actor=actor,
                person_ids=data["person_ids"],
                action=data["action"],
                assignee=data["assignee"],
                follow_up_on=data["follow_up_on"],
            )
        except ValidationError as exc:
            form_add_service_errors(bulk, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s ung person ändrad.", "%(count)s unga personer ändrade.", changed
                )
                % {"count": changed},
            )
            back = request.POST.get("tillbaka", "")
            # Only our own query string comes back: never an address from the form.
            query = back if back and "//" not in back and "\n" not in back else ""
            return redirect(reverse("inbox:index") + (f"?{query}" if query else ""))
    filter_form = InboxFilterForm(request.GET)
    page = inbox_page_for(actor=actor, filters=filter_form.filters())
    return render(request, "inbox/inbox.html", _context(request, page, bulk))


def _context(request, page, bulk) -> dict:
    actor = request.actor
    filters = page.filters
    return {
        "page": page,
        "bulk": bulk,
        "kinds": [(k, kind_label(k), page.kind_counts.get(k, 0)) for k in page.kinds],
        "statuses": [(s, _(STATUS_LABELS[s]), page.status_counts.get(s, 0)) for s in STATUSES],
        "whos": [(w, _(WHO_LABELS[w]), page.who_counts.get(w, 0)) for w in WHOS],
        "sorts": [(s, _(SORT_LABELS[s])) for s in SORTS],
        "years": page.year_counts,
        "groups": inbox_groups_for(actor=actor),
        "colleagues": colleagues_for(actor),
        "teams": [(role, Role(role).label) for role in team_roles_for(actor)],
        "query": _query(request),
        "this_query": request.GET.urlencode(),
        "previous_url": f"?{_query(request, sida=str(page.page - 1))}" if page.page > 1 else "",
        "next_url": f"?{_query(request, sida=str(page.page + 1))}"
        if page.page < page.page_count
        else "",
        "filters": filters,
        "overdue_days": overdue_days(),
    }
