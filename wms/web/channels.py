"""Marketplace channel pages, for managers and merchants: the shops one may see with their
status, last sync, last error and listings; a shop's listings (filterable by status) with a
retry for parked ones, their stock policy, a CSV import; disconnecting a shop; and connecting
one by hand with what its marketplace's authorisation gave (the manual / sandbox path).

Every action goes through the channel use cases (`wms.services.channel_shops`,
`wms.services.listings`), which scope what each user sees and may change.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from wms.api.catalogue import csv_text, readable_csv
from wms.api.channels import CSV_COLUMNS, read_listing_rows
from wms.api.errors import status_of
from wms.bootstrap import channels, new_uow
from wms.channels.marketplace import Marketplace
from wms.domain.actors import Actor, Role
from wms.domain.channels import (
    MARKETPLACE_NAMES,
    ListingStockStatus,
    ShopStatus,
)
from wms.domain.errors import DomainError, InvalidInput, NotFound
from wms.services import catalogue, channel_shops, listings
from wms.services.channel_shops import ShopConnection
from wms.web.inbound import N_
from wms.web.messages import message_of
from wms.web.outbound import ID, OutboundForm, form_keys
from wms.web.security import actor_of_request, roles_required

blueprint = Blueprint("channel_pages", __name__)
# The forms' request keys, as on the outbound pages.
blueprint.context_processor(form_keys)

CHANNEL_ROLES = (Role.ADMIN, Role.MANAGER, Role.MERCHANT)
CONNECTORS = (Role.ADMIN, Role.MERCHANT)
CONNECT_FIELDS = (
    "marketplace",
    "country",
    "shop_id",
    "shop_cipher",
    "base_url",
    "access_token",
    "refresh_token",
    "access_expires_at",
    "refresh_expires_at",
    "name",
    "merchant_id",
)
POLICY_KINDS = ("share", "buffer")
# Shop times are shown in the shop's country, as its sellers read them.
COUNTRY_TIMEZONES = {
    "MY": "Asia/Kuala_Lumpur",
    "ID": "Asia/Jakarta",
    "VN": "Asia/Ho_Chi_Minh",
    "TH": "Asia/Bangkok",
    "PH": "Asia/Manila",
    "SG": "Asia/Singapore",
}


# --- translated names of codes ----------------------------------------------------------------


@blueprint.app_template_filter()
def shop_status_label(status: str) -> str:
    labels = {
        "connected": _("Connected"),
        "needs_reauthorisation": _("Needs re-authorisation"),
        "disconnected": _("Disconnected"),
    }
    return labels.get(str(status), str(status))


@blueprint.app_template_filter()
def listing_status_label(status: str | None) -> str:
    labels = {
        "pending": _("Pending"),
        "synced": _("Synced"),
        "parked": _("Parked"),
        None: _("Not worked out yet"),
    }
    return labels.get(status, str(status))


@blueprint.app_template_filter()
def push_error_kind_label(kind: str | None) -> str:
    labels = {
        "throttled": _("Throttled by the marketplace"),
        "transient": _("Temporary failure"),
        "permanent": _("Refused by the marketplace"),
        "auth": _("Access refused (tokens)"),
    }
    return labels.get(kind, str(kind or ""))


@blueprint.app_template_filter()
def marketplace_label(marketplace: str) -> str:
    return MARKETPLACE_NAMES.get(str(marketplace), str(marketplace))


@blueprint.app_template_filter()
def policy_label(listing: dict[str, Any]) -> str:
    if listing["share_percent"] is not None:
        return _("%(percent)s %% of the available units", percent=listing["share_percent"])
    return ngettext(
        "All available units but %(num)s",
        "All available units but %(num)s",
        listing["buffer_units"] or 0,
    )


@blueprint.app_template_global()
def shop_timezone(shop: dict[str, Any]) -> str:
    return COUNTRY_TIMEZONES.get(str(shop.get("country")), "UTC")


# --- the use cases' messages ------------------------------------------------------------------

# Messages of the channel use cases that reach these pages as they are.
KNOWN_MESSAGES = (
    N_("An ISO 3166-1 alpha-2 code in capitals (MY, ID, VN...)."),
    N_("The marketplace's shop id, at most 64 characters."),
    N_("An http(s) URL of at most 500 characters."),
    N_("Printable text of 1 to 2000 characters."),
    N_("A time with its UTC offset."),
    N_("TikTok Shop calls need the shop's shop_cipher."),
    N_("At most 128 characters."),
    N_("At most 80 characters."),
    N_("Merchants and managers look after marketplace shops."),
    N_("No such shop."),
    N_("No such merchant."),
    N_("No such listing."),
    N_("Merchants connect their own shops (or an admin for them)."),
    N_("Name the merchant whose shop this is."),
    N_("This shop is connected to another merchant."),
    N_("This shop is already connected."),
    N_("The merchant (or an admin) disconnects a shop."),
    N_("The merchant, the FC's managers or an admin change listings."),
    N_("The shop is disconnected: connect it again first."),
    N_("Only a parked listing is retried; this one is not parked."),
    N_("No listing of this shop that you may change is parked."),
    N_("A share is a whole percentage from 0 to 100."),
    N_("A buffer is a whole number of units from 0 to 1000000."),
    N_("Write share:60, 60% or buffer:5."),
    N_("Missing data for required field."),
    N_("The marketplace's item (product) id is required."),
    N_("The shop already has a listing with these ids, or of this SKU and FC."),
    N_("The CSV must be UTF-8."),
    N_("The CSV contains a NUL character."),
)

# Messages that carry values: the pattern they follow and their template.
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"^The merchant has no SKU (?P<code>.*)\.$"),
        N_("The merchant has no SKU %(code)s."),
    ),
    (re.compile(r"^No FC (?P<fc>.*)\.$"), N_("There is no FC %(fc)s.")),
    (
        re.compile(r"^Same SKU and FC as line (?P<line>\d+)\.$"),
        N_("Same SKU and FC as line %(line)s."),
    ),
    (
        re.compile(r"^Same marketplace ids as line (?P<line>\d+)\.$"),
        N_("Same marketplace ids as line %(line)s."),
    ),
    (
        re.compile(r"^Item (?P<item>.*) is already listed for another SKU or FC\.$"),
        N_("Item %(item)s is already listed for another SKU or FC."),
    ),
    (
        re.compile(r"^Printable text of at most (?P<num>\d+) characters, no spaces at the ends\.$"),
        N_("Printable text of at most %(num)s characters, no spaces at the ends."),
    ),
    (
        re.compile(r"^The CSV cannot be read: (?P<reason>.*)$"),
        N_("The CSV cannot be read: %(reason)s"),
    ),
)


def channel_message(message: str) -> str:
    """A channel use case's message in the user's language (else the other pages' tables)."""
    for pattern, template in PATTERNS:
        found = pattern.match(message)
        if found is not None:
            return _(template, **found.groupdict())
    return message_of(DomainError(message))


# --- the shops --------------------------------------------------------------------------------


def _merchants(actor: Actor) -> dict[int, dict[str, Any]]:
    return {item["id"]: item for item in catalogue.list_merchants(new_uow(), actor)}


@blueprint.get("/channels")
@roles_required(*CHANNEL_ROLES)
def shops() -> str:
    """The shops the user may see: status, last sync, last error, listings by push status."""
    actor = actor_of_request()
    found = channel_shops.list_shops(new_uow(), actor)
    return render_template(
        "channels/shops.html",
        shops=found,
        merchants={} if actor.is_merchant else _merchants(actor),
        may_connect=channel_shops.may_connect_shops(actor),
    )


def _status_filter() -> ListingStockStatus | None:
    value = request.args.get("status", "")
    return ListingStockStatus(value) if value in set(ListingStockStatus) else None


def shop_page(
    shop_id: int,
    *,
    policy_form: OutboundForm | None = None,
    import_form: OutboundForm | None = None,
    import_report: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The shop, its listings (of one push status if asked), and its forms."""
    actor = actor_of_request()
    shop = channel_shops.get_shop(new_uow(), actor, shop_id)
    wanted = _status_filter()
    found = listings.list_listings(new_uow(), actor, shop_id=shop_id, status=wanted)
    for listing in found:
        listing["may_change"] = listings.may_change_listing(
            actor, shop["merchant_id"], listing["fc_id"]
        )
    parked = listings.list_listings(
        new_uow(), actor, shop_id=shop_id, status=ListingStockStatus.PARKED
    )
    retryable = sum(
        1
        for item in parked
        if listings.may_change_listing(actor, shop["merchant_id"], item["fc_id"])
    )
    merchant = _merchants(actor).get(shop["merchant_id"]) if not actor.is_merchant else None
    if import_report is not None:
        import_report = {
            **import_report,
            "errors": [
                {**item, "message": channel_message(str(item["message"]))}
                for item in import_report["errors"]
            ],
        }
    page = render_template(
        "channels/shop.html",
        shop=shop,
        listings=found,
        status=wanted,
        statuses=list(ListingStockStatus),
        merchant=merchant,
        may_disconnect=channel_shops.may_change_shop(actor, shop["merchant_id"]),
        open_shop=shop["status"] != ShopStatus.DISCONNECTED,
        retryable=retryable,
        policy_form=policy_form or OutboundForm(MultiDict()),
        import_form=import_form or OutboundForm(MultiDict()),
        import_report=import_report,
        csv_columns=CSV_COLUMNS,
        policy_kinds=POLICY_KINDS,
        error=error,
    )
    return page, status


@blueprint.get(f"/channels/<{ID}:shop_id>")
@roles_required(*CHANNEL_ROLES)
def shop(shop_id: int) -> tuple[str, int]:
    """A shop and its listings: ids, policy, desired and pushed quantity, status, last error."""
    return shop_page(shop_id)


def _back_to_shop(shop_id: int) -> Response:
    status = request.form.get("status_filter", "")
    wanted = status if status in set(ListingStockStatus) else None
    return redirect(url_for("channel_pages.shop", shop_id=shop_id, status=wanted))


@blueprint.post(f"/channels/<{ID}:shop_id>/disconnect")
@roles_required(*CHANNEL_ROLES)
def disconnect(shop_id: int) -> Response | tuple[str, int]:
    """Stop pushing to the shop and erase its tokens (its merchant or an admin)."""
    actor = actor_of_request()
    form = OutboundForm(request.form)
    try:
        done = channel_shops.disconnect_shop(new_uow(), actor, channels(), shop_id, form.key())
    except NotFound:
        raise
    except DomainError as error:
        return shop_page(shop_id, error=channel_message(error.message), status=status_of(error))
    flash(_("%(shop)s is disconnected: nothing more is sent to it.", shop=done["name"]), "success")
    return redirect(url_for("channel_pages.shop", shop_id=shop_id))


@blueprint.post(f"/channels/<{ID}:shop_id>/retry-parked")
@roles_required(*CHANNEL_ROLES)
def retry_parked(shop_id: int) -> Response | tuple[str, int]:
    """Push every parked listing of the shop (that the user may change) again."""
    actor = actor_of_request()
    form = OutboundForm(request.form)
    try:
        done = listings.retry_parked(new_uow(), actor, shop_id, form.key())
    except NotFound:
        raise
    except DomainError as error:
        return shop_page(shop_id, error=channel_message(error.message), status=status_of(error))
    flash(
        ngettext(
            "%(num)s parked listing will be pushed again.",
            "%(num)s parked listings will be pushed again.",
            done["retried"],
        ),
        "success",
    )
    return _back_to_shop(shop_id)


@blueprint.post(f"/channels/listings/<{ID}:listing_id>/retry")
@roles_required(*CHANNEL_ROLES)
def retry_listing(listing_id: int) -> Response | tuple[str, int]:
    """Push a parked listing's latest quantity again."""
    actor = actor_of_request()
    listing = listings.get_listing(new_uow(), actor, listing_id)
    form = OutboundForm(request.form)
    try:
        listings.retry_listing(new_uow(), actor, listing_id, form.key())
    except DomainError as error:
        return shop_page(
            listing["shop_id"], error=channel_message(error.message), status=status_of(error)
        )
    flash(
        _(
            "Listing %(sku)s from %(fc)s will be pushed again.",
            sku=listing["sku_code"],
            fc=listing["fc_code"],
        ),
        "success",
    )
    return _back_to_shop(listing["shop_id"])


@blueprint.post(f"/channels/listings/<{ID}:listing_id>/policy")
@roles_required(*CHANNEL_ROLES)
def change_policy(listing_id: int) -> Response | tuple[str, int]:
    """Set what share of the available units the listing shows, or how many it holds back."""
    actor = actor_of_request()
    listing = listings.get_listing(new_uow(), actor, listing_id)
    shop_id = listing["shop_id"]
    form = OutboundForm(request.form, target=listing_id)
    kind = form.raw("policy_kind")
    if kind not in POLICY_KINDS:
        form.refuse("policy_kind", _("Choose one of the options."))
    high = 100 if kind == "share" else 1_000_000
    value = form.whole("policy_value", 0, high, required=True)
    if form.errors or value is None:
        return shop_page(shop_id, policy_form=form, status=422)
    changes = {"share_percent": value} if kind == "share" else {"buffer_units": value}
    try:
        listings.update_listing(new_uow(), actor, channels(), listing_id, changes)
    except NotFound:
        raise
    except DomainError as error:
        form.refuse("policy_value", channel_message(error.message))
        status = 422 if isinstance(error, InvalidInput) else status_of(error)
        return shop_page(shop_id, policy_form=form, status=status)
    flash(
        _(
            "Listing %(sku)s from %(fc)s now shows: %(policy)s.",
            sku=listing["sku_code"],
            fc=listing["fc_code"],
            policy=policy_label({"share_percent": None, "buffer_units": None, **changes}),
        ),
        "success",
    )
    return _back_to_shop(shop_id)


@blueprint.post(f"/channels/<{ID}:shop_id>/import")
@roles_required(*CHANNEL_ROLES)
def import_listings(shop_id: int) -> Response | tuple[str, int]:
    """Create or update the shop's listings from a CSV file, all or nothing; every bad line
    is shown with its field and reason."""
    actor = actor_of_request()
    channel_shops.get_shop(new_uow(), actor, shop_id)
    form = OutboundForm(request.form)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        form.refuse("file", _("Choose the CSV file of the listings."))
        return shop_page(shop_id, import_form=form, status=422)
    try:
        with readable_csv():
            rows, rejected = read_listing_rows(csv_text())
        report = listings.import_listings(new_uow(), actor, channels(), shop_id, rows, rejected)
    except NotFound as error:
        if error.field == "shop_id":
            raise
        form.refuse("file", channel_message(error.message))
        return shop_page(shop_id, import_form=form, status=422)
    except DomainError as error:
        form.refuse("file", channel_message(error.message))
        status = 422 if isinstance(error, InvalidInput) else status_of(error)
        return shop_page(shop_id, import_form=form, status=status)
    if report["errors"]:
        return shop_page(shop_id, import_form=form, import_report=report, status=422)
    flash(
        _(
            "Listings imported: %(created)s new, %(updated)s updated.",
            created=report["created"],
            updated=report["updated"],
        ),
        "success",
    )
    return redirect(url_for("channel_pages.shop", shop_id=shop_id))


@blueprint.get("/channels/listings-template.csv")
@roles_required(*CHANNEL_ROLES)
def listings_template() -> Response:
    """An empty listings sheet with its column names and one example row."""
    example = {
        "sku_code": "SF-MANGO-200",
        "fc_code": "KUL1",
        "item_id": "800123456",
        "model_id": "",
        "seller_sku": "SF-MANGO-200",
        "policy": "share:60",
    }
    body = ",".join(CSV_COLUMNS) + "\r\n"
    body += ",".join(example.get(name, "") for name in CSV_COLUMNS) + "\r\n"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="listings-template.csv"'},
    )


# --- connecting a shop by hand ----------------------------------------------------------------


def _connect_page(form: OutboundForm, status: int = 200) -> tuple[str, int]:
    actor = actor_of_request()
    page = render_template(
        "channels/connect.html",
        form=form,
        marketplaces=list(Marketplace),
        merchants=list(_merchants(actor).values()) if actor.is_admin else [],
    )
    return page, status


@blueprint.get("/channels/connect")
@roles_required(*CONNECTORS)
def connect_form() -> tuple[str, int]:
    """The form to connect a shop with what its marketplace's authorisation gave (by hand:
    for the sandbox, or tokens handed over by support); `?marketplace=&country=&shop_id=`
    fill it in to re-authorise a shop."""
    values = {name: request.args.get(name, "") for name in ("marketplace", "country", "shop_id")}
    return _connect_page(OutboundForm(MultiDict({k: v for k, v in values.items() if v})))


def _moment(form: OutboundForm, name: str, *, required: bool) -> datetime | None:
    """A time with its UTC offset (ISO 8601, e.g. 2030-01-01T12:00:00+08:00)."""
    value = form.raw(name)
    if not value:
        if required:
            form.refuse(name, _("Required."))
        return None
    try:
        moment = datetime.fromisoformat(value) if value.isascii() else None
    except ValueError:
        moment = None
    try:
        in_range = moment is not None and moment.astimezone(UTC).year > 1
    except OverflowError:
        in_range = False
    if moment is None or moment.tzinfo is None or not in_range:
        form.refuse(name, _("A time with its UTC offset, such as 2030-01-01T12:00:00+08:00."))
        return None
    return moment


def _connection(form: OutboundForm, actor: Actor) -> ShopConnection | None:
    """What the form gives, or None with the refused fields in `form.errors`."""
    marketplace = form.choice("marketplace", Marketplace)
    country = form.text("country", 2, required=True).upper()
    shop_id = form.text("shop_id", 64, required=True)
    base_url = form.text("base_url", 500, required=True)
    access_token = form.text("access_token", 2000, required=True)
    refresh_token = form.text("refresh_token", 2000, required=True)
    access_expires_at = _moment(form, "access_expires_at", required=True)
    refresh_expires_at = _moment(form, "refresh_expires_at", required=False)
    shop_cipher = form.text("shop_cipher", 128)
    name = form.text("name", 80)
    merchant_id = form.whole("merchant_id", 1, 2**31 - 1, required=actor.is_admin)
    if form.errors or marketplace is None or access_expires_at is None:
        return None
    return ShopConnection(
        marketplace=marketplace,
        country=country,
        shop_id=shop_id,
        base_url=base_url,
        access_token=access_token,
        refresh_token=refresh_token,
        access_expires_at=access_expires_at,
        refresh_expires_at=refresh_expires_at,
        shop_cipher=shop_cipher,
        name=name,
        merchant_id=merchant_id if actor.is_admin else None,
    )


@blueprint.post("/channels/connect")
@roles_required(*CONNECTORS)
def connect() -> Response | tuple[str, int]:
    """Connect the shop (or re-authorise it with new tokens); bad input names the field and
    stores nothing."""
    actor = actor_of_request()
    form = OutboundForm(request.form)
    details = _connection(form, actor)
    if details is None:
        return _connect_page(form, 422)
    try:
        connected = channel_shops.connect_shop(new_uow(), actor, channels(), details)
    except DomainError as error:
        name = error.field if error.field in CONNECT_FIELDS else "shop_id"
        form.refuse(name, channel_message(error.message))
        status = 422 if isinstance(error, InvalidInput | NotFound) else status_of(error)
        return _connect_page(form, status)
    flash(_("%(shop)s is connected.", shop=connected["name"]), "success")
    return redirect(url_for("channel_pages.shop", shop_id=connected["id"]))
