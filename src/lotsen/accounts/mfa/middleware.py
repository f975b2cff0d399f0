"""Every logged-in session has a level of assurance, and, with LOTSEN_REQUIRE_SECOND_FACTOR,
a password login whose role reaches personal data sets up a second factor before it does
anything else."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from lotsen.accounts import assurance
from lotsen.accounts.middleware import SESSION_ASSURANCE_LEVEL
from lotsen.accounts.models import Membership


def _reaches_personal_data(user) -> bool:
    from lotsen.accounts.services import data_roles

    return Membership.objects.filter(user=user, role__in=data_roles()).exists()


class SecondFactorRequiredMiddleware:
    """A logged-in session whose login set no level (one from before levels were kept, or a
    login path that forgot) counts as ``UNSPECIFIED``, the lowest: an empty level is what
    an actor outside any login has (commands, jobs, the demo generator), which a step-up
    does not stop, and a web session must never pass for one.

    Only a session at ``LOCAL_PASSWORD`` is sent on to set up a second factor: an account
    with a second factor gives it at login (and is then at ``LOCAL_SECOND_FACTOR``), and a
    login through an identity provider has the provider's level. The pages for setting one
    up, logging out and changing language stay reachable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and not request.session.get(SESSION_ASSURANCE_LEVEL):
            request.session[SESSION_ASSURANCE_LEVEL] = assurance.UNSPECIFIED
            request.assurance_level = assurance.UNSPECIFIED
            if getattr(request, "actor", None) is not None:
                request.actor = dataclasses.replace(
                    request.actor, assurance_level=assurance.UNSPECIFIED
                )
        if (
            settings.LOTSEN_REQUIRE_SECOND_FACTOR
            and request.user.is_authenticated
            and request.session.get(SESSION_ASSURANCE_LEVEL) == assurance.LOCAL_PASSWORD
            and not self._allowed(request.path)
            and _reaches_personal_data(request.user)
        ):
            url = reverse("accounts:mfa:security")
            return redirect(url + "?" + urlencode({"next": request.get_full_path()}))
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        prefixes = (
            reverse("accounts:mfa:security"),
            reverse("accounts:logout"),
            reverse("set_language"),
            settings.STATIC_URL,
        )
        return path.startswith(prefixes)
