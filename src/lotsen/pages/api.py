"""Bad input to the API ends in a clear 400, 413 or 415, never in a 500.

``BoundedJSONParser`` is DRF's default parser (settings.REST_FRAMEWORK): it reads at most
``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes and hands them to the one bounded JSON reader
(``lotsen.ingest.jsonfile``), which decodes strictly, measures the nesting before parsing
and refuses NaN, Infinity, numbers over ``MAX_NUMBER_DIGITS`` digits and lone surrogates,
naming the byte, the line and column, or the JSON path. This module only turns the
reader's refusal into DRF's 400 (ParseError) or 413.

``StrictSerializer`` refuses fields it does not know, so a misspelt field is an error
rather than silently ignored. ``api_exception_handler`` turns Django's own input errors
(a body over the size limit, a service's ValidationError) into DRF answers.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.settings import api_settings

from lotsen.ingest.jsonfile import (
    MAX_NUMBER_DIGITS,
    JsonDocumentError,
    JsonDocumentTooLarge,
    json_document_read,
)

# JSON bodies of this API are flat objects with at most a map inside (the plan's goal
# statuses): eight levels leave room and keep any parser's recursion far away.
MAX_JSON_DEPTH = 8
# Django's default, used when the setting is None (no limit is not an option for the API).
DEFAULT_BODY_LIMIT = 2_621_440
# How much of an unknown field's name an error repeats.
MAX_NAME_SHOWN = 50
MAX_UNKNOWN_SHOWN = 10

ERROR_BODY_TOO_LARGE = "Anropet är för stort: högst {limit} byte."
ERROR_CHARSET = "Teckenkodningen {charset} stöds inte: skicka JSON i UTF-8."
ERROR_UNKNOWN_FIELD = "Okänt fält."


class BodyTooLarge(APIException):
    status_code = 413
    default_detail = ERROR_BODY_TOO_LARGE.format(limit=DEFAULT_BODY_LIMIT)
    default_code = "too_large"


def body_limit() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or DEFAULT_BODY_LIMIT


def json_parse(raw: bytes, *, encoding: str = "utf-8") -> object:
    """Bytes to Python values (through the one bounded reader, lotsen.ingest.jsonfile), or
    a ParseError that names the byte, line, column or JSON path."""
    try:
        return json_document_read(
            raw,
            encoding=encoding,
            max_bytes=body_limit(),
            max_depth=MAX_JSON_DEPTH,
            # Far beyond any column: a longer number is refused, naming line and column.
            max_number_digits=MAX_NUMBER_DIGITS,
        )
    except JsonDocumentTooLarge as exc:
        raise BodyTooLarge(ERROR_BODY_TOO_LARGE.format(limit=body_limit())) from exc
    except JsonDocumentError as exc:
        raise ParseError(str(exc)) from exc


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser with the bounds above. (DRF hands a JSON parser the request's
    body, which Django has already held to DATA_UPLOAD_MAX_MEMORY_SIZE; the parser checks
    again for any other caller.)"""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        try:
            encoding = get_encoding(parser_context)
        except ParseError as exc:
            charset = str(parser_context.get("encoding", ""))[:MAX_NAME_SHOWN]
            raise ParseError(ERROR_CHARSET.format(charset=charset)) from exc
        # One byte over the limit is enough for the reader to refuse the body (413).
        raw = stream.read(body_limit() + 1) if stream is not None else b""
        return json_parse(raw, encoding=encoding)


class StrictSerializer(serializers.Serializer):
    """A serializer for a request body that refuses fields it does not know: a misspelt
    field would otherwise be dropped without a word and its value lost."""

    def to_internal_value(self, data):
        errors: dict = {}
        if isinstance(data, Mapping):
            known = set(self.fields)
            unknown = [key for key in data if key not in known][:MAX_UNKNOWN_SHOWN]
            errors = {_shown(str(key)): [ERROR_UNKNOWN_FIELD] for key in unknown}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not errors:
                raise
            detail = exc.detail if isinstance(exc.detail, Mapping) else {}
            raise serializers.ValidationError({**detail, **errors}) from exc
        if errors:
            raise serializers.ValidationError(errors)
        return value


class EmptyBodySerializer(StrictSerializer):
    """For actions that take no input: an object with no fields, or no body at all."""


def _shown(name: str) -> str:
    return name if len(name) <= MAX_NAME_SHOWN else name[:MAX_NAME_SHOWN] + "…"


def validation_error_body(exc: DjangoValidationError) -> dict:
    """A Django ValidationError as DRF's 400 body: field names as keys, non_field_errors
    for the rest."""
    if not hasattr(exc, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
    return {
        api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field: messages
        for field, messages in exc.message_dict.items()
    }


def api_exception_handler(exc, context):
    """DRF's handler, after Django's own input errors have become DRF's: a body over the
    size limit (413) and a ValidationError or SuspiciousOperation from below (400)."""
    # Imported here: rest_framework.views reads DEFAULT_PARSER_CLASSES, which is this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, RequestDataTooBig):
        exc = BodyTooLarge(ERROR_BODY_TOO_LARGE.format(limit=body_limit()))
    elif isinstance(exc, DjangoValidationError):
        exc = serializers.ValidationError(validation_error_body(exc))
    elif isinstance(exc, SuspiciousOperation):
        exc = ParseError(str(exc) or None)
    return drf_exception_handler(exc, context)
