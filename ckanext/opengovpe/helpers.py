"""Template helpers of the open-data programme (prefixed ``opengovpe_``)."""
from __future__ import annotations

import datetime
import json
import re
from typing import Any

import ckan.plugins.toolkit as tk

from . import text, vocab
from .programme.vocabulary import STATUS_CLASSES
from .translation import N_

__all__ = ["opengovpe_vocab_choices", "opengovpe_label", "opengovpe_choices",
           "opengovpe_milestone_label", "opengovpe_status_class",
           "opengovpe_organization_card", "opengovpe_safe_link", "opengovpe_usage_enabled",
           "opengovpe_usage", "opengovpe_records",
           "opengovpe_reference_links", "opengovpe_form_entity", "opengovpe_one_step_form",
           "opengovpe_is_published", "opengovpe_home_text",
           "opengovpe_national_picture", "opengovpe_latest", "opengovpe_plan_history",
           "opengovpe_bar_chart", "opengovpe_ocds_month_chart", "opengovpe_ocds_method_chart",
           "opengovpe_department_name", "opengovpe_procurement_map",
           "opengovpe_type_name", "opengovpe_activity_type", "humanize_entity_type",
           "render_datetime", "opengovpe_days_left", "opengovpe_ubigeo_place",
           "opengovpe_quality", "opengovpe_entity_quality", "opengovpe_unused",
           "opengovpe_month_rows", "opengovpe_typing_help", "opengovpe_search_correction"]


MILESTONE_LABELS = {
    "group_established": N_("Working group established"),
    "framework_in_force": N_("Internal regulatory framework in force"),
    "plan_approved": N_("Opening plan approved"),
    "datasets_published": N_("Datasets published"),
}


def opengovpe_safe_link(url: Any) -> str:
    """``url`` if a page may render it as a link (http or https), otherwise "".

    Every user-supplied URL goes through it before it becomes an ``href``: a ``javascript:``
    or ``data:`` link stored before it was refused, or typed in a form shown again with its
    errors, is then shown as text.
    """
    return text.safe_link(url) or ""


def opengovpe_vocab_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Choices of a scheming field that names its ``vocabulary``."""
    return vocab.opengovpe_vocab_choices(field)


def opengovpe_label(vocabulary: str, value: Any) -> str:
    """The label of a vocabulary value in the current language (the value if unknown)."""
    if value in (None, ""):
        return ""
    return vocab.label(vocabulary, value, tk.h.lang() or "es")


def opengovpe_choices(vocabulary: str) -> list[dict[str, str]]:
    return [{"value": c["value"], "text": opengovpe_label(vocabulary, c["value"])}
            for c in vocab.choices(vocabulary)]


def opengovpe_milestone_label(key: str) -> str:
    return tk._(MILESTONE_LABELS[key])


def opengovpe_status_class(status: str | None, overdue: bool = False) -> str:
    if overdue:
        return "danger"
    return STATUS_CLASSES.get(status or "", "light")


def opengovpe_organization_card(org_id: str) -> dict[str, Any]:
    """The entity for the sidebar card of a dataset page (shown without figures).

    CKAN's ``h.get_organization`` asks ``organization_show`` for its dataset count, users,
    groups and followers: two searches and the member list on every dataset page, for
    figures the card does not show. Measured at 10,000 datasets: 36 ms of a 100 ms page.
    """
    try:
        return tk.get_action("organization_show")({}, {
            "id": org_id, "include_datasets": False, "include_dataset_count": False,
            "include_users": False, "include_groups": False, "include_followers": False,
            "include_tags": False, "include_extras": True})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return {}


def opengovpe_usage_enabled() -> bool:
    """Whether usage figures are collected (CKAN's ``tracking`` plugin is loaded)."""
    from .programme import usage

    return usage.enabled()


def opengovpe_usage(dataset_ids: list[str]) -> dict[str, dict[str, int]]:
    """Views and downloads of each dataset, in total and over the last 30 days."""
    from .programme import usage

    return usage.for_datasets([i for i in dataset_ids if i])


def opengovpe_unused(dataset_ids: list[str]) -> dict[str, Any]:
    """Which of these datasets nobody viewed or downloaded lately: ``ids`` and ``days``."""
    from .programme import usage

    return {"ids": usage.unused([i for i in dataset_ids if i]), "days": usage.UNUSED_DAYS}


def opengovpe_records(organization: str | None, record_type: str) -> list[dict[str, Any]]:
    """The entity's records of one type that the user may see, for a form's picker."""
    if not organization:
        return []
    try:
        return tk.get_action("opengovpe_record_list")(
            {"user": tk.current_user.name if tk.current_user.is_authenticated else ""},
            {"organization": organization, "type": record_type})
    except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound):
        return []


def opengovpe_reference_links(value: Any, record_type: str) -> list[dict[str, str]]:
    """The records a field names (one name or a list), each with its title and page;
    a name that leads nowhere the user may go is shown as text, without a link."""
    names = value if isinstance(value, list) else [value]
    links = []
    for name in names:
        if not isinstance(name, str) or not name:
            continue
        try:
            record = tk.get_action("package_show")(
                {"user": tk.current_user.name if tk.current_user.is_authenticated else ""},
                {"id": name})
        except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
            links.append({"title": text.printable(name), "url": ""})
            continue
        links.append({"title": record.get("title") or record["name"],
                      "url": tk.h.url_for(f"{record['type']}.read", id=record["name"])})
    return links


def opengovpe_form_entity(data: Any) -> str:
    """The entity whose records a form's pickers offer: the record's own, the one the
    form was opened for (``?owner_org=``), or the user's only entity."""
    owner = data.get("owner_org") if isinstance(data, dict) else None
    if isinstance(owner, str) and owner:
        return owner
    for source in (tk.request.form, tk.request.args):
        owner = source.get("owner_org")
        if owner:
            return owner
    record_id = (tk.request.view_args or {}).get("id")
    if isinstance(record_id, str) and record_id:
        import ckan.model as model

        record = model.Package.get(record_id)
        if record is not None and record.owner_org:
            return record.owner_org
    entities = tk.h.organizations_available("create_dataset")
    return entities[0]["id"] if len(entities) == 1 else ""


def opengovpe_one_step_form(dataset_type: str | None) -> bool:
    """Whether records of this type are created in one step, without CKAN's stages (the
    programme's records, whose documents are optional)."""
    from .logic.schema import PROGRAMME_RECORD_TYPES

    return dataset_type in PROGRAMME_RECORD_TYPES


def opengovpe_is_published(record: dict[str, Any]) -> bool:
    """Counted by the programme status and the scoreboard: active and public."""
    from . import stages

    return stages.is_published(record)
HOME_TEXTS = {
    "title": N_("Open data of the Peruvian State"),
    "intro": N_("Public entities publish their data here and show how their open-data "
                "programme is going: working group, internal norms, opening plan and "
                "datasets published. Search the data, follow each entity's progress and "
                "watch public procurement."),
}


def opengovpe_home_text(key: str) -> str:
    """A text of the home page: the portal's own (``ckanext.opengovpe.home.<key>``) as
    written, else the built-in one in the visitor's language."""
    configured = tk.config.get(f"ckanext.opengovpe.home.{key}")
    return str(configured) if configured else tk._(HOME_TEXTS[key])


def opengovpe_national_picture(entities: list[dict[str, Any]] | None = None
                               ) -> dict[str, Any]:
    """The national picture (charts, map and their figures) of the given scoreboard rows,
    or of every entity."""
    from . import home

    return home.national() if entities is None else home.picture(entities)


def opengovpe_latest(dataset_type: str, rows: int = 5) -> list[dict[str, Any]]:
    """The latest public datasets of a type."""
    from . import home

    return home.latest(dataset_type, rows)


def opengovpe_bar_chart(rows: list[dict[str, Any]], series: list[str]) -> dict[str, Any]:
    from . import charts

    return charts.bars(rows, series)


def opengovpe_plan_history(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """A plan's milestones completed and items published, month by month."""
    from . import charts

    ids = [i["dataset_id"] for i in plan.get("items") or []
           if i.get("dataset_id") and i.get("status") == "publicado"]
    return _labelled(charts.plan_history(plan.get("items") or [],
                                         plan.get("milestones") or [],
                                         charts.published_on(ids)))


def _labelled(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chart rows by month, each labelled with its month's name in the visitor's language."""
    from babel import dates

    locale = tk.h.lang() or "es"
    return [dict(row, label=dates.format_date(
        datetime.date(int(row["month"][:4]), int(row["month"][5:7]), 1), "LLLL y",
        locale=locale)) for row in rows]


def opengovpe_month_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with a ``month`` (``YYYY-MM``), each labelled with its month's name."""
    return _labelled(rows)


def opengovpe_ocds_month_chart(data: dict[str, Any]) -> list[dict[str, Any]]:
    """A buyer-year's processes per month (field ``month_counts``), as chart rows."""
    from . import charts

    counts = data.get("month_counts") or "{}"
    try:
        counts = json.loads(counts) if isinstance(counts, str) else counts
    except ValueError:
        return []
    return _labelled(charts.month_counts(counts)) if isinstance(counts, dict) else []


def opengovpe_ocds_method_chart(data: dict[str, Any]) -> list[dict[str, Any]]:
    """A buyer-year's processes by procurement method, labelled, as chart rows."""
    from .harvesters.ocds import opengovpe_ocds_shares

    return [{"label": row["label"], "share": round(row["share"], 1),
             "share_text": row["percent"]}
            for row in opengovpe_ocds_shares(data, "method_shares")]


def opengovpe_department_name(code: Any) -> str:
    """A department's name from its 2-digit INEI code (the code itself if unknown)."""
    from . import peru_map

    return peru_map.department_name(str(code)) if code else ""


def opengovpe_procurement_map() -> dict[str, Any]:
    """The map of public procurement: processes by the department of their buyer."""
    from . import peru_map

    return peru_map.layout(peru_map.processes_by_department())


def opengovpe_type_name(dataset_type: str, plural: bool = False) -> str | None:
    """What people call records of ``dataset_type`` (lower case); None for CKAN's own types."""
    from . import type_names

    return type_names.name(dataset_type, plural)


def opengovpe_activity_type(value: str) -> str:
    """An activity type ("changed package") as people read it."""
    from . import type_names

    return type_names.activity_type(value)


@tk.chained_helper
def humanize_entity_type(next_helper: Any, entity_type: str, object_type: str,
                         purpose: str) -> str | None:
    """CKAN's phrases about a dataset type ("Add …", "Search …s…"), in words for ours."""
    from . import type_names

    if entity_type == "package":
        phrase = type_names.phrase(object_type, purpose)
        if phrase is not None:
            return phrase
    return next_helper(entity_type, object_type, purpose)


DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


@tk.chained_helper
def render_datetime(next_helper: Any, datetime_: Any, date_format: str | None = None,
                    with_hours: bool = False, with_seconds: bool = False) -> str:
    """CKAN's date display, with a date that has no time shown as the day entered.

    CKAN takes every value for a UTC time and moves it to ``ckan.display_timezone``:
    "2026-11-01" became 31 October in Lima. A date alone names a day, not an instant.
    """
    day: datetime.date | None = None
    if isinstance(datetime_, datetime.date) and not isinstance(datetime_, datetime.datetime):
        day = datetime_
    elif isinstance(datetime_, str) and DATE_ONLY.fullmatch(datetime_.strip()):
        try:
            day = datetime.date.fromisoformat(datetime_.strip())
        except ValueError:
            return ""
    if day is not None:
        zone = tk.h.get_display_timezone()
        midnight = datetime.datetime(day.year, day.month, day.day)
        # pytz zones place a naive time with localize(); others take it as tzinfo
        localize = getattr(zone, "localize", None)
        datetime_ = localize(midnight) if localize else midnight.replace(tzinfo=zone)
        with_hours = with_seconds = False
    return next_helper(datetime_, date_format=date_format, with_hours=with_hours,
                       with_seconds=with_seconds)


def opengovpe_days_left(days: int | None) -> str:
    """Days until a deadline in words: "vence en 3 días", "vence hoy", "vencido hace 2 días"."""
    if days is None:
        return ""
    if days < 0:
        return tk._("overdue by 1 day") if days == -1 else \
            tk._("overdue by %(days)s days") % {"days": -days}
    if days == 0:
        return tk._("due today")
    return tk._("due in 1 day") if days == 1 else tk._("due in %(days)s days") % {"days": days}


def opengovpe_ubigeo_place(code: Any) -> str:
    """A UBIGEO code with its place: "Cusco, Cusco, Cusco (080101)"; the code if unknown."""
    if code in (None, ""):
        return ""
    path = vocab.ubigeo_path(code)
    if not path:
        return str(code)
    return f"{', '.join(_place_case(name) for name in reversed(path))} ({code})"


_LOWER_WORDS = {"de", "del", "la", "las", "los", "el", "y", "e"}


def _place_case(name: str) -> str:
    """INEI's upper-case place names as written in a sentence: "San Juan de Lurigancho"."""
    words = name.lower().split()
    return " ".join(w if i and w in _LOWER_WORDS else w[:1].upper() + w[1:]
                    for i, w in enumerate(words))


def opengovpe_entity_quality(entity_id: str) -> dict[str, Any]:
    """The quality summary of an entity's published datasets (stored scores, one query)."""
    return tk.get_action("opengovpe_quality_summary")({"user": tk.g.user},
                                                       {"entity": entity_id})


def opengovpe_quality(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """The quality of a dataset for its page, with the fixes worth most first; None when
    the visitor may not see it or it is not a dataset."""
    from .quality.advice import ADVICE
    from .quality.mqa import RATING_LABELS

    if pkg.get("type") != "dataset":
        return None
    try:
        quality = tk.get_action("opengovpe_quality_show")(
            {"user": tk.g.user}, {"id": pkg["id"]})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None
    fixes = sorted((c for c in quality["criteria"] if c["gain"]),
                   key=lambda c: (-c["gain"], c["key"]))
    rating = RATING_LABELS[quality["rating"]]
    quality["rating_label"] = tk._(rating)
    quality["entity"] = (pkg.get("organization") or {}).get("name")
    quality["fixes"] = []
    for criterion in fixes:
        advice = ADVICE[criterion["key"]]
        quality["fixes"].append(dict(criterion, advice=tk._(advice)))
    return quality


def opengovpe_typing_help() -> bool:
    """Whether the search boxes offer typing help (the embedded search index is on)."""
    import ckan.plugins as p

    return p.plugin_loaded("opengovpe_search")


def opengovpe_search_correction(query: Any, count: Any) -> dict[str, Any] | None:
    """A better-spelt query for a search that found few datasets, or None.

    Offered below ``ckanext.opengovpe.search.suggest_below`` results, and only when the
    correction finds more public datasets than the search did.
    """
    if not opengovpe_typing_help() or not isinstance(query, str) or not query.strip():
        return None
    found = int(count or 0)
    if found >= int(tk.config.get("ckanext.opengovpe.search.suggest_below")):
        return None
    try:
        answer = tk.get_action("opengovpe_search_suggest")(
            {}, {"q": query[:200], "kind": "spelling"})
    except (tk.ValidationError, tk.NotAuthorized):
        return None
    correction = answer["correction"]
    return correction if correction and correction["count"] > found else None
