"""`lotsen demo` creates users with published passwords (admin/demo): never under the
production settings."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from lotsen.accounts.models import User
from lotsen.demo.management.commands.demo import ERROR_PRODUCTION

LOTSEN = Path(sys.executable).with_name("lotsen")


@pytest.mark.django_db
def test_demo_refuses_under_production_settings_and_writes_nothing(settings):
    settings.LOTSEN_PRODUCTION = True
    with pytest.raises(CommandError, match=re.escape(ERROR_PRODUCTION)):
        call_command("demo", "--size", "5")
    assert not User.objects.exists()


def test_the_production_settings_module_makes_demo_refuse(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lotsen.settings_production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    done = subprocess.run(
        [str(LOTSEN), "demo", "--size", "5"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert ERROR_PRODUCTION in done.stderr
