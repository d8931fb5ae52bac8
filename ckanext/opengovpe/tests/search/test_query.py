"""package_search answered by the PostgreSQL index: every query feature on known data."""
from __future__ import annotations

from typing import Any

import pytest

from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("with_plugins", "corpus")


def search(**params: Any) -> dict[str, Any]:
    params.setdefault("rows", 100)
    return helpers.call_action("package_search", **params)


def _as(corpus: dict[str, Any]) -> dict[str, Any]:
    return {"user": corpus["sysadmin"]["name"]}


def names(**params: Any) -> list[str]:
    return [d["name"] for d in search(**params)["results"]]


class TestSpanishText:
    def test_accents_and_case_are_ignored(self):
        assert "contratacion-obras" in names(q="contratacion")
        assert "contratacion-obras" in names(q="CONTRATACIÓN")

    def test_word_forms_match(self):
        # "contratos" and "contrato" share a stem
        assert "contratos-vigentes" in names(q="contrato")
        assert "contratos-vigentes" in names(q="contratos")

    def test_title_weighs_more_than_tags_more_than_notes(self):
        found = names(q="licitacion")
        assert found[:3] == ["licitacion-medicamentos", "hospitales", "camas-uci"]

    def test_stop_words_alone_do_not_empty_the_results(self):
        assert "contratacion-obras" in names(q="de contratacion")

    def test_free_text_terms_are_all_required(self):
        assert names(q="contratacion obras") == ["contratacion-obras"]

    def test_phrase(self):
        assert names(q='"obras públicas"') == ["contratacion-obras"]
        assert names(q='"públicas obras"') == []

    def test_no_match(self):
        assert search(q="zzzinexistente")["count"] == 0


class TestFieldedQueries:
    def test_string_fields_are_exact(self):
        assert names(q="tags:salud", sort="name asc") == ["camas-uci", "hospitales"]
        assert names(q="tags:sal") == []

    def test_organization_and_format(self):
        assert set(names(q="organization:minsa")) == {
            "hospitales", "camas-uci", "licitacion-medicamentos"}
        assert set(names(q="res_format:JSON")) == {"contratacion-obras", "camas-uci"}

    def test_title_field_is_text(self):
        assert names(q="title:medicamento") == ["licitacion-medicamentos"]
        # the word is only in the notes of this dataset, not in its title
        assert "camas-uci" not in names(q="title:licitacion")

    def test_extras_are_searchable(self):
        assert names(q="frecuencia:DAILY") == ["contratos-vigentes"]
        assert names(q="extras_frecuencia:monthly") == ["contratacion-obras"]

    def test_groups(self):
        assert names(q="groups:compras-publicas") == ["contratacion-obras"]

    def test_name_and_id(self, corpus):
        dataset = corpus["datasets"]["contratos"]
        assert names(q="name:contratos-vigentes") == ["contratos-vigentes"]
        assert names(q=f'id:"{dataset["id"]}"') == ["contratos-vigentes"]

    def test_everything(self):
        assert search(q="*:*")["count"] == 6


class TestBooleanLogic:
    def test_and_or_not(self):
        assert set(names(q="tags:salud AND res_format:CSV")) == {"hospitales"}
        assert set(names(q="tags:salud OR tags:proveedores")) == {
            "hospitales", "camas-uci", "proveedores"}
        assert set(names(q="tags:salud AND NOT res_format:CSV")) == {"camas-uci"}

    def test_plus_and_minus(self):
        assert set(names(q="+tags:salud -res_format:JSON")) == {"hospitales"}
        assert "contratacion-obras" not in names(q="-tags:obras")

    def test_parentheses(self):
        assert set(names(q="organization:oece AND (tags:obras OR tags:proveedores)")) == {
            "contratacion-obras", "proveedores"}

    def test_field_group(self):
        assert set(names(q="tags:(salud OR obras)")) == {
            "hospitales", "camas-uci", "contratacion-obras"}


class TestWildcardsAndRanges:
    def test_prefix_in_text(self):
        assert {"contratacion-obras", "contratos-vigentes"} <= set(names(q="contrat*"))

    def test_wildcards_in_string_fields(self):
        assert set(names(q="name:contrat*")) == {"contratacion-obras", "contratos-vigentes"}
        assert names(q="name:camas-?ci") == ["camas-uci"]

    def test_field_exists(self):
        assert set(names(q="frecuencia:*")) == {"contratacion-obras", "contratos-vigentes"}

    def test_date_math_range(self):
        recent = set(names(q="metadata_modified:[NOW-1DAY TO NOW+1DAY]"))
        assert "proveedores" not in recent
        assert "contratacion-obras" in recent
        assert names(q="metadata_modified:[* TO 2020-01-01T00:00:00Z]") == ["proveedores"]

    def test_custom_date_range(self):
        assert names(q="cobertura_inicio_date:[2021-01-01T00:00:00Z TO *]") == [
            "contratos-vigentes"]
        assert names(q="cobertura_inicio_date:{* TO NOW/YEAR-3YEARS]") == [
            "contratacion-obras"]

    def test_numeric_range(self):
        assert set(names(q="num_resources:[2 TO 5]")) == {"contratacion-obras"}
        assert "proveedores" in names(q="num_tags:{0 TO 1]")


class TestFiltersAndFacets:
    def test_fq_combines_with_q(self):
        assert names(q="contrat*", fq="organization:oece +res_format:CSV",
                     sort="name asc") == ["contratacion-obras", "contratos-vigentes"]

    def test_facet_counts(self):
        result = search(q="*:*", **{"facet.field": '["organization", "res_format", "tags"]'})
        facets = result["facets"]
        assert facets["organization"] == {"oece": 3, "minsa": 3}
        assert facets["res_format"] == {"CSV": 3, "JSON": 2, "PDF": 1, "XLSX": 1}
        assert facets["tags"]["salud"] == 2
        items = result["search_facets"]["organization"]["items"]
        assert {i["name"]: i["display_name"] for i in items}["minsa"] == "Ministerio de Salud"

    def test_facets_follow_the_query(self):
        facets = search(q="organization:minsa", **{"facet.field": '["res_format"]'})["facets"]
        assert facets["res_format"] == {"CSV": 1, "JSON": 1, "PDF": 1}

    def test_facet_limit_and_mincount(self):
        facets = search(**{"facet.field": '["res_format"]', "facet.limit": 1})["facets"]
        assert facets["res_format"] == {"CSV": 3}
        facets = search(**{"facet.field": '["res_format"]', "facet.mincount": 2})["facets"]
        assert facets["res_format"] == {"CSV": 3, "JSON": 2}

    def test_custom_field_facet(self):
        facets = search(**{"facet.field": '["frecuencia"]'})["facets"]
        assert facets["frecuencia"] == {"DAILY": 1, "MONTHLY": 1}


class TestSortPagingFields:
    def test_sort_by_title(self):
        ordered = names(sort="title_string asc")
        assert ordered[0] == "camas-uci"
        assert names(sort="title_string desc") == list(reversed(ordered))

    def test_sort_by_modified_and_name(self):
        assert names(sort="metadata_modified asc")[0] == "proveedores"
        assert names(sort="name asc") == sorted(names(sort="name asc"))

    def test_sort_by_custom_field(self):
        assert names(q="frecuencia:*", sort="frecuencia desc") == [
            "contratacion-obras", "contratos-vigentes"]

    def test_pages_do_not_overlap(self):
        seen = []
        for start in range(0, 6, 2):
            seen += names(sort="metadata_modified desc", rows=2, start=start)
        assert len(seen) == len(set(seen)) == 6

    def test_field_list(self):
        result = search(q="name:proveedores", fl="name,title,validated_data_dict,frecuencia")
        row = result["results"][0]
        assert row["title"] == "Proveedores adjudicados"
        assert '"name": "proveedores"' in row["validated_data_dict"]
        assert "notes" not in row

    def test_id_only(self):
        result = search(q="name:proveedores", fl="id")
        assert list(result["results"][0]) == ["id"]


class TestStatesAndTypes:
    def test_other_dataset_types_are_filtered_by_type(self, corpus):
        factories.Dataset(name="plan-apertura-oece", type="plan-apertura",
                          owner_org=corpus["oece"]["id"])
        assert names(fq="+dataset_type:plan-apertura") == ["plan-apertura-oece"]
        assert "plan-apertura-oece" in names()
        assert "plan-apertura-oece" not in names(fq="+dataset_type:dataset")

    def test_drafts(self, corpus):
        helpers.call_action("package_patch", _as(corpus), id="proveedores", state="draft")
        assert "proveedores" not in names()
        assert "proveedores" in names(include_drafts=True)

    @pytest.mark.ckan_config("ckan.search.remove_deleted_packages", "false")
    def test_deleted(self, corpus):
        helpers.call_action("package_delete", _as(corpus), id="proveedores")
        assert "proveedores" not in names()
        assert "proveedores" in names(include_deleted=True)

    def test_update_is_searchable_at_once(self, corpus):
        helpers.call_action("package_patch", _as(corpus), id="camas-uci",
                            title="Camas de cuidados")
        assert names(q="cuidados") == ["camas-uci"]
        assert "camas-uci" not in names(q="title:UCI")


class TestFacetCache:
    def test_counts_follow_every_change(self, corpus):
        params = {"facet.field": '["res_format"]'}
        assert search(**params)["facets"]["res_format"]["PDF"] == 1
        assert search(**params)["facets"]["res_format"]["PDF"] == 1  # served from the cache
        factories.Dataset(owner_org=corpus["minsa"]["id"],
                          resources=[{"url": "http://example.org/x.pdf", "format": "PDF"}])
        assert search(**params)["facets"]["res_format"]["PDF"] == 2
        helpers.call_action("package_delete", _as(corpus), id="licitacion-medicamentos")
        assert search(**params)["facets"]["res_format"]["PDF"] == 1

    def test_counts_differ_per_user(self, app, corpus):
        public = search(**{"facet.field": '["tags"]'})["facets"]["tags"]["obras"]
        every = search(include_private=True, **{"facet.field": '["tags"]'})
        assert (public, every["facets"]["tags"]["obras"]) == (1, 2)
