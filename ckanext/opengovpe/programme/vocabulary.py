"""The programme's words: its record types and the states that carry a meaning.

Python code and the SQL of the scoreboard, the due list and the reminders read these
names from here (the SQL as bound parameters), so "open", "done" and "overdue" mean the
same thing on every page. The full lists of states, with their labels, are the
vocabularies in ``vocab/`` (``milestone_status``, ``item_status``, ``plan_status``).
"""
from __future__ import annotations

import datetime
from typing import Any, Mapping

# record types (ckanext-scheming dataset types)
PLAN_TYPE = "plan-apertura"
WORKING_GROUP_TYPE = "grupo-trabajo"
REGULATION_TYPE = "norma"

# milestone states
MILESTONE_NOT_STARTED = "no-iniciado"
MILESTONE_IN_PROGRESS = "en-curso"
MILESTONE_DELAYED = "retrasado"
MILESTONE_COMPLETED = "completado"
MILESTONE_CANCELLED = "cancelado"
# a closed milestone is never overdue nor due: completed or cancelled
MILESTONE_CLOSED = (MILESTONE_COMPLETED, MILESTONE_CANCELLED)

# inventory item states
ITEM_PLANNED = "planificado"
ITEM_READY = "listo-para-publicar"
ITEM_PUBLISHED = "publicado"
ITEM_DISCARDED = "descartado"

# opening plan states in which the plan counts as approved
PLAN_APPROVED = ("aprobado", "en-ejecucion", "cerrado")
# a working group that counts as established
GROUP_ACTIVE = "activo"
# a regulation in force
REGULATION_IN_FORCE = "vigente"

# IRM completion scale
IRM_NOT_STARTED = "no-iniciado"
IRM_LIMITED = "limitado"
IRM_SUBSTANTIAL = "sustancial"
IRM_COMPLETE = "completo"

# how a state shows on a page (Bootstrap contextual classes)
STATUS_CLASSES = {
    MILESTONE_COMPLETED: "success", ITEM_PUBLISHED: "success",
    MILESTONE_IN_PROGRESS: "info", MILESTONE_DELAYED: "warning",
    MILESTONE_CANCELLED: "secondary", ITEM_DISCARDED: "secondary",
}


def is_open(milestone: Mapping[str, Any]) -> bool:
    """Neither completed nor cancelled."""
    return milestone.get("status") not in MILESTONE_CLOSED


def is_overdue(milestone: Mapping[str, Any], today: datetime.date) -> bool:
    """Past its end date and still open."""
    end = milestone.get("end_date")
    return bool(end) and end < today and is_open(milestone)


def sql_parameters() -> dict[str, Any]:
    """The words above as bound parameters of the programme's SQL."""
    return {
        "plan_type": PLAN_TYPE, "working_group_type": WORKING_GROUP_TYPE,
        "regulation_type": REGULATION_TYPE,
        "completed": MILESTONE_COMPLETED, "cancelled": MILESTONE_CANCELLED,
        "not_started": MILESTONE_NOT_STARTED,
        "published": ITEM_PUBLISHED, "discarded": ITEM_DISCARDED,
        "approved": list(PLAN_APPROVED), "group_active": GROUP_ACTIVE,
        "in_force": REGULATION_IN_FORCE,
    }
