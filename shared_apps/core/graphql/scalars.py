"""GraphQL scalars that must print exactly as the REST API does."""

from __future__ import annotations

import datetime

import graphene
from django.db import models
from graphene_django.converter import convert_django_field, get_django_field_description
from graphql import GraphQLError
from rest_framework import serializers

# DRF's own field writes REST's datetimes; GraphQL calls the very same code, so both APIs
# print RFC 3339 in UTC with `Z` (2026-05-01T09:30:00.123456Z), never `+00:00` in one of them.
_REST_DATETIME = serializers.DateTimeField()


class DateTime(graphene.DateTime):
    """An instant as RFC 3339 in UTC with `Z`, e.g. `2026-05-01T09:30:00.123456Z` (as in
    the REST API)."""

    class Meta:
        name = "DateTime"

    @staticmethod
    def serialize(dt):
        if not isinstance(dt, datetime.datetime):
            raise GraphQLError(f"DateTime cannot represent value: {dt!r}")
        return _REST_DATETIME.to_representation(dt)


@convert_django_field.register(models.DateTimeField)
def _convert_datetime(field, registry=None):
    return DateTime(description=get_django_field_description(field), required=not field.null)
