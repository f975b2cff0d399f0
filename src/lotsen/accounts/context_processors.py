from lotsen.privacy.policy import CASE_ROLES


def actor(request):
    return {"actor": getattr(request, "actor", None), "case_roles": CASE_ROLES}
