"""Pages for invitations by e-mail (lotsen.accounts.invitations): the admin's invitation
form and withdrawal, and the invitee's page to choose a username and password.

The invitee's link carries the token in its path. The first request checks it, keeps it in
the session and redirects to an address without it, so that the token does not travel on
in Referer headers or stay in the browser's history (as Django's password reset does).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lotsen.accounts import invitations
from lotsen.accounts.models import GrantStatus, Role, User
from lotsen.accounts.recovery import link_invalid
from lotsen.accounts.services import GRANTABLE_ROLES
from lotsen.pages.decorators import actor_required
from lotsen.pages.forms import form_add_service_errors
from lotsen.pages.methods import form_view, post_only, read_only

SESSION_INVITATION_TOKEN = "lotsen_invitation_token"  # noqa: S105 (a session key)


class UserInvitationForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-postadress"), max_length=254)
    role = forms.ChoiceField(
        label=gettext_lazy("Roll"),
        choices=[(role.value, role.label) for role in Role if role in GRANTABLE_ROLES],
    )


class InvitationAcceptForm(UserCreationForm):
    """Username and password twice; Django's password validators and its check that the
    username is free (without regard to case) apply."""

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username",)

    def __init__(self, *args, email: str, **kwargs):
        # The address is on the new account before the password is checked, so that
        # "too similar to your e-mail address" is caught.
        super().__init__(*args, instance=User(email=email), **kwargs)
        self.fields["username"].label = _("Användarnamn")
        self.fields["username"].help_text = _("Högst 150 tecken: bokstäver, siffror och @ . + - _")
        self.fields["password1"].label = _("Lösenord")
        self.fields["password2"].label = _("Lösenord igen")
        self.fields["password2"].help_text = _("Skriv samma lösenord en gång till.")


def _back_to_members():
    return redirect("web:organisation_members")


@form_view
@actor_required
def user_invitation_create_view(request):
    actor = request.actor
    if actor.role != Role.ORGANISATION_ADMIN:
        raise Http404
    form = UserInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitations.user_invitation_create(
                actor=actor, organisation=actor.organisation, **form.cleaned_data
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("En inbjudan har skickats till %(email)s.") % {"email": invitation.email},
            )
            return _back_to_members()
    return render(request, "accounts/user_invitation_new.html", {"form": form})


@post_only
@actor_required
def user_invitation_withdraw_view(request, invitation_id: int):
    invitation = invitations.user_invitation_get_for_admin(
        actor=request.actor, invitation_id=invitation_id
    )
    try:
        invitations.user_invitation_withdraw(actor=request.actor, invitation=invitation)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(
            request, _("Inbjudan till %(email)s är återkallad.") % {"email": invitation.email}
        )
    return _back_to_members()


@read_only
def user_invitation_open(request, token: str):
    try:
        invitations.user_invitation_get_by_token(token=token)
    except Http404:
        return link_invalid(request)
    request.session[SESSION_INVITATION_TOKEN] = token
    return redirect("accounts:user_invitation_accept")


@form_view
def user_invitation_accept_view(request):
    token = request.session.get(SESSION_INVITATION_TOKEN, "")
    try:
        invitation = invitations.user_invitation_get_by_token(token=token)
    except Http404:
        return link_invalid(request)
    form = InvitationAcceptForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            grant = invitations.user_invitation_accept(
                token=token,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
            )
        except Http404:
            return link_invalid(request)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            request.session.pop(SESSION_INVITATION_TOKEN, None)
            if grant.status == GrantStatus.ACTIVE:
                text = _("Ditt konto är klart. Logga in med ditt nya användarnamn och lösenord.")
            else:
                text = _(
                    "Ditt konto är klart. Rollen gäller när en andra administratör har "
                    "godkänt den. Du kan logga in redan nu."
                )
            messages.success(request, text)
            return redirect("accounts:login")
    return render(
        request,
        "accounts/user_invitation_accept.html",
        {"form": form, "invitation": invitation},
    )
