"""Reading the history API's query string: filters, the cursor and its page size.

Everything the schema forbids is a 400 naming the parameter, and every 400
body has one shape: ``{"parameter": ["message", ...]}``. A cursor this API
did not give is a 404.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.utils.dateparse import parse_datetime
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request
from rest_framework.settings import api_settings


def _texts(detail: Any) -> Iterator[str]:
    # A list parameter reports {index: [messages]}; clients want the messages.
    if isinstance(detail, dict):
        for value in detail.values():
            yield from _texts(value)
    elif isinstance(detail, list):
        for value in detail:
            yield from _texts(value)
    else:
        yield str(detail)


def as_api_error(exc: Exception) -> Exception:
    """The 400 for what Django refuses while reading the query string; any
    other exception as it is. Left to Django, it would be its HTML 400."""
    if isinstance(exc, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        message = f"More than {limit} query parameters."
        return ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [message]})
    return exc


def read_filters(
    request: Request, serializer_class: type[serializers.Serializer]
) -> dict[str, Any]:
    """The validated filters of ``request``; a 400 when any is invalid."""
    params = request.query_params
    fields = serializer_class().fields
    # A plain dict, not the QueryDict: DRF would take "?until=" for a missing
    # parameter, where the schema says an empty string is not a date-time.
    data = {
        name: params.getlist(name)
        if isinstance(field, serializers.ListField)
        else params[name]
        for name, field in fields.items()
        if name in params
    }
    filters = serializer_class(data=data)
    if not filters.is_valid():
        raise ValidationError(
            {name: list(_texts(detail)) for name, detail in filters.errors.items()}
        )
    return dict(filters.validated_data)


def _utc_position(text: str) -> str | None:
    """``text`` as the UTC time DRF writes (``str`` of an aware datetime), or
    None if it is not an aware time that exists in UTC."""
    try:
        moment = parse_datetime(text)
        if moment is None or moment.tzinfo is None:
            return None
        return str(moment.astimezone(dt.timezone.utc))
    except (ValueError, OverflowError):  # the 13th month; year 1 at +14:00
        return None


class TimeCursor(CursorPagination):
    """Newest first, by a cursor on time: no COUNT, no OFFSET scan."""

    ordering = ("-time", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def decode_cursor(self, request: Request) -> Cursor | None:
        """DRF's cursor, refused with the JSON 404 unless it is one DRF could
        have written: strict base64, and a position that is an aware time."""
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            # DRF skips characters outside the alphabet: "%%%" would be no cursor.
            base64.b64decode(encoded.encode("ascii"), validate=True)
        except ValueError:  # binascii.Error and UnicodeError among them
            raise NotFound(self.invalid_cursor_message) from None
        cursor = super().decode_cursor(request)
        if cursor is None or cursor.position is None:
            return cursor
        # The position goes into a time filter as it is: text the database
        # can't read as a time would be a 500 there.
        position = _utc_position(cursor.position)
        if position is None:
            raise NotFound(self.invalid_cursor_message)
        return Cursor(offset=cursor.offset, reverse=cursor.reverse, position=position)

    def get_page_size(self, request: Request) -> int:
        # DRF quietly replaces a bad page_size; the schema promises a 400.
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"A whole number from 1 to {self.max_page_size}."
                    ]
                }
            )
        return size

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Results per page, {self.page_size} by default."
                )
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


class CreatedCursor(TimeCursor):
    """Deliveries, newest first, by a cursor on when each was written."""

    ordering = ("-created", "-id")
