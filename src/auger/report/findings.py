"""Findings for code review tools: failed and warned budgets, and advice on wasted space.

The GitLab Code Quality and SARIF formats show the same findings: each has a rule (an id, a
name and what to do), a level, a message, a place in the repository (file and line) and a
fingerprint that stays the same from run to run while the finding does, so a tool can tell a
new finding from one it has seen (the fingerprint leaves out the image's tag, the measured
numbers and the line).

Places: a budget is found on the line of the budgets file that set it. With the Dockerfile's
lines known (``--dockerfile``), a failed or warned layer budget is found on the line of each
layer over the limit, and advice on the line that made its layer. Anything else (advice whose
layer has no line, a budget no file set: dive's defaults, a command-line flag) is found on line
1 of the Dockerfile, :data:`DOCKERFILE` when none was given.
"""

from __future__ import annotations

import enum
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from auger.analysis.advice import Finding
from auger.attribution.summary import Attribution, SourceLine
from auger.budgets.evaluate import RuleResult, Status, Verdict
from auger.budgets.schema import PATH_METRIC
from auger.display import display, format_size
from auger.model import Layer
from auger.report.gate import limit, message
from auger.report.model import ImageReport

DOCKERFILE = "Dockerfile"
"""Where a finding with no place of its own is shown: the Dockerfile, where fixes are made."""


class Level(enum.Enum):
    """How serious a finding is (SARIF's levels)."""

    ERROR = "error"
    """A budget failed."""
    WARNING = "warning"
    """A budget's warn level was passed, or advice with bytes to save."""
    NOTE = "note"
    """Advice without a size (a build habit)."""


@dataclass(frozen=True, slots=True)
class Location:
    """A line of a file in the repository, the path as the user wrote it."""

    path: str
    line: int


@dataclass(frozen=True, slots=True)
class Rule:
    """What a kind of finding is and what to do about it."""

    id: str
    """``budget/image.max_size``, ``budget/paths``, or an advice id (``DL3009``, ``AUG009``)."""
    name: str
    help: str
    level: Level
    """How serious its findings are unless one says otherwise."""


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding about one image."""

    rule: Rule
    level: Level
    message: str
    location: Location
    image: str
    """The image's repository, without tag or digest (``registry.example/app``)."""
    subject: str
    """What, within the rule, the finding is about (a path glob); part of its identity."""

    @property
    def fingerprint(self) -> str:
        """Stable while the rule, image, subject and file are: not the numbers, not the line."""
        identity = "\0".join((self.rule.id, self.image, self.subject, self.location.path))
        return hashlib.sha256(identity.encode("utf-8", "surrogateescape")).hexdigest()


def repository(image: str) -> str:
    """``registry:5000/team/app:1.2@sha256:...`` -> ``registry:5000/team/app``."""
    name = image.partition("@")[0]
    head, slash, last = name.rpartition("/")
    return head + slash + last.partition(":")[0]


def _path(path: str) -> str:
    return path.removeprefix("./") or path


def origin_location(origin: str) -> Location | None:
    """``budgets.yaml:12`` as a location (``None`` for ``--flag`` or ``dive default``)."""
    path, sep, line = origin.rpartition(":")
    if not sep or not path or not line.isdigit():
        return None
    return Location(_path(path), int(line))


def dockerfile_path(attribution: Attribution | None) -> str:
    """The Dockerfile as the user named it (:data:`DOCKERFILE` when none was given)."""
    lines = attribution.lines if attribution is not None else ()
    return next((_path(line.path) for line in lines if line is not None), DOCKERFILE)


def source_location(line: SourceLine) -> Location:
    """A Dockerfile line as a location."""
    return Location(_path(line.path), line.line)


def _budget_rule(result: RuleResult) -> Rule:
    if result.rule.startswith("paths["):
        return Rule(
            "budget/paths",
            PATH_METRIC.title,
            "Files under a path glob hold more bytes than the budget allows (0 forbids them): "
            "remove them from the image, or change the glob's max_size in the budgets file.",
            Level.ERROR,
        )
    return Rule(
        f"budget/{result.rule}",
        result.title,
        f"The {result.title} is beyond the limit the budgets file sets: make the image "
        "smaller (auger report lists its wasted bytes and how to save them), or change the "
        "limit there if the change is intended.",
        Level.ERROR,
    )


def budget_issue(result: RuleResult, image: str, dockerfile: str = DOCKERFILE) -> Issue | None:
    """The finding of a failed or warned budget (``None`` for one that passed or was skipped);
    one that no file set is placed on line 1 of ``dockerfile``."""
    if result.status not in (Status.FAIL, Status.WARN):
        return None
    text = message(result) + (f". Advice: {result.advice}" if result.advice else "")
    location = origin_location(result.origin) or Location(dockerfile, 1)
    level = Level.ERROR if result.status is Status.FAIL else Level.WARNING
    subject = result.title if result.rule.startswith("paths[") else result.rule
    return Issue(_budget_rule(result), level, display(text), location, repository(image), subject)


def layer_issues(
    result: RuleResult, image: str, layers: Sequence[Layer], attribution: Attribution
) -> list[Issue]:
    """A layer budget's findings on the Dockerfile lines of the layers over its limits: an
    error over the failing limit, a warning over the warning one (none when no such layer has
    a line)."""
    issues = []
    for layer in layers:
        line = attribution.line_of(layer.index)
        if line is None:
            continue
        if result.fail_value is not None and layer.size > result.fail_value:
            level = Level.ERROR
        elif result.warn_value is not None and layer.size > result.warn_value:
            level = Level.WARNING
        else:
            continue
        text = f"layer {layer.index} is {format_size(layer.size)}, limit {limit(result)}"
        issues.append(
            Issue(
                _budget_rule(result),
                level,
                display(f"{text} ({line.text})" if line.text else text),
                source_location(line),
                repository(image),
                f"{result.rule}\0{line.text}",
            )
        )
    return issues


def budget_issues(
    verdict: Verdict, *, layers: Sequence[Layer] = (), attribution: Attribution | None = None
) -> list[Issue]:
    """The findings of a verdict: failed budgets first, then warned ones. With an attribution
    that knows the Dockerfile's lines, a layer budget is found on the lines of its ``layers``
    over the limit."""
    dockerfile = dockerfile_path(attribution)
    found = []
    for result in verdict.results:
        if result.rule == "layers.max_size" and attribution is not None and attribution.lines:
            on_lines = layer_issues(result, verdict.image, layers, attribution)
            if on_lines:
                found += on_lines
                continue
        issue = budget_issue(result, verdict.image, dockerfile)
        if issue is not None:
            found.append(issue)
    return sorted(found, key=lambda issue: issue.level is not Level.ERROR)


def advice_issue(finding: Finding, image: str, attribution: Attribution | None = None) -> Issue:
    """The finding of a piece of advice that matched the image: on the Dockerfile line that
    made its layer when the attribution knows it, with what following it saves and the
    packages it is about."""
    advice = finding.rule
    text = advice.title
    if finding.size:
        files = f"{finding.count} file{'s' if finding.count != 1 else ''}"
        text += f": {format_size(finding.size)} in {files}"
        saved = attribution.savings.get(advice.id) if attribution is not None else None
        if saved is not None and saved != finding.size:  # files other layers also hold
            text += f", following it saves {format_size(saved)}"
    if finding.layers:
        text += f" (layer{'s' if len(finding.layers) > 1 else ''} "
        text += ", ".join(str(layer) for layer in finding.layers) + ")"
    if finding.examples:
        text += ", e.g. " + ", ".join(display(example) for example in finding.examples[:3])
    names = attribution.packages_of(finding) if attribution is not None else ()
    if names:
        text += f"; packages: {', '.join(display(name) for name in names[:5])}"
        text += f" and {len(names) - 5} more" if len(names) > 5 else ""
    text += f". Fix: {advice.fix}"
    line = attribution.line_of_finding(finding) if attribution is not None else None
    location = (
        source_location(line) if line is not None else Location(dockerfile_path(attribution), 1)
    )
    return Issue(
        Rule(advice.id, advice.title, advice.fix, Level.WARNING),
        Level.WARNING if finding.size else Level.NOTE,
        display(text),
        location,
        repository(image),
        advice.id,
    )


def advice_issues(
    findings: Sequence[Finding], image: str, attribution: Attribution | None = None
) -> list[Issue]:
    """The findings of every piece of advice."""
    return [advice_issue(finding, image, attribution) for finding in findings]


def report_issues(report: ImageReport) -> list[Issue]:
    """Every finding of a report: its budgets (when it has a verdict), then its advice."""
    image = report.analysis.image
    layers, attribution = image.layers, report.attribution
    issues = []
    if report.verdict is not None:
        issues = budget_issues(report.verdict, layers=layers, attribution=attribution)
    name = image.name or image.reference
    return issues + advice_issues(report.findings, name, attribution)


_CATEGORY = re.compile(r"[^A-Za-z0-9._/-]+")


def category(image: str) -> str:
    """A name for the findings about one image, the same from run to run (SARIF's run
    category, so that each image's findings replace only that image's)."""
    return "auger/" + (_CATEGORY.sub("_", repository(image)).strip("/") or "image") + "/"


def fingerprints(issues: list[Issue]) -> list[str]:
    """Each issue's fingerprint, made unique within the list: a repeat (two path rules with
    one glob) gets its occurrence number mixed in, which keeps it stable from run to run."""
    seen: dict[str, int] = {}
    result = []
    for issue in issues:
        fingerprint = issue.fingerprint
        count = seen.get(fingerprint, 0)
        seen[fingerprint] = count + 1
        if count:
            fingerprint = hashlib.sha256(f"{fingerprint}\0{count}".encode()).hexdigest()
        result.append(fingerprint)
    return result
