"""dive's CI configuration: ``.dive-ci``, ``--ci-config`` and dive's threshold flags.

The three rules keep dive's meaning and dive's value syntax: ``lowestEfficiency`` and
``highestUserWastedPercent`` are ratios between 0 and 1 (Go's ``ParseFloat``),
``highestWastedBytes`` a size as go-humanize reads it, and ``disabled`` skips a rule. When
nothing is configured at all, dive's defaults apply: efficiency at least 0.9, user wasted
percent at most 0.1, wasted bytes unchecked. Unlike dive, a misspelt key or value is an error
naming file, line and key rather than a silent fallback to the default.
"""

from __future__ import annotations

import difflib
import math
import re
from decimal import Decimal
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode

from auger.budgets.loader import BudgetsError, YamlDocument, read_config
from auger.budgets.schema import Budgets, Limit
from auger.budgets.units import Ratio, Size, UnitError, parse_dive_bytes
from auger.clipping import clip, clip_value

DIVE_RULES = {
    "lowestefficiency": ("lowestEfficiency", "min_efficiency"),
    "highestwastedbytes": ("highestWastedBytes", "max_dive_wasted_bytes"),
    "highestuserwastedpercent": ("highestUserWastedPercent", "max_user_wasted_percent"),
}
DEFAULTS = {
    "lowestEfficiency": "0.9",
    "highestWastedBytes": "disabled",
    "highestUserWastedPercent": "0.1",
}


_DIGITS = r"[0-9](?:_?[0-9])*"
_GO_DECIMAL = re.compile(
    rf"[+-]?(?:{_DIGITS}(?:\.(?:{_DIGITS})?)?|\.{_DIGITS})(?:[eE][+-]?{_DIGITS})?", re.ASCII
)
_HEX = r"[0-9a-fA-F](?:_?[0-9a-fA-F])*"
_GO_HEX = re.compile(
    rf"[+-]?0[xX](?:{_HEX}(?:\.(?:{_HEX})?)?|\.{_HEX})[pP][+-]?{_DIGITS}", re.ASCII
)
_GO_SPECIAL = re.compile(r"[+-]?(?:inf|infinity)|nan", re.IGNORECASE)


def _go_float(text: str) -> float:
    """Go's ``strconv.ParseFloat``: ASCII only, no spaces, ``_`` between digits, hex floats
    with a ``p`` exponent, ``inf``/``infinity`` with a sign, ``nan`` without one."""
    if _GO_DECIMAL.fullmatch(text):
        return float(text.replace("_", ""))
    if _GO_HEX.fullmatch(text):
        return float.fromhex(text.replace("_", ""))
    if _GO_SPECIAL.fullmatch(text):
        return float(text)
    raise UnitError(f"{clip(text)!r} is not a number dive accepts (write e.g. 0.9)")


def dive_limit(name: str, text: str, origin: str) -> tuple[str, Limit]:
    """One dive rule value as an auger limit (``disabled``: no limit)."""
    rule = DIVE_RULES[name.lower()][1]
    if text == "disabled":
        return rule, Limit(None, None, origin)
    if name.lower() == "highestwastedbytes":
        return rule, Limit(Size(parse_dive_bytes(text), text), None, origin)
    value = _go_float(text)
    if not math.isfinite(value):
        raise UnitError(
            f"{clip(text, 40)} is not a threshold (dive takes it and so turns the rule off; "
            "auger refuses it, so that the gate fails closed)"
        )
    if not 0 <= value <= 1:
        raise UnitError(f"{clip(text, 40)} is outside dive's allowed range (0-1)")
    return rule, Limit(Ratio(value, text), None, origin)


_YAML12_NUMBER = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?", re.ASCII)


def _scalar_text(doc: YamlDocument, node: Node, key: str) -> str:
    """A value as dive (viper) reads it: numbers in their shortest form, text as written.

    dive's YAML reader takes ``1e3`` for a number where PyYAML (YAML 1.1) sees text, so plain
    scalars that are numbers in YAML 1.2 are read as numbers here too.
    """
    if isinstance(node, ScalarNode) and node.style is None and _YAML12_NUMBER.fullmatch(node.value):
        number = float(node.value)
        if number.is_integer():
            return str(int(number))
        return format(Decimal(repr(number)), "f")
    value = doc.scalar(node, key)
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, (str, int, float)) or (
        isinstance(value, int) and value.bit_length() > 10_000
    ):
        return str(node.value)  # a date, or a number too long to write out: the text as written
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None:
        return ""
    return str(value)


def defaults() -> Budgets:
    """dive's built-in CI rules."""
    limits = dict(dive_limit(name, text, "dive default") for name, text in DEFAULTS.items())
    return Budgets(image=limits, source="dive defaults")


def _once(doc: YamlDocument, seen: dict[str, Node], node: Node, key: str, folded: str) -> None:
    """Refuse a key given twice, even in another case (dive would keep one silently)."""
    first = seen.setdefault(folded.lower(), node)
    if first is not node:
        line = first.start_mark.line + 1
        raise doc.error(node, key, f"given twice (also on line {line}; keys ignore case)")


def parse_dive_ci(text: str, name: str, *, with_defaults: bool = True) -> Budgets:
    """Parse a ``.dive-ci`` file: its rules over dive's defaults (or alone)."""
    doc = YamlDocument(text, name)
    budgets = defaults() if with_defaults else Budgets()
    if doc.root is None:
        return Budgets(image=budgets.image, source=name)
    if not isinstance(doc.root, MappingNode):
        raise doc.error(doc.root, "rules", "expected 'rules:' with dive's three keys")
    limits = dict(budgets.image)
    seen: dict[str, Node] = {}
    for key_node, value_node in doc.root.value:
        top = doc.scalar(key_node, "")
        if not isinstance(top, str) or top.lower() != "rules":
            shown = clip(top) if isinstance(top, str) else clip_value(top)
            close = difflib.get_close_matches(shown, ["rules"], n=1)
            hint = "; did you mean 'rules'?" if close else " (a .dive-ci has only 'rules:')"
            raise doc.error(key_node, shown, f"unknown key{hint}")
        _once(doc, seen, key_node, top, top)
        if isinstance(value_node, ScalarNode) and value_node.tag.endswith(":null"):
            continue  # every rule commented out: dive's defaults
        if not isinstance(value_node, MappingNode):
            raise doc.error(value_node, "rules", "expected a mapping of dive's rules")
        for rule_key, rule_value in value_node.value:
            rule = doc.scalar(rule_key, "rules")
            if not isinstance(rule, str) or rule.lower() not in DIVE_RULES:
                names = [spelled for spelled, _ in DIVE_RULES.values()]
                shown = clip(rule) if isinstance(rule, str) else clip_value(rule)
                close = difflib.get_close_matches(shown, names, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else f" (use {', '.join(names)})"
                raise doc.error(rule_key, f"rules.{shown}", f"unknown rule{hint}")
            _once(doc, seen, rule_key, f"rules.{rule}", f"rules.{rule.lower()}")
            if not isinstance(rule_value, ScalarNode):
                raise doc.error(rule_value, f"rules.{rule}", "expected a single value")
            if rule_value.tag.endswith(":null"):
                continue  # dive keeps the default for an empty value
            text_value = _scalar_text(doc, rule_value, f"rules.{rule}")
            try:
                auger_rule, limit = dive_limit(rule, text_value, doc.origin(rule_value))
            except UnitError as exc:
                raise doc.error(rule_value, f"rules.{rule}", str(exc)) from exc
            limits[auger_rule] = limit
    return Budgets(image=limits, source=name)


def load_dive_ci(path: Path, *, with_defaults: bool = True) -> Budgets:
    """Read and parse a ``.dive-ci`` file."""
    return parse_dive_ci(read_config(path), str(path), with_defaults=with_defaults)


def with_flags(budgets: Budgets, flags: dict[str, str | None]) -> Budgets:
    """Apply dive's ``--lowestEfficiency`` style flags (given ones only) over ``budgets``."""
    limits = dict(budgets.image)
    for flag, value in flags.items():
        if value is None:
            continue
        try:
            rule, limit = dive_limit(flag, value, f"--{flag}")
        except UnitError as exc:
            raise BudgetsError(f"--{flag}: {exc}") from exc
        limits[rule] = limit
    return Budgets(
        image=limits,
        layers=budgets.layers,
        paths=budgets.paths,
        ignore=budgets.ignore,
        growth=budgets.growth,
        overrides=budgets.overrides,
        source=budgets.source,
    )
