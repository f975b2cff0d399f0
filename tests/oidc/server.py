"""Start the real OpenID Connect provider (tests/oidc/provider.mjs, npm oidc-provider) on a
free port on 127.0.0.1 for a test session, and stop it afterwards."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from lotsen.people.identity import make_identity_number

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "oidc" / "provider.mjs"

ACR_SAMBI_LOA3 = "http://id.sambi.se/loa/loa3"
ACR_LOA2 = "http://id.elegnamnden.se/loa/1.0/loa2"
ACR_LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
CLAIM_PIN = "https://id.oidc.se/claim/personalIdentityNumber"
CLAIM_COORDINATION = "https://id.oidc.se/claim/coordinationNumber"
CLAIM_PREVIOUS_COORDINATION = "https://id.oidc.se/claim/previousCoordinationNumber"
CLIENT_ID = "lotsen"
CLIENT_SECRET = "lotsen-test-secret"  # noqa: S105 (a throwaway secret of the test provider)

# The test persons' numbers: synthetic, valid, and far from the factories' (2009-).
YOUNG_PERSON_NUMBER = make_identity_number(dt.date(2007, 3, 14), 281)
NEW_COORDINATION_NUMBER = make_identity_number(dt.date(2006, 8, 2), 455, coordination=True)
OLD_COORDINATION_NUMBER = make_identity_number(dt.date(2006, 8, 2), 317, coordination=True)
UNKNOWN_NUMBER = make_identity_number(dt.date(2005, 11, 30), 602)
# A person once registered under OLD_COORDINATION_NUMBER who now has a personnummer.
NEW_PERSONAL_NUMBER = make_identity_number(dt.date(2006, 8, 2), 318)
# A guardian of a minor (issue 11): an adult's number, stored on the minor's guardian.
GUARDIAN_NUMBER = make_identity_number(dt.date(1978, 4, 2), 318)

# Who can log in at the test provider: login name -> acr and claims.
ACCOUNTS = {
    "mentor": {
        "acr": ACR_SAMBI_LOA3,
        "claims": {
            "email": "mentor@kommun.example",
            "employee_id": "K-1001",
            "given_name": "Maria",
            "family_name": "Mentorsson",
        },
    },
    "ny-medarbetare": {
        "acr": ACR_LOA2,
        "claims": {
            "email": "ny@kommun.example",
            "employee_id": "K-2002",
            "given_name": "Nils",
            "family_name": "Nyström",
        },
    },
    "utan-niva": {"claims": {"email": "utan-niva@kommun.example"}},
    "ung": {"acr": ACR_LOA3, "claims": {CLAIM_PIN: YOUNG_PERSON_NUMBER}},
    "ung-samordningsnummer": {
        "acr": ACR_LOA3,
        "claims": {
            CLAIM_COORDINATION: NEW_COORDINATION_NUMBER,
            CLAIM_PREVIOUS_COORDINATION: OLD_COORDINATION_NUMBER,
        },
    },
    "ung-nytt-personnummer": {
        "acr": ACR_LOA3,
        "claims": {
            CLAIM_PIN: NEW_PERSONAL_NUMBER,
            CLAIM_PREVIOUS_COORDINATION: OLD_COORDINATION_NUMBER,
        },
    },
    "vardnadshavare": {"acr": ACR_LOA3, "claims": {CLAIM_PIN: GUARDIAN_NUMBER}},
    "okand-ung": {"acr": ACR_LOA3, "claims": {CLAIM_PIN: UNKNOWN_NUMBER}},
    "ogiltigt-nummer": {"acr": ACR_LOA3, "claims": {CLAIM_PIN: "191212121213"}},
}


@dataclass(frozen=True)
class RunningProvider:
    issuer: str
    client_id: str
    client_secret: str


def provider_config(base_urls: list[str], slugs: list[str]) -> dict:
    redirect_uris = [
        f"{base}/konto/logga-in/oidc/{slug}/retur/" for base in base_urls for slug in slugs
    ]
    return {
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": redirect_uris,
                "post_logout_redirect_uris": [f"{base}/konto/logga-in/" for base in base_urls],
            }
        ],
        "accounts": ACCOUNTS,
    }


@contextlib.contextmanager
def running_provider(config: dict) -> Iterator[RunningProvider]:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "oidc-provider").exists():
        if os.environ.get("CI"):
            pytest.fail("The OIDC tests need node and `npm ci` (oidc-provider).")
        pytest.skip("No node or no node_modules/oidc-provider: run `npm ci`.")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(config, handle)
    process = subprocess.Popen(  # noqa: S603 (our own script, with our own config)
        [node, str(SCRIPT), handle.name],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"The OIDC test provider did not start: {process.stderr.read()}")
        yield RunningProvider(
            issuer=json.loads(line)["issuer"], client_id=CLIENT_ID, client_secret=CLIENT_SECRET
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        os.unlink(handle.name)
