"""Horizontal bar charts drawn on the server as SVG: geometry here, markup in
templates/dashboards/includes/bar_chart.html. No JavaScript, nothing from a CDN.

The chart repeats what the table next to it says; the table is the accessible version, so
the SVG only carries a title and a one-line description for screen readers.
"""

from dataclasses import dataclass

from .statistics import Figure

LABEL_WIDTH = 260
PLOT_WIDTH = 400
VALUE_WIDTH = 70
BAR_HEIGHT = 18
BAR_GAP = 2
GROUP_GAP = 10
LEGEND_HEIGHT = 26
# GOV.UK blue and purple: both at least 3:1 against white, and told apart by the legend too.
COLOURS = ("#1d70b8", "#912b88")


@dataclass(frozen=True)
class Bar:
    y: int
    width: float
    colour: str
    text: str


@dataclass(frozen=True)
class Group:
    label: str
    label_y: float
    bars: list[Bar]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    groups: list[Group]
    legend: list[tuple[str, str, int]]  # (series name, colour, x)
    legend_height: int

    @property
    def value_x(self) -> int:
        return self.label_width + 6


def bar_chart(figure: Figure) -> Chart:
    columns = figure.chart_columns
    values = [figure.column(index) for index in columns]
    largest = max((max(series, default=0) for series in values), default=0)
    scale = PLOT_WIDTH / largest if largest > 0 else 0
    legend_height = LEGEND_HEIGHT if len(columns) > 1 else 0
    groups, y = [], legend_height
    for label, cells in figure.rows:
        bars = []
        for series, index in enumerate(columns):
            cell = cells[index]
            bars.append(
                Bar(
                    y=y,
                    width=round(float(cell.value or 0) * scale, 1),
                    colour=COLOURS[series % len(COLOURS)],
                    text=cell.display(),
                )
            )
            y += BAR_HEIGHT + BAR_GAP
        group_height = len(columns) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
        groups.append(Group(label=label, label_y=bars[0].y + group_height / 2, bars=bars))
        y += GROUP_GAP - BAR_GAP
    legend = [
        (figure.headers[index], COLOURS[series % len(COLOURS)], LABEL_WIDTH + series * 180)
        for series, index in enumerate(columns)
    ]
    return Chart(
        width=LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH,
        height=max(y, legend_height + BAR_HEIGHT),
        label_width=LABEL_WIDTH,
        groups=groups,
        legend=legend if len(columns) > 1 else [],
        legend_height=legend_height,
    )
