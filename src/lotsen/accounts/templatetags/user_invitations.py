"""The organisation admin's pending invitations by e-mail, for the members page (which
lives on the top floor and needs no knowledge of how invitations are kept)."""

from django import template

from lotsen.accounts.invitations import user_invitation_open_for_admin

register = template.Library()


@register.inclusion_tag("accounts/_user_invitations_pending.html", takes_context=True)
def user_invitations_pending(context):
    actor = context.get("actor")
    invitations = user_invitation_open_for_admin(actor=actor) if actor is not None else []
    return {"invitations": invitations, "csrf_token": context.get("csrf_token")}
