"""Levels of assurance (pure module) and the deployment's settings for them."""

from django.conf import settings

from lotsen.accounts import assurance

RANKS = {"unspecified": 0, "local_password": 1, "loa2": 2, "local_mfa": 3, "loa3": 3}
ACR_LEVELS = {"http://id.elegnamnden.se/loa/1.0/loa3": "loa3"}


def test_known_acr_gives_its_level():
    level = assurance.level_for_acr("http://id.elegnamnden.se/loa/1.0/loa3", acr_levels=ACR_LEVELS)
    assert level == "loa3"


def test_missing_or_unknown_acr_is_unspecified_never_guessed():
    assert assurance.level_for_acr(None, acr_levels=ACR_LEVELS) == assurance.UNSPECIFIED
    assert assurance.level_for_acr("", acr_levels=ACR_LEVELS) == assurance.UNSPECIFIED
    assert assurance.level_for_acr("urn:made-up:loa9", acr_levels=ACR_LEVELS) == "unspecified"


def test_level_meets_by_rank():
    assert assurance.level_meets("loa3", "loa3", ranks=RANKS)
    assert assurance.level_meets("local_mfa", "loa3", ranks=RANKS)
    assert not assurance.level_meets("loa2", "loa3", ranks=RANKS)
    assert not assurance.level_meets("local_password", "loa2", ranks=RANKS)
    assert assurance.level_meets("local_password", None, ranks=RANKS)


def test_unknown_level_meets_nothing_and_unknown_requirement_is_never_met():
    assert not assurance.level_meets("", "local_password", ranks=RANKS)
    assert not assurance.level_meets("something", "unspecified", ranks=RANKS)
    assert not assurance.level_meets("loa3", "loa-made-up", ranks=RANKS)


def test_settings_map_swedish_acr_values_and_health_needs_level_three():
    levels = settings.LOTSEN_ASSURANCE_ACR_LEVELS
    ranks = settings.LOTSEN_ASSURANCE_RANKS
    assert levels["http://id.elegnamnden.se/loa/1.0/loa3"] == "loa3"
    assert levels["http://id.sambi.se/loa/loa3"] == "loa3"
    assert set(levels.values()) <= set(ranks)
    assert settings.LOTSEN_ASSURANCE_REQUIRED["health"] == "loa3"
    assert assurance.level_meets("local_mfa", "loa3", ranks=ranks)
    assert not assurance.level_meets("local_password", "loa3", ranks=ranks)
