"""The use cases' messages in the user's language, for the manager pages and the scanner pages.

The use cases raise their errors in English, most of them with values in the text (a tote's
code, an order's reference, a status): the exact-msgid lookup of gettext misses those. The
messages that carry values are matched here against the pattern they follow and rendered from a
translated template; the fixed ones are listed so the catalogs translate them. Whatever matches
nothing goes on to the inbound pages' patterns (wms/web/inbound.py), then to a plain lookup.

Both edges import `message_of` from here: the outbound pages (wms/web/outbound.py) and the
scanner pages (scanners/ui.py and scanners/outbound_ui.py), so there is one table for both.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

from wms.domain.errors import DomainError
from wms.web.inbound import N_, translate

# --- translated names of codes ----------------------------------------------------------------


def order_status_label(status: str) -> str:
    labels = {
        "received": _("New"),
        "backordered": _("Backordered"),
        "allocated": _("Allocated"),
        "waved": _("In a wave"),
        "picked": _("Picked"),
        "packed": _("Packed"),
        "shipped": _("Shipped"),
        "cancelled": _("Cancelled"),
    }
    return labels.get(str(status), str(status))


def wave_status_label(status: str) -> str:
    labels = {
        "planned": _("Planned (preview)"),
        "released": _("Released"),
        "done": _("Done"),
        "discarded": _("Discarded"),
    }
    return labels.get(str(status), str(status))


def delivery_plan_status_label(status: str) -> str:
    labels = {
        "draft": _("Draft (preview)"),
        "dispatched": _("Dispatched"),
        "discarded": _("Discarded"),
    }
    return labels.get(str(status), str(status))


def unit_word(unit: str) -> str:
    """A unit of a vehicle's load, as a word of a sentence."""
    words = {"kg": _("kg"), "litres": _("litres"), "parcels": _("parcels")}
    return words.get(str(unit), str(unit))


def state_word(status: str) -> str:
    """A trip's, pick's or parcel's status as a word inside a sentence ("This pick is short
    already."), in the user's language."""
    words = {
        "planned": _("planned"),
        "picked": _("picked"),
        "discarded": _("discarded"),
        "short": _("short"),
        "open": _("open"),
        "packed": _("packed"),
        "manifested": _("manifested"),
        "shipped": _("shipped"),
        "cancelled": _("cancelled"),
    }
    return words.get(str(status), str(status))


# --- the use cases' messages ------------------------------------------------------------------

# Messages of the use cases that reach the pages as they are.
KNOWN_MESSAGES = (
    # the outbound pages
    N_("No allocated orders are waiting for this cut-off."),
    N_("Managers plan and release waves."),
    N_("Give the cut-off with a timezone offset."),
    N_("Between 1 and 200 pickers."),
    N_("A cart holds 1 to 48 totes."),
    N_("Give the cart's volume in litres, above 0."),
    N_("Give the cart's weight limit in kg, above 0."),
    N_("No such wave."),
    N_("No such pick trip."),
    N_("No such exception."),
    N_("No such order."),
    N_("Managers resolve exceptions."),
    N_("This exception is resolved already."),
    N_("Warehouse staff pick."),
    N_("The FC re-allocates backorders."),
    N_("This Idempotency-Key was already used for a different request."),
    N_("The request could not be recorded; send it again."),
    # picking (wms/services/picking.py)
    N_("Start the trip first."),
    N_("Another picker is on this trip."),
    N_("A tote code is T followed by 2 to 19 letters, digits or '-'."),
    N_("Quantities cannot be negative."),
    N_("Scan a tote for this order's slot first."),
    N_("No such pick."),
    # packing (wms/services/packing.py, wms/domain/packing.py)
    N_("Warehouse staff pack."),
    N_("No such parcel."),
    N_("All units of this item are in the parcel already."),
    N_("The parcel gets its label when it is closed."),
    N_("Weigh the parcel: give its weight in grams, above 0."),
    # shipping (wms/services/shipping.py)
    N_("Warehouse staff ship parcels."),
    N_("No such manifest."),
    N_("Scan the parcel's label."),
    N_("This manifest is closed."),
    N_("This manifest is closed already."),
    N_("Scan at least one parcel onto the manifest first."),
    # deliveries (wms/services/deliveries.py, delivery_dispatch.py, fleet.py)
    N_("Managers run the FC's fleet and plan its deliveries."),
    N_("No such delivery plan."),
    N_("No such delivery route."),
    N_("No such vehicle."),
    N_("No such driver."),
    N_("Plan deliveries for today or a later day."),
    N_("Plan deliveries at most 14 days ahead."),
    N_("The plan changed meanwhile; look at it again and retry."),
    N_("This driver already drives another route of the plan."),
    N_("This order has no delivery coordinates; it cannot go on a route."),
    N_("This stop is not on a route."),
    N_("This plan has no such stop."),
    N_("This plan has no such route."),
    N_("No route of this plan has a stop; there is nothing to send."),
    N_("This plan is for a day that has passed; plan the day again."),
    N_(
        "Another plan took one of these parcels, vehicles or drivers out that day; "
        "look at the plan again."
    ),
    N_("This route has no stops; there is no sheet to print."),
    N_("The road network no longer reaches some of these deliveries."),
)

# Messages of the use cases that carry values: the pattern they follow and their template. The
# group names say how a value is shown: "wave" and "order" are statuses shown by their labels,
# "state" a status as a word of the sentence, "n" a number; any other value is shown as it is.
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # waves and orders
    (
        re.compile(
            r"^Only a planned wave can be (released|discarded); this one is (?P<wave>\w+)\.$"
        ),
        N_("Only a planned wave can be released or discarded; this one is %(wave)s."),
    ),
    (
        re.compile(r"^(?P<units>\d+) unit\(s\) are still missing: ship the order short or cancel"),
        N_("%(units)s units are still missing: ship the order short or cancel it."),
    ),
    (
        re.compile(r"^An order that is (?P<order>\w+) cannot be cancelled\.$"),
        N_("An order that is %(order)s cannot be cancelled."),
    ),
    (re.compile(r"^.* has no such carrier\.$"), N_("This FC has no such carrier.")),
    (
        re.compile(r"^The order is (?P<order>\w+); nothing to allocate\.$"),
        N_("The order is %(order)s: nothing to allocate."),
    ),
    # picking
    (
        re.compile(r"^This trip is (?P<state>\w+); it cannot be picked\.$"),
        N_("This trip is %(state)s; it cannot be picked."),
    ),
    (re.compile(r"^This trip has no slot (?P<slot>\d+)\.$"), N_("This trip has no slot %(slot)s.")),
    (
        re.compile(r"^Tote (?P<tote>\S+) still holds order (?P<reference>.+)\.$"),
        N_("Tote %(tote)s still holds order %(reference)s."),
    ),
    (
        re.compile(
            r"^Slot (?P<slot>\d+) already has tote (?P<tote>\S+) with picked units in it\.$"
        ),
        N_("Slot %(slot)s already has tote %(tote)s with picked units in it."),
    ),
    (
        re.compile(r"^Wrong bin: this pick is at (?P<bin>.+)\.$"),
        N_("Wrong bin: this pick is at %(bin)s."),
    ),
    (
        re.compile(r"^Wrong item: this pick is (?P<sku>.+) \((?P<gtin>\d+)\)\.$"),
        N_("Wrong item: this pick is %(sku)s (%(gtin)s)."),
    ),
    (
        re.compile(r"^Wrong lot: pick lot (?P<lot>.+) \(it expires first\)\.$"),
        N_("Wrong lot: pick lot %(lot)s (it expires first)."),
    ),
    (
        re.compile(r"^This pick is for (?P<n>\d+) unit\(s\); put the rest back\.$"),
        N_("This pick is for %(n)d unit(s); put the rest back."),
    ),
    (
        re.compile(r"^Wrong tote: this order goes in (?P<tote>\S+) \(slot (?P<slot>\d+)\)\.$"),
        N_("Wrong tote: this order goes in %(tote)s (slot %(slot)s)."),
    ),
    (
        re.compile(r"^This pick is (?P<state>\w+) already\.$"),
        N_("This pick is %(state)s already."),
    ),
    # packing
    (
        re.compile(r"^Tote (?P<tote>\S+) holds no order waiting to be packed\.$"),
        N_("Tote %(tote)s holds no order waiting to be packed."),
    ),
    (
        re.compile(r"^Order (?P<reference>.+) is still being picked \(another tote or trip\)\.$"),
        N_("Order %(reference)s is still being picked (another tote or trip)."),
    ),
    (
        re.compile(
            r"^Order (?P<reference>.+) is short; a manager decides to ship it short or cancel it\.$"
        ),
        N_("Order %(reference)s is short; a manager decides to ship it short or cancel it."),
    ),
    (re.compile(r"^This parcel is (?P<state>\w+)\.$"), N_("This parcel is %(state)s.")),
    (
        re.compile(r"^This item is not in order (?P<reference>.+); put it aside\.$"),
        N_("This item is not in order %(reference)s; put it aside."),
    ),
    (
        re.compile(r"^Scan every unit first; missing: (?P<skus>.+)\.$"),
        N_("Scan every unit first; missing: %(skus)s."),
    ),
    (
        re.compile(r"^Unknown carton size '(?P<carton>.*)'; choose one of (?P<cartons>.+)\.$"),
        N_("Unknown carton size '%(carton)s'; choose one of %(cartons)s."),
    ),
    (
        re.compile(r"^Parcels weigh at most (?P<grams>\d+) g; split this one\.$"),
        N_("Parcels weigh at most %(grams)s g; split this one."),
    ),
    (
        re.compile(
            r"^The parcel weighs (?P<weight>\d+) g but its items weigh (?P<content>\d+) g; "
            r"weigh it again or check the items\.$"
        ),
        N_(
            "The parcel weighs %(weight)s g but its items weigh %(content)s g; "
            "weigh it again or check the items."
        ),
    ),
    # shipping
    (
        re.compile(r"^No parcel (?P<parcel>.+) at this FC\.$"),
        N_("No parcel %(parcel)s at this FC."),
    ),
    (
        re.compile(r"^Parcel (?P<parcel>.+) goes with (?P<carrier>.+?), not (?P<expected>.+)\.$"),
        N_("Parcel %(parcel)s goes with %(carrier)s, not %(expected)s."),
    ),
    (
        re.compile(r"^Parcel (?P<parcel>.+) is (?P<state>\w+); it cannot ship\.$"),
        N_("Parcel %(parcel)s is %(state)s; it cannot ship."),
    ),
    # deliveries
    (
        re.compile(r"^Only a draft plan can be changed; this one is (?P<plan>\w+)\.$"),
        N_("Only a draft plan can be changed; this one is %(plan)s."),
    ),
    (
        re.compile(r"^Only a draft plan can be dispatched; this one is (?P<plan>\w+)\.$"),
        N_("Only a draft plan can be dispatched; this one is %(plan)s."),
    ),
    (
        re.compile(r"^Only a draft plan can be discarded; this one is (?P<plan>\w+)\.$"),
        N_("Only a draft plan can be discarded; this one is %(plan)s."),
    ),
    (
        re.compile(
            r"^(?P<vehicle>.+) would carry (?P<load>[\d.e+]+) (?P<unit>\w+), over its capacity "
            r"of (?P<capacity>[\d.e+]+) \w+\.$"
        ),
        N_("%(vehicle)s would carry %(load)s %(unit)s, over its capacity of %(capacity)s."),
    ),
    (
        re.compile(
            r"^The delivery to (?P<recipient>.+) would start at (?P<start>\d\d:\d\d), after its "
            r"window closes at (?P<close>\d\d:\d\d)\.$"
        ),
        N_(
            "The delivery to %(recipient)s would start at %(start)s, after its window closes "
            "at %(close)s."
        ),
    ),
    (
        re.compile(
            r"^(?P<vehicle>.+) would be back at (?P<back>\d\d:\d\d), after its shift ends at "
            r"(?P<end>\d\d:\d\d)\.$"
        ),
        N_("%(vehicle)s would be back at %(back)s, after its shift ends at %(end)s."),
    ),
    (
        re.compile(
            r"^(?P<vehicle>.+)'s route would last (?P<hours>[\d:]+) h, over its maximum of "
            r"(?P<maximum>[\d:]+) h\.$"
        ),
        N_("The route of %(vehicle)s would last %(hours)s h, over its maximum of %(maximum)s h."),
    ),
    (
        re.compile(
            r"^Route (?P<number>\d+) \((?P<vehicle>.+)\) has no driver; choose one first\.$"
        ),
        N_("Route %(number)s (%(vehicle)s) has no driver; choose one first."),
    ),
    (
        re.compile(r"^(?P<name>.+) is already out on plan (?P<reference>\S+) that day\.$"),
        N_("%(name)s is already out on plan %(reference)s that day."),
    ),
    (
        re.compile(r"^The parcels of (?P<reference>\S+) are no longer waiting at dispatch"),
        N_(
            "The parcels of %(reference)s are no longer waiting at dispatch (out with another "
            "plan?); take the stop off or plan again."
        ),
    ),
    (
        re.compile(r"^(?P<vehicle>.+)'s shift is over for the day\.$"),
        N_("The shift of %(vehicle)s is over for the day."),
    ),
    (re.compile(r"^(?P<vehicle>.+) is out of service\.$"), N_("%(vehicle)s is out of service.")),
    (
        re.compile(r"^(?P<driver>.+) is no longer on the roster\.$"),
        N_("%(driver)s is no longer on the roster."),
    ),
    (
        re.compile(r"^No own-fleet parcels are waiting for delivery at (?P<fc>\S+)\.$"),
        N_("No own-fleet parcels are waiting for delivery at %(fc)s."),
    ),
    (
        re.compile(r"^Set (?P<fc>\S+)'s location \(latitude and longitude\) before planning"),
        N_("Set the location of %(fc)s (latitude and longitude) before planning deliveries."),
    ),
    (
        re.compile(r"^(?P<fc>\S+) has no active vehicles; add the fleet first\.$"),
        N_("%(fc)s has no active vehicles; add the fleet first."),
    ),
    (re.compile(r"^.* has no such vehicle\.$"), N_("This FC has no such vehicle.")),
    (re.compile(r"^.* has no such driver\.$"), N_("This FC has no such driver.")),
    (re.compile(r"^No road distances: (?P<reason>.+)$"), N_("No road distances: %(reason)s")),
    (
        re.compile(r"^The planner cannot use this data: (?P<reason>.+)$"),
        N_("The planner cannot use this data: %(reason)s"),
    ),
)


def message_of(error: DomainError) -> str:
    """A use case's message in the user's language when the catalogs know it, else as it is."""
    for pattern, template in PATTERNS:
        found = pattern.match(error.message)
        if found is not None:
            values: dict[str, object] = dict(found.groupdict())
            if "wave" in values:
                values["wave"] = wave_status_label(found["wave"])
            if "order" in values:
                values["order"] = order_status_label(found["order"])
            if "state" in values:
                values["state"] = state_word(found["state"])
            if "n" in values:
                values["n"] = int(found["n"])
            if "plan" in values:
                values["plan"] = delivery_plan_status_label(found["plan"])
            if "unit" in values:
                values["capacity"] = f"{found['capacity']} {unit_word(found['unit'])}"
                values["unit"] = unit_word(found["unit"])
            return _(template, **values)
    return translate(error.message)
