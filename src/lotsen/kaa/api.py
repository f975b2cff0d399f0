"""REST API for notices from schools: the same service, policy and log as the web form.

- ``POST /aktivitetsansvar/api/notices/`` – a school's mentor, counsellor or student-health
  staff sends a notice (dropout, significant unexcused absence, start, stop) about a pupil
  to the pupil's home municipality. The answer is a receipt and nothing else: the sender
  learns nothing about the pupil, not even whether Lotsen knew them.
- ``GET /aktivitetsansvar/api/notices/`` – the KAA coordinator's inbox (open notices;
  ``?all=1`` includes handled ones), each person named logged as read.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.response import Response

from lotsen.kaa.models import NoticeKind, NoticeSource
from lotsen.kaa.selectors import kaa_notice_inbox
from lotsen.kaa.services import notice_send
from lotsen.pages.api import StrictSerializer
from lotsen.pages.validators import happened


class NoticeCreateSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=NoticeKind.choices, help_text="Vad anmälan gäller.")
    personal_identity_number = serializers.CharField(
        max_length=13, help_text="Elevens personnummer, ÅÅÅÅMMDD-NNNN."
    )
    home_municipality_code = serializers.CharField(
        min_length=4,
        max_length=4,
        help_text=(
            "Elevens hemkommun enligt skolan. Anmälan går till den kommun där eleven är "
            "folkbokförd; skolans uppgift används bara om Lotsen inte känner eleven."
        ),
    )
    event_date = serializers.DateField(
        validators=[happened("Datum")],
        help_text="När eleven slutade, började eller anmälan gjordes.",
    )
    programme = serializers.CharField(max_length=20, required=False, allow_blank=True)
    message = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        help_text="Inga orsaker till frånvaro, inga uppgifter om hälsa.",
    )


class NoticeReceiptSerializer(serializers.Serializer):
    receipt = serializers.CharField()
    sent_at = serializers.DateTimeField()


class NoticeInboxSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="notice.pk")
    kind = serializers.CharField(source="notice.kind")
    event_date = serializers.DateField(source="notice.event_date")
    programme = serializers.CharField(source="notice.programme")
    message = serializers.CharField(source="notice.message")
    sender_organisation = serializers.CharField(source="notice.sender_organisation_name")
    sent_at = serializers.DateTimeField(source="notice.sent_at")
    handled_at = serializers.DateTimeField(source="notice.handled_at", allow_null=True)
    person_id = serializers.SerializerMethodField()

    def get_person_id(self, row) -> int | None:
        return row.person.pk if row.person else None


class NoticeViewSet(viewsets.ViewSet):
    @extend_schema(
        summary="Skicka en anmälan till elevens hemkommun",
        request=NoticeCreateSerializer,
        responses={201: NoticeReceiptSerializer},
    )
    def create(self, request):
        serializer = NoticeCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            receipt = notice_send(
                actor=request.actor, source=NoticeSource.API, **serializer.validated_data
            )
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        except ValidationError as exc:
            raise exceptions.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            ) from exc
        return Response(
            NoticeReceiptSerializer({"receipt": receipt.receipt, "sent_at": receipt.sent_at}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Anmälningar till kommunens KAA-samordnare",
        parameters=[OpenApiParameter("all", int, description="1: även hanterade")],
        responses={
            200: NoticeInboxSerializer(many=True),
            404: inline_serializer("NotFound", {"detail": serializers.CharField()}),
        },
    )
    def list(self, request):
        rows = kaa_notice_inbox(
            actor=request.actor, include_handled=request.query_params.get("all") == "1"
        )
        return Response(NoticeInboxSerializer(rows, many=True).data)
