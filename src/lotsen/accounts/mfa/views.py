"""The second factor's pages: the login's second step, the security page under "Mitt
konto" (app, recovery codes, passkeys) and the step-up. Thin: the checks are in
``services`` and ``webauthn``."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from lotsen.accounts import assurance, oidc
from lotsen.accounts.mfa import services
from lotsen.accounts.mfa.forms import CodeForm, TotpConfirmForm
from lotsen.accounts.mfa.models import Purpose
from lotsen.accounts.mfa.webauthn import SESSION_STEP_UP_NEXT
from lotsen.accounts.middleware import SESSION_ASSURANCE_LEVEL, SESSION_IDENTITY_PROVIDER
from lotsen.accounts.models import IdentityProvider
from lotsen.pages.methods import form_view, read_only

ERROR_STEP_UP_PROVIDER = "Inloggningstjänsten svarar inte just nu. Försök igen om en stund."


def _next(request, default: str = "") -> str:
    """The page to return to, when it is one of ours; otherwise ``default``."""
    value = request.POST.get("next") or request.GET.get("next") or ""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return default


def _with_next(url_name: str, next_url: str) -> str:
    url = reverse(url_name)
    if next_url:
        url += "?" + urlencode({"next": next_url})
    return url


def strongest_required_level() -> str | None:
    """The highest level any data category asks for: the level a step-up aims at."""
    ranks = settings.LOTSEN_ASSURANCE_RANKS
    levels = [level for level in settings.LOTSEN_ASSURANCE_REQUIRED.values() if level]
    return max(levels, key=lambda level: assurance.level_rank(level, ranks=ranks), default=None)


def _passkey_context(request, *, next_url: str) -> dict:
    return {
        "passkey_begin_url": reverse("accounts:mfa:passkey_login_begin"),
        "passkey_complete_url": reverse("accounts:mfa:passkey_login_complete"),
        "next": next_url,
    }


# --- The login's second step -----------------------------------------------------------------


@form_view
def login_verify(request):
    """After the right password on an account with a second factor."""
    user = services.pending_login_user(request)
    if user is None:
        return redirect(settings.LOGIN_URL)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = services.code_check(
            request=request, user=user, token=form.cleaned_data["code"], purpose=Purpose.LOGIN
        )
        if check.device is not None:
            next_url = services.pending_login_finish(request, user=user, device=check.device)
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
        form.add_error("code", _(check.error))
    factors = services.user_second_factors(user)
    context = {
        "form": form,
        "has_code": factors["totp"] is not None or factors["recovery_left"] > 0,
        "has_passkey": bool(factors["passkeys"]),
        **_passkey_context(request, next_url=""),
    }
    return render(request, "mfa/login_verify.html", context)


# --- Mitt konto: säkerhet --------------------------------------------------------------------


@read_only
@login_required
def security(request):
    context = {
        "factors": services.user_second_factors(request.user),
        "is_local": services.session_is_local(request),
        "next": _next(request),
    }
    return render(request, "mfa/security.html", context)


def _may_add_factor(request):
    """None when the user may add a second factor now; otherwise where to send them. A user
    who already has one gives it first, so that a password alone cannot add another."""
    if not services.session_is_local(request):
        return redirect("accounts:mfa:security")
    if services.user_has_second_factor(request.user) and not request.user.is_verified():
        return redirect(_with_next("accounts:mfa:step_up", request.get_full_path()))
    return None


@form_view
@login_required
def totp_enrol(request):
    if (refused := _may_add_factor(request)) is not None:
        return refused
    next_url = _next(request)
    device = services.totp_device_start(user=request.user)
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = services.totp_device_confirm(
            request=request, user=request.user, device=device, token=form.cleaned_data["code"]
        )
        if check.device is not None:
            return redirect(_with_next("accounts:mfa:recovery_codes", next_url))
        form.add_error("code", _(check.error))
    context = {
        "form": form,
        "qr_svg": services.totp_qr_svg(device, title=_("QR-kod för autentiseringsappen")),
        "secret": services.totp_secret_text(device),
        "next": next_url,
    }
    return render(request, "mfa/totp_enrol.html", context)


@form_view
@login_required
def recovery_codes(request):
    """New recovery codes (POST), and the codes just made, shown once (GET)."""
    next_url = _next(request)
    if request.method == "POST":
        if (refused := _may_add_factor(request)) is not None:
            return refused
        if not request.user.is_verified():
            # Recovery codes belong with an app or a passkey: without one there is nothing
            # to recover.
            return redirect("accounts:mfa:security")
        services.recovery_codes_replace(request=request, user=request.user)
        return redirect(_with_next("accounts:mfa:recovery_codes", next_url))
    context = {"codes": services.recovery_codes_take(request), "next": next_url}
    return render(request, "mfa/recovery_codes.html", context)


@read_only
@login_required
def passkey_register(request):
    if (refused := _may_add_factor(request)) is not None:
        return refused
    next_url = _next(request)
    context = {
        "begin_url": reverse("accounts:mfa:passkey_register_begin"),
        "complete_url": _with_next("accounts:mfa:passkey_register_complete", next_url),
        "done_url": next_url or reverse("accounts:mfa:security"),
        "next": next_url,
    }
    return render(request, "mfa/passkey_register.html", context)


# --- Step-up -----------------------------------------------------------------------------------


@form_view
@login_required
def step_up(request):
    """Lift this session to the level the protected notes need, then go back to the page
    that asked: a local account gives its second factor (or sets one up); a login through
    an identity provider logs in there again, asking for the level."""
    next_url = _next(request, resolve_url(settings.LOGIN_REDIRECT_URL))
    required = strongest_required_level()
    level = request.session.get(SESSION_ASSURANCE_LEVEL, "")
    ranks = settings.LOTSEN_ASSURANCE_RANKS
    if assurance.level_meets(level, required, ranks=ranks):
        return redirect(next_url)
    if not services.session_is_local(request):
        return _step_up_at_provider(request, required=required, next_url=next_url)
    if not services.user_has_second_factor(request.user):
        return render(request, "mfa/step_up_enrol.html", {"next": next_url})
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = services.code_check(
            request=request,
            user=request.user,
            token=form.cleaned_data["code"],
            purpose=Purpose.STEP_UP,
        )
        if check.device is not None:
            services.session_level_raise(request, device=check.device)
            return redirect(next_url)
        form.add_error("code", _(check.error))
    request.session[SESSION_STEP_UP_NEXT] = next_url
    factors = services.user_second_factors(request.user)
    context = {
        "form": form,
        "has_code": factors["totp"] is not None or factors["recovery_left"] > 0,
        "has_passkey": bool(factors["passkeys"]),
        **_passkey_context(request, next_url=next_url),
    }
    return render(request, "mfa/step_up.html", context)


def _step_up_at_provider(request, *, required: str | None, next_url: str):
    from lotsen.accounts.views import SESSION_OIDC_NEXT

    provider = IdentityProvider.objects.filter(
        pk=request.session.get(SESSION_IDENTITY_PROVIDER), enabled=True
    ).first()
    if provider is None:
        return render(request, "mfa/step_up_provider.html", {"next": next_url}, status=200)
    acr_values = assurance.acr_values_for(
        required or "",
        acr_levels=settings.LOTSEN_ASSURANCE_ACR_LEVELS,
        ranks=settings.LOTSEN_ASSURANCE_RANKS,
    )
    request.session[SESSION_OIDC_NEXT] = next_url
    redirect_uri = request.build_absolute_uri(
        reverse("accounts:oidc_callback", args=[provider.slug])
    )
    try:
        return oidc.login_redirect(
            request=request,
            provider=provider,
            redirect_uri=redirect_uri,
            acr_values=" ".join(acr_values),
        )
    except oidc.LoginRefused:
        return render(
            request,
            "mfa/step_up_provider.html",
            {"next": next_url, "error": _(ERROR_STEP_UP_PROVIDER)},
        )
