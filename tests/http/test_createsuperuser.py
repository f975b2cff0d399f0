"""`lotsen createsuperuser --no-input` checks DJANGO_SUPERUSER_PASSWORD against the
password rules; Django itself checks them only when it asks for the password."""

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from lotsen.accounts.models import User
from lotsen.pages.management.commands.createsuperuser import ERROR_REFUSED

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "password",
    ["1", "lotsenadmin1", "password1234", "abc12345678", "123456789012345"],
)
def test_a_weak_password_is_refused_and_no_user_created(monkeypatch, password):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", password)
    with pytest.raises(CommandError, match=re.escape(ERROR_REFUSED.split(":")[0])):
        call_command(
            "createsuperuser", "--no-input", "--username", "lotsenadmin", "--email", "a@b.se"
        )
    assert not User.objects.exists()


def test_a_strong_password_makes_the_superuser(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "fjäril-Tåg-7-Granskog")
    call_command("createsuperuser", "--no-input", "--username", "lotsenadmin", "--email", "a@b.se")
    user = User.objects.get(username="lotsenadmin")
    assert user.is_superuser and user.check_password("fjäril-Tåg-7-Granskog")


def test_passwords_need_twelve_characters():
    with pytest.raises(ValidationError):
        validate_password("Kort-lösen1")  # eleven
    validate_password("Längre-lösen1")
