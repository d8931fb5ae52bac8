"""Actions of the open-data programme: opening-plan items and milestones, progress,
due milestones, an entity's programme status and the national scoreboard."""
from __future__ import annotations

import datetime
from typing import Any, Callable

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Action, Context, DataDict

from ..model import demand_table, evidence_table, milestone_table, plan_item_table
from ..programme import progress, publication, records, rules, status, usage
from ..programme import vocabulary as words
from ..quality import store as quality_store
from . import schema, shape

# Actions validate as CKAN's own do: ``@validate(schema.x_schema)`` checks the request
# before the body runs (a ``ValidationError``, 409, on the fields at fault), and the body
# receives the validated ``data_dict``. Each schema refuses fields it does not know
# (``schema.request``). Three kinds of action validate in their body instead, each saying
# why: an update validates the stored record merged with what was sent, which the
# decorator never sees; a request holding lists of objects has their shape checked first,
# since navl cannot read a list that does not hold objects; and an action that takes only
# the id of what it reads checks that id with ``_reference``.


def _validate(data_dict: DataDict, schema_: dict[str, Any],
              context: Context) -> dict[str, Any]:
    """Validate ``data_dict`` against ``schema_`` where the decorator cannot (see above)."""
    data, errors = tk.navl_validate(data_dict, schema_, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def _reference(data_dict: DataDict, field: str) -> str:
    """The id (or name) given in ``field``: text without NUL, else a field error."""
    value = tk.get_or_bust(data_dict, field)
    if not isinstance(value, str):
        raise tk.ValidationError({field: [tk._("Must be text")]})
    if "\x00" in value:
        raise tk.ValidationError({field: [tk._("Must not contain NUL characters")]})
    return value


def _plan(plan_id: str) -> model.Package:
    plan = model.Package.get(plan_id)
    if plan is None or plan.type != words.PLAN_TYPE or plan.state == "deleted":
        raise tk.ObjectNotFound(tk._("Plan not found"))
    return plan


def _commit(context: Context) -> None:
    """Commit, unless the caller commits its own work later (``defer_commit``)."""
    if not context.get("defer_commit"):
        model.repo.commit()


def _today() -> datetime.date:
    return datetime.date.today()


def _follow_dataset(dataset_id: str | None, context: Context) -> None:
    """An item linked to a dataset that is already published is published."""
    if dataset_id:
        publication.sync_items(dataset_id, context.get("user"))


def _resolve_dataset(data: dict[str, Any]) -> None:
    if data.get("dataset_id"):
        dataset = model.Package.get(data["dataset_id"])
        if dataset is not None:
            data["dataset_id"] = dataset.id


# items ---------------------------------------------------------------------

@validate(schema.plan_item_schema)
def opengovpe_plan_item_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Add a prioritised dataset to an opening plan's inventory.

    :param plan_id: id or name of the plan (dataset of type ``plan-apertura``)
    :type plan_id: string
    :param title: title of the dataset to open
    :type title: string
    :param status: planificado, en-preparacion, listo-para-publicar, publicado, descartado
    :type status: string
    :param dataset_id: the published dataset, of the same entity (optional)
    :type dataset_id: string
    :returns: the new item
    :rtype: dictionary
    """
    tk.check_access("opengovpe_plan_item_create", context, data_dict)
    data = data_dict
    plan = _plan(data["plan_id"])
    errors = rules.item_errors(plan, data)
    if errors:
        raise tk.ValidationError(errors)
    _resolve_dataset(data)
    data["plan_id"] = plan.id
    data.pop("id", None)
    data.setdefault("position", records.next_position(plan_item_table, plan.id))
    row = records.insert(plan_item_table, data)
    _follow_dataset(data.get("dataset_id"), context)
    _commit(context)
    return records.as_dict(records.get(plan_item_table, row["id"]))


def _item(item_id: str) -> dict[str, Any]:
    row = records.get(plan_item_table, item_id)
    if row is None:
        raise tk.ObjectNotFound(tk._("Item not found"))
    return row


def opengovpe_plan_item_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Change an inventory item; fields not given keep their value.

    :param id: the item's id
    :type id: string
    :param plan_id: optional; if given, the item's own plan (an item cannot move)
    :type plan_id: string
    :returns: the updated item
    :rtype: dictionary
    """
    current = _item(_reference(data_dict, "id"))
    _check_same_plan(data_dict, current["plan_id"])
    merged = {**records.as_dict(current), **data_dict, "plan_id": current["plan_id"]}
    tk.check_access("opengovpe_plan_item_update", context, merged)
    # the stored item merged with what was sent: the decorator would see only the latter
    data = _validate(merged, schema.plan_item_schema(), context)
    errors = rules.item_errors(_plan(current["plan_id"]), data)
    if errors:
        raise tk.ValidationError(errors)
    _resolve_dataset(data)
    records.update(plan_item_table, current["id"], data)
    _follow_dataset(data.get("dataset_id"), context)
    _commit(context)
    return records.as_dict(records.get(plan_item_table, current["id"]))


def opengovpe_plan_item_delete(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Remove an inventory item (its milestones stay, unlinked).

    :param id: the item's id
    :type id: string
    :returns: the removed item's ``id`` and its ``plan_id``
    :rtype: dictionary
    """
    return _delete(context, _item(_reference(data_dict, "id")), plan_item_table,
                   "opengovpe_plan_item_delete")


def _delete(context: Context, current: dict[str, Any], table: sa.Table,
            action: str) -> dict[str, Any]:
    """Remove a record of its plan, if the caller may edit the plan."""
    tk.check_access(action, context, {"plan_id": current["plan_id"]})
    records.delete(table, current["id"])
    _commit(context)
    return {"id": current["id"], "plan_id": current["plan_id"]}


# milestones ----------------------------------------------------------------

def _check_same_plan(data_dict: DataDict, plan_id: str) -> None:
    """An update may name the record's own plan (as a read record does), not another."""
    if "plan_id" not in data_dict:
        return
    given = _reference(data_dict, "plan_id")
    plan = model.Package.get(given)
    if plan is None or plan.id != plan_id:
        raise tk.ValidationError({"plan_id": [tk._("A record cannot move to another plan")]})


def _milestone(milestone_id: str) -> dict[str, Any]:
    row = records.get(milestone_table, milestone_id)
    if row is None:
        raise tk.ObjectNotFound(tk._("Milestone not found"))
    return row


def _prepare_milestone(data_dict: DataDict, context: Context) -> dict[str, Any]:
    """Validated in the body: the evidence's shape is checked before navl reads it, and
    the default progress depends on whether a progress was sent (see ``_validate``)."""
    errors = rules.milestone_shape_errors(data_dict)
    if errors:
        raise tk.ValidationError(errors)
    data = _validate(data_dict, schema.milestone_schema(), context)
    rules.complete_defaults(data, progress_given=data_dict.get("progress") not in (None, ""))
    return data


def opengovpe_milestone_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Add a milestone (hito) to an opening plan.

    :param plan_id: id or name of the plan
    :type plan_id: string
    :param name: what is to be done
    :type name: string
    :param start_date: ISO date; ``end_date`` must not be earlier
    :type start_date: string
    :param status: no-iniciado, en-curso, completado, retrasado, cancelado
    :type status: string
    :param progress: 0-100; 100 exactly when completed
    :type progress: int
    :param evidence: list of {type, title, url, date}; a completed milestone needs one
    :type evidence: list of dictionaries
    :returns: the new milestone with its evidence
    :rtype: dictionary
    """
    _reference(data_dict, "plan_id")
    tk.check_access("opengovpe_milestone_create", context, data_dict)
    data = _prepare_milestone(data_dict, context)
    plan = _plan(data["plan_id"])
    evidence = data.pop("evidence", [])
    errors = rules.milestone_errors(data, len(evidence))
    errors.update(rules.item_of_plan_errors(plan.id, data.get("item_id")))
    if errors:
        raise tk.ValidationError(errors)
    data["plan_id"] = plan.id
    data.pop("id", None)
    data.setdefault("position", records.next_position(milestone_table, plan.id))
    row = records.insert(milestone_table, data)
    _add_evidence(context, row["id"], evidence)
    _commit(context)
    return _milestone_dict(row["id"])


def _add_evidence(context: Context, milestone_id: str,
                  evidence: list[dict[str, Any]]) -> None:
    user_id = _user_id(context)
    for entry in evidence:
        records.insert(evidence_table, dict(entry, id=records.new_id(),
                                            milestone_id=milestone_id, recorded_by=user_id))


def _user_id(context: Context) -> str | None:
    user = model.User.get(context.get("user") or "")
    return user.id if user else None


def _milestone_dict(milestone_id: str) -> dict[str, Any]:
    row = records.as_dict(_milestone(milestone_id))
    row["evidence"] = [records.as_dict(e)
                       for e in records.evidence_for([milestone_id])[milestone_id]]
    return row


def opengovpe_milestone_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Change a milestone: status, progress, dates, evidence to add.

    :param id: the milestone's id
    :type id: string
    :param evidence: evidence to add, list of {type, title, url, date}
    :type evidence: list of dictionaries
    :returns: the milestone with all its evidence
    :rtype: dictionary
    """
    current = _milestone(_reference(data_dict, "id"))
    _check_same_plan(data_dict, current["plan_id"])
    merged = {**records.as_dict(current), **data_dict, "plan_id": current["plan_id"]}
    if "status" in data_dict and "progress" not in data_dict:
        merged["progress"] = None
    tk.check_access("opengovpe_milestone_update", context, merged)
    data = _prepare_milestone(merged, context)
    new_evidence = data.pop("evidence", [])
    existing = len(records.evidence_for([current["id"]])[current["id"]])
    errors = rules.milestone_errors(data, existing + len(new_evidence))
    errors.update(rules.item_of_plan_errors(current["plan_id"], data.get("item_id")))
    if errors:
        raise tk.ValidationError(errors)
    records.update(milestone_table, current["id"], data)
    _add_evidence(context, current["id"], new_evidence)
    _commit(context)
    return _milestone_dict(current["id"])


def opengovpe_milestone_delete(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Remove a milestone and its evidence.

    :param id: the milestone's id
    :type id: string
    :returns: the removed milestone's ``id`` and its ``plan_id``
    :rtype: dictionary
    """
    return _delete(context, _milestone(_reference(data_dict, "id")), milestone_table,
                   "opengovpe_milestone_delete")


@validate(schema.evidence_schema)
def opengovpe_evidence_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Record a piece of evidence for a milestone.

    :param milestone_id: the milestone's id
    :type milestone_id: string
    :param type: acta, informe, dataset-publicado, norma, captura, otro
    :type type: string
    :param title: what the evidence is
    :type title: string
    :param url: where it can be seen (optional)
    :type url: string
    :returns: the milestone with all its evidence
    :rtype: dictionary
    """
    milestone = _milestone(_reference(data_dict, "milestone_id"))
    tk.check_access("opengovpe_evidence_create", context, {"plan_id": milestone["plan_id"]})
    data = dict(data_dict)
    data.update(id=records.new_id(), milestone_id=milestone["id"],
                recorded_by=_user_id(context))
    records.insert(evidence_table, data)
    _commit(context)
    return _milestone_dict(milestone["id"])


@validate(schema.demand_schema)
def opengovpe_demand_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Record a citizen data request or an access-to-information request behind an item.

    :param item_id: the inventory item's id
    :type item_id: string
    :param kind: solicitud-datos or solicitud-acceso-informacion
    :type kind: string
    :param reference: the request's file number (optional)
    :type reference: string
    :returns: the recorded demand
    :rtype: dictionary
    """
    item = _item(_reference(data_dict, "item_id"))
    tk.check_access("opengovpe_demand_create", context, {"plan_id": item["plan_id"]})
    row = records.insert(demand_table, dict(data_dict, id=records.new_id()))
    _commit(context)
    return records.as_dict(records.get(demand_table, row["id"]))


# the whole plan ---------------------------------------------------------------

@tk.side_effect_free
def opengovpe_plan_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A plan's inventory items and milestones, with evidence, demand and progress.

    :param id: id or name of the plan
    :type id: string
    :rtype: dictionary
    """
    plan = _plan(_reference(data_dict, "id"))
    tk.check_access("opengovpe_plan_show", context, {"id": plan.id})
    items = records.items(plan.id)
    milestones = records.milestones(plan.id)
    evidence = records.evidence_for(m["id"] for m in milestones)
    demand = records.demand_for(i["id"] for i in items)
    summary = progress.of_plan(plan.id, items, milestones, _today())
    return {
        "id": plan.id, "name": plan.name, "title": plan.title,
        "items": [dict(records.as_dict(i), demand=[records.as_dict(d) for d in demand[i["id"]]])
                  for i in items],
        "milestones": [dict(records.as_dict(m), overdue=words.is_overdue(m, _today()),
                            evidence=[records.as_dict(e) for e in evidence[m["id"]]])
                       for m in milestones],
        "progress": summary,
    }


@tk.side_effect_free
def opengovpe_plan_progress(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Progress of an opening plan: items and milestones by status, overdue
    milestones, % complete and the IRM-style completion level.

    :param id: id or name of the plan
    :type id: string
    :rtype: dictionary
    """
    plan = _plan(_reference(data_dict, "id"))
    tk.check_access("opengovpe_plan_progress", context, {"id": plan.id})
    return progress.of_plan(plan.id, records.items(plan.id), records.milestones(plan.id),
                           _today())


def opengovpe_plan_save(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Save a whole plan's inventory and milestones at once; what is not listed is removed.

    Items and milestones keep their ids (send ``id`` for existing ones), so
    evidence and demand recorded against them stay. A milestone names its
    item with ``item_key``: an existing item id, or the ``key`` of a new item.

    :param id: id or name of the plan
    :type id: string
    :param items: inventory items, in order (at most ``ckanext.opengovpe.plan.max_items``)
    :type items: list of dictionaries
    :param milestones: milestones, in order, each with optional new ``evidence``
        (at most ``ckanext.opengovpe.plan.max_milestones``; evidence sent with an
        ``id`` must be the milestone's own and is kept as stored)
    :type milestones: list of dictionaries
    :returns: the saved plan, as opengovpe_plan_show
    :rtype: dictionary
    """
    plan = _plan(_reference(data_dict, "id"))
    tk.check_access("opengovpe_plan_save", context, {"id": plan.id})
    # validated in the body: the lists' shape is checked before navl reads them, and each
    # milestone's default progress depends on whether a progress was sent
    errors = rules.plan_save_shape_errors(data_dict)
    if errors:
        raise tk.ValidationError(errors)
    data = _validate(dict(data_dict, id=plan.id), schema.plan_save_schema(), context)
    items, milestones = data.get("items", []), data.get("milestones", [])
    for raw, milestone in zip(data_dict.get("milestones") or [], milestones):
        rules.complete_defaults(milestone, progress_given=raw.get("progress") not in (None, ""))
    errors = rules.plan_save_errors(plan, items, milestones)
    if errors:
        raise tk.ValidationError(errors)
    for item in items:
        _resolve_dataset(item)
    records.replace_plan(plan.id, items, milestones, _user_id(context))
    for dataset_id in {i["dataset_id"] for i in items if i.get("dataset_id")}:
        _follow_dataset(dataset_id, context)
    _commit(context)
    return tk.get_action("opengovpe_plan_show")(context, {"id": plan.id})


# national views -----------------------------------------------------------

def _visible_plan_ids(context: Context, organization: str | None) -> list[str]:
    ids: list[str] = []
    fq = f"+dataset_type:{words.PLAN_TYPE}"
    if organization:
        # by id, so that what was typed never becomes search syntax
        entity = model.Group.get(organization)
        if entity is None or not entity.is_organization:
            raise tk.ValidationError({"organization": [tk._("Entity not found")]})
        fq += f' +owner_org:"{entity.id}"'
    while True:
        result = tk.get_action("package_search")(
            {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj")},
            {"fq": fq, "include_private": True, "include_drafts": True, "fl": "id",
             "rows": 1000, "start": len(ids)})
        ids.extend(r["id"] for r in result["results"])
        if len(ids) >= result["count"] or not result["results"]:
            return ids


@tk.side_effect_free
@validate(schema.due_list_schema)
def opengovpe_milestone_due_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Overdue milestones and those due within ``days``, across the plans the user can see.

    :param days: how far ahead to look (default 14, at most 365)
    :type days: int
    :param organization: only this entity's plans (optional)
    :type organization: string
    :param limit: at most this many milestones, the earliest due first (default and
        largest: ``ckanext.opengovpe.list.max_limit``)
    :type limit: int
    :param offset: milestones to skip (at most ``ckanext.opengovpe.list.max_offset``)
    :type offset: int
    :returns: ``overdue`` and ``due_soon`` lists, each milestone with its plan
        (``plan_name``, ``plan_title``) and entity (``owner_org``, ``entity_name``,
        ``entity_title``)
    :rtype: dictionary
    """
    tk.check_access("opengovpe_milestone_due_list", context, data_dict)
    data = data_dict
    plan_ids = _visible_plan_ids(context, data.get("organization"))
    today = _today()
    horizon = today + datetime.timedelta(days=int(data["days"]))
    rows = records.due_milestones(plan_ids, horizon, int(data["limit"]),
                                  int(data["offset"])) if plan_ids else []
    overdue, due_soon = [], []
    for row in rows:
        entry = dict(records.as_dict(row), days_left=(row["end_date"] - today).days)
        (overdue if row["end_date"] < today else due_soon).append(entry)
    return {"overdue": overdue, "due_soon": due_soon, "days": int(data["days"])}


@tk.side_effect_free
def opengovpe_programme_status(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """An entity's open-data programme: the four PE0087 milestones, computed from
    its public records, with plan progress and published datasets.

    :param id: id or name of the entity (organization)
    :type id: string
    :rtype: dictionary
    """
    tk.check_access("opengovpe_programme_status", context, data_dict)
    reference = _reference(data_dict, "id")
    found = status.entity(reference[:200], today=_today())
    if found is None:
        raise tk.ObjectNotFound(tk._("Entity not found"))
    return found


@tk.side_effect_free
@validate(schema.scoreboard_schema)
def opengovpe_scoreboard(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """National scoreboard: every entity's programme status, filterable and sortable.

    :param level_of_government: nacional, regional or local (optional)
    :type level_of_government: string
    :param sector: a sector (optional)
    :type sector: string
    :param sort: ``progress desc`` (default), ``progress asc``, ``name asc|desc``,
        ``milestones asc|desc``, ``demand asc|desc`` (share of citizens' data requests
        answered)
    :type sort: string
    :param limit: default 100, at most ``ckanext.opengovpe.list.max_limit`` (5000)
    :type limit: int
    :param offset: default 0, at most ``ckanext.opengovpe.list.max_offset``
    :type offset: int
    :returns: ``count``, ``results`` and ``figures_read_at`` (when the demand, usage and
        quality figures were read, ISO 8601 UTC; at most
        ``ckanext.opengovpe.scoreboard.cache_seconds`` ago)
    :rtype: dictionary
    """
    tk.check_access("opengovpe_scoreboard", context, data_dict)
    return status.scoreboard(data_dict.get("level_of_government"), data_dict.get("sector"),
                             data_dict["sort"], int(data_dict["limit"]),
                             int(data_dict["offset"]), today=_today())


def _usage_datasets(kind: str, reference: str) -> tuple[dict[str, Any], list[str]]:
    """What ``reference`` names (an item, a plan or an entity) and its published datasets."""
    if kind == "item":
        item = model.Session.execute(sa.select(plan_item_table).where(
            plan_item_table.c.id == reference)).mappings().first()
        if item is None:
            raise tk.ObjectNotFound(tk._("Item not found"))
        _plan(item["plan_id"])
        return ({"id": item["id"], "title": item["title"], "plan_id": item["plan_id"]},
                [item["dataset_id"]] if item["dataset_id"] else [])
    if kind == "plan":
        plan = _plan(reference)
        return ({"id": plan.id, "name": plan.name, "title": plan.title},
                [i["dataset_id"] for i in records.items(plan.id) if i["dataset_id"]])
    entity = model.Group.get(reference)
    if entity is None or not entity.is_organization or entity.state != "active":
        raise tk.ObjectNotFound(tk._("Entity not found"))
    return ({"id": entity.id, "name": entity.name, "title": entity.title},
            list(usage.published([entity.id])))


@tk.side_effect_free
@validate(schema.usage_show_schema)
def opengovpe_usage_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Views and downloads of an opening-plan item's dataset, of a plan's or of an
    entity's published datasets: totals, the last 30 days, a monthly series, and each
    dataset's figures with ``unused`` when nobody used it in the last 90 days.

    :param id: id of the item, or id or name of the plan or entity
    :type id: string
    :param type: ``item``, ``plan`` or ``entity`` (default)
    :type type: string
    :rtype: dictionary
    """
    described, dataset_ids = _usage_datasets(data_dict["type"], data_dict["id"])
    tk.check_access("opengovpe_usage_show", context, {
        "type": data_dict["type"], "id": described.get("plan_id", described["id"])})
    return dict(usage.summary(dataset_ids, _today()), type=data_dict["type"], **described)


@tk.side_effect_free
@validate(schema.usage_national_schema)
def opengovpe_usage_national(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Views and downloads of every entity's published datasets together: totals, the
    last 30 days, a monthly series, and how many published datasets nobody used in the
    last 90 days.

    :rtype: dictionary
    """
    tk.check_access("opengovpe_usage_national", context, data_dict)
    owners = usage.published()
    found = usage.summary(owners, _today())
    datasets = found.pop("datasets")
    return dict(found, entities=len(set(owners.values())), datasets=len(datasets),
                unused_datasets=sum(1 for d in datasets if d["unused"]))


def _entity_or_country(data_dict: DataDict, context: Context
                       ) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    data = _validate(data_dict, schema.entity_or_country_schema(), context)
    if not data.get("entity"):
        return None, data
    entity = model.Group.get(data["entity"])
    if entity is None or not entity.is_organization or entity.state != "active":
        raise tk.ObjectNotFound(tk._("Entity not found"))
    return {"id": entity.id, "name": entity.name, "title": entity.title}, data


@tk.side_effect_free
def opengovpe_usage_report(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Views and downloads of the datasets that publish opening-plan items, from the
    monthly figures the ``usage_publish`` job sums every day: by month, the datasets and
    (for the country) the entities most used in the last 12 months, and the totals.

    :param entity: id or name of an entity (optional; without it, the whole country)
    :type entity: string
    :returns: ``entity`` (or null), ``since`` (first day of the 12 months), ``totals``
        (``views``, ``downloads``, ``views_year``, ``downloads_year``,
        ``datasets_used_year``), ``monthly``, ``top_datasets``, ``top_entities``
    :rtype: dictionary
    """
    from ..programme import usage_data

    tk.check_access("opengovpe_usage_report", context, data_dict)
    entity, _data = _entity_or_country(data_dict, context)
    entity_id = entity["id"] if entity else None
    since = usage_data.year_start(_today())
    return {
        "entity": entity, "since": since.isoformat(),
        "totals": usage_data.totals(entity_id, since),
        "monthly": usage_data.monthly(entity_id),
        "top_datasets": usage_data.top_datasets(entity_id, since),
        "top_entities": [] if entity else usage_data.top_entities(since),
    }


@tk.side_effect_free
def opengovpe_story_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The programme of an entity or of the country as a story: data requests received
    and answered, datasets prioritised in the opening plans (and how many had recorded
    demand), published (on time, late or without a committed date; overdue and pending
    ones), used (views and downloads, all and in the last 12 months) and their metadata
    quality (average MQA score); for an entity, its prioritised items too.

    :param entity: id or name of an entity (optional; without it, the whole country)
    :type entity: string
    :returns: ``entity`` (or null), ``demand``, ``prioritised``, ``published``, ``used``,
        ``quality`` and, for an entity, ``items``
    :rtype: dictionary
    """
    from ..programme import story

    tk.check_access("opengovpe_story_show", context, data_dict)
    entity, _data = _entity_or_country(data_dict, context)
    entity_id = entity["id"] if entity else None
    found = story.steps(entity_id, _today()) if entity_id else story.national(_today())
    found["entity"] = entity
    if entity:
        found["items"] = story.items(entity_id, _today())
    return found


@tk.side_effect_free
def opengovpe_health_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The portal's recurring work, for an administrator or a monitoring system: each
    recurring job with its last run, result and next run; the scheduler, jobs workers and
    harvest consumers with their last sign of life; each harvest source with its last job's
    status and error count.

    :returns: ``generated``, ``jobs``, ``processes``, ``harvest_sources`` and
        ``sync_changes`` (datasets whose national portal status changed between the last
        two weekly sync reports)
    :rtype: dictionary
    """
    from ..jobs import health

    tk.check_access("opengovpe_health_show", context, data_dict)
    return health.report()


# the coordinator's records ----------------------------------------------------

def _entity(reference: str) -> model.Group:
    entity = model.Group.get(reference)
    if entity is None or not entity.is_organization or entity.state != "active":
        raise tk.ValidationError({"organization": [tk._("Entity not found")]})
    return entity


@tk.side_effect_free
@validate(schema.record_list_schema)
def opengovpe_record_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The records of one type that an entity holds and the user may see, by title: what
    a form's picker offers when one record names another.

    :param organization: id or name of the entity
    :type organization: string
    :param type: ``grupo-trabajo``, ``norma``, ``plan-apertura`` or ``dataset``
    :type type: string
    :param q: only records whose title holds these words (optional)
    :type q: string
    :param limit: at most this many records (default 100, at most 1000)
    :type limit: int
    :returns: each record's ``id``, ``name``, ``title``, ``state`` and ``private``
    :rtype: list of dictionaries
    """
    tk.check_access("opengovpe_record_list", context, data_dict)
    data = data_dict
    entity = _entity(data["organization"])
    result = tk.get_action("package_search")(
        {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj")},
        {"fq": f'+dataset_type:"{data["type"]}" +owner_org:"{entity.id}"',
         "include_private": True, "include_drafts": True, "rows": 1000,
         "fl": "id,name,title,state,private", "sort": "title_string asc"})
    words = (data.get("q") or "").casefold().split()
    found = [{key: record.get(key) for key in ("id", "name", "title", "state", "private")}
             for record in result["results"]
             if all(word in (record.get("title") or "").casefold() for word in words)]
    return found[:int(data["limit"])]


@validate(schema.record_publish_schema)
def opengovpe_record_publish(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Publish a working group, regulation or opening plan (public and active), so that
    it counts in its entity's programme status and on the national scoreboard; or, with
    ``publish`` false, withdraw it (private: only the entity's members see it, and it no
    longer counts).

    :param id: id or name of the record
    :type id: string
    :param publish: true to publish (default), false to withdraw
    :type publish: bool
    :returns: the record
    :rtype: dictionary
    """
    record = model.Package.get(data_dict["id"])
    if (record is None or record.state == "deleted"
            or record.type not in schema.PROGRAMME_RECORD_TYPES):
        raise tk.ObjectNotFound(tk._("Record not found"))
    tk.check_access("opengovpe_record_publish", context, {"id": record.id})
    return tk.get_action("package_patch")(
        {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj"),
         "allow_state_change": True},
        {"id": record.id, "private": not data_dict["publish"], "state": "active"})


# CKAN's own actions, guarded: a value of a type no dataset or entity can hold is refused
# on its field before CKAN reads it, and a record asked for by an id that is not text, or
# that holds NUL, is not found (see logic/shape.py). They keep CKAN's own validation,
# against the scheming schema of the record's type chosen at run time, after the guard;
# ``@validate`` cannot hold that schema.

def _guarded(name: str, doc: str, check: Callable[..., None], *keys: str,
             side_effect_free: bool = False) -> Action:
    """CKAN's action ``name``, chained: ``check(data_dict, *keys)`` first."""
    def guarded(up_func: Action, context: Context, data_dict: DataDict) -> Any:
        check(data_dict, *keys)
        return up_func(context, data_dict)
    guarded.__name__ = guarded.__qualname__ = name
    guarded.__doc__ = doc
    if side_effect_free:
        guarded = tk.side_effect_free(guarded)
    return tk.chained_action(guarded)


def _write(name: str, record: str, check: Callable[..., None]) -> Action:
    return _guarded(name, f"{name.split('_')[1].capitalize()} {record}, refusing first the "
                    "values of a type its fields cannot hold.", check)


def _show(name: str, record: str, *keys: str) -> Action:
    return _guarded(name, f"Show {record}; one asked for by an id that is not text, or holds "
                    "NUL, is not found.", shape.check_shown_id, *keys, side_effect_free=True)


package_create = _write("package_create", "a dataset", shape.check_dataset)
package_update = _write("package_update", "a dataset", shape.check_dataset)
package_patch = _write("package_patch", "a dataset", shape.check_dataset)
organization_create = _write("organization_create", "an entity", shape.check_organization)
organization_update = _write("organization_update", "an entity", shape.check_organization)
package_show = _show("package_show", "a dataset", "id", "name_or_id")
resource_show = _show("resource_show", "a resource", "id")
organization_show = _show("organization_show", "an entity", "id")
group_show = _show("group_show", "a group", "id")
user_show = _show("user_show", "a user", "id")


@tk.side_effect_free
def opengovpe_quality_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The metadata quality of a dataset after data.europa.eu's MQA methodology: its
    score out of 405, its rating, the points of each dimension, each criterion with
    the points it earned and the points a fix would gain, the SHACL result and when it
    was computed. The stored score is answered; it is computed (around a second) only
    when missing or older than the dataset.

    :param id: id or name of the dataset
    :type id: string
    :rtype: dictionary
    """
    reference = _reference(data_dict, "id")
    tk.check_access("opengovpe_quality_show", context, {"id": reference})
    dataset = tk.get_action("package_show")(
        {"user": context.get("user"), "ignore_auth": context.get("ignore_auth", False)},
        {"id": reference})
    if dataset.get("type") != "dataset":
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return quality_store.quality_of(dataset)


@tk.side_effect_free
def opengovpe_quality_summary(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The metadata quality of an entity's public, active datasets, or of all of them
    (nationally), from the stored MQA scores: how many are scored, their average out of
    405, the average of each dimension and how many have each rating.

    :param entity: id or name of the entity (optional; nationally without it)
    :type entity: string
    :returns: ``count``, ``average``, ``max`` (405), ``dimensions`` (findability,
        accessibility, interoperability, reusability, contextuality: their averages) and
        ``distribution`` (excellent, good, sufficient, bad: how many datasets), with
        ``entity`` (id, name, title) when one was asked for
    :rtype: dictionary
    """
    tk.check_access("opengovpe_quality_summary", context, data_dict)
    data = _validate(data_dict, schema.entity_or_country_schema(), context)
    if not data.get("entity"):
        return quality_store.summary()
    entity = model.Group.get(data["entity"])
    if entity is None or not entity.is_organization or entity.state != "active":
        raise tk.ValidationError({"entity": [tk._("Entity not found")]})
    return dict(quality_store.summary(entity.id),
                entity={"id": entity.id, "name": entity.name, "title": entity.title})
