"""Template helpers: dates shown as entered, record types and activity types in words."""
from __future__ import annotations

import datetime

import pytest

import ckan.plugins.toolkit as tk

pytestmark = [
    pytest.mark.ckan_config("ckan.display_timezone", "America/Lima"),
    pytest.mark.usefixtures("with_plugins", "with_request_context"),
]


def test_a_date_without_time_is_the_day_entered():
    assert tk.h.render_datetime("2026-11-01") == "1 de noviembre de 2026"
    assert tk.h.render_datetime(datetime.date(2026, 11, 1)) == "1 de noviembre de 2026"
    assert tk.h.render_datetime("2026-11-01", with_hours=True) == "1 de noviembre de 2026"
    assert tk.h.render_datetime("2026-11-01", date_format="%d/%m/%Y") == "01/11/2026"


def test_an_instant_is_still_shown_in_the_display_time_zone():
    # 03:00 UTC on 1 November is 22:00 on 31 October in Lima
    assert tk.h.render_datetime("2026-11-01T03:00:00") == "31 de octubre de 2026"


def test_a_date_that_does_not_exist_shows_nothing():
    assert tk.h.render_datetime("2026-02-30") == ""
    assert tk.h.render_datetime("") == ""
    assert tk.h.render_datetime(None) == ""


def test_record_types_have_names_in_singular_and_plural():
    assert tk.h.opengovpe_type_name("plan-apertura") == "plan de apertura"
    assert tk.h.opengovpe_type_name("plan-apertura", True) == "planes de apertura"
    assert tk.h.opengovpe_type_name("dataset") is None
    assert tk.h.humanize_entity_type("package", "plan-apertura", "search placeholder") == \
        "Buscar planes de apertura..."
    assert tk.h.humanize_entity_type("package", "norma", "no description") == \
        "Este registro todavía no tiene descripción."
    assert tk.h.humanize_entity_type("package", "grupo-trabajo", "main nav") == \
        "Grupos de trabajo"
    # CKAN's own types keep CKAN's text
    assert tk.h.humanize_entity_type("package", "dataset", "main nav") is None


def test_activity_types_in_words():
    assert tk.h.opengovpe_activity_type("new package") == "Nuevo conjunto de datos"
    assert tk.h.opengovpe_activity_type("changed resource view") == "Vista de recurso modificada"
    assert tk.h.opengovpe_activity_type("bulk_update") == "Bulk update"


def test_a_ubigeo_is_shown_with_its_place():
    assert tk.h.opengovpe_ubigeo_place("080101") == "Cusco, Cusco, Cusco (080101)"
    assert tk.h.opengovpe_ubigeo_place("150132") == \
        "San Juan de Lurigancho, Lima, Lima (150132)"
    assert tk.h.opengovpe_ubigeo_place("15") == "Lima (15)"
    assert tk.h.opengovpe_ubigeo_place("999999") == "999999"
    assert tk.h.opengovpe_ubigeo_place(None) == ""


def test_days_left_in_words():
    assert tk.h.opengovpe_days_left(-3) == "vencido hace 3 días"
    assert tk.h.opengovpe_days_left(-1) == "vencido hace 1 día"
    assert tk.h.opengovpe_days_left(0) == "vence hoy"
    assert tk.h.opengovpe_days_left(5) == "vence en 5 días"
