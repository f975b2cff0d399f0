"""``lotsen createsuperuser``: Django's command, with DJANGO_SUPERUSER_PASSWORD checked
against AUTH_PASSWORD_VALIDATORS in ``--no-input`` mode too.

Django checks the password only when it asks for it at the terminal; scripted
installations set it from the environment and got whatever they gave ("1" included) for
the account that administers everything.
"""

from __future__ import annotations

import os

from django.contrib.auth.management.commands import createsuperuser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

ERROR_REFUSED = "Lösenordet i DJANGO_SUPERUSER_PASSWORD godtas inte: {reasons}"


class Command(createsuperuser.Command):
    def handle(self, *args, **options):
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        if not options["interactive"] and password is not None:
            try:
                validate_password(password, self._user_for_similarity(options))
            except ValidationError as error:
                reasons = " ".join(error.messages)
                raise CommandError(ERROR_REFUSED.format(reasons=reasons)) from error
        return super().handle(*args, **options)

    def _user_for_similarity(self, options):
        """An unsaved user with the username and plain required fields given, so that the
        similarity rule can compare the password with them, as Django does when asking."""
        values = {}
        for name in (self.UserModel.USERNAME_FIELD, *self.UserModel.REQUIRED_FIELDS):
            field = self.UserModel._meta.get_field(name)
            if field.is_relation:
                continue
            value = options.get(name) or os.environ.get(f"DJANGO_SUPERUSER_{name.upper()}")
            if value:
                values[name] = value
        return self.UserModel(**values)
