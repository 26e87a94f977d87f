"""Checking checklist files before anything is loaded: syntax, schema, codes and arithmetic.

Every mistake is reported with its file, the code of the section, criterion or item it
concerns and, as far as the TOML text allows, its line, so that the person editing the
file can go straight to it. All mistakes of a file are collected, not only the first,
except that a file which is not valid TOML or does not fit the schema stops there: the
later checks need the decoded checklist.
"""

from __future__ import annotations

import re
import tomllib
from typing import TYPE_CHECKING, Any

import msgspec

from inspection.domain.checklist import ChecklistFile, Item

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

TOLERANCE = 1e-6
"""Point sums are floats (0.5 + 1.0 + ...): equal within this margin counts as equal."""


class ChecklistError(Exception):
    """One mistake in a checklist file, located for the person who has to fix it."""

    def __init__(self, source: str, code: str, line: int | None, reason: str, kind: str = "") -> None:
        super().__init__(source, code, line, reason, kind)
        self.source = source
        self.code = code
        self.line = line
        self.reason = reason
        self.kind = kind

    @property
    def errors(self) -> list[ChecklistError]:
        """Every mistake this exception stands for (here only itself)."""
        return [self]

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        what = f"{self.kind} {self.code}".strip()
        return f"{where}: {what}: {self.reason}" if what else f"{where}: {self.reason}"


class ChecklistErrors(ChecklistError):
    """Several mistakes at once; behaves as the first one, and prints one per line.

    A subclass of :class:`ChecklistError` so that ``except ChecklistError`` catches both;
    ``errors`` lists them all either way.
    """

    def __init__(self, errors: Sequence[ChecklistError]) -> None:
        if not errors:
            raise ValueError("ChecklistErrors needs at least one error")
        first = errors[0]
        super().__init__(first.source, first.code, first.line, first.reason, first.kind)
        self._errors = [one for error in errors for one in error.errors]

    @property
    def errors(self) -> list[ChecklistError]:
        return list(self._errors)

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self._errors)


def load_checklist_file(path: Path) -> ChecklistFile:
    """Read and validate one checklist file; raises :class:`ChecklistErrors` listing every mistake."""
    source = str(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ChecklistErrors(
            [ChecklistError(source, "", None, f"cannot read the file: {exc.strerror}")]
        ) from None
    except UnicodeDecodeError as exc:
        reason = f"the file is not UTF-8 text (byte {exc.start})"
        raise ChecklistErrors([ChecklistError(source, "", None, reason)]) from None
    return parse_checklist(text, source)


def parse_checklist(text: str, source: str) -> ChecklistFile:
    """Decode and validate the TOML text of a checklist; ``source`` names it in errors."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ChecklistErrors([_syntax_error(exc, source, text)]) from None
    locator = _Locator(text)
    try:
        checklist = msgspec.convert(raw, ChecklistFile)
    except msgspec.ValidationError as exc:
        raise ChecklistErrors([_schema_error(str(exc), raw, source, locator)]) from None
    errors = _Checker(checklist, source, locator).run()
    if errors:
        raise ChecklistErrors(errors)
    return checklist


def checklist_paths(folder: Path) -> list[Path]:
    """The checklist files of a folder, in a stable order."""
    return sorted(path for path in folder.glob("*.toml") if path.is_file())


def read_folder(folder: Path) -> tuple[list[tuple[Path, ChecklistFile]], list[ChecklistError]]:
    """Every valid checklist of a folder, and every mistake of every file in it."""
    return read_paths([folder])


def read_paths(paths: Sequence[Path]) -> tuple[list[tuple[Path, ChecklistFile]], list[ChecklistError]]:
    """Every valid checklist among files and folders, and every mistake found in them.

    Besides each file's own mistakes, two files declaring the same checklist code is a
    mistake (they would overwrite each other's versions), and so is a missing or empty folder.
    """
    files, errors = _expand(paths)
    parsed: list[tuple[Path, ChecklistFile]] = []
    for path in files:
        try:
            parsed.append((path, load_checklist_file(path)))
        except ChecklistError as exc:
            errors.extend(exc.errors)
    errors.extend(_shared_codes(parsed))
    return parsed, errors


def validate_paths(paths: Sequence[Path]) -> tuple[list[ChecklistError], int]:
    """Every mistake in the given checklist files and folders, and how many files were checked."""
    files, _ = _expand(paths)
    return read_paths(paths)[1], len(files)


def validate_folder(folder: Path) -> list[ChecklistError]:
    """Every mistake of every checklist file in ``folder``; empty when all are fine."""
    return read_folder(folder)[1]


def _expand(paths: Sequence[Path]) -> tuple[list[Path], list[ChecklistError]]:
    """Folders replaced by their checklist files, each file once; missing or empty folders as errors."""
    files: dict[Path, None] = {}
    errors: list[ChecklistError] = []
    for path in paths:
        if path.is_file():
            files[path] = None
        elif path.is_dir():
            found = checklist_paths(path)
            if not found:
                errors.append(
                    ChecklistError(str(path), "", None, "no checklist files (*.toml) in this folder")
                )
            files.update(dict.fromkeys(found))
        else:
            errors.append(ChecklistError(str(path), "", None, "no such file or folder"))
    return list(files), errors


def _shared_codes(parsed: Iterable[tuple[Path, ChecklistFile]]) -> list[ChecklistError]:
    first_file: dict[str, Path] = {}
    errors: list[ChecklistError] = []
    for path, checklist in parsed:
        code = checklist.checklist.code
        if code in first_file:
            line = _Locator(path.read_text(encoding="utf-8")).meta_code_line()
            reason = f"the checklist code is already used by {first_file[code]}"
            errors.append(ChecklistError(str(path), code, line, reason, "checklist"))
        else:
            first_file[code] = path
    return errors


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def _syntax_error(exc: tomllib.TOMLDecodeError, source: str, text: str) -> ChecklistError:
    message = str(exc)
    match = _TOML_POSITION.search(message)
    if match is not None:
        reason = f"TOML syntax: {message[: match.start()]} (column {match.group(2)})"
        return ChecklistError(source, "", int(match.group(1)), reason)
    if message.endswith("(at end of document)"):
        reason = "TOML syntax: " + message.removesuffix(" (at end of document)") + " at the end of the file"
        return ChecklistError(source, "", max(1, len(text.splitlines())), reason)
    return ChecklistError(source, "", None, f"TOML syntax: {message}")


_PATH_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")
_LEVEL_KIND = {"sections": "section", "criteria": "criterion", "items": "item"}
_UNKNOWN_FIELD = re.compile(r"unknown field `([^`]+)`")


def _schema_error(message: str, raw: dict[str, Any], source: str, locator: _Locator) -> ChecklistError:
    """Turn msgspec's ``... - at `$.sections[2].criteria[0].items[1].response_type``` into a code and line."""
    reason, found, path = message.rpartition(" - at `")
    if found:
        path = path.rstrip("`")
    else:
        reason, path = message, "$"
    steps: list[str | int] = [
        name if name else int(index) for name, index in _PATH_STEP.findall(path.removeprefix("$"))
    ]
    # Walk the decoded TOML along the path, remembering the deepest section, criterion or
    # item that has a code: that is what the person fixing the file knows it by.
    node: Any = raw
    owner: dict[str, Any] | None = None
    kind = ""
    rest: list[str | int] = steps
    level = ""
    for position, step in enumerate(steps):
        if isinstance(step, str):
            level = step
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        has_code = isinstance(node, dict) and isinstance(node.get("code"), str)
        if isinstance(step, int) and level in _LEVEL_KIND and has_code:
            owner, kind, rest = node, _LEVEL_KIND[level], steps[position + 1 :]
    unknown = _UNKNOWN_FIELD.search(reason)
    unknown_field = unknown.group(1) if unknown is not None else None
    if owner is None:
        line = locator.top_level_line(steps, unknown_field)
        return ChecklistError(source, "", line, f"{reason} (at {path})" if steps else reason)
    if len(rest) == 1 and unknown is None:
        reason = f"{rest[0]}: {reason}"
    elif rest:
        reason = f"{reason} (at {path})"
    code = str(owner["code"])
    line = locator.inner_line(locator.code_line(code, _occurrence(raw, owner)), rest, unknown_field)
    return ChecklistError(source, code, line, reason, kind)


def _occurrence(raw: dict[str, Any], owner: dict[str, Any]) -> int:
    """How many sections, criteria or items before ``owner`` carry the same code."""
    code = owner.get("code")
    seen = 0
    for node in _raw_nodes(raw):
        if node is owner:
            return seen
        if node.get("code") == code:
            seen += 1
    return seen


def _raw_nodes(raw: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for section in _dicts(raw.get("sections")):
        yield section
        for criterion in _dicts(section.get("criteria")):
            yield criterion
            yield from _dicts(criterion.get("items"))


def _dicts(value: object) -> list[dict[str, Any]]:
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


_CODE_ASSIGNMENT = re.compile(r"""(?<![\w-])code\s*=\s*(?:"([^"\\]*)"|'([^']*)')""")
_HEADER = re.compile(r"^\s*\[")
_HEADER_NAME = re.compile(r"^\s*\[\[?\s*([^\[\]]+?)\s*\]\]?")


class _Locator:
    """Finds lines in the TOML text, best effort: the file is decoded, not kept as a syntax tree.

    Sections, criteria and items are found by their ``code = "..."`` line; the n-th object
    with a code is taken to be on the n-th such line, which holds for files written in
    the usual nested order.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.meta_header = self._header_line("checklist")
        meta_code = self.meta_code_line()
        self.by_code: dict[str, list[int]] = {}
        for number, line in enumerate(self.lines, start=1):
            for match in _CODE_ASSIGNMENT.finditer(line):
                if number != meta_code:
                    self.by_code.setdefault(match.group(1) or match.group(2) or "", []).append(number)

    def _header_line(self, name: str) -> int | None:
        pattern = re.compile(rf"^\s*\[\[?\s*{re.escape(name)}\s*\]\]?")
        return next((n for n, line in enumerate(self.lines, start=1) if pattern.match(line)), None)

    def meta_code_line(self) -> int | None:
        """The line of ``code = ...`` in the ``[checklist]`` table."""
        return self.key_line(self.meta_header, "code") if self.meta_header is not None else None

    def code_line(self, code: str, occurrence: int = 0) -> int | None:
        lines = self.by_code.get(code, [])
        if not lines:
            return None
        return lines[occurrence] if occurrence < len(lines) else lines[0]

    def key_line(self, start: int | None, key: str) -> int | None:
        """The line where ``key`` is set in the table that ``start`` belongs to, else ``start``.

        Looks forward from ``start`` to the next table header; a key that is a table of
        its own (``[[...scoring_bands]]``) is found as that header.
        """
        if start is None:
            return None
        assignment = re.compile(rf"^\s*{re.escape(key)}\s*=")
        own_table = re.compile(rf"^\s*\[\[?[^\]]*\b{re.escape(key)}\s*\]\]?")
        for number in range(start, len(self.lines) + 1):
            line = self.lines[number - 1]
            if assignment.match(line):
                return number
            if number > start and _HEADER.match(line):
                return number if own_table.match(line) else start
        return start

    def table_line(self, start: int, key: str, index: int, *, within: bool = True) -> int | None:
        """The line of the ``index``-th ``[[...key]]`` table after line ``start``.

        ``within`` stops the search at the first header that is neither such a table nor
        nested in one, i.e. at the end of the table that ``start`` belongs to.
        """
        count = 0
        for number in range(start + 1, len(self.lines) + 1):
            match = _HEADER_NAME.match(self.lines[number - 1])
            if match is None:
                continue
            name = match.group(1)
            if name == key or name.endswith("." + key):
                if count == index:
                    return number
                count += 1
            elif within and f"{key}." not in name:
                return None
        return None

    def inner_line(self, start: int | None, steps: Sequence[str | int], key: str | None) -> int | None:
        """The line of what ``steps`` lead to inside the table at ``start``; ``key`` names a field."""
        if start is None:
            return None
        line = start
        if len(steps) >= 2 and isinstance(steps[0], str) and isinstance(steps[1], int):
            table = self.table_line(start, steps[0], steps[1])
            if table is not None:
                line, steps = table, steps[2:]
        key = key or next((step for step in steps if isinstance(step, str)), None)
        return self.key_line(line, key) if key else line

    def top_level_line(self, steps: Sequence[str | int], key: str | None) -> int | None:
        """A line for a mistake outside any section with a code: in ``[checklist]`` or at the top."""
        if steps[:1] == ["checklist"]:
            return self.inner_line(self.meta_header, steps[1:], key)
        if len(steps) >= 2 and isinstance(steps[0], str) and isinstance(steps[1], int):
            table = self.table_line(0, steps[0], steps[1], within=False)
            if table is not None:
                return self.inner_line(table, steps[2:], key)
        name = key or next((step for step in steps if isinstance(step, str)), None)
        if name is None:
            return None
        header = self._header_line(name)
        if header is not None:
            return header
        assignment = re.compile(rf"^\s*{re.escape(name)}\s*=")
        return next((n for n, line in enumerate(self.lines, start=1) if assignment.match(line)), None)

    def first_line_with(self, word: str) -> int | None:
        pattern = re.compile(rf"\b{re.escape(word)}\b")
        return next((n for n, line in enumerate(self.lines, start=1) if pattern.search(line)), None)


def _num(value: float) -> str:
    return repr(round(value, 6))


class _Checker:
    """The checks a decoded checklist must pass beyond its schema; collects every mistake."""

    def __init__(self, checklist: ChecklistFile, source: str, locator: _Locator) -> None:
        self.checklist = checklist
        self.source = source
        self.locator = locator
        self.errors: list[ChecklistError] = []
        self.seen: dict[str, int] = {}
        self.first: dict[str, tuple[str, int | None]] = {}

    def run(self) -> list[ChecklistError]:
        meta = self.checklist.checklist
        if not self.checklist.sections:
            self.error("", "", None, "the checklist has no sections")
        total = 0.0
        for section in self.checklist.sections:
            section_line = self.place("section", section.code)
            if not section.criteria:
                self.error("section", section.code, section_line, "the section has no criteria")
            criteria_sum = 0.0
            for criterion in section.criteria:
                criterion_line = self.place("criterion", criterion.code)
                if not criterion.items:
                    self.error("criterion", criterion.code, criterion_line, "the criterion has no items")
                items_sum = 0.0
                for item in criterion.items:
                    self.check_item(item, self.place("item", item.code))
                    items_sum += item.max_points
                criteria_sum += self.compare(
                    "criterion", criterion.code, criterion_line, items_sum, criterion.max_points, "items"
                )
            total += self.compare(
                "section", section.code, section_line, criteria_sum, section.max_points, "criteria"
            )
        if meta.total_max_points is not None and abs(total - meta.total_max_points) > TOLERANCE:
            line = self.locator.key_line(self.locator.meta_header, "total_max_points")
            reason = (
                f"points of sections ({_num(total)}) do not add up to the checklist's "
                f"total_max_points ({_num(meta.total_max_points)})"
            )
            self.error("", "", line, reason)
        self.check_rating_bands()
        return self.errors

    def error(self, kind: str, code: str, line: int | None, reason: str) -> None:
        self.errors.append(ChecklistError(self.source, code, line, reason, kind))

    def place(self, kind: str, code: str) -> int | None:
        """The line of this section/criterion/item; reports the code if it was used before."""
        occurrence = self.seen.get(code, 0)
        self.seen[code] = occurrence + 1
        line = self.locator.code_line(code, occurrence)
        if code in self.first:
            first_kind, first_line = self.first[code]
            at = f" (line {first_line})" if first_line is not None else ""
            self.error(kind, code, line, f"duplicate code: already used by {first_kind} {code}{at}")
        else:
            self.first[code] = (kind, line)
        return line

    def compare(
        self, kind: str, code: str, line: int | None, parts: float, declared: float | None, part_name: str
    ) -> float:
        """Check a declared maximum against the sum of its parts; the maximum that counts upwards.

        When both are given and differ, the declared maximum is passed up, so one wrong
        number is reported once and not again at every level above it.
        """
        if declared is None:
            return parts
        if abs(parts - declared) > TOLERANCE:
            owner = "criterion" if kind == "criterion" else "section"
            reason = (
                f"points of {part_name} ({_num(parts)}) do not add up to the {owner}'s "
                f"max_points ({_num(declared)})"
            )
            self.error(kind, code, self.locator.key_line(line, "max_points"), reason)
        return declared

    def check_item(self, item: Item, line: int | None) -> None:
        def fail(key: str, reason: str) -> None:
            self.error("item", item.code, self.locator.key_line(line, key), reason)

        scored = item.response_type != "text"
        if scored and item.max_points <= 0:
            fail("max_points", f"a {item.response_type} item needs max_points greater than 0")
        if not scored and item.max_points > 0:
            fail("max_points", f"a text item earns no points, but has max_points {_num(item.max_points)}")
        if item.partial_points is not None:
            if item.response_type != "yes_no_partial":
                fail("partial_points", "partial_points is only for yes_no_partial items")
            elif item.partial_points > item.max_points + TOLERANCE:
                fail(
                    "partial_points",
                    f"partial_points ({_num(item.partial_points)}) exceed "
                    f"max_points ({_num(item.max_points)})",
                )
        if item.response_type != "number":
            if item.scoring_bands:
                fail("scoring_bands", "scoring_bands are only for number items")
            return
        if not item.scoring_bands:
            fail("response_type", "a number item needs scoring_bands")
            return
        mins = [band.min for band in item.scoring_bands]
        repeated = sorted({value for value in mins if mins.count(value) > 1})
        if repeated:
            fail("scoring_bands", f"two scoring bands start at the same min ({_num(repeated[0])})")
        best = max(band.points for band in item.scoring_bands)
        if best > item.max_points + TOLERANCE:
            reason = (
                f"a scoring band gives {_num(best)} points, more than max_points ({_num(item.max_points)})"
            )
            fail("scoring_bands", reason)
        elif item.max_points > 0 and best < item.max_points - TOLERANCE:
            # Otherwise the item could never be passed: passing means earning the maximum.
            reason = f"no scoring band gives the item's max_points ({_num(item.max_points)})"
            fail("scoring_bands", reason)

    def check_rating_bands(self) -> None:
        bands = self.checklist.checklist.rating_bands
        if not bands:
            return
        line = self.locator.first_line_with("rating_bands")
        previous: float | None = None
        for band in bands:
            if previous is not None and band.min_percent == previous:
                self.error("", "", line, f"two rating bands start at {_num(band.min_percent)}%")
            elif previous is not None and band.min_percent > previous:
                reason = (
                    f"rating bands must be listed from the highest min_percent down: "
                    f"{_num(band.min_percent)} follows {_num(previous)}"
                )
                self.error("", "", line, reason)
            previous = band.min_percent
        if min(band.min_percent for band in bands) > 0:
            self.error(
                "", "", line, "the lowest rating band must start at 0% so that every score gets a rating"
            )
