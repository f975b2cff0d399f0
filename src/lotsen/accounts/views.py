import math

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lotsen.accounts import assurance, oidc
from lotsen.accounts.forms import InvitationAnswerForm, LoginForm, MembershipChoiceForm
from lotsen.accounts.mfa import services as mfa_services
from lotsen.accounts.middleware import (
    SESSION_ASSURANCE_LEVEL,
    SESSION_IDENTITY_PROVIDER,
    SESSION_MEMBERSHIP,
)
from lotsen.accounts.models import IdentityProvider
from lotsen.accounts.selectors import (
    membership_list_for_user,
    role_grant_get_invitation,
    role_grant_invitations_for,
)
from lotsen.accounts.services import role_grant_accept, role_grant_decline
from lotsen.pages.methods import form_view, post_only, read_only

SESSION_OIDC_NEXT = "lotsen_oidc_next"


def _identity_providers():
    return IdentityProvider.objects.filter(enabled=True).order_by("kind", "name")


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["identity_providers"] = _identity_providers()
        return context

    def form_valid(self, form):
        user = form.get_user()
        if mfa_services.user_has_second_factor(user):
            # Not logged in yet: the second step logs in once the second factor is right.
            mfa_services.pending_login_start(
                self.request, user=user, next_url=self.get_redirect_url()
            )
            return redirect("accounts:mfa:login_verify")
        response = super().form_valid(form)
        self.request.session[SESSION_ASSURANCE_LEVEL] = assurance.LOCAL_PASSWORD
        return response


class LogoutView(auth_views.LogoutView):
    """Logs out of Lotsen and, after an OpenID Connect login whose provider offers single
    logout, of the provider too: the browser goes on to its end_session_endpoint."""

    def post(self, request, *args, **kwargs):
        provider_id = request.session.get(SESSION_IDENTITY_PROVIDER)
        provider = IdentityProvider.objects.filter(pk=provider_id).first() if provider_id else None
        response = super().post(request, *args, **kwargs)
        if provider is not None:
            end_session_url = oidc.provider_end_session_url(
                provider=provider,
                post_logout_redirect_uri=request.build_absolute_uri(
                    resolve_url(settings.LOGOUT_REDIRECT_URL)
                ),
            )
            if end_session_url:
                return redirect(end_session_url)
        return response


def login_locked_out(request, original_response=None, credentials=None):
    """The login page with the lockout message: django-axes calls this (AXES_LOCKOUT_CALLABLE)
    for a login refused because the account or the address is locked. The same words
    whether or not the account exists, and whichever of the two is locked."""
    # A failure during the lock starts the cool-off again, so it runs from now.
    minutes = max(1, math.ceil(get_cool_off(request).total_seconds() / 60))
    message = ngettext(
        "För många misslyckade inloggningar. Försök igen om %(minutes)d minut.",
        "För många misslyckade inloggningar. Försök igen om %(minutes)d minuter.",
        minutes,
    ) % {"minutes": minutes}
    return render(
        request,
        "accounts/login.html",
        {
            "form": LoginForm(request),
            "identity_providers": _identity_providers(),
            "login_error": message,
            "next": request.POST.get("next", ""),
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


def _login_refused(request, message: str):
    return render(
        request,
        "accounts/login.html",
        {
            "form": LoginForm(request),
            "identity_providers": _identity_providers(),
            # The refusals are oidc's constants, in Swedish; the catalogue has them in English.
            "login_error": _(message),
        },
        status=403,
    )


@read_only
def oidc_login(request, slug: str):
    """Off to the identity provider, remembering where to come back to."""
    provider = get_object_or_404(IdentityProvider, slug=slug, enabled=True)
    next_url = request.GET.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        request.session[SESSION_OIDC_NEXT] = next_url
    else:
        request.session.pop(SESSION_OIDC_NEXT, None)
    # "Logga in som vårdnadshavare": the same e-ID broker, a login kind of its own.
    if request.GET.get("som") == oidc.GUARDIAN_PARAMETER:
        request.session[oidc.SESSION_OIDC_KIND] = oidc.LOGIN_GUARDIAN
    else:
        request.session.pop(oidc.SESSION_OIDC_KIND, None)
    redirect_uri = request.build_absolute_uri(reverse("accounts:oidc_callback", args=[slug]))
    try:
        return oidc.login_redirect(request=request, provider=provider, redirect_uri=redirect_uri)
    except oidc.LoginRefused as refused:
        return _login_refused(request, str(refused))


@read_only
def oidc_callback(request, slug: str):
    """Back from the identity provider: verify its answer, log the user in at the level
    the provider stated."""
    provider = get_object_or_404(IdentityProvider, slug=slug, enabled=True)
    try:
        result = oidc.login_complete(
            request=request,
            provider=provider,
            kind=request.session.pop(oidc.SESSION_OIDC_KIND, oidc.LOGIN_YOUNG_PERSON),
        )
    except oidc.LoginRefused as refused:
        return _login_refused(request, str(refused))
    next_url = request.session.pop(SESSION_OIDC_NEXT, "")
    login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_ASSURANCE_LEVEL] = result.assurance_level
    request.session[SESSION_IDENTITY_PROVIDER] = provider.pk
    if result.kind == oidc.LOGIN_GUARDIAN:
        # A guardian's login reaches the guardian's pages and nothing else; what the login
        # proves is kept for the answers the guardian gives (youth.guardians).
        request.session[oidc.SESSION_LOGIN_KIND] = oidc.LOGIN_GUARDIAN
        request.session[oidc.SESSION_LOGIN_EVIDENCE] = oidc.login_evidence(result, provider)
        return redirect("guardians:start")
    if result.user.person_id:
        # A young person's own login reaches "Mina sidor" and nothing else.
        return redirect("youth:start")
    return redirect(next_url or settings.LOGIN_REDIRECT_URL)


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
