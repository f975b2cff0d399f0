"""The KAA world (a municipality, its coordinator, a school in it) from tests/kaa."""

from tests.kaa.conftest import coordinator, municipality, school  # noqa: F401
