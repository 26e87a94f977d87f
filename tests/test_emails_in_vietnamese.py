"""No English in the Vietnamese e-mails: every kind of notification (each template under
``templates/email``, in each of its variants), rendered in Vietnamese for a realistic action,
has no English word in its subject, text or HTML part, and writes days as dd/mm/yyyy and
counts with Vietnamese separators.

"An English word" is what the pages' check (``tests/web/test_no_english.py``) calls one: any
word of the catalog's English message ids, of the HTTP status phrases or of msgspec's messages.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import Any

import pytest

from inspection.mail.render import Rendered, render
from inspection.paths import TEMPLATES
from inspection.queue.jobs import ActionView
from tests.web.test_no_english import english_on, english_words

DUE = dt.date(2027, 1, 15)
ACTION = ActionView(
    unit="Xã An Bình",
    item="A1",
    title="Không niêm yết bảng TTHC mới — trả lời: Không",
    severity="major",
    due=f"{DUE:%d/%m/%Y}",
    url="https://kiemtra.caolanh.example.vn/actions/128",
)
SECOND = replace(
    ACTION,
    item="B4",
    title="Chưa công khai kết quả giải quyết hồ sơ",
    severity="minor",
    due="20/12/2026",
    url="https://kiemtra.caolanh.example.vn/actions/131",
)
BASE: dict[str, Any] = {
    "recipient_name": "Nguyễn Văn Bình",
    "days": 3,
    "note": "Đề nghị báo cáo trước thứ Sáu",
    "approved": True,
    "by": "Trần Thị Lan",
    "escalation_after_days": 5,
    "assignee_name": "Nguyễn Văn Bình",
}
ONE = {"action": ACTION}
# Several notices of one person in one e-mail: each with its kind and days.
LISTED = {
    "unit": "Xã An Bình",
    "items": [replace(SECOND, kind="overdue", days=12), replace(ACTION, kind="reminder", days=3)],
}
DIGEST = {
    "groups": [
        {"unit": "Xã An Bình", "actions": [replace(SECOND, days=12)]},
        {"unit": "Phòng Tư pháp", "actions": [replace(ACTION, unit="Phòng Tư pháp", days=2)]},
    ],
    "total": 1234,
    "since": "30/11/2026",
    "newly_overdue": 3,
    "closed": 2,
    "week": "2026-W49",
}
# Every kind of e-mail, in each of the variants its template words differently.
VARIANTS: dict[str, list[dict[str, Any]]] = {
    "assigned": [ONE],
    "assigned_list": [LISTED],
    "reminder": [ONE, {**ONE, "days": 1}, {**ONE, "days": 0}],
    "overdue": [{**ONE, "days": 1}, {**ONE, "days": 12}],
    "escalation": [{**ONE, "days": 5}, {**ONE, "days": 5, "assignee_name": ""}],
    "chase_list": [LISTED, {**LISTED, "items": [replace(ACTION, kind="reminder", days=0)] * 2}],
    "escalation_list": [{**LISTED, "items": [replace(SECOND, kind="escalation", days=12)] * 2}],
    "reported_fixed": [ONE, {**ONE, "note": ""}],
    "closed": [ONE, {**ONE, "note": ""}],
    "reopened": [ONE],
    "extension_decided": [ONE, {**ONE, "approved": False}],
    "manual_reminder": [ONE, {**ONE, "days": -4}],
    "manual_escalation": [{**ONE, "days": 7}],
    "digest": [DIGEST],
}
URL = re.compile(r"https?://\S+")
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def english_in(mail: Rendered, vocabulary: set[str]) -> set[str]:
    """English words of the subject, the text (links aside: a link is an address) and the HTML."""
    text = URL.sub("", f"{mail.subject}\n{mail.text}").replace("<", " ")
    return english_on(text, vocabulary) | english_on(mail.html, vocabulary)


def test_every_kind_of_email_is_covered() -> None:
    kinds = {path.stem for path in (TEMPLATES / "email").glob("*.jinja") if not path.name.startswith("_")}
    assert kinds == set(VARIANTS)


@pytest.mark.parametrize("kind", sorted(VARIANTS))
def test_an_email_in_vietnamese_has_no_english_and_writes_days_and_numbers_as_vietnamese_do(
    kind: str,
) -> None:
    vocabulary = english_words()
    for variant in VARIANTS[kind]:
        mail = render(kind, "vi", {**BASE, **variant})
        where = (
            kind,
            {name: value for name, value in variant.items() if name in ("days", "approved", "note")},
        )
        assert english_in(mail, vocabulary) == set(), where
        whole = mail.subject + mail.text + mail.html
        assert not ISO_DAY.search(URL.sub("", whole)), where
        assert not re.search(r"\d,\d{3}\b", whole), where  # 1,234 is English; 1.234 is Vietnamese
        # The checked words are those of the English texts: the English e-mail has them.
        assert english_in(render(kind, "en", {**BASE, **variant}), vocabulary), where
        if "action" in variant:
            assert "15/01/2027" in mail.subject and "15/01/2027" in mail.text, where
        if kind == "digest":
            assert "1.234 nhiệm vụ" in mail.subject and "30/11/2026" in mail.text
