from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from lotsen.accounts.services import GRANTABLE_ROLES


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Fel användarnamn eller lösenord."),
        "inactive": _("Kontot är inte aktivt."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Användarnamn")
        self.fields["password"].label = _("Lösenord")


class MembershipChoiceForm(forms.Form):
    membership = forms.ChoiceField(label=_("Välj organisation och roll"), widget=forms.RadioSelect)

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].choices = [
            (str(m.pk), f"{m.organisation.name} – {m.get_role_display()}") for m in memberships
        ]


class MembershipAddForm(forms.Form):
    username = forms.CharField(
        label=_("Användarnamn"),
        max_length=150,
        help_text=_(
            "Den som inte redan är medlem i organisationen får en inbjudan och blir medlem "
            "först när hen accepterar."
        ),
    )
    role = forms.ChoiceField(label=_("Roll"), choices=[(r.value, r.label) for r in GRANTABLE_ROLES])


class RoleGrantDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])


class InvitationAnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=[("accept", "accept"), ("decline", "decline")])
