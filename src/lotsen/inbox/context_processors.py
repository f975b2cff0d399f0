"""Whether the current actor has an inbox, for the navigation."""

from lotsen.inbox.sources import kinds_for


def inbox(request):
    # kinds_for reads only the actor's role and organisation: no query.
    current = getattr(request, "actor", None)
    return {"has_inbox": current is not None and bool(kinds_for(current))}
