"""Field validators: RUC, UBIGEO, vocabularies, date order, percentages and references."""
from __future__ import annotations

import datetime
from typing import Any

import pytest

import ckan.plugins.toolkit as tk

from ckanext.opengovpe.logic import validators as v
from ckanext.opengovpe.vocab import UnknownVocabulary


def run(validator: Any, value: Any, key: tuple[Any, ...] = ("field",),
        **others: Any) -> tuple[dict[Any, Any], list[str]]:
    """Run a (key, data, errors, context) validator; returns the data and the field's errors."""
    data: dict[Any, Any] = {key: value}
    data.update({key[:-1] + (name,): other for name, other in others.items()})
    errors: dict[Any, list[str]] = {key: []}
    validator(key, data, errors, {})
    return data, errors[key]


class TestRuc:
    @pytest.mark.parametrize("ruc, expected", [
        ("20419026809", "20419026809"),    # OSCE, now OECE
        ("20131312955", "20131312955"),    # SUNAT
        ("20100070970", "20100070970"),    # 11 - sum % 11 is 10: check digit 0
        (" 20419026809 ", "20419026809"),
        (20419026809, "20419026809"),
    ])
    def test_valid(self, ruc, expected):
        assert v.opengovpe_ruc(ruc, {}) == expected

    def test_check_digit_of_oece(self):
        assert v.ruc_check_digit("2041902680") == 9

    @pytest.mark.parametrize("ruc", ["20419026800", "20419026801", "20419026808"])
    def test_wrong_check_digit(self, ruc):
        with pytest.raises(tk.Invalid) as error:
            v.opengovpe_ruc(ruc, {})
        assert "check digit" in error.value.error

    @pytest.mark.parametrize("ruc", ["2041902680", "204190268091", "2041902680A", "20-41902680",
                                     "２０４１９０２６８０９", ["20419026809"]])
    def test_not_eleven_digits(self, ruc):
        with pytest.raises(tk.Invalid) as error:
            v.opengovpe_ruc(ruc, {})
        assert "11 digits" in error.value.error

    @pytest.mark.parametrize("empty", ["", None, tk.missing])
    def test_empty_is_left_to_required(self, empty):
        assert v.opengovpe_ruc(empty, {}) is empty


class TestUbigeo:
    @pytest.mark.parametrize("code", ["15", "1501", "150101", "150000", "150100", "070101"])
    def test_existing_code(self, code):
        data, errors = run(v.opengovpe_ubigeo, code)
        assert errors == []
        assert data[("field",)] == code

    def test_list_of_codes(self):
        data, errors = run(v.opengovpe_ubigeo, ["150101", " 0701 ", ""])
        assert errors == []
        assert data[("field",)] == ["150101", "0701"]

    def test_unknown_code(self):
        _, errors = run(v.opengovpe_ubigeo, "990101")
        assert errors == ["UBIGEO code 990101 does not exist in the INEI list"]

    def test_reniec_only_code_is_not_an_inei_code(self):
        _, errors = run(v.opengovpe_ubigeo, "170107")
        assert len(errors) == 1

    @pytest.mark.parametrize("code", ["1", "150", "1501011", "Lima", "15 01"])
    def test_malformed_code(self, code):
        _, errors = run(v.opengovpe_ubigeo, code)
        assert len(errors) == 1
        assert "2, 4 or 6 digits" in errors[0]

    def test_every_bad_code_of_a_list_is_reported(self):
        data, errors = run(v.opengovpe_ubigeo, ["150101", "990101", "x", 15])
        assert len(errors) == 3
        assert data[("field",)] == ["150101", "990101", "x", 15]

    def test_wrong_shape(self):
        _, errors = run(v.opengovpe_ubigeo, {"code": "15"})
        assert errors == ["Expecting a UBIGEO code or a list of UBIGEO codes"]

    @pytest.mark.parametrize("empty", ["", None, tk.missing, []])
    def test_empty(self, empty):
        _, errors = run(v.opengovpe_ubigeo, empty)
        assert errors == []


class TestVocabulary:
    def test_member(self):
        data, errors = run(v.opengovpe_vocabulary("frequency"), "MONTHLY")
        assert errors == []
        assert data[("field",)] == "MONTHLY"

    def test_not_a_member(self):
        _, errors = run(v.opengovpe_vocabulary("frequency"), "monthly")
        assert errors == ['"monthly" is not one of the allowed values']

    def test_single_value_field_refuses_a_list(self):
        _, errors = run(v.opengovpe_vocabulary("pnda_theme"), ["salud"])
        assert errors == ["Expecting a single value"]

    def test_multiple_values(self):
        data, errors = run(v.opengovpe_vocabulary("language", multiple=True), ["SPA", "QUE"])
        assert errors == []
        assert data[("field",)] == ["SPA", "QUE"]

    def test_multiple_accepts_one_string(self):
        data, errors = run(v.opengovpe_vocabulary("language", multiple=True), "AYM")
        assert errors == []
        assert data[("field",)] == "AYM"

    def test_multiple_reports_each_stranger(self):
        _, errors = run(v.opengovpe_vocabulary("eu_theme", multiple=True),
                        ["GOVE", "XXXX", {"a": 1}])
        assert len(errors) == 2

    def test_multiple_refuses_other_shapes(self):
        _, errors = run(v.opengovpe_vocabulary("eu_theme", multiple=True), {"a": 1})
        assert errors == ["Expecting a list of values"]

    def test_empty(self):
        _, errors = run(v.opengovpe_vocabulary("plan_status"), "")
        assert errors == []

    def test_unknown_vocabulary_fails_when_the_schema_is_built(self):
        with pytest.raises(UnknownVocabulary):
            v.opengovpe_vocabulary("colours")

    def test_scheming_validators_read_the_field(self):
        field = {"field_name": "status", "vocabulary": "group_status"}
        _, errors = run(v.opengovpe_vocab_value(field, {}), "activo")
        assert errors == []
        _, errors = run(v.opengovpe_vocab_values(field, {}), ["activo", "dormido"])
        assert errors == ['"dormido" is not one of the allowed values']
        assert v.opengovpe_vocab_value.is_a_scheming_validator


class TestDateOrder:
    def test_end_after_start(self):
        _, errors = run(v.opengovpe_date_order("period_start"), "2025-12-31",
                        key=("period_end",), period_start="2025-01-01")
        assert errors == []

    def test_same_day(self):
        _, errors = run(v.opengovpe_date_order("period_start"), "2025-01-01",
                        key=("period_end",), period_start="2025-01-01")
        assert errors == []

    def test_end_before_start(self):
        _, errors = run(v.opengovpe_date_order("period_start"), "2024-12-31",
                        key=("period_end",), period_start="2025-01-01")
        assert errors == ["This date cannot be earlier than 2025-01-01"]

    def test_inside_repeating_subfields(self):
        validator = v.opengovpe_date_order("date_from")
        _, errors = run(validator, "2024-01-01", key=("members", 1, "date_to"),
                        date_from="2024-06-01")
        assert len(errors) == 1
        _, errors = run(validator, "2024-07-01", key=("members", 1, "date_to"),
                        date_from="2024-06-01")
        assert errors == []

    def test_dates_and_datetimes(self):
        _, errors = run(v.opengovpe_date_order("start"), datetime.datetime(2024, 1, 1, 10),
                        key=("end",), start=datetime.date(2024, 1, 2))
        assert len(errors) == 1

    def test_years_and_months_cover_their_whole_period(self):
        validator = v.opengovpe_date_order("start")
        assert run(validator, "2024", key=("end",), start="2024-06-15")[1] == []
        assert run(validator, "2024-06", key=("end",), start="2024-06-30")[1] == []
        assert len(run(validator, "2024-05", key=("end",), start="2024-06")[1]) == 1

    @pytest.mark.parametrize("start, end", [
        ("", "2024-01-01"), ("2024-01-01", None), ("not a date", "2020-01-01"),
        ("2024-01-01", "2020-13-01"), (None, None), (5, "2020-01-01"),
    ])
    def test_missing_or_unreadable_dates_are_left_to_their_own_validators(self, start, end):
        _, errors = run(v.opengovpe_date_order("start"), end, key=("end",), start=start)
        assert errors == []

    def test_start_missing_from_the_record(self):
        _, errors = run(v.opengovpe_date_order("start"), "2024-01-01", key=("end",))
        assert errors == []


class TestPercentage:
    @pytest.mark.parametrize("value, expected", [
        (0, 0), (100, 100), ("55", 55), (" 7 ", 7), (40.0, 40),
    ])
    def test_valid(self, value, expected):
        assert v.opengovpe_percentage(value, {}) == expected

    @pytest.mark.parametrize("value", ["101", 250])
    def test_above_100(self, value):
        with pytest.raises(tk.Invalid) as error:
            v.opengovpe_percentage(value, {})
        assert error.value.error == "A percentage cannot be greater than 100"

    @pytest.mark.parametrize("value", [-1, "-5", "12.5", 12.5, "diez", True, [50], "٥٠"])
    def test_not_a_whole_number_from_0(self, value):
        with pytest.raises(tk.Invalid) as error:
            v.opengovpe_percentage(value, {})
        assert error.value.error == "A percentage is a whole number from 0 to 100"

    @pytest.mark.parametrize("empty", ["", None])
    def test_empty(self, empty):
        assert v.opengovpe_percentage(empty, {}) is empty


class TestDatasetName:
    def test_name(self):
        data, errors = run(v.opengovpe_dataset_name, " rpe-000123-2024 ")
        assert errors == []
        assert data[("field",)] == "rpe-000123-2024"

    def test_list_of_names(self):
        _, errors = run(v.opengovpe_dataset_name, ["norma-1", "norma_2"])
        assert errors == []

    @pytest.mark.parametrize("value", ["Norma 1", "n", "norma/1", ["ok-name", "Mal"], [3]])
    def test_not_a_name(self, value):
        _, errors = run(v.opengovpe_dataset_name, value)
        assert len(errors) == 1
        assert "is not a dataset name" in errors[0]

    def test_wrong_shape(self):
        _, errors = run(v.opengovpe_dataset_name, {"name": "x"})
        assert errors == ["Expecting a dataset name or a list of dataset names"]


class TestDefault:
    def test_empty_value_takes_the_default(self):
        validator = v.opengovpe_default({"default": "Grupo de Trabajo"}, {})
        assert run(validator, "")[0][("field",)] == "Grupo de Trabajo"
        assert run(validator, tk.missing)[0][("field",)] == "Grupo de Trabajo"

    def test_given_value_stays(self):
        validator = v.opengovpe_default({"default": "Grupo de Trabajo"}, {})
        assert run(validator, "Comité")[0][("field",)] == "Comité"


def test_every_exported_validator_is_named_opengovpe():
    assert all(name.startswith("opengovpe_") for name in v.__all__)
    assert all(callable(getattr(v, name)) for name in v.__all__)
