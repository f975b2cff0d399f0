from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from lotsen.accounts.forms import LoginForm, MembershipChoiceForm
from lotsen.accounts.middleware import SESSION_MEMBERSHIP
from lotsen.accounts.selectors import membership_list_for_user


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def choose_membership(request):
    memberships = list(membership_list_for_user(user=request.user))
    form = MembershipChoiceForm(request.POST or None, memberships=memberships)
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_MEMBERSHIP] = int(form.cleaned_data["membership"])
        return redirect("web:start")
    return render(
        request, "accounts/choose_membership.html", {"form": form, "memberships": memberships}
    )
