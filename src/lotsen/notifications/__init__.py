"""Notifications: an in-app centre and e-mail, immediate or as a daily digest.

A ground-floor app: it imports accounts only. Each app registers the kinds it sends
(``register_kind`` in its own ``notifications`` module, found at start-up) with a Swedish
title and a function that says which of its things an actor may see; the centre, the
unread count and every e-mail ask that function, so losing access removes the
notification. A notification stores no personal data: its kind, the id of the thing and a
link to it.
"""
