"""The dashboard's SVG charts: well-formed, named, every number written, text escaped."""

# The XML parsed here is the charts' own output, not untrusted input.
# ruff: noqa: S314

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from inspection.web.charts import Bar, Series, bar_chart, trend_chart

SVG = "{http://www.w3.org/2000/svg}"


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def test_bar_chart_of_on_time_rates_names_each_unit_and_writes_each_rate() -> None:
    chart = bar_chart(
        "on-time",
        "Tỷ lệ khắc phục đúng hạn",
        "Tỷ lệ nhiệm vụ đóng đúng hạn theo đơn vị",
        [Bar("Xã An Bình", 50.0), Bar("Thị trấn Mỹ Thọ", 66.67), Bar("Phòng Tư pháp", None)],
        maximum=100,
        suffix=" %",
        no_data="chưa có",
        number=lambda value: f"{value:g}".replace(".", ","),
    )
    assert isinstance(chart, Markup)
    root = ET.fromstring(str(chart))
    assert root.get("role") == "img" and root.get("aria-labelledby") == "on-time-title on-time-desc"
    assert root.findtext(f"{SVG}title") == "Tỷ lệ khắc phục đúng hạn"
    assert root.findtext(f"{SVG}desc") == "Tỷ lệ nhiệm vụ đóng đúng hạn theo đơn vị"
    assert texts(root) == ["Xã An Bình", "50 %", "Thị trấn Mỹ Thọ", "66,67 %", "Phòng Tư pháp", "chưa có"]
    widths = [float(rect.get("width") or 0) for rect in root.iter(f"{SVG}rect") if rect.get("y")]
    assert widths == [175.0, pytest.approx(233.3, abs=0.1)]  # 350 px stand for 100 %
    # Bars are filled with a pattern, so they print in black and white.
    assert all(
        "url(#on-time-solid)" in (rect.get("fill") or "") for rect in root.iter(f"{SVG}rect") if rect.get("y")
    )


def test_text_is_escaped() -> None:
    chart = bar_chart(
        "weak", "<b>Tiêu chí</b> & điểm", 'Mô tả "yếu"', [Bar("</text><script>x</script>", 1.0)]
    )
    assert "<script>" not in chart and "&lt;script&gt;" in chart
    root = ET.fromstring(str(chart))
    assert root.findtext(f"{SVG}title") == "<b>Tiêu chí</b> & điểm"
    assert texts(root)[0] == "</text><script>x</script>"
    with pytest.raises(ValueError, match="chart id"):
        bar_chart('x" onload="alert(1)', "t", "d", [])


def test_trend_chart_has_columns_a_line_a_legend_and_every_value() -> None:
    chart = trend_chart(
        "trend",
        "Xu hướng theo tháng",
        "Nhiệm vụ mở, đóng và còn tồn theo tháng",
        ["2026-01", "2026-02", "2026-03"],
        [
            Series("Mở mới", [2, 0, 5]),
            Series("Đã đóng", [1, 3, None]),
            Series("Còn tồn cuối tháng", [4, 1, 6], kind="line"),
        ],
    )
    root = ET.fromstring(str(chart))
    written = texts(root)
    for label in ("2026-01", "2026-02", "2026-03", "Mở mới", "Đã đóng", "Còn tồn cuối tháng"):
        assert label in written
    columns = [rect for rect in root.iter(f"{SVG}rect") if "url(#trend-" in (rect.get("fill") or "")]
    # Five columns (one value is missing) and two legend swatches, in two patterns.
    assert len(columns) == 7
    assert {rect.get("fill") for rect in columns} == {"url(#trend-solid)", "url(#trend-hatch)"}
    line = root.find(f"{SVG}polyline")
    assert line is not None and len((line.get("points") or "").split()) == 3
    assert line.get("stroke-dasharray")  # dashed: told apart without colour
    for value in ("2", "0", "5", "1", "3", "4", "6"):
        assert value in written
    # The axis runs from 0 to a round number at or above the largest value.
    assert [t for t in written if t in ("0", "5", "10")][:3] == ["0", "5", "10"]


def test_empty_charts_are_still_valid_svg() -> None:
    ET.fromstring(str(bar_chart("empty", "Không có dữ liệu", "Chưa có đơn vị", [])))
    ET.fromstring(str(trend_chart("empty-trend", "Không có", "Không có", [], [Series("Mở", [])])))
