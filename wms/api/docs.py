"""A browsable page of the OpenAPI document, rendered on the server (works offline)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template

docs_blueprint = Blueprint("api_docs", __name__)
METHODS = ("get", "post", "put", "patch", "delete")


def _operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    operations = []
    for path, item in sorted(spec.get("paths", {}).items()):
        for method in METHODS:
            if method in item:
                operation = item[method]
                operations.append(
                    {
                        "path": path,
                        "method": method.upper(),
                        "summary": operation.get("summary", ""),
                        "description": operation.get("description", ""),
                        "tags": operation.get("tags", []),
                        "parameters": operation.get("parameters", []),
                        "body": operation.get("requestBody", {}),
                        "responses": operation.get("responses", {}),
                        "secured": bool(operation.get("security")),
                    }
                )
    return operations


@docs_blueprint.route("/docs")
def browse() -> str:
    """Every endpoint with its parameters, body schema and responses."""
    spec = current_app.extensions["wms_api"].spec.to_dict()
    return render_template(
        "api_docs.html",
        spec=spec,
        operations=_operations(spec),
        schemas=spec.get("components", {}).get("schemas", {}),
    )
