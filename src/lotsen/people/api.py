"""REST API for persons: the same selectors, and so the same policy and log, as the pages."""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from lotsen.pages.api import StrictSerializer
from lotsen.people.identity import InvalidIdentityNumber, parse_identity_number
from lotsen.people.models import Person
from lotsen.people.selectors import SEARCH_LIMIT, person_get_for, person_list
from lotsen.privacy.policy import reaches_persons


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = [
            "id",
            "given_name",
            "family_name",
            "date_of_birth",
            "gender",
            "home_municipality_code",
            "protected_identity",
            "confidentiality_marking",
        ]


class PersonDetailSerializer(PersonSerializer):
    personal_identity_number = serializers.CharField(source="identity_number_display")
    contact = serializers.SerializerMethodField()

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "personal_identity_number", "contact"]

    def get_contact(self, person) -> dict | None:
        if not self.context.get("show_contact_details"):
            return None
        return {
            "street_address": person.street_address,
            "postal_code": person.postal_code,
            "city": person.city,
            "phone": person.phone,
            "email": person.email,
        }


# A larger OFFSET overflows the database's integer: a 500 on SQLite and PostgreSQL alike.
MAX_OFFSET = 10_000


class PersonSearchSerializer(StrictSerializer):
    q = serializers.CharField(max_length=100, help_text="Namn eller helt personnummer")
    offset = serializers.IntegerField(min_value=0, max_value=MAX_OFFSET, default=0)


class PersonListQuerySerializer(serializers.Serializer):
    # The same bounds as the search body: a name of 100 characters at most, an offset the
    # database's integer holds. (Other query parameters, such as DRF's format, pass.)
    q = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    offset = serializers.IntegerField(min_value=0, max_value=MAX_OFFSET, default=0)


ERROR_NUMBER_IN_URL = "Sök på personnummer med POST /api/v1/persons/search/, aldrig i en URL."
ERROR_NO_PERSON_ACCESS = "Din roll når inga uppgifter om enskilda personer."


FORBIDDEN = OpenApiResponse(
    inline_serializer("PersonAccessError", {"detail": serializers.CharField()}),
    description="Inte inloggad, eller rollen når inga personer (administratörer, "
    "projektledare och utvärderare).",
)


def _require_person_role(request) -> None:
    # Roles that reach nobody (administrators, project leaders, evaluators) are refused the
    # collection outright rather than shown an empty one, as the search page is not theirs
    # either. A single person answers 404 for them, the same as a missing id.
    if not reaches_persons(request.actor):
        raise PermissionDenied(ERROR_NO_PERSON_ACCESS)


class PersonViewSet(viewsets.ViewSet):
    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Namn (personnummer: använd search)"),
            OpenApiParameter("offset", int),
        ],
        responses={200: PersonSerializer(many=True), 403: FORBIDDEN},
    )
    def list(self, request):
        _require_person_role(request)
        params = PersonListQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = params.validated_data["q"]
        # A personnummer in a URL ends up in server and proxy logs: refused, not searched.
        if query and _looks_like_identity_number(query):
            raise ValidationError({"q": [ERROR_NUMBER_IN_URL]})
        return self._results(request, query=query, offset=params.validated_data["offset"])

    @extend_schema(
        request=PersonSearchSerializer,
        responses={200: PersonSerializer(many=True), 403: FORBIDDEN},
    )
    @action(detail=False, methods=["post"])
    def search(self, request):
        _require_person_role(request)
        search = PersonSearchSerializer(data=request.data)
        search.is_valid(raise_exception=True)
        data = search.validated_data
        return self._results(request, query=data["q"], offset=data["offset"])

    def _results(self, request, *, query: str, offset: int) -> Response:
        persons = person_list(actor=request.actor, query=query, limit=SEARCH_LIMIT, offset=offset)
        return Response(PersonSerializer(persons, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses=PersonDetailSerializer,
    )
    def retrieve(self, request, pk=None):
        access = person_get_for(actor=request.actor, person_id=pk)
        serializer = PersonDetailSerializer(
            access.person, context={"show_contact_details": access.show_contact_details}
        )
        return Response(serializer.data)


def _looks_like_identity_number(text: str) -> bool:
    try:
        parse_identity_number(text)
    except InvalidIdentityNumber:
        return sum(c.isdigit() for c in text) >= 10
    return True
