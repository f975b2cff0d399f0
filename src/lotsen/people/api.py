"""REST API for persons: the same selectors, and so the same policy and log, as the pages."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from lotsen.people.models import Person
from lotsen.people.selectors import SEARCH_LIMIT, person_get_for, person_list


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


class PersonViewSet(viewsets.ViewSet):
    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Namn eller helt personnummer"),
            OpenApiParameter("offset", int),
        ],
        responses=PersonSerializer(many=True),
    )
    def list(self, request):
        try:
            offset = max(int(request.query_params.get("offset", 0)), 0)
        except ValueError:
            offset = 0
        persons = person_list(
            actor=request.actor,
            query=request.query_params.get("q", ""),
            limit=SEARCH_LIMIT,
            offset=offset,
        )
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
