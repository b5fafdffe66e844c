"""Validation rules: a small safe expression language (never eval'd), checked against the
metadata, evaluated per Member State, period and unit kind with one query per rule, a
missing value never read as zero; the bundled rules are loaded idempotently and audited."""

import json

import pytest

from pantau.audit.models import AuditEvent
from pantau.core.exceptions import PermissionDenied

from ..checks import rules
from ..checks.rules import ExpressionError, compile_rule, parse_expression
from ..models import IndicatorBound, ValidationRule
from ..snapshot import Structure
from .observations import import_rows, row

pytestmark = pytest.mark.django_db


def rule(left: str, operator: str, right: str, **extra) -> ValidationRule:
    return ValidationRule(
        code="TEST", name="Test rule", left=left, operator=operator, right=right, **extra
    )


def compiled(left: str, operator: str, right: str, **extra) -> rules.CompiledRule:
    return compile_rule(rule(left, operator, right, **extra), Structure.load())


def violations(left: str, operator: str, right: str, **extra) -> dict[tuple, tuple]:
    found = rules.check_rule(compiled(left, operator, right, **extra))
    return {(v.ref_area, v.time_period, v.unit_kind): (v.left, v.right) for v in found}


# --- the language ------------------------------------------------------------------------------


def test_arithmetic_follows_the_usual_precedence():
    assert rules.evaluate(parse_expression("2 + 3 * 4"), {}) == 14
    assert rules.evaluate(parse_expression("(2 + 3) * 4"), {}) == 20
    assert rules.evaluate(parse_expression("10 - 4 - 3"), {}) == 3
    assert rules.evaluate(parse_expression("-2 * -(1 + 1.5)"), {}) == 5
    assert rules.evaluate(parse_expression("1e3 / 4"), {}) == 250


def test_references_name_an_indicator_and_dimension_codes():
    tree = parse_expression("DRUG_ARREST[SEX=F, nationality=FOREIGN] + drug_case")
    assert tree == rules.BinaryOp(
        "+",
        rules.Reference("DRUG_ARREST", (("SEX", "F"), ("NATIONALITY", "FOREIGN")), 0),
        rules.Reference("DRUG_CASE", (), 42),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("DRUG_ARREST[SEX=F", "expected ']'"),
        ("DRUG_ARREST[SEX]", "expected '='"),
        ("1 +", "expected a number, an indicator or '('"),
        ("(1 + 2", "expected ')'"),
        ("2 ** 3", "expected a number"),
        ("DRUG_CASE DRUG_ARREST", "unexpected 'DRUG_ARREST'"),
        ("__import__('os').system('true')", 'unexpected "\'"'),
        ("DRUG_CASE; DROP TABLE x", "unexpected ';'"),
        ("DRUG_CASE.objects", "unexpected '.'"),
    ],
)
def test_anything_else_is_refused_with_its_position(text, message):
    with pytest.raises(ExpressionError) as exc:
        parse_expression(text)
    assert message in str(exc.value)


def test_python_is_never_evaluated(monkeypatch):
    import builtins

    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec must never be called")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    with pytest.raises(ExpressionError):
        compiled("__import__('os').system('touch /tmp/pwned')", "==", "1")
    assert compiled("DRUG_CASE", ">=", "PRECURSOR_CASE * 2 - 1").terms


@pytest.mark.parametrize(
    ("left", "right", "message"),
    [
        ("NO_SUCH_INDICATOR", "1", "unknown indicator"),
        ("DRUG_CASE[SEX=F]", "1", "DRUG_CASE is not broken down by SEX"),
        ("DRUG_ARREST[SEX=X]", "1", "unknown SEX code 'X'"),
        ("DRUG_ARREST[COLOUR=RED]", "1", "COLOUR is not a dimension"),
        ("DRUG_ARREST[SEX=F,SEX=M]", "1", "SEX is named twice"),
        ("DRUG_ARREST[UNIT=KG]", "1", "measured in persons, not mass"),
        ("DRUG_ARREST[UNIT=LIGHTYEAR]", "1", "neither a unit nor a unit kind"),
        ("1", "2", "at least one indicator"),
        # Seizures are weighed, measured or counted: added to persons, the kind must be said.
        ("DRUG_SEIZURE", "DRUG_ARREST", "say which with [UNIT=...]"),
    ],
)
def test_rules_must_fit_the_metadata(left, right, message):
    with pytest.raises(ExpressionError) as exc:
        compiled(left, "<=", right)
    assert message in str(exc.value)


def test_a_rule_over_several_unit_kinds_is_checked_per_kind():
    seizures = compiled("DRUG_SEIZURE", ">=", "DRUG_SEIZURE[DRUG=METH_TABLET]")
    assert seizures.per_unit_kind
    assert seizures.unit_kinds == {"mass", "volume", "dosage"}
    explicit = compiled("DRUG_SEIZURE[UNIT=KG]", "<=", "DRUG_ARREST * 100")
    assert not explicit.per_unit_kind
    assert [t.unit_kind for t in explicit.terms] == ["mass", None]


# --- evaluation --------------------------------------------------------------------------------


def test_totals_are_checked_against_their_parts_per_state_and_period(people, tmp_path):
    import_rows(
        None,
        tmp_path,
        [
            # Thailand 2024: 100 arrested, but 30 women and 60 men.
            row("TH", 2024, "DRUG_ARREST", "PERSON", 100, SEX="_T"),
            row("TH", 2024, "DRUG_ARREST", "PERSON", 30, SEX="F"),
            row("TH", 2024, "DRUG_ARREST", "PERSON", 60, SEX="M"),
            # Malaysia 2024 adds up.
            row("MY", 2024, "DRUG_ARREST", "PERSON", 50, SEX="_T"),
            row("MY", 2024, "DRUG_ARREST", "PERSON", 20, SEX="F"),
            row("MY", 2024, "DRUG_ARREST", "PERSON", 30, SEX="M"),
            # Thailand 2023: men not reported. Missing is not zero: nothing to check.
            row("TH", 2023, "DRUG_ARREST", "PERSON", 100, SEX="_T"),
            row("TH", 2023, "DRUG_ARREST", "PERSON", 30, SEX="F"),
            # A quarter is checked on its own.
            row("TH", "2024-Q1", "DRUG_ARREST", "PERSON", 10, SEX="_T"),
            row("TH", "2024-Q1", "DRUG_ARREST", "PERSON", 4, SEX="F"),
            row("TH", "2024-Q1", "DRUG_ARREST", "PERSON", 5, SEX="M"),
        ],
    )
    found = violations("DRUG_ARREST[SEX=_T]", "==", "DRUG_ARREST[SEX=F] + DRUG_ARREST[SEX=M]")
    assert found == {
        ("TH", "2024", "persons"): (100, 90),
        ("TH", "2024-Q1", "persons"): (10, 9),
    }
    # A dimension left out is at its total: the same rule written without [SEX=_T].
    assert violations("DRUG_ARREST", "==", "DRUG_ARREST[SEX=F] + DRUG_ARREST[SEX=M]") == found


def test_unit_kinds_are_never_mixed(tmp_path):
    import_rows(
        None,
        tmp_path,
        [
            # Tablets: the total (100) is below the methamphetamine tablets (150).
            row("TH", 2024, "DRUG_SEIZURE", "UNIT", 100, DRUG="_T"),
            row("TH", 2024, "DRUG_SEIZURE", "TABLET", 150, DRUG="METH_TABLET"),
            # Kilograms: a total, but no tablets weighed. Nothing to compare, and the 150
            # tablets are never compared with (or added to) kilograms.
            row("TH", 2024, "DRUG_SEIZURE", "KG", 10, DRUG="_T"),
            row("TH", 2024, "DRUG_SEIZURE", "KG", 5, DRUG="HEROIN"),
        ],
    )
    assert violations("DRUG_SEIZURE", ">=", "DRUG_SEIZURE[DRUG=METH_TABLET]") == {
        ("TH", "2024", "dosage"): (100, 150)
    }


def test_missing_value_strategies(tmp_path):
    import_rows(
        None,
        tmp_path,
        [
            # 2 kg of methamphetamine: 1,200 g of crystal and 800 g of tablets, weighed.
            row("TH", 2024, "DRUG_SEIZURE", "KG", 2, DRUG="METH"),
            row("TH", 2024, "DRUG_SEIZURE", "G", 1200, DRUG="METH_CRYSTAL"),
            row("TH", 2024, "DRUG_SEIZURE", "G", 800, DRUG="METH_TABLET"),
            # Malaysia: 10 kg in all, 8 kg of crystal, no tablets weighed.
            row("MY", 2024, "DRUG_SEIZURE", "KG", 10, DRUG="METH"),
            row("MY", 2024, "DRUG_SEIZURE", "KG", 8, DRUG="METH_CRYSTAL"),
        ],
    )
    forms = (
        "DRUG_SEIZURE[DRUG=METH]",
        "==",
        "DRUG_SEIZURE[DRUG=METH_TABLET] + DRUG_SEIZURE[DRUG=METH_CRYSTAL]",
    )
    # Any value missing on a side: skipped. Thailand's grams add up to its kilograms (the
    # comparison allows for the rounding of the conversion).
    assert violations(*forms) == {}
    # Missing parts count as zero when some were reported: Malaysia's 8 kg are not 10.
    assert violations(*forms, missing_value_strategy="skip_if_all_missing") == {
        ("MY", "2024", "mass"): (10, 8)
    }


def test_operators_and_division(tmp_path):
    import_rows(
        None,
        tmp_path,
        [
            row("TH", 2024, "DRUG_CASE", "NUMBER", 100),
            row("TH", 2024, "PRECURSOR_CASE", "NUMBER", 120),
            row("MY", 2024, "DRUG_CASE", "NUMBER", 0),
            row("MY", 2024, "PRECURSOR_CASE", "NUMBER", 0),
        ],
    )
    assert set(violations("PRECURSOR_CASE", "<=", "DRUG_CASE")) == {("TH", "2024", "count")}
    assert set(violations("PRECURSOR_CASE", "<", "DRUG_CASE")) == {
        ("TH", "2024", "count"),
        ("MY", "2024", "count"),
    }
    assert set(violations("PRECURSOR_CASE", "!=", "DRUG_CASE")) == {("MY", "2024", "count")}
    assert violations("PRECURSOR_CASE", ">=", "DRUG_CASE + 1") == {("MY", "2024", "count"): (0, 1)}
    # A division by zero cannot be evaluated: Malaysia is skipped, Thailand's ratio is 1.2.
    assert violations("PRECURSOR_CASE / DRUG_CASE", "<=", "1") == {
        ("TH", "2024", "count"): (1.2, 1)
    }


def test_one_query_per_rule_whatever_the_data(tmp_path, django_assert_num_queries):
    import_rows(
        None,
        tmp_path,
        [
            row(area, year, "DRUG_ARREST", "PERSON", n, SEX=sex)
            for area in ("TH", "MY", "ID", "PH")
            for year in range(2015, 2025)
            for sex, n in (("_T", 100), ("F", 30), ("M", 60))
        ],
    )
    check = compiled("DRUG_ARREST[SEX=_T]", "==", "DRUG_ARREST[SEX=F] + DRUG_ARREST[SEX=M]")
    with django_assert_num_queries(1):
        found = rules.check_rule(check)
    assert len(found) == 40
    with django_assert_num_queries(1):
        found = rules.check_rule(check, ref_areas=["TH"], first_year=2024, last_year=2024)
    assert [(v.ref_area, v.time_period) for v in found] == [("TH", "2024")]


# --- the bundled rules -------------------------------------------------------------------------


def bundled() -> dict:
    return json.loads(rules.RULES_FILE.read_text())


def test_the_bundled_rules_are_loaded_by_setup_and_fit_the_metadata():
    data = bundled()
    assert set(ValidationRule.objects.values_list("code", flat=True)) == {
        r["code"] for r in data["rules"]
    }
    assert IndicatorBound.objects.filter(indicator__code="DRUG_PURITY", maximum=100).exists()
    compiled_rules, problems = rules.compile_active_rules(Structure.load())
    assert problems == []
    assert len(compiled_rules) == len(data["rules"])
    # The examples of the issue.
    arrests = ValidationRule.objects.get(code="ARREST_SEX_TOTAL")
    assert (arrests.left, arrests.operator, arrests.right) == (
        "DRUG_ARREST[SEX=_T]",
        "==",
        "DRUG_ARREST[SEX=F] + DRUG_ARREST[SEX=M]",
    )
    cases = ValidationRule.objects.get(code="PRECURSOR_CASES_WITHIN_DRUG_CASES")
    assert (cases.left, cases.operator, cases.right) == ("PRECURSOR_CASE", "<=", "DRUG_CASE")


def test_loading_is_idempotent_and_audited(people):
    events = AuditEvent.objects.count()
    result = rules.load_bundled_rules()
    assert (result.created, result.updated) == ([], [])
    assert AuditEvent.objects.count() == events

    data = bundled()
    data["rules"].append(
        {
            "code": "OPERATIONS_AT_LEAST_LABS",
            "name": "Operations at least laboratories",
            "left": "DRUG_OPERATION",
            "operator": ">=",
            "right": "CLANDESTINE_LAB",
        }
    )
    result = rules.load_validation_rules(acting_user=people.admin, data=data)
    assert result.created == ["rule OPERATIONS_AT_LEAST_LABS"]
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor) == ("statistics.validationrule.create", people.admin)
    # Existing rules stay as administrators left them unless an update is asked for.
    data["rules"][0]["name"] = "Renamed"
    assert rules.load_validation_rules(acting_user=people.admin, data=data).updated == []
    updated = rules.load_validation_rules(acting_user=people.admin, data=data, update_existing=True)
    assert updated.updated == [f"rule {data['rules'][0]['code']}"]
    assert ValidationRule.objects.get(code=data["rules"][0]["code"]).name == "Renamed"


def test_a_bad_rules_file_changes_nothing_and_names_every_problem(people):
    before = (
        ValidationRule.objects.count(),
        IndicatorBound.objects.count(),
        AuditEvent.objects.count(),
    )
    data = {
        "rules": [
            {"code": "GOOD", "name": "Good", "left": "DRUG_CASE", "operator": ">=", "right": "0"},
            {"code": "BAD1", "name": "Bad", "left": "DRUG_CASES", "operator": ">=", "right": "0"},
            {"code": "BAD2", "name": "Bad", "left": "DRUG_CASE", "operator": "=>", "right": "0"},
            {"code": "BAD3", "name": "", "left": "DRUG_CASE", "operator": "<", "right": "(1"},
        ],
        "bounds": [
            {"indicator": "DRUG_PURITY", "minimum": 10, "maximum": 5},
            {"indicator": "NOPE", "maximum": 5},
        ],
    }
    with pytest.raises(rules.RulesFileError) as exc:
        rules.load_validation_rules(acting_user=people.admin, data=data)
    text = "\n".join(exc.value.problems)
    assert "$.rules[1] BAD1: left: DRUG_CASES: unknown indicator" in text
    assert "$.rules[2] BAD2: operator" in text
    assert "$.rules[3] BAD3: name is required" in text
    assert "$.rules[3] BAD3: right: expected ')'" in text
    assert "$.bounds[0] DRUG_PURITY: the minimum is above the maximum" in text
    assert "$.bounds[1] NOPE: unknown indicator" in text
    assert "GOOD" not in text
    after = (
        ValidationRule.objects.count(),
        IndicatorBound.objects.count(),
        AuditEvent.objects.count(),
    )
    assert after == before


@pytest.mark.parametrize("who", ["th_focal", "secretariat", "wg"])
def test_only_administrators_load_rules(people, who):
    before = ValidationRule.objects.count(), AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        rules.load_validation_rules(acting_user=getattr(people, who), data=bundled())
    assert (ValidationRule.objects.count(), AuditEvent.objects.count()) == before
