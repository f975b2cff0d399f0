"""``lotsen check --deploy`` under the production settings reports nothing: no error and no
warning (HTTPS redirect, HSTS, secure cookies, DEBUG off, a real secret key, and the checks
of every installed app). Run in a subprocess, as an operator would, with the environment
production needs (settings_production.py reads it) and nothing of the test run's own."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

LOTSEN = Path(sys.executable).with_name("lotsen")


def test_check_deploy_under_production_settings_reports_nothing(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "LOTSEN_", "DATABASE_", "PYTEST"))
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "lotsen.settings_production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "lotsen.kommunen.example",
        "CSRF_TRUSTED_ORIGINS": "https://lotsen.kommunen.example",
        "LOTSEN_BASE_URL": "https://lotsen.kommunen.example",
        "LOTSEN_WEBAUTHN_RP_ID": "lotsen.kommunen.example",
        "LOTSEN_WEBAUTHN_ORIGINS": "https://lotsen.kommunen.example",
        "LOTSEN_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [str(LOTSEN), "check", "--deploy", "--fail-level", "DEBUG"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output
