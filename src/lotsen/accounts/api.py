from rest_framework.permissions import BasePermission


class HasActor(BasePermission):
    """An API caller must be logged in and acting in a membership (or as themselves)."""

    def has_permission(self, request, view) -> bool:
        return bool(
            request.user and request.user.is_authenticated and getattr(request, "actor", None)
        )
