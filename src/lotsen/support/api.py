"""REST API for coordinated support: cases, the plan, contacts and referrals.

The endpoints parse, call one service or selector, and render: the same services, the
same ``CasePolicy`` and the same access log as the staff pages. A case or referral the
caller may not see is answered with the same 404 as one that does not exist, so ids
cannot be probed.

Writes hand the services only the id of the case or referral (``_case_ref``): the
services fetch and authorise it themselves, under a row lock, and log the write. Reading
it here first would write a second, spurious "read" entry in the young person's log.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Organisation, User
from lotsen.earlywarning.selectors import signal_get_for
from lotsen.pages.api import EmptyBodySerializer, StrictSerializer
from lotsen.pages.validators import happened, planned
from lotsen.privacy.models import Consent
from lotsen.support import services
from lotsen.support.models import (
    Case,
    CaseCloseReason,
    CaseStatus,
    ContactChannel,
    Goal,
    GoalStatus,
    LeadParty,
    Plan,
    PlanAction,
    Referral,
    ReferralStatus,
    TargetGroup,
)
from lotsen.support.selectors import (
    CASE_LIST_LIMIT,
    case_detail_for,
    case_get_for,
    case_list_for,
    contacts_for,
    person_visible_for_case,
    referral_get_for,
    referral_list_for,
)

# Ids are database integers: a larger number in a body is refused as input (400) rather
# than sent to the database, where it overflows the column.
MAX_ID = 2**31 - 1

ERROR_ORGANISATION_UNKNOWN = "Organisationen finns inte."
ERROR_CASE_UNKNOWN = "Ärendet finns inte eller så har du inte tillgång till det."
ERROR_USER_UNKNOWN = "Personen finns inte i den ansvariga organisationen."
ERROR_PERSON_OR_SIGNAL = "Ange personen eller signalen som ärendet gäller."
ERROR_SIGNAL_PERSON = "Signalen gäller en annan person."
ERROR_SIGNAL_UNKNOWN = "Signalen finns inte eller så har du inte tillgång till den."
ERROR_GOAL_ID = "Ange målets id som ett heltal."
ERROR_TOO_MANY_GOALS = "Högst {limit} mål per sparning."

# A plan holds a handful of goals; a save naming more is not a plan but a payload.
MAX_GOAL_STATUSES = 100


def _id_field(help_text: str, **kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text=help_text, **kwargs)


# --- Errors ------------------------------------------------------------------------------


def _drf_error(exc: DjangoValidationError, *, rename: dict[str, str] | None = None) -> dict:
    """Django's message_dict as DRF's 400 body, with field names as the caller sent them."""
    if not hasattr(exc, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
    body: dict = {}
    for field, messages in exc.message_dict.items():
        if field == "__all__":
            field = api_settings.NON_FIELD_ERRORS_KEY
        body[(rename or {}).get(field, field)] = messages
    return body


def _call(service, *, rename: dict[str, str] | None = None, **kwargs):
    """Run a service; its domain errors become DRF's 400/403 (Http404 DRF answers itself)."""
    try:
        return service(**kwargs)
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from exc
    except DjangoValidationError as exc:
        raise exceptions.ValidationError(_drf_error(exc, rename=rename)) from exc


def _path_id(value: str) -> int:
    """An id from the URL (digits, by the router's pattern); one too large to exist is
    answered like any other missing id."""
    number = int(value)
    if number > MAX_ID:
        raise Http404
    return number


def _case_ref(pk: str) -> Case:
    # Only the id: every service re-reads the case through CasePolicy under a row lock.
    return Case(pk=_path_id(pk))


def _organisation(pk: int | None, field: str) -> Organisation | None:
    if pk is None:
        return None
    organisation = Organisation.objects.filter(pk=pk).first()
    if organisation is None:
        raise exceptions.ValidationError({field: [ERROR_ORGANISATION_UNKNOWN]})
    return organisation


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Vad som gick fel, på svenska.")


FIELD_ERRORS = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description=(
        "Fel i indata. Nycklarna är fältnamnen i anropet och värdena listor med "
        "meddelanden; fel som gäller hela anropet ligger under non_field_errors."
    ),
    examples=[
        OpenApiExample(
            "Fältfel", value={"target_groups": ["Välj minst en målgrupp."]}, status_codes=["400"]
        )
    ],
)
FORBIDDEN = OpenApiResponse(
    ErrorSerializer,
    description="Inte inloggad, eller rollen får inte göra det här (till exempel bara den "
    "ansvariga organisationen eller remissens mottagare).",
)
NOT_FOUND = OpenApiResponse(
    ErrorSerializer,
    description="Finns inte, eller så har du inte tillgång: svaret är detsamma, så att id "
    "inte går att pröva sig fram till.",
)
READ_ERRORS = {403: FORBIDDEN, 404: NOT_FOUND}
WRITE_ERRORS = {400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND}


def _id_parameter(name: str = "id", description: str = "Ärendets id") -> OpenApiParameter:
    return OpenApiParameter(name, int, OpenApiParameter.PATH, description=description)


# --- Shared representations ---------------------------------------------------------------


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    given_name = serializers.CharField(help_text="Förnamn")
    family_name = serializers.CharField(help_text="Efternamn")


class OrganisationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(help_text="Organisationens namn")
    kind = serializers.CharField(help_text="Typ av organisation")


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.SerializerMethodField(help_text="Namn på personalen")

    def get_name(self, user) -> str:
        return user.get_full_name() or user.get_username()


# --- Cases -------------------------------------------------------------------------------


class CaseSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    person = PersonRefSerializer(help_text="Den unga som ärendet gäller")
    owner = OrganisationRefSerializer(help_text="Den ansvariga organisationen")
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    origin = serializers.CharField(help_text="signal, kaa, manual eller referral")
    target_groups = serializers.SerializerMethodField(help_text="Målgrupper")
    opened_on = serializers.DateField()
    closed_on = serializers.DateField(allow_null=True)
    close_reason = serializers.CharField(help_text="Varför ärendet avslutades (tomt om pågår)")
    outcome = serializers.CharField(help_text="Resultat när ärendet avslutades")

    def get_target_groups(self, case) -> list[str]:
        return sorted(group.group for group in case.target_groups.all())


class TeamMemberSerializer(serializers.Serializer):
    organisation = OrganisationRefSerializer()
    user = UserRefSerializer(allow_null=True, help_text="Namngiven person, om någon")
    role = serializers.CharField(help_text="contact_person eller member")


class PlanSummarySerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="Planens version; skickas med när planen sparas")
    own_goal = serializers.CharField(help_text="Den ungas eget mål, med egna ord")
    lead_party = serializers.CharField(help_text="Vem som leder arbetet (tomt: ingen särskild)")
    goals = serializers.IntegerField(help_text="Antal mål")
    goals_reached = serializers.IntegerField(help_text="Antal uppnådda mål")
    open_actions = serializers.IntegerField(help_text="Insatser som inte är klara")
    next_follow_up_on = serializers.DateField(
        allow_null=True, help_text="Närmaste uppföljning av en insats som inte är klar"
    )
    updated_at = serializers.DateTimeField()


class CaseDetailSerializer(serializers.Serializer):
    case = CaseSerializer(help_text="Ärendet, som i listan")
    is_owner = serializers.BooleanField(help_text="Om din organisation är ansvarig för ärendet")
    team = TeamMemberSerializer(many=True, help_text="Teamet: organisationer och personal")
    plan = PlanSummarySerializer(help_text="Planen i sammandrag")
    withdrawn_consents = serializers.IntegerField(
        help_text="Antal återkallade samtycken som du ser: de visas i ärendet, deras "
        "åtkomst är borta"
    )
    linked_cases = serializers.ListField(
        child=serializers.IntegerField(), help_text="Länkade ärenden som du ser (id)"
    )


def _case_view(detail) -> dict:
    """The case with what ``case_detail_for`` read around it, shaped for the serializer."""
    plan = detail.case.plan
    open_actions = [a for a in detail.actions if a.done_on is None]
    return {
        "case": detail.case,
        "is_owner": detail.is_owner,
        "team": detail.team,
        "withdrawn_consents": len(detail.withdrawn_consents),
        "linked_cases": [linked.pk for linked in detail.linked],
        "plan": {
            "version": plan.version,
            "own_goal": plan.own_goal,
            "lead_party": plan.lead_party,
            "goals": len(detail.goals),
            "goals_reached": sum(g.status == GoalStatus.REACHED for g in detail.goals),
            "open_actions": len(open_actions),
            "next_follow_up_on": min((a.follow_up_on for a in open_actions), default=None),
            "updated_at": plan.updated_at,
        },
    }


def _case_detail(actor: Actor, case: Case) -> dict:
    return CaseDetailSerializer(_case_view(case_detail_for(actor=actor, case=case))).data


class CaseListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[*CaseStatus.values, "all"],
        default=CaseStatus.OPEN,
        help_text="open (standard), closed eller all",
    )


class CaseCreateSerializer(StrictSerializer):
    person = _id_field(
        "Den unga som ärendet gäller. Sök först (POST /api/v1/persons/search/): en "
        "organisation har ett pågående ärende per person.",
        required=False,
    )
    signal = _id_field(
        "Signalen som ärendet öppnas från (i stället för eller tillsammans med person).",
        required=False,
    )
    target_groups = serializers.ListField(
        child=serializers.ChoiceField(choices=TargetGroup.choices),
        required=False,
        max_length=len(TargetGroup.choices),
        help_text="En eller flera målgrupper. Från en signal väljs en om ingen anges.",
    )

    def validate(self, data):
        if not data.get("person") and not data.get("signal"):
            raise serializers.ValidationError({"person": [ERROR_PERSON_OR_SIGNAL]})
        if not data.get("signal") and not data.get("target_groups"):
            raise serializers.ValidationError({"target_groups": [services.ERROR_TARGET_GROUPS]})
        return data


class CaseCloseSerializer(StrictSerializer):
    reason = serializers.ChoiceField(
        choices=CaseCloseReason.choices, help_text="Varför ärendet avslutas"
    )
    outcome = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=services.TEXT_LIMIT,
        default="",
        help_text="Resultatet, kort",
    )
    closed_on = serializers.DateField(
        required=False,
        validators=[happened("Avslutat den")],
        help_text="Avslutsdatum (standard i dag); inte i framtiden",
    )


# --- The plan ----------------------------------------------------------------------------


class GoalSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    text = serializers.CharField(help_text="Målet")
    target_date = serializers.DateField(allow_null=True, help_text="När målet ska vara nått")
    status = serializers.ChoiceField(choices=GoalStatus.choices)


class PlanActionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    goal = serializers.IntegerField(source="goal_id", allow_null=True, help_text="Målets id")
    text = serializers.CharField(help_text="Insatsen eller aktiviteten")
    responsible_organisation = OrganisationRefSerializer()
    responsible_user = UserRefSerializer(allow_null=True)
    follow_up_on = serializers.DateField(help_text="När insatsen följs upp")
    done_on = serializers.DateField(allow_null=True, help_text="När insatsen blev klar")


class PlanSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        help_text="Versionen du utgår från: skicka den med PUT. Den ökar vid varje sparning."
    )
    own_goal = serializers.CharField(help_text="Den ungas eget mål, med egna ord")
    lead_party = serializers.CharField(
        help_text="Vem som leder arbetet: social_services, health_care eller tomt"
    )
    updated_at = serializers.DateTimeField()
    goals = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    @extend_schema_field(GoalSerializer(many=True))
    def get_goals(self, plan: Plan) -> list[dict]:
        return GoalSerializer(plan.goals.all(), many=True).data

    @extend_schema_field(PlanActionSerializer(many=True))
    def get_actions(self, plan: Plan) -> list[dict]:
        actions = plan.actions.select_related("responsible_organisation", "responsible_user")
        return PlanActionSerializer(actions, many=True).data


class PlanUpdateSerializer(StrictSerializer):
    version = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text="Versionen du hämtade. Har någon annan sparat sedan dess blir svaret 409.",
    )
    own_goal = serializers.CharField(
        allow_blank=True,
        max_length=services.TEXT_LIMIT,
        help_text="Den ungas eget mål, med egna ord",
    )
    lead_party = serializers.ChoiceField(
        choices=LeadParty.choices,
        allow_blank=True,
        help_text="Vem som leder arbetet när socialtjänst och hälso- och sjukvård deltar",
    )
    goal_statuses = serializers.DictField(
        child=serializers.ChoiceField(choices=GoalStatus.choices),
        required=False,
        default=dict,
        help_text='Ny status per mål: {"<målets id>": "reached", ...}',
    )

    def validate_goal_statuses(self, value: dict) -> dict[int, str]:
        if len(value) > MAX_GOAL_STATUSES:
            raise serializers.ValidationError(ERROR_TOO_MANY_GOALS.format(limit=MAX_GOAL_STATUSES))
        statuses = {}
        for key, goal_status in value.items():
            try:
                goal_id = int(key)
            except ValueError as exc:
                raise serializers.ValidationError({key: [ERROR_GOAL_ID]}) from exc
            if not 1 <= goal_id <= MAX_ID:
                raise serializers.ValidationError({key: [ERROR_GOAL_ID]})
            statuses[goal_id] = goal_status
        return statuses


class PlanChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="own_goal, lead_party eller goal_<id>")
    label = serializers.CharField(help_text="Vad som ändrades, på svenska")
    theirs = serializers.CharField(help_text="Värdet som den andra sparade")


class PlanConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    changes = PlanChangeSerializer(many=True, help_text="Det som ändrats sedan din version")
    current = PlanSerializer(help_text="Planen som den är nu, med den version att utgå från")


class GoalCreateSerializer(StrictSerializer):
    text = serializers.CharField(max_length=services.SHORT_TEXT_LIMIT, help_text="Målet")
    target_date = serializers.DateField(
        required=False,
        allow_null=True,
        validators=[planned("Ska vara klart")],
        help_text="När målet ska vara nått",
    )


class PlanActionCreateSerializer(StrictSerializer):
    text = serializers.CharField(
        max_length=services.SHORT_TEXT_LIMIT, help_text="Insatsen eller aktiviteten"
    )
    responsible_organisation = _id_field("Ansvarig organisation; den måste finnas i teamet")
    responsible_user = _id_field(
        "Ansvarig person i den organisationen", required=False, allow_null=True
    )
    follow_up_on = serializers.DateField(
        validators=[planned("Följs upp den")],
        help_text="När insatsen följs upp (blir en uppgift)",
    )
    goal = _id_field("Målet i planen som insatsen hör till", required=False, allow_null=True)


class PlanActionDoneSerializer(StrictSerializer):
    done_on = serializers.DateField(
        required=False,
        validators=[happened("Klar den")],
        help_text="När insatsen blev klar (standard i dag); inte i framtiden",
    )


# --- Contacts ----------------------------------------------------------------------------


class ContactSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    date = serializers.DateField()
    channel = serializers.ChoiceField(choices=ContactChannel.choices)
    reached = serializers.BooleanField(help_text="Om kontakten nådde den unga")
    outcome = serializers.CharField(help_text="Resultat")
    note = serializers.CharField(help_text="Kort anteckning")
    organisation = OrganisationRefSerializer()
    staff = UserRefSerializer(allow_null=True)
    recorded_at = serializers.DateTimeField()


class ContactCreateSerializer(StrictSerializer):
    date = serializers.DateField(
        validators=[happened("Datum")],
        help_text="När kontakten eller försöket gjordes; inte i framtiden",
    )
    channel = serializers.ChoiceField(choices=ContactChannel.choices, help_text="Kanal")
    reached = serializers.BooleanField(help_text="false: ett kontaktförsök som inte nådde fram")
    outcome = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200, help_text="Resultat"
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=500, help_text="Kort anteckning"
    )


# --- Referrals ---------------------------------------------------------------------------


class ReferralSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    case = serializers.IntegerField(source="case_id", help_text="Ärendets id")
    person = PersonRefSerializer(source="case.person", help_text="Den unga som remissen gäller")
    from_organisation = OrganisationRefSerializer()
    to_organisation = OrganisationRefSerializer()
    consent = serializers.IntegerField(source="consent_id", help_text="Samtycket remissen vilar på")
    message = serializers.CharField()
    status = serializers.ChoiceField(choices=ReferralStatus.choices)
    sent_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)
    decline_reason = serializers.CharField(help_text="Mottagarens skäl när remissen avböjts")


class ReferralListQuerySerializer(serializers.Serializer):
    box = serializers.ChoiceField(
        choices=["received", "sent"],
        required=False,
        help_text="received: till din organisation; sent: från den; utan: båda",
    )
    status = serializers.ChoiceField(choices=ReferralStatus.choices, required=False)


class ReferralCreateSerializer(StrictSerializer):
    case = _id_field("Ärendet som remissen gäller")
    to_organisation = _id_field("Organisationen som remissen skickas till")
    consent = _id_field(
        "Samtycket som remissen vilar på: det ska nämna mottagaren och stöd och insatser"
    )
    message = serializers.CharField(max_length=services.TEXT_LIMIT, help_text="Vad remissen gäller")


class ReferralDeclineSerializer(StrictSerializer):
    decline_reason = serializers.CharField(
        max_length=services.TEXT_LIMIT, help_text="Varför ni avböjer"
    )


# --- Views -------------------------------------------------------------------------------


# Cases, their plan and contacts. (A comment, not a docstring: drf-spectacular would
# publish a docstring as every operation's description, in English.)
@extend_schema(tags=["Ärenden"])
class CaseViewSet(viewsets.ViewSet):
    lookup_value_regex = "[0-9]+"

    @extend_schema(
        summary="Ärenden som du ser",
        description=f"Högst {CASE_LIST_LIMIT}, senast öppnade först. Varje person i svaret "
        "loggas som läst.",
        parameters=[CaseListQuerySerializer],
        responses={200: CaseSerializer(many=True), 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    def list(self, request):
        query = CaseListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        case_status = query.validated_data["status"]
        cases = case_list_for(
            actor=request.actor, status=None if case_status == "all" else case_status
        )
        return Response(CaseSerializer(cases, many=True).data)

    @extend_schema(
        summary="Öppna ett ärende",
        description="För en person som din organisation ser på egen grund, eller från en "
        "signal. Ärendet får en tom plan och du blir kontaktperson.",
        request=CaseCreateSerializer,
        responses={201: CaseDetailSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    def create(self, request):
        body = CaseCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        actor = request.actor
        if data.get("signal"):
            try:
                signal = signal_get_for(actor=actor, signal_id=data["signal"])
            except Http404 as exc:
                raise exceptions.ValidationError({"signal": [ERROR_SIGNAL_UNKNOWN]}) from exc
            if data.get("person") and data["person"] != signal.person_id:
                raise exceptions.ValidationError({"person": [ERROR_SIGNAL_PERSON]})
            case = _call(
                services.case_open_from_signal,
                actor=actor,
                signal=signal,
                target_groups=data.get("target_groups"),
            )
        else:
            try:
                person = person_visible_for_case(actor=actor, person_id=data["person"])
            except Http404 as exc:
                # The same words as the service: whether the person exists is not told.
                raise exceptions.ValidationError(
                    {"person": [services.ERROR_PERSON_NOT_VISIBLE]}
                ) from exc
            case = _call(
                services.case_open,
                actor=actor,
                person=person,
                target_groups=data["target_groups"],
            )
        return Response(_case_detail(actor, case), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Ett ärende, med team och planen i sammandrag",
        parameters=[_id_parameter()],
        responses={200: CaseDetailSerializer, **READ_ERRORS},
    )
    def retrieve(self, request, pk=None):
        case = case_get_for(actor=request.actor, case_id=_path_id(pk))
        return Response(_case_detail(request.actor, case))

    @extend_schema(
        summary="Avsluta ärendet",
        description="Bara den ansvariga organisationen.",
        parameters=[_id_parameter()],
        request=CaseCloseSerializer,
        responses={200: CaseDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        body = CaseCloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = _call(
            services.case_close, actor=request.actor, case=_case_ref(pk), **body.validated_data
        )
        return Response(_case_detail(request.actor, case))

    @extend_schema(
        methods=["GET"],
        summary="Planen",
        parameters=[_id_parameter()],
        responses={200: PlanSerializer, **READ_ERRORS},
    )
    @extend_schema(
        methods=["PUT"],
        summary="Spara planen",
        description="Optimistisk låsning: skicka versionen du hämtade. Har någon annan "
        "sparat sedan dess sparas ingenting och svaret är 409 med vad som ändrats.",
        parameters=[_id_parameter()],
        request=PlanUpdateSerializer,
        responses={
            200: PlanSerializer,
            409: OpenApiResponse(PlanConflictSerializer, description="Någon annan har sparat"),
            **WRITE_ERRORS,
        },
    )
    @action(detail=True, methods=["get", "put"])
    def plan(self, request, pk=None):
        if request.method == "GET":
            case = case_get_for(actor=request.actor, case_id=_path_id(pk))
            return Response(PlanSerializer(case.plan).data)
        body = PlanUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            plan = services.plan_update(
                actor=request.actor,
                case=_case_ref(pk),
                version=data["version"],
                own_goal=data["own_goal"],
                lead_party=data["lead_party"],
                goal_statuses=data["goal_statuses"],
            )
        except services.PlanConflict as conflict:
            body = {
                "detail": conflict.messages[0],
                "changes": PlanChangeSerializer(conflict.changes, many=True).data,
                "current": PlanSerializer(conflict.current).data,
            }
            return Response(body, status=status.HTTP_409_CONFLICT)
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc) or None) from exc
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(_goal_errors(_drf_error(exc))) from exc
        return Response(PlanSerializer(plan).data)

    @extend_schema(
        summary="Lägg till ett mål i planen",
        parameters=[_id_parameter()],
        request=GoalCreateSerializer,
        responses={201: GoalSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="plan/goals")
    def goals(self, request, pk=None):
        body = GoalCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        goal = _call(
            services.goal_add, actor=request.actor, case=_case_ref(pk), **body.validated_data
        )
        return Response(GoalSerializer(goal).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Lägg till en insats i planen",
        description="Vem gör vad, och när det följs upp. Den ansvariga organisationen ska "
        "finnas i teamet.",
        parameters=[_id_parameter()],
        request=PlanActionCreateSerializer,
        responses={201: PlanActionSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="plan/actions")
    def actions(self, request, pk=None):
        body = PlanActionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        organisation = _organisation(data["responsible_organisation"], "responsible_organisation")
        responsible_user = None
        if data.get("responsible_user"):
            responsible_user = User.objects.filter(pk=data["responsible_user"]).first()
            if responsible_user is None:
                raise exceptions.ValidationError({"responsible_user": [ERROR_USER_UNKNOWN]})
        goal = None
        if data.get("goal"):
            # Looked up without the case: whether it belongs to this plan is the service's
            # check, made after the case itself has been authorised.
            goal = Goal.objects.filter(pk=data["goal"]).first()
            if goal is None:
                raise exceptions.ValidationError({"goal": [services.ERROR_GOAL_NOT_IN_PLAN]})
        plan_action = _call(
            services.plan_action_add,
            rename={"user": "responsible_user"},
            actor=request.actor,
            case=_case_ref(pk),
            text=data["text"],
            responsible_organisation=organisation,
            responsible_user=responsible_user,
            follow_up_on=data["follow_up_on"],
            goal=goal,
        )
        return Response(PlanActionSerializer(plan_action).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Markera en insats som klar",
        parameters=[_id_parameter(), _id_parameter("action_id", "Insatsens id")],
        request=PlanActionDoneSerializer,
        responses={200: PlanActionSerializer, **WRITE_ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"plan/actions/(?P<action_id>[0-9]+)/done",
        url_name="plan-action-done",
    )
    def action_done(self, request, pk=None, action_id=None):
        body = PlanActionDoneSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        plan_action = PlanAction.objects.filter(pk=_path_id(action_id)).first()
        if plan_action is None:
            raise Http404
        plan_action = _call(
            services.plan_action_done,
            actor=request.actor,
            case=_case_ref(pk),
            action=plan_action,
            **body.validated_data,
        )
        return Response(PlanActionSerializer(plan_action).data)

    @extend_schema(
        methods=["GET"],
        summary="Kontakter och kontaktförsök i ärendet",
        parameters=[_id_parameter()],
        responses={200: ContactSerializer(many=True), **READ_ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        summary="Registrera en kontakt eller ett kontaktförsök",
        parameters=[_id_parameter()],
        request=ContactCreateSerializer,
        responses={201: ContactSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["get", "post"])
    def contacts(self, request, pk=None):
        if request.method == "GET":
            case = case_get_for(actor=request.actor, case_id=_path_id(pk))
            contacts = contacts_for(actor=request.actor, case=case)
            return Response(ContactSerializer(contacts, many=True).data)
        body = ContactCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        contact = _call(
            services.contact_record, actor=request.actor, case=_case_ref(pk), **body.validated_data
        )
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)


def _goal_errors(body: dict) -> dict:
    """The plan service names a goal's field ``goal_<id>``; the API's field is
    ``goal_statuses`` keyed by the goal's id."""
    goal_errors = {
        key.removeprefix("goal_"): messages
        for key, messages in body.items()
        if key.startswith("goal_")
    }
    rest = {key: messages for key, messages in body.items() if not key.startswith("goal_")}
    if goal_errors:
        rest["goal_statuses"] = goal_errors
    return rest


# Referrals from one organisation to another, resting on the young person's consent.
@extend_schema(tags=["Remisser"])
class ReferralViewSet(viewsets.ViewSet):
    lookup_value_regex = "[0-9]+"

    @extend_schema(
        summary="Remisser som din organisation skickat eller tagit emot",
        description="En mottagen remiss syns bara så länge samtycket den vilar på gäller. "
        "Varje person i svaret loggas som läst.",
        parameters=[ReferralListQuerySerializer],
        responses={200: ReferralSerializer(many=True), 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    def list(self, request):
        query = ReferralListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        referrals = referral_list_for(
            actor=request.actor,
            box=query.validated_data.get("box"),
            referral_status=query.validated_data.get("status"),
        )
        return Response(ReferralSerializer(referrals, many=True).data)

    @extend_schema(
        summary="Skicka en remiss",
        request=ReferralCreateSerializer,
        responses={201: ReferralSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    def create(self, request):
        body = ReferralCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        to_organisation = _organisation(data["to_organisation"], "to_organisation")
        # Unscoped on purpose: the service checks that the consent is this case's person's,
        # after the case itself has been authorised, with the same words either way.
        consent = Consent.objects.filter(pk=data["consent"]).first()
        if consent is None:
            # The service's own words for a consent that does not fit: ids are not probed.
            message = services.ERROR_REFERRAL_CONSENT.format(organisation=to_organisation)
            raise exceptions.ValidationError({"consent": [message]})
        try:
            referral = _call(
                services.referral_send,
                actor=request.actor,
                case=_case_ref(data["case"]),
                to_organisation=to_organisation,
                consent=consent,
                message=data["message"],
            )
        except Http404 as exc:
            # The case is named in the body: an unknown or foreign case is bad input.
            raise exceptions.ValidationError({"case": [ERROR_CASE_UNKNOWN]}) from exc
        return Response(ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="En remiss",
        parameters=[_id_parameter(description="Remissens id")],
        responses={200: ReferralSerializer, **READ_ERRORS},
    )
    def retrieve(self, request, pk=None):
        referral = referral_get_for(actor=request.actor, referral_id=_path_id(pk))
        return Response(ReferralSerializer(referral).data)

    @extend_schema(
        summary="Acceptera remissen",
        description="Bara mottagaren. Mottagande organisation kommer med i teamet, med dig "
        "som kontaktperson.",
        parameters=[_id_parameter(description="Remissens id")],
        request=None,
        responses={200: ReferralSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        EmptyBodySerializer(data=request.data).is_valid(raise_exception=True)
        referral = _call(services.referral_accept, actor=request.actor, referral=_referral_ref(pk))
        return Response(ReferralSerializer(referral).data)

    @extend_schema(
        summary="Avböj remissen",
        description="Bara mottagaren, och med ett skäl.",
        parameters=[_id_parameter(description="Remissens id")],
        request=ReferralDeclineSerializer,
        responses={200: ReferralSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        body = ReferralDeclineSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        referral = _call(
            services.referral_decline,
            actor=request.actor,
            referral=_referral_ref(pk),
            reason=body.validated_data["decline_reason"],
        )
        return Response(ReferralSerializer(referral).data)

    @extend_schema(
        summary="Ta tillbaka remissen",
        description="Bara avsändaren, och bara medan remissen väntar på svar.",
        parameters=[_id_parameter(description="Remissens id")],
        request=None,
        responses={200: ReferralSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        EmptyBodySerializer(data=request.data).is_valid(raise_exception=True)
        referral = _call(services.referral_revoke, actor=request.actor, referral=_referral_ref(pk))
        return Response(ReferralSerializer(referral).data)


def _referral_ref(pk: str) -> Referral:
    # Only the id: the services re-read the referral through CasePolicy under a row lock.
    return Referral(pk=_path_id(pk))
