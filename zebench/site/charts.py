"""The report site's charts, in Altair: each function takes rows from the store's (or analysis') query functions
and returns a Vega-Lite spec as a dict. Data are aggregated before they get here (small inline data, no URLs:
a page opened from file:// cannot fetch). Titles are set explicitly (layered charts would merge them)."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt

from ..report.analysis import config_name

#: Charts of the same kind share these, so pages look alike.
WIDTH = 560
CONFIG_TITLE = "agent [model]"
#: Rates are drawn on a 0-100% axis: a bar at 50% must look half full, whatever the data's maximum.
RATE_SCALE = alt.Scale(domain=[0, 1])
#: Labels are never cut (a configuration cut short could read as another one).
FULL_LABELS = 0


def _spec(chart: alt.TopLevelMixin, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The chart's spec with ``rows`` as its inline data. The data are set on the finished dict: given to Altair,
    they would be validated against the schema row by row, which costs more than the rest of the build's charts
    (tests validate every chart kind once, test_site.py)."""
    return _with_data(_template(chart), rows)


def _with_data(template: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(template)
    spec["data"] = {"values": rows}
    return spec


def _template(chart: alt.TopLevelMixin) -> str:
    """The chart's spec without data, as JSON (Altair's to_dict takes a few milliseconds a chart)."""
    spec: dict[str, Any] = chart.configure_view(stroke=None).to_dict(validate=False)
    for layer in spec.get("layer", []):  # Altair names a missing data source "empty" in each layer
        if layer.get("data") == {"name": "empty"}:
            del layer["data"]
    datasets = spec.get("datasets", {})
    datasets.pop("empty", None)
    if not datasets:
        spec.pop("datasets", None)
    spec["data"] = None  # its place in the spec, for the rows
    return json.dumps(spec)


def _chart() -> alt.Chart:
    return alt.Chart()


def validated(chart_spec: dict[str, Any]) -> dict[str, Any]:
    """Check a spec against the Vega-Lite schema Altair ships (for tests)."""
    alt.Chart.from_dict(chart_spec, validate=True)
    return chart_spec


def score_histogram(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """rows: store.query_score_histogram (bin 0..9, runs)."""
    data = [{"score": f"{r['bin']}-{r['bin'] + 1}", "bin": r["bin"], "runs": r["runs"]} for r in rows]
    chart = (
        _chart()
        .mark_bar()
        .encode(
            x=alt.X("score:O", title="weighted score (0-10)", sort=alt.EncodingSortField("bin")),
            y=alt.Y("runs:Q", title="scored runs"),
            tooltip=[alt.Tooltip("score:O", title="score"), alt.Tooltip("runs:Q", title="runs")],
        )
        .properties(width=WIDTH, height=220, title="Distribution of weighted scores")
    )
    return _spec(chart, data)


def leaderboard(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """rows: analysis.leaderboard; success rate with its Wilson interval, colour = tie group."""
    data = [
        {
            "config": r["config"],
            "rate": r["successRate"],
            "low": r["successRateLow"],
            "high": r["successRateHigh"],
            "group": f"tie group {r['tieGroup']}",
            "rank": r["rank"],
            "runs": r["runs"],
            "score": r["meanScore"],
        }
        for r in rows
    ]
    order = [d["config"] for d in sorted(data, key=lambda d: d["rank"])]
    base = _chart().encode(y=alt.Y("config:N", title=CONFIG_TITLE, sort=order, axis=alt.Axis(labelLimit=FULL_LABELS)))
    bars = base.mark_bar().encode(
        x=alt.X("rate:Q", title="success rate (95% interval)", scale=RATE_SCALE, axis=alt.Axis(format="%")),
        color=alt.Color("group:N", title="statistically tied"),
        tooltip=[
            alt.Tooltip("config:N", title="configuration"),
            alt.Tooltip("rate:Q", title="success", format=".1%"),
            alt.Tooltip("low:Q", title="low", format=".1%"),
            alt.Tooltip("high:Q", title="high", format=".1%"),
            alt.Tooltip("score:Q", title="mean score", format=".2f"),
            alt.Tooltip("runs:Q", title="runs"),
        ],
    )
    errors = base.mark_rule(color="#222").encode(x="low:Q", x2="high:Q")
    height = max(60, 22 * len(data))
    return _spec(alt.layer(bars, errors).properties(width=WIDTH, height=height, title="Leaderboard"), data)


def trends(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """rows: store.query_daily_trends; daily success rate per configuration."""
    data = [
        {
            "day": r["day"],
            "config": config_name(r["agent"], r["model"]),
            "rate": r["successRate"],
            "score": r["avgWeightedScore"],
            "runs": r["runs"],
        }
        for r in rows
    ]
    chart = (
        _chart()
        .mark_line(point=True)
        .encode(
            x=alt.X("day:T", title="day (UTC)"),
            y=alt.Y("rate:Q", title="success rate", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("config:N", title=CONFIG_TITLE, legend=alt.Legend(labelLimit=FULL_LABELS)),
            tooltip=[
                alt.Tooltip("day:T", title="day"),
                alt.Tooltip("config:N", title="configuration"),
                alt.Tooltip("rate:Q", title="success", format=".1%"),
                alt.Tooltip("score:Q", title="mean score", format=".2f"),
                alt.Tooltip("runs:Q", title="runs"),
            ],
        )
        .properties(width=WIDTH, height=240, title="Success rate over time")
    )
    return _spec(chart, data)


def heatmap(
    rows: list[dict[str, Any]],
    x: str,
    y: str,
    value: str,
    *,
    title: str,
    x_title: str,
    y_title: str,
    percent: bool = True,
    y_sort: list[str] | None = None,
) -> dict[str, Any]:
    """A rect heatmap of ``value`` (0-1 when percent, on a fixed 0-100% colour scale) over two nominal fields."""
    fmt = ".0%" if percent else ".2f"
    chart = (
        _chart()
        .mark_rect()
        .encode(
            x=alt.X(f"{x}:N", title=x_title, axis=alt.Axis(labelAngle=-45, labelLimit=FULL_LABELS)),
            y=alt.Y(
                f"{y}:N",
                title=y_title,
                axis=alt.Axis(labelLimit=FULL_LABELS),
                sort=y_sort if y_sort is not None else "ascending",
            ),
            color=alt.Color(
                f"{value}:Q",
                title=title,
                scale=alt.Scale(scheme="redyellowgreen", domain=[0, 1]) if percent else alt.Scale(scheme="viridis"),
            ),
            tooltip=[
                alt.Tooltip(f"{y}:N", title=y_title),
                alt.Tooltip(f"{x}:N", title=x_title),
                alt.Tooltip(f"{value}:Q", title=title, format=fmt),
                alt.Tooltip("runs:Q", title="runs"),
            ],
        )
        .properties(title=title, width=alt.Step(34), height=alt.Step(22))
    )  # readable cells; wide ones scroll in their box
    return _spec(chart, rows)


def grouped_bars(
    rows: list[dict[str, Any]],
    category: str,
    group: str,
    value: str,
    *,
    title: str,
    category_title: str,
    group_title: str,
    percent: bool = True,
) -> dict[str, Any]:
    """Bars of ``value`` per ``category``, one bar per ``group`` (xOffset); rates on a 0-100% axis."""
    return _with_data(_grouped_bars(category, group, value, title, category_title, group_title, percent), rows)


@functools.lru_cache(maxsize=256)
def _grouped_bars(
    category: str, group: str, value: str, title: str, category_title: str, group_title: str, percent: bool
) -> str:
    """grouped_bars' spec without its data, as JSON: made once per kind (every batch page draws the same ones)."""
    axis = alt.Axis(format="%") if percent else alt.Axis()
    chart = (
        _chart()
        .mark_bar()
        .encode(
            x=alt.X(f"{category}:N", title=category_title, axis=alt.Axis(labelLimit=FULL_LABELS)),
            xOffset=alt.XOffset(f"{group}:N"),
            y=alt.Y(f"{value}:Q", title=title, axis=axis, scale=RATE_SCALE if percent else alt.Undefined),
            color=alt.Color(f"{group}:N", title=group_title, legend=alt.Legend(labelLimit=FULL_LABELS)),
            tooltip=[
                alt.Tooltip(f"{category}:N", title=category_title),
                alt.Tooltip(f"{group}:N", title=group_title),
                alt.Tooltip(f"{value}:Q", title=title, format=".1%" if percent else ".3f"),
                alt.Tooltip("runs:Q", title="runs"),
            ],
        )
        .properties(width=WIDTH, height=240, title=title)
    )
    return _template(chart)


def bars(
    rows: list[dict[str, Any]],
    category: str,
    value: str,
    *,
    title: str,
    category_title: str,
    value_title: str,
    percent: bool = False,
    fmt: str | None = None,
    domain: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """Horizontal bars of ``value`` per ``category`` (in the rows' order); rates on a 0-100% axis."""
    spec = _bars(category, value, title, category_title, value_title, percent, fmt, domain, len(rows))
    return _with_data(spec, rows)


@functools.lru_cache(maxsize=256)
def _bars(
    category: str,
    value: str,
    title: str,
    category_title: str,
    value_title: str,
    percent: bool,
    fmt: str | None,
    domain: tuple[float, float] | None,
    count: int,
) -> str:
    """bars' spec for ``count`` rows without its data, as JSON: made once per kind and height."""
    fmt = fmt or (".1%" if percent else ".3f")
    chart = (
        _chart()
        .mark_bar()
        .encode(
            y=alt.Y(f"{category}:N", title=category_title, sort=None, axis=alt.Axis(labelLimit=FULL_LABELS)),
            x=alt.X(
                f"{value}:Q",
                title=value_title,
                axis=alt.Axis(format="%") if percent else alt.Axis(),
                scale=RATE_SCALE if percent else alt.Scale(domain=list(domain)) if domain else alt.Undefined,
            ),
            tooltip=[
                alt.Tooltip(f"{category}:N", title=category_title),
                alt.Tooltip(f"{value}:Q", title=value_title, format=fmt),
            ],
        )
        .properties(width=WIDTH - 160, height=max(60, 20 * count), title=title)
    )
    return _template(chart)


def cost_vs_score(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """rows: config, cost (mean USD per run), score (mean weighted), frontier (bool). The frontier is drawn as a
    line through its points, cheapest first."""
    points = (
        _chart()
        .mark_point(filled=True, size=90)
        .encode(
            x=alt.X("cost:Q", title="mean cost per run (USD)"),
            y=alt.Y("score:Q", title="mean weighted score (0-10)"),
            color=alt.Color("frontier:N", title="on the Pareto frontier"),
            tooltip=[
                alt.Tooltip("config:N", title="configuration"),
                alt.Tooltip("cost:Q", title="cost", format="$.4f"),
                alt.Tooltip("score:Q", title="score", format=".2f"),
                alt.Tooltip("frontier:N", title="frontier"),
            ],
        )
    )
    labels = points.mark_text(align="left", dx=7, fontSize=10).encode(text="config:N")
    frontier = (
        _chart()
        .transform_filter(alt.datum.frontier == "yes")
        .mark_line(color="#444", strokeDash=[4, 3])
        .encode(x="cost:Q", y="score:Q", order="cost:Q")
    )
    return _spec(
        alt.layer(frontier, points, labels).properties(
            width=WIDTH, height=300, title="Cost versus score (Pareto frontier dashed)"
        ),
        rows,
    )
