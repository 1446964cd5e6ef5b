"""Named thresholds and settings of the exploratory analysis.

Column names come from :mod:`mmm_analytics.data.schema`; the few single columns the
analyses single out are named here once and checked against the schema in the tests.
"""

from __future__ import annotations

from mmm_analytics.data import schema

#: A week is festive when its Festival_Index reaches this value (1 = ordinary week).
FESTIVE_THRESHOLD = 1.10
#: Lags (weeks) of the cross-correlation of sales with each channel: 0..MAX_LAG_WEEKS.
MAX_LAG_WEEKS = 8
#: STL seasonal period in weeks; the decomposition needs two full periods.
STL_PERIOD = 52
STL_MIN_WEEKS = 2 * STL_PERIOD
#: Fewest weeks a correlation or scatter of sales against a driver is computed on (below, r is NaN or +-1).
MIN_CORRELATION_WEEKS = 4
#: Degree of the seasonal LOESS: 0 makes each week's seasonal effect a local mean of the same week in
#: neighbouring years. With two to four years per week-of-year, degree 1 fits those few points almost
#: exactly and leaves long stretches of zero residual.
STL_SEASONAL_DEGREE = 0
#: VIF above which a channel is hard to separate from the others (warning / severe).
VIF_WARNING = 5.0
VIF_SEVERE = 10.0
#: Share of points in each LOWESS window.
LOWESS_FRACTION = 0.4
#: Scatter plots draw at most this many points per panel (a fixed-seed sample).
MAX_SCATTER_POINTS = 1500
SAMPLE_SEED = 0
#: Figures name at most this many geos or brands (lines, panels, bars): the largest by sales (or by
#: the plotted quantity); the tables keep every one. Heatmaps show up to ``TOP_HEATMAP_ROWS`` geos.
TOP_IN_FIGURES = 10
TOP_HEATMAP_ROWS = 25
#: Weeks at the start and end of the panel compared for the growth finding.
GROWTH_WINDOW_WEEKS = 13
#: Collinear pair shown by default (the digital video plan drives both).
DEFAULT_PAIR: tuple[str, str] = ("YouTube", "Instagram")

FESTIVAL = "Festival_Index"
RAINFALL = "Rainfall_Index"
CPI = "CPI"
GDP = "GDP_Growth"
TRADE_SPEND = "Trade_Spend"
TPR_FLAG = "TPR_Flag"
OUTLIER_FLAG = "outlier_flag"
#: Creative score column -> the exposure column of the digital channel it describes.
CREATIVE_PAIRS: dict[str, str] = {
    "FB_Banner_Content_Score": "Facebook_Impressions",
    "IG_Banner_Content_Score": "Instagram_Impressions",
}
DISTRIBUTION_COLUMNS: tuple[str, ...] = schema.columns_with_role(schema.Role.DISTRIBUTION)
PROMO_FLAGS: tuple[str, ...] = schema.FLAG_COLUMNS
#: Controls correlated with sales in the driver ranking.
DRIVER_COLUMNS: tuple[str, ...] = (
    schema.NET_PRICE,
    *schema.CONTROL_COLUMNS,
)

#: Sales series key (SKUs summed) and the row-level series key.
SERIES_KEY: tuple[str, ...] = (schema.GEO, schema.BRAND)
ROW_SERIES_KEY: tuple[str, ...] = schema.KEY_COLUMNS
SALES_INDEX = "sales_index"


def unit_of(column: str) -> str:
    """Unit text of a schema column (empty for columns outside the schema)."""
    return schema.COLUMNS.get(column, (None, ""))[1]
