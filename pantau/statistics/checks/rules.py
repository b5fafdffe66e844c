"""Validation rules, DHIS2-style: `left operator right`, each side an expression over
indicators, evaluated for each Member State and period (and unit kind).

The expression language, parsed here (never eval'd):

    expression := term (("+" | "-") term)*
    term       := factor (("*" | "/") factor)*
    factor     := NUMBER | reference | "(" expression ")" | "-" factor
    reference  := INDICATOR ["[" selector ("," selector)* "]"]
    selector   := DIMENSION "=" CODE          e.g. SEX=F, DRUG=METH_TABLET
                | "UNIT" "=" (KIND | UNIT)    e.g. UNIT=mass, UNIT=KG

A reference is ONE observation: the dimensions it does not name are at their total `_T`
(never summed across a total and its parts). When no reference names a unit and the
indicators share unit kinds, the rule is checked once per unit kind (tablets are compared
with tablets, kilograms with kilograms); otherwise each reference must have one unit kind.

Evaluation runs one query per rule (the sums are grouped in the database) and compares in
Python; a side with a missing value is skipped, never read as zero, unless the rule's
missing value strategy says otherwise."""

import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from pathlib import Path

from django.db import transaction
from django.db.models import Case, IntegerField, Q, Sum, Value, When

from pantau.audit.services import UpsertTally
from pantau.core.actors import SETUP, Actor
from pantau.core.exceptions import PermissionDenied

from .. import permissions
from ..choices import DIMENSIONS, TOTAL, UnitKind
from ..models import DataValue, Indicator, IndicatorBound, ValidationRule
from ..models.validation import Importance, MissingValueStrategy, RuleOperator
from ..snapshot import Structure

RULES_FILE = Path(__file__).resolve().parent.parent / "data" / "validation_rules.json"
UNIT_SELECTOR = "UNIT"
_DIMENSION_BY_COLUMN = {d.column: d for d in DIMENSIONS}

# --- parsing ----------------------------------------------------------------------------------


class ExpressionError(ValueError):
    """An expression that cannot be parsed or does not fit the metadata; `position` is the
    character it was found at (0-based), when known."""

    def __init__(self, message: str, position: int | None = None):
        self.position = position
        super().__init__(message if position is None else f"{message} (at character {position})")


_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<symbol>[-+*/()\[\],=]))"
)


@dataclass(frozen=True)
class Token:
    kind: str  # number, name, symbol, end
    text: str
    position: int


def tokenize(text: str) -> list[Token]:
    tokens, position = [], 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            start = position + len(text[position:]) - len(text[position:].lstrip())
            raise ExpressionError(f"unexpected {text[start]!r}", start)
        kind = match.lastgroup or ""
        tokens.append(Token(kind, match[kind], match.start(kind)))
        position = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


@dataclass(frozen=True)
class Reference:
    """INDICATOR[DIM=CODE,...] as written (upper-cased), before it is checked."""

    indicator: str
    selectors: tuple[tuple[str, str], ...]
    position: int


@dataclass(frozen=True)
class Number:
    value: float


@dataclass(frozen=True)
class Negative:
    operand: "Node"


@dataclass(frozen=True)
class BinaryOp:
    op: str
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class Bound:
    """A reference once checked: the index of its term in the compiled rule."""

    index: int


Node = Reference | Bound | Number | Negative | BinaryOp


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.i = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.i]

    def take(self, kind: str, text: str | None = None) -> Token:
        token = self.token
        if token.kind != kind or (text is not None and token.text != text):
            wanted = repr(text) if text else {"name": "a name", "number": "a number"}.get(kind)
            found = repr(token.text) if token.kind != "end" else "the end"
            raise ExpressionError(f"expected {wanted or kind}, found {found}", token.position)
        self.i += 1
        return token

    def at(self, text: str) -> bool:
        return self.token.kind == "symbol" and self.token.text == text

    def parse(self) -> Node:
        if self.token.kind == "end":
            raise ExpressionError("the expression is empty", 0)
        node = self.expression()
        if self.token.kind != "end":
            raise ExpressionError(f"unexpected {self.token.text!r}", self.token.position)
        return node

    def expression(self) -> Node:
        node = self.term()
        while self.at("+") or self.at("-"):
            op = self.take("symbol").text
            node = BinaryOp(op, node, self.term())
        return node

    def term(self) -> Node:
        node = self.factor()
        while self.at("*") or self.at("/"):
            op = self.take("symbol").text
            node = BinaryOp(op, node, self.factor())
        return node

    def factor(self) -> Node:
        token = self.token
        if token.kind == "number":
            self.i += 1
            return Number(float(token.text))
        if self.at("-"):
            self.i += 1
            return Negative(self.factor())
        if self.at("("):
            self.i += 1
            node = self.expression()
            self.take("symbol", ")")
            return node
        if token.kind == "name":
            return self.reference()
        found = repr(token.text) if token.kind != "end" else "the end"
        raise ExpressionError(
            f"expected a number, an indicator or '(', found {found}", token.position
        )

    def reference(self) -> Reference:
        name = self.take("name")
        selectors: list[tuple[str, str]] = []
        if self.at("["):
            self.i += 1
            while True:
                dimension = self.take("name")
                self.take("symbol", "=")
                code = self.take("name")
                selectors.append((dimension.text.upper(), code.text))
                if self.at(","):
                    self.i += 1
                    continue
                self.take("symbol", "]")
                break
        return Reference(name.text.upper(), tuple(selectors), name.position)


def parse_expression(text: str) -> Node:
    """The syntax tree of an expression; ExpressionError names what is wrong and where."""
    return _Parser(text).parse()


# --- checking against the metadata -------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One observation a rule reads: an indicator, every dimension (the ones not named at
    `_T`) and, when the reference names it, a unit kind."""

    indicator_id: int
    indicator: str
    dimensions: tuple[tuple[str, str], ...]  # (DataValue field, code), every dimension
    unit_kind: str | None
    kinds: frozenset[str]  # the unit kinds it may have

    @property
    def label(self) -> str:
        named = [f"{f.upper()}={c}" for f, c in self.dimensions if c != TOTAL]
        if self.unit_kind:
            named.append(f"UNIT={self.unit_kind}")
        return self.indicator + (f"[{','.join(named)}]" if named else "")

    def condition(self) -> Q:
        q = Q(indicator_id=self.indicator_id, **dict(self.dimensions))
        return q & Q(unit_kind=self.unit_kind) if self.unit_kind else q


@dataclass
class CompiledRule:
    rule: ValidationRule
    left: Node
    right: Node
    terms: list[Term]  # distinct, in order of appearance
    per_unit_kind: bool
    unit_kinds: frozenset[str]  # when per_unit_kind: the kinds checked
    left_terms: frozenset[int] = field(default_factory=frozenset)
    right_terms: frozenset[int] = field(default_factory=frozenset)


def _resolve(reference: Reference, structure: Structure, side: str) -> Term:
    spec = structure.indicators.get(reference.indicator)
    where = f"{side}: {reference.indicator}"
    if spec is None:
        raise ExpressionError(f"{where}: unknown indicator", reference.position)
    dims = {d.field: TOTAL for d in DIMENSIONS}
    unit_kind = None
    seen = set()
    for column, text in reference.selectors:
        if column in seen:
            raise ExpressionError(f"{where}: {column} is named twice", reference.position)
        seen.add(column)
        if column == UNIT_SELECTOR:
            unit = structure.units.get(text.upper())
            kind = unit.kind if unit else (text.lower() if text.lower() in UnitKind.values else "")
            if not kind:
                raise ExpressionError(
                    f"{where}: UNIT={text} is neither a unit nor a unit kind "
                    f"({', '.join(UnitKind.values)})",
                    reference.position,
                )
            if kind not in spec.unit_kinds:
                raise ExpressionError(
                    f"{where}: measured in {', '.join(sorted(spec.unit_kinds))}, not {kind}",
                    reference.position,
                )
            unit_kind = kind
            continue
        dimension = _DIMENSION_BY_COLUMN.get(column)
        if dimension is None:
            raise ExpressionError(
                f"{where}: {column} is not a dimension "
                f"({', '.join([*_DIMENSION_BY_COLUMN, UNIT_SELECTOR])})",
                reference.position,
            )
        if dimension.codelist not in spec.dimensions:
            raise ExpressionError(
                f"{where}: {spec.code} is not broken down by {column}", reference.position
            )
        code = structure.codes.get(dimension.codelist, {}).get(text.upper())
        if code is None:
            raise ExpressionError(
                f"{where}: unknown {dimension.codelist} code {text!r}", reference.position
            )
        dims[dimension.field] = code
    return Term(
        indicator_id=spec.id,
        indicator=spec.code,
        dimensions=tuple(dims.items()),
        unit_kind=unit_kind,
        kinds=frozenset([unit_kind]) if unit_kind else spec.unit_kinds,
    )


def compile_rule(rule: ValidationRule, structure: Structure) -> CompiledRule:
    """Parse and check a rule against the metadata; ExpressionError says what is wrong."""
    if rule.operator not in RuleOperator.values:
        raise ExpressionError(
            f"operator: {rule.operator!r} is not one of {' '.join(RuleOperator.values)}"
        )
    sides = {}
    for side in ("left", "right"):
        try:
            sides[side] = parse_expression(getattr(rule, side))
        except ExpressionError as exc:
            raise ExpressionError(f"{side}: {exc}") from exc
    terms: list[Term] = []
    indices: dict[Term, int] = {}
    side_terms: dict[str, set[int]] = {"left": set(), "right": set()}

    def bind(node: Node, side: str) -> Node:
        if isinstance(node, Reference):
            term = _resolve(node, structure, side)
            if term not in indices:
                indices[term] = len(terms)
                terms.append(term)
            side_terms[side].add(indices[term])
            return Bound(indices[term])
        if isinstance(node, Negative):
            return Negative(bind(node.operand, side))
        if isinstance(node, BinaryOp):
            return BinaryOp(node.op, bind(node.left, side), bind(node.right, side))
        return node

    bound = {side: bind(node, side) for side, node in sides.items()}
    if not terms:
        raise ExpressionError("a rule reads at least one indicator")
    explicit = any(t.unit_kind for t in terms)
    common = reduce(frozenset.intersection, (t.kinds for t in terms))
    per_unit_kind = not explicit and bool(common)
    if not per_unit_kind:
        for term in terms:
            if len(term.kinds) != 1:
                raise ExpressionError(
                    f"{term.indicator} is measured in {', '.join(sorted(term.kinds))}: say "
                    f"which with [UNIT=...] (tablets are never added to kilograms)"
                )
    return CompiledRule(
        rule=rule,
        left=bound["left"],
        right=bound["right"],
        terms=terms,
        per_unit_kind=per_unit_kind,
        unit_kinds=common if per_unit_kind else frozenset(),
        left_terms=frozenset(side_terms["left"]),
        right_terms=frozenset(side_terms["right"]),
    )


# --- evaluation -------------------------------------------------------------------------------


class NotEvaluable(Exception):
    """A side cannot be computed for this area and period (a division by zero)."""


def evaluate(node: Node, values: dict[int, float]) -> float:
    """A compiled side's value, given the value of each term."""
    if isinstance(node, Bound):
        return values[node.index]
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Negative):
        return -evaluate(node.operand, values)
    if isinstance(node, BinaryOp):
        left = evaluate(node.left, values)
        right = evaluate(node.right, values)
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            return left * right
        if right == 0:
            raise NotEvaluable
        return left / right
    raise TypeError(f"an unchecked reference: {node!r}")


def compare(operator: str, left: float, right: float) -> bool:
    """Whether `left operator right` holds, with a relative tolerance for the rounding of unit
    conversions (1200 g + 800 g is 2 kg)."""
    tolerance = 1e-9 * max(1.0, abs(left), abs(right))
    if operator == RuleOperator.EQ:
        return abs(left - right) <= tolerance
    if operator == RuleOperator.NE:
        return abs(left - right) > tolerance
    if operator == RuleOperator.LT:
        return left < right - tolerance
    if operator == RuleOperator.LE:
        return left <= right + tolerance
    if operator == RuleOperator.GT:
        return left > right + tolerance
    if operator == RuleOperator.GE:
        return left >= right - tolerance
    raise ValueError(f"unknown operator {operator!r}")


@dataclass(frozen=True)
class RuleViolation:
    rule: ValidationRule
    ref_area: str
    time_period: str
    unit_kind: str  # "" when the rule is not checked per unit kind
    left: float
    right: float
    message: str

    @property
    def key(self) -> str:
        return f"rule:{self.rule.code}" + (f":{self.unit_kind}" if self.unit_kind else "")


def scope_filter(ref_areas: Iterable[str] | None, first_year: int | None, last_year: int | None):
    q = Q()
    if ref_areas is not None:
        q &= Q(ref_area__in=sorted(set(ref_areas)))
    if first_year is not None:
        q &= Q(year__gte=first_year)
    if last_year is not None:
        q &= Q(year__lte=last_year)
    return q


def check_rule(
    compiled: CompiledRule,
    *,
    ref_areas: Iterable[str] | None = None,
    first_year: int | None = None,
    last_year: int | None = None,
) -> list[RuleViolation]:
    """The areas, periods (and unit kinds) where the rule fails: one query, summed in the
    database by area, period, unit kind and term."""
    conditions = [t.condition() for t in compiled.terms]
    queryset = DataValue.objects.filter(reduce(or_, conditions)).filter(
        scope_filter(ref_areas, first_year, last_year)
    )
    if compiled.per_unit_kind:
        queryset = queryset.filter(unit_kind__in=sorted(compiled.unit_kinds))
    rows = (
        queryset.annotate(
            term=Case(
                *(When(c, then=Value(i)) for i, c in enumerate(conditions)),
                output_field=IntegerField(),
            )
        )
        .order_by()
        .values("ref_area", "time_period", "unit_kind", "term")
        .annotate(total=Sum("obs_value"))
    )
    groups: dict[tuple[str, str, str], dict[int, float]] = defaultdict(dict)
    for row in rows:
        kind = row["unit_kind"] if compiled.per_unit_kind else ""
        groups[(row["ref_area"], row["time_period"], kind)][row["term"]] = row["total"]

    rule = compiled.rule
    skip_if_all = rule.missing_value_strategy == MissingValueStrategy.SKIP_IF_ALL_MISSING
    violations = []
    for (ref_area, time_period, kind), values in sorted(groups.items()):
        evaluable = True
        for side_terms in (compiled.left_terms, compiled.right_terms):
            missing = side_terms - values.keys()
            if side_terms and (missing == side_terms if skip_if_all else missing):
                evaluable = False
        if not evaluable:
            continue
        filled = {i: values.get(i, 0.0) for i in range(len(compiled.terms))}
        try:
            left = evaluate(compiled.left, filled)
            right = evaluate(compiled.right, filled)
        except NotEvaluable:
            continue
        if compare(rule.operator, left, right):
            continue
        violations.append(
            RuleViolation(
                rule=rule,
                ref_area=ref_area,
                time_period=time_period,
                unit_kind=kind,
                left=left,
                right=right,
                message=_message(rule, left, right, kind),
            )
        )
    return violations


def _message(rule: ValidationRule, left: float, right: float, kind: str) -> str:
    unit = f" ({UnitKind(kind).label.lower()})" if kind else ""
    return (
        f"{rule.name}{unit}: {rule.left} = {format_number(left)} and {rule.right} = "
        f"{format_number(right)}, but the rule is {rule.left} {rule.operator} {rule.right} "
        f"(difference {format_number(left - right)})."
    )


def format_number(x: float) -> str:
    """A figure as people read it: 361,000,000; 1,234.5; 0.25."""
    if abs(x) >= 1000 or float(x).is_integer():
        return f"{x:,.0f}" if abs(x) < 1e15 else f"{x:.4g}"
    return f"{x:.4g}"


def compile_active_rules(structure: Structure) -> tuple[list[CompiledRule], list[str]]:
    """Every active rule, compiled; a rule the metadata no longer fits (an indicator or code
    removed since) is left out and named in the problems instead of stopping the checks."""
    compiled, problems = [], []
    for rule in ValidationRule.objects.filter(active=True).order_by("code"):
        try:
            compiled.append(compile_rule(rule, structure))
        except ExpressionError as exc:
            problems.append(f"rule {rule.code}: {exc}")
    return compiled, problems


# --- loading the rules and bounds ----------------------------------------------------------------


class RulesFileError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


class RulesLoadResult(UpsertTally):
    """What load_rules did."""


def _rule_values(spec: dict) -> dict:
    return {
        "name": spec.get("name", ""),
        "description": spec.get("description", ""),
        "left": spec.get("left", ""),
        "operator": spec.get("operator", ""),
        "right": spec.get("right", ""),
        "importance": spec.get("importance", Importance.MEDIUM),
        "missing_value_strategy": spec.get(
            "missing_value_strategy", MissingValueStrategy.SKIP_IF_ANY_MISSING
        ),
        "active": bool(spec.get("active", True)),
    }


def _limit(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(value)
    return float(value)


def check_rules_file(data: dict, structure: Structure) -> list[str]:
    """Every problem of a rules file (see data/validation_rules.json), as '$.path: message'."""
    problems = []
    seen = set()
    for i, spec in enumerate(data.get("rules", [])):
        code = spec.get("code") or ""
        where = f"$.rules[{i}] {code}"
        if not code or len(code) > 40:
            problems.append(f"{where}: code must be 1 to 40 characters")
        if code in seen:
            problems.append(f"{where}: the code appears twice")
        seen.add(code)
        values = _rule_values(spec)
        if not values["name"]:
            problems.append(f"{where}: name is required")
        if values["importance"] not in Importance.values:
            problems.append(f"{where}: importance must be one of {', '.join(Importance.values)}")
        if values["missing_value_strategy"] not in MissingValueStrategy.values:
            problems.append(
                f"{where}: missing_value_strategy must be one of "
                f"{', '.join(MissingValueStrategy.values)}"
            )
        try:
            compile_rule(ValidationRule(code=code, **values), structure)
        except ExpressionError as exc:
            problems.append(f"{where}: {exc}")
    seen_bounds = set()
    for i, spec in enumerate(data.get("bounds", [])):
        indicator = str(spec.get("indicator", ""))
        where = f"$.bounds[{i}] {indicator}"
        ind = structure.indicators.get(indicator.upper())
        if ind is None:
            problems.append(f"{where}: unknown indicator")
            continue
        kind = spec.get("unit_kind", "")
        if kind and kind not in ind.unit_kinds:
            problems.append(f"{where}: {ind.code} is not measured in {kind}")
        area = spec.get("ref_area", "")
        if area and area not in structure.members:
            problems.append(f"{where}: {area!r} is not a Member State")
        scope = (ind.code, kind, area)
        if scope in seen_bounds:
            problems.append(f"{where}: a second bound for the same indicator, kind and area")
        seen_bounds.add(scope)
        try:
            low, high = _limit(spec.get("minimum")), _limit(spec.get("maximum"))
        except ValueError:
            problems.append(f"{where}: minimum and maximum are numbers (or null)")
            continue
        if low is None and high is None:
            problems.append(f"{where}: give a minimum, a maximum or both")
        elif low is not None and high is not None and low > high:
            problems.append(f"{where}: the minimum is above the maximum")
    return problems


@transaction.atomic
def load_validation_rules(
    *, acting_user: Actor, data: dict, update_existing: bool = False, system: bool = False
) -> RulesLoadResult:
    """Create the rules and bounds of `data` that do not exist yet (each audited). Existing
    ones are left as administrators edited them, unless `update_existing`. Idempotent: a
    second run changes and records nothing."""
    if not system and not permissions.can_manage_metadata(acting_user):
        raise PermissionDenied("Only administrators change the validation rules")
    structure = Structure.load()
    problems = check_rules_file(data, structure)
    if problems:
        raise RulesFileError(problems)
    result = RulesLoadResult()

    def upsert(model, lookup: dict, values: dict, label: str) -> None:
        result.upsert(
            label,
            acting_user=acting_user,
            model=model,
            lookup=lookup,
            values=values,
            update_existing=update_existing,
        )

    for spec in data.get("rules", []):
        upsert(ValidationRule, {"code": spec["code"]}, _rule_values(spec), f"rule {spec['code']}")
    indicators = {i.code.upper(): i for i in Indicator.objects.all()}
    for spec in data.get("bounds", []):
        indicator = indicators[spec["indicator"].upper()]
        kind, area = spec.get("unit_kind", ""), spec.get("ref_area", "")
        upsert(
            IndicatorBound,
            {"indicator": indicator, "unit_kind": kind, "ref_area": area},
            {
                "minimum": _limit(spec.get("minimum")),
                "maximum": _limit(spec.get("maximum")),
                "note": spec.get("note", ""),
            },
            f"bound {indicator.code} {kind} {area}".strip(),
        )
    return result


def load_bundled_rules(*, acting_user: Actor = SETUP) -> RulesLoadResult:
    """The rules and bounds shipped with Pantau (`pantau setup`)."""
    return load_validation_rules(
        acting_user=acting_user, data=json.loads(RULES_FILE.read_text()), system=True
    )
