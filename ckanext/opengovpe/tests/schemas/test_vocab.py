"""The vocabulary files and their loader, UBIGEO included."""
from __future__ import annotations

import re

import pytest

from ckanext.opengovpe import vocab

EU = "http://publications.europa.eu/resource/authority/"
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
EU_CODE = re.compile(r"[A-Z0-9]+(_[A-Z0-9]+)*")
# vocabularies whose values are the codes of the EU vocabulary they follow
EU_CODED = {"eu_theme", "frequency", "language"}


@pytest.mark.parametrize("name", vocab.names())
def test_every_vocabulary_loads_with_bilingual_labels(name):
    terms = vocab.terms(name)
    assert terms
    for term in terms:
        assert term.label("es") and term.label("en")
        pattern = EU_CODE if name in EU_CODED else SLUG
        assert pattern.fullmatch(term.value), term.value


def test_the_vocabularies_the_schemas_and_plans_need_exist():
    assert {
        "pnda_theme", "eu_theme", "frequency", "license", "language", "level_of_government",
        "entity_type", "sector", "group_type", "group_status", "member_role", "member_sector",
        "member_kind", "session_kind", "session_modality", "agreement_status", "regulation_type",
        "regulation_subject", "regulation_validity", "plan_status", "item_status",
        "access_level", "prioritisation_criterion", "milestone_status", "evidence_type",
        "irm_completion", "demand_kind",
    } <= set(vocab.names())


def test_labels_in_both_languages():
    assert vocab.label("item_status", "en-preparacion") == "En preparación"
    assert vocab.label("item_status", "en-preparacion", "en") == "In preparation"
    assert vocab.label("item_status", "en-preparacion", "qu") == "En preparación"
    assert vocab.label("item_status", "inventado") == "inventado"


def test_membership():
    assert vocab.is_member("access_level", "no-publico")
    assert not vocab.is_member("access_level", "No público")
    assert not vocab.is_member("access_level", ["publico"])
    assert not vocab.is_member("access_level", None)


def test_unknown_vocabulary():
    with pytest.raises(vocab.UnknownVocabulary):
        vocab.terms("colours")
    with pytest.raises(vocab.UnknownVocabulary):
        vocab.terms("../vocab/frequency")


def test_choices_for_scheming():
    choices = vocab.opengovpe_vocab_choices({"field_name": "quorum", "vocabulary": "yes_no"})
    assert choices == [{"value": "true", "label": {"es": "Sí", "en": "Yes"}},
                       {"value": "false", "label": {"es": "No", "en": "No"}}]
    assert vocab.choices("yes_no", "en")[0] == {"value": "true", "label": "Yes"}


def test_choices_are_copies():
    vocab.choices("yes_no")[0]["label"]["es"] = "Tal vez"
    assert vocab.label("yes_no", "true") == "Sí"


def test_pnda_topics_map_to_eu_themes():
    topics = vocab.terms("pnda_theme")
    assert len(topics) >= 15
    assert {t.label() for t in topics} >= {
        "Gobernabilidad", "Economía y Finanzas", "Desarrollo Social", "Transporte",
        "Medio Ambiente y Recursos Naturales", "Salud", "Educación", "Desarrollo Urbano",
        "Agua y Saneamiento", "Energía", "Ciencia y Tecnología", "Alimentación y Nutrición"}
    for topic in topics:
        assert vocab.is_member("eu_theme", topic.get("eu_theme"))
        assert topic.get("eu_theme_uri") == EU + "data-theme/" + topic.get("eu_theme")
    assert vocab.term("pnda_theme", "gobernabilidad").get("eu_theme") == "GOVE"


def test_eu_themes():
    assert {t.value for t in vocab.terms("eu_theme")} == {
        "AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "INTR", "JUST", "OP_DATPRO",
        "REGI", "SOCI", "TECH", "TRAN"}
    assert vocab.uri("eu_theme", "TECH") == EU + "data-theme/TECH"


@pytest.mark.parametrize("code, period", [
    ("DAILY", "R/P1D"), ("WEEKLY", "R/P1W"), ("BIWEEKLY", "R/P2W"), ("MONTHLY", "R/P1M"),
    ("QUARTERLY", "R/P3M"), ("ANNUAL_2", "R/P6M"), ("ANNUAL", "R/P1Y"), ("IRREG", "irregular"),
    ("UNKNOWN", None), ("NEVER", None),
])
def test_frequencies_carry_their_data_json_period(code, period):
    assert vocab.term("frequency", code).get("iso8601") == period
    assert vocab.uri("frequency", code) == EU + "frequency/" + code


def test_licences():
    assert [t.value for t in vocab.terms("license")] == ["odc-by", "cc-by", "cc-zero"]
    assert vocab.uri("license", "cc-by") == "https://creativecommons.org/licenses/by/4.0/"
    assert vocab.uri("license", "cc-zero") == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert vocab.uri("license", "odc-by") == "https://opendatacommons.org/licenses/by/1-0/"


def test_languages():
    assert [t.value for t in vocab.terms("language")] == ["SPA", "QUE", "AYM", "ENG"]
    assert vocab.uri("language", "AYM") == EU + "language/AYM"


def test_access_levels_carry_data_json_values():
    assert [vocab.term("access_level", t.value).get("datajson")
            for t in vocab.terms("access_level")] == ["public", "restricted public", "non-public"]


class TestUbigeo:
    @pytest.mark.parametrize("code, path", [
        ("15", ("LIMA",)),
        ("150000", ("LIMA",)),
        ("1501", ("LIMA", "LIMA")),
        ("150100", ("LIMA", "LIMA")),
        ("150101", ("LIMA", "LIMA", "LIMA")),
        ("070101", ("CALLAO", "CALLAO", "CALLAO")),
        # INEI numbering: RENIEC's 240101 is Callao, INEI's is Tumbes
        ("240101", ("TUMBES", "TUMBES", "TUMBES")),
    ])
    def test_known_codes(self, code, path):
        assert vocab.ubigeo_exists(code)
        assert vocab.ubigeo_path(code) == path
        assert vocab.ubigeo_name(code) == path[-1]

    @pytest.mark.parametrize("code", ["99", "9901", "990101", "1", "150", "15010", "1501011",
                                      "NA", "", None, 150101])
    def test_unknown_codes(self, code):
        assert not vocab.ubigeo_exists(code)
        assert vocab.ubigeo_path(code) == ()
        assert vocab.ubigeo_name(code) is None

    def test_district_name(self):
        assert vocab.ubigeo_name("021806") == "NEPEÑA"

    def test_all_25_departments(self):
        assert all(vocab.ubigeo_exists("%02d" % number) for number in range(1, 26))
        assert not vocab.ubigeo_exists("26")
