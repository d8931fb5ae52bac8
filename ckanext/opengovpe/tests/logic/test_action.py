"""Opening-plan actions: items, milestones, evidence, demand, progress and validation."""
from __future__ import annotations

import datetime

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from .conftest import call_as

pytestmark = pytest.mark.usefixtures("with_plugins")

TODAY = datetime.date.today()


def days(n: int) -> str:
    return (TODAY + datetime.timedelta(days=n)).isoformat()


def milestone(plan_id: str, **extra):
    data = {"plan_id": plan_id, "name": "Aprobar el plan", "start_date": days(-30),
            "end_date": days(10), "responsible": "Ana Quispe",
            "responsible_email": "ana@example.org"}
    data.update(extra)
    return call_as("editor-oece", "opengovpe_milestone_create", **data)


class TestItems:
    def test_create_update_delete(self, entity):
        item = call_as("editor-oece", "opengovpe_plan_item_create",
                       plan_id=entity["plan"]["name"], title="Contratos vigentes",
                       theme="economia-y-finanzas", criteria=["registro-publico-oficial"],
                       formats="CSV, JSON", committed_date=days(60))
        assert item["status"] == "planificado"
        assert item["formats"] == ["CSV", "JSON"]
        updated = call_as("admin-oece", "opengovpe_plan_item_update", id=item["id"],
                          status="en-preparacion")
        assert updated["status"] == "en-preparacion"
        assert updated["title"] == "Contratos vigentes"
        call_as("admin-oece", "opengovpe_plan_item_delete", id=item["id"])
        assert helpers.call_action("opengovpe_plan_show", id=entity["plan"]["id"])["items"] == []

    @pytest.mark.parametrize("field,value", [
        ("title", ""),
        ("status", "terminado"),
        ("theme", "astrologia"),
        ("responsible_email", "no-es-correo"),
        ("committed_date", "31/12/2025"),
        ("criteria", ["capricho"]),
        ("title", "x" * 600),
    ])
    def test_bad_fields_are_field_errors(self, entity, field, value):
        data = {"plan_id": entity["plan"]["id"], "title": "Contratos", field: value}
        with pytest.raises(tk.ValidationError) as error:
            call_as("editor-oece", "opengovpe_plan_item_create", **data)
        assert field in error.value.error_dict

    def test_linked_dataset_must_exist_and_be_of_the_same_entity(self, entity):
        for dataset_id, message in (("no-existe", "not found"),
                                    (entity["foreign"]["id"], "another entity")):
            with pytest.raises(tk.ValidationError) as error:
                call_as("editor-oece", "opengovpe_plan_item_create",
                        plan_id=entity["plan"]["id"], title="X", dataset_id=dataset_id)
            assert message in error.value.error_dict["dataset_id"][0]

    def test_position_at_the_integer_limit_does_not_overflow_the_next(self, entity):
        plan = entity["plan"]["id"]
        call_as("editor-oece", "opengovpe_plan_item_create", plan_id=plan, title="Último",
                position=2_147_483_647)
        following = call_as("editor-oece", "opengovpe_plan_item_create", plan_id=plan,
                            title="Siguiente")
        assert following["position"] == 2_147_483_647

    def test_update_may_name_its_own_plan(self, entity):
        """A client that reads an item and saves it back sends its plan_id too."""
        item = call_as("editor-oece", "opengovpe_plan_item_create",
                       plan_id=entity["plan"]["id"], title="Contratos")
        updated = call_as("editor-oece", "opengovpe_plan_item_update",
                          **dict(item, plan_id=entity["plan"]["name"], title="Contratos 2025",
                                 created=None, modified=None))
        assert updated["title"] == "Contratos 2025"

    def test_published_only_with_a_published_dataset(self, entity):
        plan = entity["plan"]["id"]
        helpers.call_action("package_patch", {"user": "sysadmin"},
                            id=entity["dataset"]["id"], private=False)
        item = call_as("editor-oece", "opengovpe_plan_item_create", plan_id=plan,
                       title="Contratos", status="publicado",
                       dataset_id=entity["dataset"]["name"])
        assert item["status"] == "publicado"
        with pytest.raises(tk.ValidationError) as error:
            call_as("editor-oece", "opengovpe_plan_item_update", id=item["id"],
                    dataset_id="")
        assert "status" in error.value.error_dict

    def test_unknown_plan(self, entity):
        with pytest.raises((tk.ObjectNotFound, tk.NotAuthorized)):
            call_as("editor-oece", "opengovpe_plan_item_create", plan_id="no-existe",
                    title="X")


class TestMilestones:
    def test_dates_in_order(self, entity):
        with pytest.raises(tk.ValidationError) as error:
            milestone(entity["plan"]["id"], start_date=days(5), end_date=days(1))
        assert "end_date" in error.value.error_dict

    def test_completed_needs_actual_end_and_evidence(self, entity):
        with pytest.raises(tk.ValidationError) as error:
            milestone(entity["plan"]["id"], status="completado")
        assert {"actual_end_date", "evidence"} <= set(error.value.error_dict)

    def test_progress_is_100_exactly_when_completed(self, entity):
        with pytest.raises(tk.ValidationError) as error:
            milestone(entity["plan"]["id"], status="en-curso", progress=100)
        assert "progress" in error.value.error_dict
        with pytest.raises(tk.ValidationError) as error:
            milestone(entity["plan"]["id"], status="completado", progress=80,
                      actual_end_date=days(-1),
                      evidence=[{"type": "acta", "title": "Acta de sesión"}])
        assert "progress" in error.value.error_dict
        with pytest.raises(tk.ValidationError):
            milestone(entity["plan"]["id"], progress=140)

    def test_complete_with_evidence(self, entity):
        created = milestone(entity["plan"]["id"], status="en-curso", progress=40)
        done = call_as("editor-oece", "opengovpe_milestone_update", id=created["id"],
                       status="completado", actual_end_date=days(-1),
                       evidence=[{"type": "acta", "title": "Acta N.º 3",
                                  "url": "https://example.org/acta3.pdf"}])
        assert done["progress"] == 100
        assert done["evidence"][0]["title"] == "Acta N.º 3"
        assert done["evidence"][0]["recorded_by"]

    def test_evidence_must_be_a_list_of_objects(self, entity):
        with pytest.raises(tk.ValidationError) as error:
            milestone(entity["plan"]["id"], evidence="acta firmada")
        assert "evidence" in error.value.error_dict

    def test_evidence_can_come_first(self, entity):
        created = milestone(entity["plan"]["id"])
        call_as("editor-oece", "opengovpe_evidence_create", milestone_id=created["id"],
                type="informe", title="Informe de avance")
        done = call_as("editor-oece", "opengovpe_milestone_update", id=created["id"],
                       status="completado", actual_end_date=days(0))
        assert done["status"] == "completado"

    def test_bad_input_changes_nothing(self, entity):
        created = milestone(entity["plan"]["id"], progress=20, status="en-curso")
        with pytest.raises(tk.ValidationError):
            call_as("editor-oece", "opengovpe_milestone_update", id=created["id"],
                    status="completado")
        shown = helpers.call_action("opengovpe_plan_show", id=entity["plan"]["id"])
        assert shown["milestones"][0]["status"] == "en-curso"
        assert shown["milestones"][0]["progress"] == 20


    def test_empty_links_from_a_form_mean_no_link(self, entity):
        created = milestone(entity["plan"]["id"], item_id="")
        assert created["item_id"] is None
        item = call_as("editor-oece", "opengovpe_plan_item_create",
                       plan_id=entity["plan"]["id"], title="X", dataset_id="")
        assert item["dataset_id"] is None


class TestProgress:
    def test_progress_counts_and_overdue(self, entity):
        plan_id = entity["plan"]["id"]
        milestone(plan_id, name="Instalar el grupo", status="completado",
                  actual_end_date=days(-20), start_date=days(-40), end_date=days(-20),
                  evidence=[{"type": "acta", "title": "Acta de instalación"}])
        milestone(plan_id, name="Aprobar la directiva", status="en-curso", progress=50,
                  start_date=days(-30), end_date=days(-2))
        milestone(plan_id, name="Publicar datasets", start_date=days(1), end_date=days(40))
        call_as("editor-oece", "opengovpe_plan_item_create", plan_id=plan_id, title="A")
        call_as("editor-oece", "opengovpe_plan_item_create", plan_id=plan_id, title="B",
                status="descartado")
        result = helpers.call_action("opengovpe_plan_progress", id=plan_id)
        assert result["milestones_by_status"] == {"completado": 1, "en-curso": 1,
                                                  "no-iniciado": 1}
        assert result["percent_complete"] == 50.0
        assert result["irm_completion"] == "sustancial"
        assert [m["name"] for m in result["overdue"]] == ["Aprobar la directiva"]
        assert result["overdue"][0]["days_overdue"] == 2
        assert result["items_by_status"] == {"planificado": 1, "descartado": 1}

    def test_empty_plan(self, entity):
        result = helpers.call_action("opengovpe_plan_progress", id=entity["plan"]["id"])
        assert result["percent_complete"] == 0
        assert result["irm_completion"] == "no-iniciado"


class TestPublication:
    def test_item_follows_its_dataset(self, entity):
        sysadmin = entity["users"]["sysadmin"]["name"]
        item = call_as("editor-oece", "opengovpe_plan_item_create",
                       plan_id=entity["plan"]["id"], title="Contratos",
                       status="listo-para-publicar", dataset_id="contratos")
        assert item["dataset_id"] == entity["dataset"]["id"]
        helpers.call_action("package_patch", {"user": sysadmin}, id="contratos",
                            private=False)
        shown = helpers.call_action("opengovpe_plan_show", id=entity["plan"]["id"])
        assert shown["items"][0]["status"] == "publicado"
        activity = helpers.call_action("package_activity_list", id=entity["plan"]["id"])
        assert any(a["data"].get("opengovpe_item_status") for a in activity)
        helpers.call_action("package_patch", {"user": sysadmin}, id="contratos",
                            private=True)
        shown = helpers.call_action("opengovpe_plan_show", id=entity["plan"]["id"])
        assert shown["items"][0]["status"] == "listo-para-publicar"
        helpers.call_action("package_patch", {"user": sysadmin}, id="contratos",
                            private=False)
        helpers.call_action("package_delete", {"user": sysadmin}, id="contratos")
        shown = helpers.call_action("opengovpe_plan_show", id=entity["plan"]["id"])
        assert shown["items"][0]["status"] == "listo-para-publicar"


class TestDemand:
    def test_record_demand(self, entity):
        item = call_as("editor-oece", "opengovpe_plan_item_create",
                       plan_id=entity["plan"]["id"], title="Contratos")
        call_as("editor-oece", "opengovpe_demand_create", item_id=item["id"],
                kind="solicitud-acceso-informacion", reference="Exp. 2025-0113",
                date=days(-3))
        shown = helpers.call_action("opengovpe_plan_show", id=entity["plan"]["id"])
        assert shown["items"][0]["demand"][0]["reference"] == "Exp. 2025-0113"
        with pytest.raises(tk.ValidationError):
            call_as("editor-oece", "opengovpe_demand_create", item_id=item["id"],
                    kind="rumor")


class TestPlanSave:
    def test_whole_plan_round_trip_keeps_ids_and_evidence(self, entity):
        plan_id = entity["plan"]["id"]
        saved = call_as("editor-oece", "opengovpe_plan_save", id=plan_id,
                        items=[{"key": "a", "title": "Contratos"},
                               {"key": "b", "title": "Proveedores"}],
                        milestones=[{"name": "Preparar", "item_key": "a",
                                     "status": "completado", "actual_end_date": days(-1),
                                     "evidence": [{"type": "informe", "title": "Informe"}]},
                                    {"name": "Publicar", "item_key": "b"}])
        assert [i["title"] for i in saved["items"]] == ["Contratos", "Proveedores"]
        first = saved["milestones"][0]
        assert first["item_id"] == saved["items"][0]["id"] and first["progress"] == 100
        again = call_as("editor-oece", "opengovpe_plan_save", id=plan_id,
                        items=[dict(saved["items"][0], title="Contratos 2025")],
                        milestones=[{k: v for k, v in first.items() if k != "evidence"}])
        assert [i["title"] for i in again["items"]] == ["Contratos 2025"]
        assert again["milestones"][0]["id"] == first["id"]
        assert len(again["milestones"][0]["evidence"]) == 1

    @pytest.mark.parametrize("data,field", [
        ({"items": ["x"]}, "items"),
        ({"items": "x"}, "items"),
        ({"milestones": [1, 2]}, "milestones"),
        ({"milestones": [{"name": "m", "evidence": "texto"}]}, "milestones"),
    ])
    def test_malformed_lists_are_field_errors(self, entity, data, field):
        with pytest.raises(tk.ValidationError) as error:
            call_as("editor-oece", "opengovpe_plan_save", id=entity["plan"]["id"], **data)
        assert field in error.value.error_dict

    def test_errors_are_per_entry_and_nothing_is_saved(self, entity):
        plan_id = entity["plan"]["id"]
        with pytest.raises(tk.ValidationError) as error:
            call_as("editor-oece", "opengovpe_plan_save", id=plan_id,
                    items=[{"title": "Bien"}, {"title": ""}], milestones=[])
        errors = error.value.error_dict
        assert errors["items"][1]["title"] and not errors["items"][0]
        with pytest.raises(tk.ValidationError) as error:
            call_as("editor-oece", "opengovpe_plan_save", id=plan_id,
                    items=[{"title": "Bien"}],
                    milestones=[{"name": "Bien"}, {"name": "Mal", "status": "completado"}])
        errors = error.value.error_dict
        assert not errors["milestones"][0]
        assert {"evidence", "actual_end_date"} <= set(errors["milestones"][1])
        assert helpers.call_action("opengovpe_plan_show", id=plan_id)["items"] == []


class TestDeferCommit:
    def test_a_deferred_write_is_the_callers_to_commit(self, entity):
        plan_id = entity["plan"]["id"]
        context = {"user": "editor-oece", "defer_commit": True}
        item = helpers.call_action("opengovpe_plan_item_create", context, plan_id=plan_id,
                                   title="Sin confirmar")
        assert item["title"] == "Sin confirmar"
        model.Session.rollback()
        assert helpers.call_action("opengovpe_plan_show", id=plan_id)["items"] == []
        helpers.call_action("opengovpe_plan_item_create", dict(context), plan_id=plan_id,
                            title="Confirmado")
        model.repo.commit()
        model.Session.remove()
        titles = [i["title"] for i in
                  helpers.call_action("opengovpe_plan_show", id=plan_id)["items"]]
        assert titles == ["Confirmado"]
