"""Pages of the open-data programme (Flask blueprint); each calls actions and renders."""
from __future__ import annotations

import datetime
import os
from typing import Any, Callable

from flask import Blueprint, Response, send_file

import ckan.plugins.toolkit as tk
from ckan.common import current_user

from . import charts, downloads, home, stages
from .translation import N_
from .dcat import views as dcat_views
from .demand import views as demand_views
from .federation import views as federation_views
from .jobs import views as jobs_views
from .logic import schema
from .logic.schema import PROGRAMME_RECORD_TYPES
from .programme import export, status, timeline, usage, usage_data
from .programme import records as plan_records
from .programme.vocabulary import PLAN_TYPE as PLAN
from .programme.vocabulary import REGULATION_TYPE, WORKING_GROUP_TYPE

SCOREBOARD_PAGE = 100


DEMAND_FIELDS = ("kind", "reference", "date", "description")
# each form field's label, as the form shows it: an error summary names fields by them
FIELD_LABELS: dict[str, dict[str, str]] = {
    "item": {
        "title": N_("Title"), "description": N_("Description"),
        "producing_unit": N_("Producing unit"), "responsible": N_("Responsible"),
        "responsible_email": N_("Responsible e-mail"), "theme": N_("Theme (PNDA)"),
        "criteria": N_("Prioritisation criteria"), "score": N_("Priority score"),
        "access_level": N_("Access level"),
        "access_justification": N_("Justification of the access level"),
        "frequency": N_("Update frequency"), "formats": N_("Formats (comma separated)"),
        "committed_date": N_("Committed publication date"), "status": N_("Status"),
        "dataset_id": N_("Published dataset"),
        "national_portal_url": N_("URL on the national portal"),
    },
    "milestone": {
        "name": N_("Name"), "description": N_("Description"),
        "item_id": N_("Prioritised dataset"), "responsible": N_("Responsible"),
        "responsible_email": N_("Responsible e-mail"),
        "responsible_unit": N_("Responsible unit"), "start_date": N_("Start"),
        "end_date": N_("End"), "actual_end_date": N_("Actual end"), "status": N_("Status"),
        "progress": N_("Progress (%%)"), "evidence": N_("Evidence"),
    },
}
DEMAND_LABELS = {"kind": N_("Kind of request"), "reference": N_("File number"),
                 "date": N_("Date of the request"), "description": N_("What was asked")}


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


def _board() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Every entity the scoreboard's filters and order in the address give, the
    parameters taken and their errors."""
    params = {k: v for k, v in tk.request.args.items()
              if k in ("level_of_government", "sector", "sort") and v}
    try:
        board = tk.get_action("opengovpe_scoreboard")(
            _context(), dict(params, limit=tk.config.get("ckanext.opengovpe.list.max_limit")))
        errors: dict[str, Any] = {}
    except tk.ValidationError as error:
        board, errors = {"count": 0, "results": []}, error.error_dict
    return board, params, errors


SORTABLE = ("name", "progress", "milestones", "demand", "usage", "quality")


def scoreboard() -> str:
    board, params, errors = _board()
    # the picture shows every entity that matches; the table, a page of them
    size = SCOREBOARD_PAGE
    pages = max(1, -(-len(board["results"]) // size))
    page = _page_number(tk.request.args.get("pagina", "1"), pages)
    return tk.render("opengovpe/scoreboard.html", {
        "board": dict(board, results=board["results"][(page - 1) * size: page * size]),
        "picture": home.picture(board["results"]), "page": page, "pages": pages,
        "params": params, "errors": errors, "sort": params.get("sort", "progress desc"),
        "sortable": SORTABLE, "figures_age": _age_seconds(board.get("figures_read_at"))})


def _age_seconds(read_at: str | None) -> int | None:
    """How many seconds ago the scoreboard's demand, usage and quality figures were read."""
    if not read_at:
        return None
    read = datetime.datetime.fromisoformat(read_at)
    return max(0, int((datetime.datetime.now(datetime.timezone.utc) - read).total_seconds()))


def scoreboard_csv() -> Response:
    board, _params, errors = _board()
    if errors:
        return tk.abort(400, tk._("The filters are not valid."))
    return Response(status.to_csv(board["results"]), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="tablero.csv"'})


def _page_number(requested: str, pages: int) -> int:
    """The page asked for in the address, within 1..pages (1 when it is not a number)."""
    if requested.isascii() and requested.isdigit() and len(requested) < 10:
        return min(max(int(requested), 1), pages)
    return 1


def programme(id: str) -> str:
    status = _call("opengovpe_programme_status", {"id": id})
    # the entity's records of the three kinds in one search, newest first, as the
    # coordinator sees them (drafts and private ones too)
    kinds = (WORKING_GROUP_TYPE, REGULATION_TYPE, PLAN)
    result = tk.get_action("package_search")(_context(), {
        "fq": f'+dataset_type:({" OR ".join(kinds)}) +owner_org:"{status["id"]}"',
        "include_private": True, "include_drafts": True, "rows": 150,
        "sort": "metadata_modified desc"})
    records: dict[str, list[dict[str, Any]]] = {kind: [] for kind in kinds}
    for record in result["results"]:
        if len(records[record["type"]]) < 50:
            records[record["type"]].append(record)
    plans = []
    for plan in records[PLAN]:
        # the plan's progress (which checks access) and its items: the page shows neither
        # milestones nor their evidence, which a large plan has by the thousand
        progress = tk.get_action("opengovpe_plan_progress")(_context(), {"id": plan["id"]})
        items = [plan_records.as_dict(i) for i in plan_records.items(plan["id"])]
        plans.append(dict(plan, progress=progress, items=items,
                          published=[i for i in items if i.get("dataset_id")]))
    can_edit = _can("package_create", {"owner_org": status["id"]})
    return tk.render("opengovpe/programme.html", {
        "status": status, "groups": records[WORKING_GROUP_TYPE],
        "norms": records[REGULATION_TYPE], "plans": plans, "can_edit": can_edit,
        "stages": stages.stages(status, records[WORKING_GROUP_TYPE], records[REGULATION_TYPE],
                                plans, can_edit)})


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
        if kind == "item":
            # checkboxes: none ticked sends nothing, and means no criterion
            data["criteria"] = form.getlist("criteria")
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
        "delete_route": f"opengovpe.{kind}_delete", "delete_key": f"{kind}_id",
        "error_summary": _error_summary(errors, FIELD_LABELS[kind])})


def _error_messages(value: Any) -> list[str]:
    """The messages of one field's errors, nested ones (evidence) included."""
    if isinstance(value, dict):
        return [m for v in value.values() for m in _error_messages(v)]
    if isinstance(value, list):
        return [m for v in value for m in _error_messages(v)]
    return [str(value)] if value else []


def _error_summary(errors: dict[str, Any], labels: dict[str, str]) -> dict[str, str]:
    """Each field's errors under its label in the page's language, never its key."""
    return {tk._(labels.get(key, N_("Other data"))).replace("%%", "%"):
            "; ".join(_error_messages(value))
            for key, value in errors.items()}


def demand_add(id: str, item_id: str) -> Any:
    """Record a citizen or access-to-information request behind a prioritised dataset."""
    plan = _call("opengovpe_plan_show", {"id": id})
    if not _can("opengovpe_plan_edit", {"id": plan["id"]}):
        return tk.abort(403, tk._("Not authorized to change this plan"))
    item = next((i for i in plan["items"] if i["id"] == item_id), None)
    if item is None:
        return tk.abort(404, tk._("Not found"))
    if tk.request.method != "POST":
        return tk.redirect_to("opengovpe.item_form", id=plan["name"], item_id=item["id"])
    form = tk.request.form
    data = {f: form.get(f"demand_{f}", "") for f in DEMAND_FIELDS}
    try:
        tk.get_action("opengovpe_demand_create")(_context(), dict(data, item_id=item["id"]))
    except tk.ValidationError as error:
        return tk.render("opengovpe/item_form.html", {
            "plan": plan, "data": item, "errors": {}, "record_id": item["id"],
            "delete_route": "opengovpe.item_delete", "delete_key": "item_id",
            "demand": data, "demand_errors": error.error_dict,
            "error_summary": _error_summary(error.error_dict, DEMAND_LABELS)})
    tk.h.flash_success(tk._("Request recorded"))
    return tk.redirect_to("opengovpe.item_form", id=plan["name"], item_id=item["id"])


def item_form(id: str, item_id: str | None = None) -> Any:
    return _form("item", id, item_id, schema.form_fields(schema.plan_item_schema()),
                 "opengovpe_plan_item",
                 lambda plan: plan["items"])


def milestone_form(id: str, milestone_id: str | None = None) -> Any:
    return _form("milestone", id, milestone_id,
                 schema.form_fields(schema.milestone_schema()), "opengovpe_milestone",
                 lambda plan: plan["milestones"])


def _confirm(heading: str, explanation: str, button: str, cancel_url: str,
             back_label: str, danger: bool = False) -> str:
    return tk.render("opengovpe/confirm.html", {
        "heading": heading, "explanation": explanation, "button": button,
        "cancel_url": cancel_url, "back_label": back_label, "danger": danger})


def _record_visibility(id: str, publish: bool) -> Any:
    record = _call("package_show", {"id": id})
    if record.get("type") not in PROGRAMME_RECORD_TYPES:
        return tk.abort(404, tk._("Not found"))
    if not _can("opengovpe_record_publish", {"id": record["id"]}):
        return tk.abort(403, tk._("Not authorized to publish this record"))
    entity = record.get("organization") or {}
    back = (tk.h.url_for("opengovpe.programme", id=entity["name"]) if entity
            else tk.h.url_for(f"{record['type']}.read", id=record["name"]))
    if tk.request.method == "POST":
        _call("opengovpe_record_publish", {"id": record["id"], "publish": publish})
        message = tk._("«{title}» is published.") if publish else tk._("«{title}» is withdrawn.")
        tk.h.flash_success(message.format(title=record["title"]))
        return tk.redirect_to(back)
    if publish:
        return _confirm(
            tk._("Publish «{title}»").format(title=record["title"]),
            tk._("«{title}» becomes public: anyone can see it, and it counts in the "
                 "entity's programme status and on the national scoreboard.").format(
                     title=record["title"]),
            tk._("Publish"), back, entity.get("title") or record["title"])
    return _confirm(
        tk._("Withdraw «{title}»").format(title=record["title"]),
        tk._("«{title}» becomes private: only the entity's members see it, and it no longer "
             "counts in the entity's programme status or on the national scoreboard.").format(
                 title=record["title"]),
        tk._("Withdraw"), back, entity.get("title") or record["title"], danger=True)


def record_publish(id: str) -> Any:
    return _record_visibility(id, True)


def record_withdraw(id: str) -> Any:
    return _record_visibility(id, False)


def _delete(kind: str, id: str, record_id: str) -> Any:
    plan = _call("opengovpe_plan_show", {"id": id})
    if not _can("opengovpe_plan_edit", {"id": plan["id"]}):
        return tk.abort(403, tk._("Not authorized to change this plan"))
    found = next((r for r in plan["items" if kind == "item" else "milestones"]
                  if r["id"] == record_id), None)
    if found is None:
        return tk.abort(404, tk._("Not found"))
    back = tk.h.url_for("opengovpe.plan_progress", id=plan["name"])
    title = found.get("title") or found.get("name")
    if tk.request.method == "POST":
        action = "opengovpe_plan_item_delete" if kind == "item" else "opengovpe_milestone_delete"
        _call(action, {"id": record_id})
        tk.h.flash_success(tk._("«{title}» is deleted.").format(title=title))
        return tk.redirect_to(back)
    if kind == "item":
        explanation = tk._("The prioritised dataset «{title}» is removed from the plan with "
                           "its recorded demand; its milestones stay, without a dataset; a "
                           "published dataset it links to stays published.")
    else:
        explanation = tk._("The milestone «{title}» is removed from the plan with its "
                           "evidence.")
    return _confirm(tk._("Delete «{title}»").format(title=title),
                    explanation.format(title=title), tk._("Delete"), back, plan["title"],
                    danger=True)


def item_delete(id: str, item_id: str) -> Any:
    return _delete("item", id, item_id)


def milestone_delete(id: str, milestone_id: str) -> Any:
    return _delete("milestone", id, milestone_id)


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


def _quality_csv(entity_id: str | None, filename: str) -> Response:
    """One row per public dataset with its stored quality (``quality/export.py``)."""
    from .quality import export as quality_export, store as quality_store

    return Response(quality_export.to_csv(quality_store.dataset_rows(entity_id)),
                    mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def entity_quality_csv(id: str) -> Response:
    entity = _call("opengovpe_quality_summary", {"entity": id})["entity"]
    return _quality_csv(entity["id"], f"calidad-{entity['name']}.csv")


def national_quality_csv() -> Response:
    if not _can("opengovpe_quality_summary", {}):
        return tk.abort(403, tk._("Not authorized to see this page"))
    return _quality_csv(None, "calidad-nacional.csv")


def _usage_file(scope: str, filename: str) -> Response:
    """A usage CSV file the ``usage_publish`` job wrote."""
    try:
        path = usage_data.file_path(scope)
    except RuntimeError:
        return tk.abort(404, tk._("Not found"))
    if not os.path.isfile(path):
        return tk.abort(404, tk._("The usage file has not been published yet; it is "
                                  "written once a day."))
    return send_file(path, mimetype="text/csv; charset=utf-8", as_attachment=True,
                     download_name=filename, max_age=0)


def entity_usage_file(id: str) -> Response:
    entity = _call("opengovpe_usage_report", {"entity": id})["entity"]
    return _usage_file(entity["id"], f"uso-mensual-{entity['name']}.csv")


def national_usage_file() -> Response:
    return _usage_file(usage_data.NATIONAL, "uso-mensual-nacional.csv")


def _month_rows(monthly: list[dict[str, Any]], limit: int = 24) -> list[dict[str, Any]]:
    """Monthly usage as chart rows, the latest ``limit`` months, labelled as the page's
    language writes a month."""
    return tk.h.opengovpe_month_rows(monthly[-limit:])


def usage_page() -> str:
    report = _call("opengovpe_usage_report", {})
    rows = _month_rows(report["monthly"])
    return tk.render("opengovpe/usage.html", {
        "report": report, "month_rows": rows,
        "chart": charts.bars(rows, ["views", "downloads"]),
        "national_dataset": usage_data.linked(usage_data.NATIONAL)})


def _story(entity: str | None) -> str:
    data = {"entity": entity} if entity else {}
    found = _call("opengovpe_story_show", data)
    rows = _month_rows(found["used"]["monthly"], 12)
    scope = found["entity"]["id"] if found["entity"] else usage_data.NATIONAL
    return tk.render("opengovpe/story.html", {
        "story": found, "entity": found["entity"], "month_rows": rows,
        "chart": charts.bars(rows, ["views", "downloads"]),
        "usage_dataset": usage_data.linked(scope)})


def entity_story(id: str) -> str:
    return _story(id)


def national_story() -> str:
    return _story(None)


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
    bp.add_url_rule("/tablero.csv", view_func=scoreboard_csv)
    bp.add_url_rule("/tablero/uso", view_func=usage_page)
    bp.add_url_rule("/tablero/uso-mensual.csv", view_func=national_usage_file)
    bp.add_url_rule("/tablero/historia", view_func=national_story)
    bp.add_url_rule("/entidad/<id>/historia", view_func=entity_story)
    bp.add_url_rule("/entidad/<id>/uso-mensual.csv", view_func=entity_usage_file)
    bp.add_url_rule("/entidad/<id>/programa", view_func=programme)
    bp.add_url_rule("/hitos/pendientes", view_func=due_list)
    bp.add_url_rule("/entidad/<id>/uso.csv", view_func=entity_usage_csv)
    bp.add_url_rule("/tablero/uso.csv", view_func=national_usage_csv)
    bp.add_url_rule("/entidad/<id>/calidad.csv", view_func=entity_quality_csv)
    bp.add_url_rule("/tablero/calidad.csv", view_func=national_quality_csv)
    bp.add_url_rule(f"/{PLAN}/<id>/avance", view_func=plan_progress)
    for rule, view in ((f"/{PLAN}/<id>/inventario/nuevo", item_form),
                       (f"/{PLAN}/<id>/inventario/<item_id>", item_form),
                       (f"/{PLAN}/<id>/hitos/nuevo", milestone_form),
                       (f"/{PLAN}/<id>/hitos/<milestone_id>", milestone_form)):
        bp.add_url_rule(rule, view_func=view, methods=["GET", "POST"])
    for rule, view in ((f"/{PLAN}/<id>/inventario/<item_id>/eliminar", item_delete),
                       (f"/{PLAN}/<id>/hitos/<milestone_id>/eliminar", milestone_delete),
                       (f"/{PLAN}/<id>/inventario/<item_id>/registrar-demanda", demand_add),
                       ("/registro/<id>/publicar", record_publish),
                       ("/registro/<id>/retirar", record_withdraw)):
        bp.add_url_rule(rule, view_func=view, methods=["GET", "POST"])
    bp.add_url_rule(f"/{PLAN}/<id>/exportar.<any(csv, xlsx):fmt>", view_func=export_plan)
    return [bp, *dcat_views.get_blueprints(), *federation_views.get_blueprints(),
            *downloads.get_blueprints(), *jobs_views.get_blueprints(),
            *demand_views.get_blueprints()]
