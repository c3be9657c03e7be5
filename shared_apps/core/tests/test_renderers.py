"""The orjson renderer writes what DRF's JSONRenderer writes."""

import json
import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal

from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from shared_apps.core.renderers import ORJSONRenderer

SAMPLE = {
    "when": datetime(2027, 3, 1, 12, 30, 5, 123000, tzinfo=UTC),
    "day": date(2027, 3, 1),
    "at": time(15, 0),
    "price": Decimal("120.50"),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "message": gettext_lazy("This field is required."),
    "name": "Chalet à Annecy ✓",
    "rows": [{"n": 1, "ok": True, "none": None, "ratio": 0.25}],
    7: "an int key",
}


def test_the_same_bytes_as_drfs_renderer():
    assert ORJSONRenderer().render(SAMPLE) == JSONRenderer().render(SAMPLE)


def test_indented_answers_and_huge_integers_fall_back_to_drf():
    indented = ORJSONRenderer().render(SAMPLE, "application/json; indent=2")
    assert indented == JSONRenderer().render(SAMPLE, "application/json; indent=2")
    huge = {"n": 2**70}
    assert json.loads(ORJSONRenderer().render(huge)) == huge
