from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lotsen.accounts.forms import InvitationAnswerForm, LoginForm, MembershipChoiceForm
from lotsen.accounts.middleware import SESSION_MEMBERSHIP
from lotsen.accounts.selectors import (
    membership_list_for_user,
    role_grant_get_invitation,
    role_grant_invitations_for,
)
from lotsen.accounts.services import role_grant_accept, role_grant_decline
from lotsen.pages.methods import form_view, post_only


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@form_view
@login_required
def choose_membership(request):
    memberships = list(membership_list_for_user(user=request.user))
    form = MembershipChoiceForm(request.POST or None, memberships=memberships)
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_MEMBERSHIP] = int(form.cleaned_data["membership"])
        return redirect("web:start")
    return render(
        request,
        "accounts/choose_membership.html",
        {
            "form": form,
            "memberships": memberships,
            "invitations": role_grant_invitations_for(user=request.user),
        },
    )


@post_only
@login_required
def invitation_answer(request, grant_id: int):
    # Answered by the invited user themselves, who may not belong to any organisation yet:
    # login is enough, no actor is needed.
    grant = role_grant_get_invitation(user=request.user, grant_id=grant_id)
    form = InvitationAnswerForm(request.POST)
    if not form.is_valid():
        raise Http404
    try:
        if form.cleaned_data["answer"] == "accept":
            role_grant_accept(user=request.user, grant=grant)
            messages.success(
                request,
                _("Du är nu %(role)s i %(organisation)s.")
                % {"role": grant.get_role_display(), "organisation": grant.organisation.name},
            )
        else:
            role_grant_decline(user=request.user, grant=grant)
            messages.success(request, _("Du har avböjt inbjudan."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("accounts:choose_membership")
