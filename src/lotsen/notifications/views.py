from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lotsen.notifications.models import Delivery
from lotsen.notifications.selectors import notification_list, preference_choices
from lotsen.notifications.services import (
    notification_mark_read,
    notification_preferences_set,
    notifications_mark_all_read,
)
from lotsen.pages.decorators import actor_required
from lotsen.pages.methods import form_view, post_only, read_only

PAGE_SIZE = 25


@read_only
@actor_required
def centre(request):
    paginator = Paginator(notification_list(actor=request.actor), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("sida"))
    return render(request, "notifications/centre.html", {"page": page})


@post_only
@actor_required
def mark_read(request, notification_id: int):
    notification = notification_mark_read(user=request.user, notification_id=notification_id)
    if request.headers.get("HX-Request"):
        # htmx swaps the one item; the count in the header follows on the next page.
        return render(request, "notifications/_item.html", {"notification": notification})
    return redirect("notifications:centre")


@post_only
@actor_required
def mark_all_read(request):
    notifications_mark_all_read(user=request.user)
    messages.success(request, _("Alla notiser är markerade som lästa."))
    return redirect("notifications:centre")


@form_view
@actor_required
def preferences(request):
    choices = preference_choices(user=request.user)
    errors = {}
    if request.method == "POST":
        submitted = {kind.name: request.POST.get(kind.name, "") for kind, _chosen in choices}
        try:
            notification_preferences_set(user=request.user, choices=submitted)
        except ValidationError as exc:
            errors = {field: messages_[0] for field, messages_ in exc.message_dict.items()}
        else:
            messages.success(request, _("Dina val för notiser är sparade."))
            return redirect("notifications:preferences")
    rows = [
        {"kind": kind, "chosen": chosen, "error": errors.get(kind.name, "")}
        for kind, chosen in choices
    ]
    return render(
        request,
        "notifications/preferences.html",
        {"rows": rows, "deliveries": Delivery.choices, "errors": errors},
    )
