"""Pages of citizens' data requests: ask, browse, read (support, follow, moderate, answer),
export, and the demand behind an inventory item. Each calls actions and renders."""
from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.common import current_user

from ..logic.demand_action import is_entity_admin
from ..programme.export import safe_cell
from . import records

# a field people never see: a form that fills it was filled by a program
HONEYPOT = "sitio_web"
ASK_FIELDS = ("organization", "title", "description", "reason", "contact_name",
              "contact_email")
PAGE_SIZE = 20
EXPORT_COLUMNS = ("id", "entidad", "titulo", "descripcion", "motivo", "estado_respuesta",
                  "fecha_solicitud", "fecha_respuesta", "dias_para_responder", "apoyos",
                  "seguidores", "item_inventario", "dataset", "respuesta", "url")


def _context() -> dict[str, Any]:
    return {"user": current_user.name if current_user.is_authenticated else "",
            "auth_user_obj": current_user}


def _text_arg(name: str) -> str:
    value = tk.request.args.get(name, "")
    return value if value.isprintable() and len(value) <= 100 else ""


def _entities() -> list[tuple[str, str]]:
    return [(g.name, g.title or g.name) for g in model.Session.query(model.Group).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active")
        .order_by(model.Group.title)]


def ask() -> Any:
    data: dict[str, Any] = {"organization": _text_arg("entidad")}
    errors: dict[str, Any] = {}
    if tk.request.method == "POST":
        form = tk.request.form
        data = {f: form.get(f, "") for f in ASK_FIELDS}
        if form.get(HONEYPOT):
            errors = {HONEYPOT: [tk._("Leave this field empty")]}
        else:
            try:
                created = tk.get_action("opengovpe_data_request_create")(
                    _context(), {k: v for k, v in data.items() if v != "" or k in (
                        "organization", "title", "description")})
            except tk.ValidationError as error:
                errors = error.error_dict
            else:
                tk.h.flash_success(tk._("Your request was received. It will be published "
                                        "once the entity reviews it."))
                return tk.redirect_to("opengovpe_demand.read", request_id=created["id"])
    return tk.render("opengovpe/demand/ask.html", {
        "data": data, "errors": errors, "entities": _entities(), "honeypot": HONEYPOT,
        "error_summary": {_labels().get(k, k): "; ".join(map(str, v)) if isinstance(v, list)
                          else str(v) for k, v in errors.items()}})


def _labels() -> dict[str, str]:
    return {"organization": tk._("Entity"), "title": tk._("Data you need"),
            "description": tk._("Description"), "reason": tk._("What it would be used for"),
            "contact_name": tk._("Name"), "contact_email": tk._("E-mail"),
            HONEYPOT: tk._("Leave this field empty")}


def _page() -> int:
    value = tk.request.args.get("pagina", "1")
    return int(value) if value.isascii() and value.isdigit() and 0 < len(value) < 6 \
        and int(value) > 0 else 1


def index() -> str:
    params = {key: value for key, value in (
        ("organization", _text_arg("entidad")), ("state", _text_arg("estado")),
        ("status", _text_arg("respuesta")), ("sort", _text_arg("orden"))) if value}
    page = _page()
    errors: dict[str, Any] = {}
    try:
        found = tk.get_action("opengovpe_data_request_list")(
            _context(), dict(params, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE))
    except (tk.ValidationError, tk.NotAuthorized) as error:
        errors = getattr(error, "error_dict", None) or {"state": [str(error)]}
        found = {"count": 0, "results": [], "stats": {}}
    entity = model.Group.get(params["organization"]) if params.get("organization") else None
    names = {g.id: (g.name, g.title) for g in model.Session.query(model.Group).filter(
        model.Group.id.in_({r["owner_org"] for r in found["results"]}))}
    can_moderate = bool(entity) and is_entity_admin(_context(), entity.id)
    return tk.render("opengovpe/demand/index.html", {
        "found": found, "params": params, "errors": errors, "page": page,
        "pages": max(1, -(-found["count"] // PAGE_SIZE)), "entity": entity, "names": names,
        "entities": _entities(), "can_moderate": can_moderate})


ACTIONS = {"apoyar": ("opengovpe_data_request_support", {}),
           "dejar-de-apoyar": ("opengovpe_data_request_support", {"undo": True}),
           "seguir": ("opengovpe_data_request_follow", {}),
           "dejar-de-seguir": ("opengovpe_data_request_follow", {"undo": True}),
           "moderar": ("opengovpe_data_request_moderate", None),
           "responder": ("opengovpe_data_request_answer", None)}


def _show(request_id: str) -> dict[str, Any]:
    try:
        return tk.get_action("opengovpe_data_request_show")(_context(), {"id": request_id})
    except (tk.ObjectNotFound, tk.ValidationError, tk.NotAuthorized):
        return tk.abort(404, tk._("Data request not found"))


def read(request_id: str) -> Any:
    request = _show(request_id)
    errors: dict[str, Any] = {}
    data: dict[str, Any] = {}
    if tk.request.method == "POST":
        form = tk.request.form
        chosen = ACTIONS.get(form.get("accion", ""))
        if chosen is None:
            return tk.abort(400, tk._("Unknown operation"))
        action, extra = chosen
        if extra is None:
            names = ("state",) if action.endswith("moderate") else (
                "status", "item_id", "dataset_id", "answer")
            data = {k: form.get(k, "") for k in names if form.get(k, "") != ""}
        else:
            data = dict(extra)
        if not current_user.is_authenticated:
            tk.h.flash_error(tk._("Log in to support or follow a request"))
            return tk.redirect_to("user.login")
        try:
            tk.get_action(action)(_context(), dict(data, id=request["id"]))
        except tk.NotAuthorized:
            return tk.abort(403, tk._("Not authorized"))
        except tk.ValidationError as error:
            errors = error.error_dict
        else:
            tk.h.flash_success(tk._("Saved"))
            return tk.redirect_to("opengovpe_demand.read", request_id=request["id"])
    items = records.entity_item_choices(request["owner_org"]) if request["can_moderate"] else []
    return tk.render("opengovpe/demand/read.html", {
        "request_": request, "errors": errors, "data": data, "items": items})


def export() -> Response:
    params = {"organization": _text_arg("entidad")} if _text_arg("entidad") else {}
    rows: list[dict[str, Any]] = []
    limit = int(tk.config.get("ckanext.opengovpe.list.max_limit"))
    try:
        while True:
            found = tk.get_action("opengovpe_data_request_list")(
                _context(), dict(params, limit=limit, offset=len(rows), sort="created asc"))
            rows += found["results"]
            if not found["results"] or len(rows) >= found["count"]:
                break
    except tk.ValidationError:
        return tk.abort(404, tk._("Entity not found"))
    names = dict(model.Session.query(model.Group.id, model.Group.title).filter(
        model.Group.id.in_({r["owner_org"] for r in rows})).all())
    site = tk.config.get("ckan.site_url")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for r in rows:
        item = records.public_item(r["item_id"]) if r["item_id"] else None
        dataset = model.Package.get(r["dataset_id"]) if r["dataset_id"] else None
        writer.writerow([safe_cell(v) for v in [
            r["id"], names.get(r["owner_org"], ""), r["title"], r["description"],
            r["reason"] or "", r["status"], r["created"], r["answered"] or "",
            records.days_between(r["created"], r["answered"]), r["supporters"],
            r["followers"], item["title"] if item else "",
            f"{site}/dataset/{dataset.name}" if dataset and not dataset.private else "",
            r["answer"] or "", f"{site}/solicitudes-datos/{r['id']}"]])
    entity = params.get("organization") or "nacional"
    return Response(out.getvalue(), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="solicitudes-datos-{entity}.csv"'})


def item_demand(id: str, item_id: str) -> Any:
    try:
        plan = tk.get_action("opengovpe_plan_show")(_context(), {"id": id})
        demand = tk.get_action("opengovpe_demand_list")(_context(), {"item_id": item_id})
    except (tk.ObjectNotFound, tk.ValidationError):
        return tk.abort(404, tk._("Not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see this page"))
    if demand["item"]["plan_id"] != plan["id"]:
        return tk.abort(404, tk._("Not found"))
    can_edit = tk.h.check_access("opengovpe_demand_create", {"plan_id": plan["id"]})
    errors: dict[str, Any] = {}
    data: dict[str, Any] = {}
    if tk.request.method == "POST":
        if not can_edit:
            return tk.abort(403, tk._("Not authorized to change this plan"))
        form = tk.request.form
        data = {k: form.get(k, "") for k in ("kind", "reference", "date", "description")
                if form.get(k, "") != ""}
        try:
            tk.get_action("opengovpe_demand_create")(_context(), dict(data, item_id=item_id))
        except tk.ValidationError as error:
            errors = error.error_dict
        else:
            tk.h.flash_success(tk._("Saved"))
            return tk.redirect_to("opengovpe_demand.item_demand", id=plan["name"],
                                  item_id=item_id)
    return tk.render("opengovpe/demand/item.html", {
        "plan": plan, "demand": demand, "can_edit": can_edit, "errors": errors,
        "data": data})


def get_blueprints() -> list[Blueprint]:
    bp = Blueprint("opengovpe_demand", __name__)
    bp.add_url_rule("/solicitar-datos", view_func=ask, methods=["GET", "POST"])
    bp.add_url_rule("/solicitudes-datos", view_func=index)
    bp.add_url_rule("/solicitudes-datos/exportar.csv", view_func=export)
    bp.add_url_rule("/solicitudes-datos/<request_id>", view_func=read, methods=["GET", "POST"])
    bp.add_url_rule("/plan-apertura/<id>/inventario/<item_id>/demanda", view_func=item_demand,
                    methods=["GET", "POST"])
    return [bp]
