from functools import cache

from lotsen.notifications.selectors import notification_unread_count


def unread(request):
    """The unread count for the header: one query, and only if the page shows it."""
    actor = getattr(request, "actor", None)
    if actor is None:
        return {}
    # A template calls a callable: the count is asked for where the header shows it, and
    # cached so a second use costs nothing.
    return {"notifications_unread": cache(lambda: notification_unread_count(actor=actor))}
