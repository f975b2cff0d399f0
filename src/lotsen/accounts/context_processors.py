from lotsen.accounts.roles import CASE_ROLES
from lotsen.privacy.policy import reaches_persons


def actor(request):
    current = getattr(request, "actor", None)
    return {
        "actor": current,
        "case_roles": CASE_ROLES,
        # Person search is in the navigation only for roles that reach persons at all.
        "reaches_persons": reaches_persons(current),
    }
