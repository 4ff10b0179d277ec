"""The scanner pages: the home screen a handheld shows to warehouse staff."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from wms.bootstrap import new_uow
from wms.services.facilities import list_fcs
from wms.web.security import WAREHOUSE_ROLES, actor_of_request, roles_required

blueprint = Blueprint("scanner", __name__, url_prefix="/scan", template_folder="templates")

MAX_SCAN_LENGTH = 200


def tasks() -> list[tuple[str, str]]:
    """(key, label) of the floor tasks, in the order of the flow of goods."""
    return [
        ("receive", _("Receive")),
        ("putaway", _("Put away")),
        ("pick", _("Pick")),
        ("pack", _("Pack")),
        ("ship", _("Ship")),
        ("move", _("Move")),
        ("count", _("Count")),
    ]


def _printable(raw: str) -> str:
    """The scan without control characters (a wedge may send them), trimmed to a sane length."""
    return "".join(char for char in raw if char.isprintable()).strip()[:MAX_SCAN_LENGTH]


@blueprint.get("")
@roles_required(*WAREHOUSE_ROLES)
def home() -> str:
    """The user's FC(s), the task buttons and the scan field; shows the last scan, nothing more."""
    fcs = list_fcs(new_uow(), actor_of_request())
    scanned = _printable(request.args.get("code", ""))
    return render_template("scanner_home.html", fcs=fcs, tasks=tasks(), scanned=scanned)
