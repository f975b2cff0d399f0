from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


def actor_required(view):
    """Logged in, and acting in a chosen organisation and role (or as a young person)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.actor is None:
            return redirect("accounts:choose_membership")
        return view(request, *args, **kwargs)

    return wrapper
