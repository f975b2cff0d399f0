"""The ``lotsen`` command: Django's management commands with Lotsen's settings.

``lotsen demo``, ``lotsen serve``, ``lotsen import ...``, ``lotsen createsuperuser`` and
every other management command.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lotsen.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["lotsen", *sys.argv[1:]])


if __name__ == "__main__":
    main()
