"""The e-mail texts in Vietnamese, keyed by their English source (gettext-style msgids).

The templates under ``templates/email/`` mark every text with ``_()`` or ``{% trans %}``;
English is the source language, Vietnamese the default one. When the project adopts
Babel catalogs under ``locales/``, these entries move into ``vi/LC_MESSAGES/messages.po``
unchanged. A test checks that every text the templates use has an entry here.
Plural forms: Vietnamese has one, so plural msgids map to the singular's translation.
"""

from __future__ import annotations

# fmt: off
VI: dict[str, str] = {
    "deadline": "hạn",
    "Dear %(name)s,": "Kính gửi %(name)s,",
    "Unit": "Đơn vị",
    "Item": "Tiêu chí",
    "Finding": "Tồn tại, hạn chế",
    "Severity": "Mức độ",
    "Deadline": "Thời hạn khắc phục",
    "Open the action": "Xem nhiệm vụ khắc phục",
    "Note": "Ghi chú",
    "%(days)s days overdue": "quá hạn %(days)s ngày",
    "Sent by the inspection system. Please do not reply to this message.":
        "Thư được gửi tự động từ hệ thống kiểm tra. Vui lòng không trả lời thư này.",
    "minor": "nhẹ",
    "major": "nghiêm trọng",
    "critical": "rất nghiêm trọng",
    "New corrective action": "Giao nhiệm vụ khắc phục",
    "The unit %(unit)s has been assigned the corrective action below. Please acknowledge it in "
    "the system and remedy it by the end of %(due)s.":
        "Đơn vị %(unit)s được giao nhiệm vụ khắc phục dưới đây. Đề nghị xác nhận đã tiếp nhận "
        "trên hệ thống và hoàn thành khắc phục trước hết ngày %(due)s.",
    "Reminder: %(count)s day left": "Nhắc việc: còn %(count)s ngày",
    "The corrective action below is due by the end of %(due)s and is not yet reported fixed.":
        "Nhiệm vụ khắc phục dưới đây có thời hạn đến hết ngày %(due)s và chưa được báo cáo kết "
        "quả khắc phục.",
    "When the work is done, report the result with its evidence in the system; if you need more "
    "time, ask for an extension before the deadline.":
        "Khi hoàn thành, đề nghị báo cáo kết quả khắc phục kèm minh chứng trên hệ thống; nếu cần "
        "thêm thời gian, đề nghị gia hạn trước khi hết thời hạn.",
    "Overdue by %(count)s day": "Quá hạn %(count)s ngày",
    "The deadline of the corrective action below ended on %(due)s and it has not been reported "
    "fixed.":
        "Nhiệm vụ khắc phục dưới đây đã hết thời hạn vào ngày %(due)s nhưng chưa được báo cáo kết "
        "quả khắc phục.",
    "Please remedy it and report the result now. An action overdue for %(days)s days is reported "
    "to the district leaders.":
        "Đề nghị khắc phục và báo cáo kết quả ngay. Nhiệm vụ quá hạn %(days)s ngày sẽ được báo "
        "cáo lãnh đạo huyện.",
    "Escalation: overdue %(days)s days": "Báo cáo vượt cấp: quá hạn %(days)s ngày",
    "The corrective action below, assigned to %(unit)s, has been overdue for %(days)s days and is "
    "still not remedied.":
        "Nhiệm vụ khắc phục dưới đây, giao cho %(unit)s, đã quá hạn %(days)s ngày mà vẫn chưa "
        "được khắc phục.",
    "It is assigned to %(name)s.": "Người chịu trách nhiệm: %(name)s.",
    "Reported fixed": "Báo cáo kết quả khắc phục",
    "%(unit)s has reported the corrective action below as fixed.":
        "%(unit)s đã báo cáo hoàn thành nhiệm vụ khắc phục dưới đây.",
    "Please check the result and its evidence, then close the action or ask for it to be remedied "
    "again.":
        "Đề nghị kiểm tra kết quả và minh chứng, sau đó xác nhận hoàn thành (đóng) hoặc yêu cầu "
        "khắc phục lại.",
    "Closed": "Đã hoàn thành",
    "The corrective action below has been verified as remedied and is closed. No further "
    "reminders will be sent.":
        "Nhiệm vụ khắc phục dưới đây đã được xác nhận hoàn thành và đóng lại. Hệ thống sẽ không "
        "gửi nhắc việc nữa.",
    "Reopened": "Yêu cầu khắc phục lại",
    "The result reported for the corrective action below was not accepted: it must be remedied "
    "again by the end of %(due)s.":
        "Kết quả khắc phục đã báo cáo của nhiệm vụ dưới đây chưa được chấp nhận: đề nghị khắc "
        "phục lại trước hết ngày %(due)s.",
    "Extension approved": "Đồng ý gia hạn",
    "Extension refused": "Không đồng ý gia hạn",
    "Your request for more time was approved. The new deadline is the end of %(due)s.":
        "Đề nghị gia hạn đã được chấp thuận. Thời hạn khắc phục mới là hết ngày %(due)s.",
    "Your request for more time was refused. The deadline remains the end of %(due)s.":
        "Đề nghị gia hạn không được chấp thuận. Thời hạn khắc phục vẫn là hết ngày %(due)s.",
    "Weekly digest": "Tổng hợp tuần",
    "As of today %(count)s corrective actions are overdue in %(units)s units. They are listed "
    "below by unit, most overdue first.":
        "Đến nay có %(count)s nhiệm vụ khắc phục quá hạn tại %(units)s đơn vị, liệt kê dưới đây "
        "theo đơn vị, quá hạn lâu nhất trước.",
    "%(count)s overdue corrective actions, week %(week)s": "%(count)s nhiệm vụ quá hạn, tuần %(week)s",
}
# fmt: on

CATALOGS: dict[str, dict[str, str]] = {"vi": VI, "en": {}}
