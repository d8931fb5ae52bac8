"""Pages of the open-data programme (Flask blueprint); each calls actions and renders."""
from __future__ import annotations

import datetime
from typing import Any, Callable

from flask import Blueprint, Response

import ckan.plugins.toolkit as tk
from ckan.common import current_user

from . import downloads
from .dcat import views as dcat_views
from .federation import views as federation_views
from .jobs import views as jobs_views
from .programme import export, timeline, usage

PLAN = "plan-apertura"

ITEM_FIELDS = ("title", "description", "producing_unit", "responsible", "responsible_email",
               "theme", "score", "access_level", "access_justification", "frequency",
               "formats", "temporal_coverage", "geographic_coverage", "committed_date",
               "license_id", "status", "dataset_id", "national_portal_url")
MILESTONE_FIELDS = ("name", "description", "item_id", "responsible", "responsible_email",
                    "responsible_unit", "start_date", "end_date", "actual_end_date", "status",
                    "progress", "indicator_name", "indicator_unit", "indicator_baseline",
                    "indicator_target", "indicator_value", "indicator_date")


def _context() -> dict[str, Any]:
    return {"user": current_user.name if current_user.is_authenticated else "",
            "auth_user_obj": current_user}


def _call(action: str, data: dict[str, Any]) -> Any:
    try:
        return tk.get_action(action)(_context(), data)
    except (tk.ObjectNotFound, tk.ValidationError):
        # the record named in the address cannot exist (an id that is not text)
        return tk.abort(404, tk._("Not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see this page"))


def _can(auth: str, data: dict[str, Any]) -> bool:
    try:
        tk.check_access(auth, _context(), data)
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def scoreboard() -> str:
    params = {k: v for k, v in tk.request.args.items()
              if k in ("level_of_government", "sector", "sort") and v}
    try:
        board = tk.get_action("opengovpe_scoreboard")(
            _context(), dict(params, limit=tk.config.get("ckanext.opengovpe.list.max_limit")))
        errors: dict[str, Any] = {}
    except tk.ValidationError as error:
        board, errors = {"count": 0, "results": []}, error.error_dict
    return tk.render("opengovpe/scoreboard.html", {"board": board, "params": params,
                                                   "errors": errors})


def programme(id: str) -> str:
    status = _call("opengovpe_programme_status", {"id": id})
    records = {}
    for kind in ("grupo-trabajo", "norma", PLAN):
        result = tk.get_action("package_search")(_context(), {
            "fq": f'+dataset_type:{kind} +owner_org:"{status["id"]}"',
            "include_private": True, "rows": 50, "sort": "metadata_modified desc"})
        records[kind] = result["results"]
    plans = []
    for plan in records[PLAN]:
        shown = tk.get_action("opengovpe_plan_show")(_context(), {"id": plan["id"]})
        plans.append(dict(plan, progress=shown["progress"],
                          published=[i for i in shown["items"] if i.get("dataset_id")]))
    return tk.render("opengovpe/programme.html", {
        "status": status, "groups": records["grupo-trabajo"], "norms": records["norma"],
        "plans": plans})


def plan_progress(id: str) -> str:
    plan = _call("opengovpe_plan_show", {"id": id})
    dataset = _call("package_show", {"id": plan["id"]})
    size = 50
    pages = max(1, -(-max(len(plan["items"]), len(plan["milestones"])) // size))
    requested = tk.request.args.get("pagina", "1")
    page = min(max(int(requested), 1), pages) if (
        requested.isascii() and requested.isdigit() and len(requested) < 10) else 1
    return tk.render("opengovpe/plan_progress.html", {
        "plan": plan, "pkg": dataset,
        "timeline": timeline.layout(plan["milestones"], datetime.date.today()),
        "can_edit": _can("opengovpe_plan_edit", {"id": plan["id"]}),
        "items_page": plan["items"][(page - 1) * size: page * size],
        "milestones_page": plan["milestones"][(page - 1) * size: page * size],
        "page": page, "pages": pages,
    })


def _form(kind: str, id: str, record_id: str | None, fields: tuple[str, ...],
          action_prefix: str, load: Callable[[dict[str, Any]], list[dict[str, Any]]]
          ) -> Any:
    plan = _call("opengovpe_plan_show", {"id": id})
    if not _can("opengovpe_plan_edit", {"id": plan["id"]}):
        return tk.abort(403, tk._("Not authorized to change this plan"))
    current = {}
    if record_id:
        current = next((r for r in load(plan) if r["id"] == record_id), None)
        if current is None:
            return tk.abort(404, tk._("Not found"))
    errors: dict[str, Any] = {}
    data = dict(current)
    if tk.request.method == "POST":
        form = tk.request.form
        data = {f: form.get(f, "") for f in fields if f in form}
        if kind == "milestone" and form.get("evidence_title"):
            data["evidence"] = [{"type": form.get("evidence_type", ""),
                                 "title": form.get("evidence_title", ""),
                                 "url": form.get("evidence_url", ""),
                                 "date": form.get("evidence_date", "")}]
        try:
            if record_id:
                tk.get_action(f"{action_prefix}_update")(_context(), dict(data, id=record_id))
            else:
                tk.get_action(f"{action_prefix}_create")(_context(),
                                                          dict(data, plan_id=plan["id"]))
        except tk.ValidationError as error:
            errors = error.error_dict
        else:
            tk.h.flash_success(tk._("Saved"))
            return tk.redirect_to("opengovpe.plan_progress", id=plan["name"])
        data = dict(current, **data)
    return tk.render(f"opengovpe/{kind}_form.html", {
        "plan": plan, "data": data, "errors": errors, "record_id": record_id,
        "error_summary": {k: "; ".join(map(str, v)) if isinstance(v, list) else str(v)
                          for k, v in errors.items()}})


def item_form(id: str, item_id: str | None = None) -> Any:
    return _form("item", id, item_id, ITEM_FIELDS, "opengovpe_plan_item",
                 lambda plan: plan["items"])


def milestone_form(id: str, milestone_id: str | None = None) -> Any:
    return _form("milestone", id, milestone_id, MILESTONE_FIELDS, "opengovpe_milestone",
                 lambda plan: plan["milestones"])


def _dataset_url(dataset_id: str) -> str:
    return tk.h.url_for("dataset.read", id=dataset_id, qualified=True)


def export_plan(id: str, fmt: str) -> Response:
    plan = _call("opengovpe_plan_show", {"id": id})
    filename = f"{plan['name']}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt == "csv":
        return Response(export.to_csv(plan, _dataset_url), headers=headers,
                        mimetype="text/csv; charset=utf-8")
    return Response(export.to_xlsx(plan, _dataset_url), headers=headers,
                    mimetype="application/vnd.openxmlformats-officedocument"
                             ".spreadsheetml.sheet")


def _usage_csv(figures: dict[str, Any], filename: str) -> Response:
    return Response(usage.monthly_csv(figures["monthly"]), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def entity_usage_csv(id: str) -> Response:
    figures = _call("opengovpe_usage_show", {"id": id, "type": "entity"})
    return _usage_csv(figures, f"uso-{figures['name']}.csv")


def national_usage_csv() -> Response:
    return _usage_csv(_call("opengovpe_usage_national", {}), "uso-nacional.csv")


def due_list() -> str:
    params = {"days": tk.request.args.get("dias", "14")}
    if tk.request.args.get("entidad"):
        params["organization"] = tk.request.args["entidad"]
    try:
        due = tk.get_action("opengovpe_milestone_due_list")(_context(), params)
        errors: dict[str, Any] = {}
    except tk.ValidationError as error:
        due, errors = {"overdue": [], "due_soon": [], "days": 14}, error.error_dict
    return tk.render("opengovpe/due_list.html", {"due": due, "errors": errors})


def get_blueprints() -> list[Blueprint]:
    """The programme's pages, built when CKAN asks for them."""
    bp = Blueprint("opengovpe", __name__)
    bp.add_url_rule("/tablero", view_func=scoreboard)
    bp.add_url_rule("/entidad/<id>/programa", view_func=programme)
    bp.add_url_rule("/hitos/pendientes", view_func=due_list)
    bp.add_url_rule("/entidad/<id>/uso.csv", view_func=entity_usage_csv)
    bp.add_url_rule("/tablero/uso.csv", view_func=national_usage_csv)
    bp.add_url_rule(f"/{PLAN}/<id>/avance", view_func=plan_progress)
    for rule, view in ((f"/{PLAN}/<id>/inventario/nuevo", item_form),
                       (f"/{PLAN}/<id>/inventario/<item_id>", item_form),
                       (f"/{PLAN}/<id>/hitos/nuevo", milestone_form),
                       (f"/{PLAN}/<id>/hitos/<milestone_id>", milestone_form)):
        bp.add_url_rule(rule, view_func=view, methods=["GET", "POST"])
    bp.add_url_rule(f"/{PLAN}/<id>/exportar.<any(csv, xlsx):fmt>", view_func=export_plan)
    return [bp, *dcat_views.get_blueprints(), *federation_views.get_blueprints(),
            *downloads.get_blueprints(), *jobs_views.get_blueprints()]
