"""The actor: a logged-in user acting in one organisation in one role."""

from __future__ import annotations

from dataclasses import dataclass

from lotsen.accounts.models import Membership, Organisation, Role, User

# A guardian answering consent requests for their minors (issue 11): a login kind of its
# own (an e-ID login as guardian, on an account that is neither staff nor a young
# person's), so it is not one of the organisation roles in ``Role``.
GUARDIAN = "guardian"


@dataclass(frozen=True)
class Actor:
    user: User
    membership: Membership | None
    # The level of assurance of the login this actor acts through ("loa3",
    # "local_password"; lotsen.accounts.assurance), written on every access-log entry.
    # Empty outside a login (commands, jobs, imports).
    assurance_level: str = ""
    is_guardian: bool = False
    # A machine client of the API acting through its service account (lotsen.apiclients):
    # the client's id, written on every access-log entry beside the account.
    api_client_id: int | None = None

    @property
    def organisation(self) -> Organisation | None:
        return self.membership.organisation if self.membership else None

    @property
    def role(self) -> str | None:
        if self.membership:
            return self.membership.role
        if self.is_guardian:
            return GUARDIAN
        # A young person logs in without a membership: their link to their own record
        # is what gives them a role.
        return Role.YOUNG_PERSON if self.user.person_id else None

    @classmethod
    def for_membership(cls, membership: Membership, *, assurance_level: str = "") -> Actor:
        return cls(user=membership.user, membership=membership, assurance_level=assurance_level)

    @classmethod
    def for_young_person(cls, user: User, *, assurance_level: str = "") -> Actor:
        return cls(user=user, membership=None, assurance_level=assurance_level)

    @classmethod
    def for_guardian(cls, user: User, *, assurance_level: str = "") -> Actor:
        return cls(user=user, membership=None, assurance_level=assurance_level, is_guardian=True)
