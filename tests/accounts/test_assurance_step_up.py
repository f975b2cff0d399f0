"""The pure rules behind the step-up (lotsen.accounts.assurance): which level a kind of data
needs, whether a login reaches it, and which acr values to ask an identity provider for."""

from lotsen.accounts import assurance

RANKS = {"unspecified": 0, "local_password": 1, "loa2": 2, "local_mfa": 3, "loa3": 3, "loa4": 4}
REQUIRED = {"health": "loa3", "social_services": "loa3"}
ACR_LEVELS = {
    "http://id.elegnamnden.se/loa/1.0/loa2": "loa2",
    "http://id.elegnamnden.se/loa/1.0/loa4": "loa4",
    "http://id.elegnamnden.se/loa/1.0/loa3": "loa3",
    "http://id.sambi.se/loa/loa3": "loa3",
}


def test_the_second_factor_reaches_health_and_social_services_notes_the_password_does_not():
    for kind in (assurance.HEALTH, assurance.SOCIAL_SERVICES):
        assert assurance.level_reaches(
            assurance.LOCAL_SECOND_FACTOR, kind, required=REQUIRED, ranks=RANKS
        )
        assert assurance.level_reaches("loa3", kind, required=REQUIRED, ranks=RANKS)
        for weaker in (assurance.LOCAL_PASSWORD, "loa2", assurance.UNSPECIFIED, "", None):
            assert not assurance.level_reaches(weaker, kind, required=REQUIRED, ranks=RANKS)


def test_a_kind_the_deployment_asks_nothing_for_is_reached_by_any_login():
    assert assurance.level_required("school", required=REQUIRED) is None
    assert assurance.level_reaches(
        assurance.LOCAL_PASSWORD, "school", required=REQUIRED, ranks=RANKS
    )


def test_acr_values_asked_for_are_those_enough_weakest_first():
    assert assurance.acr_values_for("loa3", acr_levels=ACR_LEVELS, ranks=RANKS) == [
        "http://id.elegnamnden.se/loa/1.0/loa3",
        "http://id.sambi.se/loa/loa3",
        "http://id.elegnamnden.se/loa/1.0/loa4",
    ]
    assert assurance.acr_values_for("made-up", acr_levels=ACR_LEVELS, ranks=RANKS) == []
