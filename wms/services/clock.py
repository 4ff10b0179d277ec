"""Today's date where it matters: in the FC's own timezone."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from wms.db.base import utcnow
from wms.db.models import FulfillmentCenter


def fc_today(fc: FulfillmentCenter) -> date:
    """The calendar day it is now at the FC."""
    return utcnow().astimezone(ZoneInfo(fc.timezone)).date()
