"""The panel schema of "MMM Weekly Data - Geo: India": columns, their roles and units.

Only the ``data`` package knows column names; later steps get arrays plus an explicit
channel order. Which column belongs to which channel, and at what CPM, is the channel
table's job (:class:`mmm_analytics.channels.Channels`); here media columns only carry a role.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ID = "id"
    KPI = "kpi"
    PRICE = "price"
    PROMO = "promo"
    MEDIA = "media"
    CREATIVE = "creative"
    DISTRIBUTION = "distribution"
    MACRO = "macro"


DATE = "Date"
GEO = "Geo"
BRAND = "Brand"
SKU = "SKU"
ID_COLUMNS: tuple[str, ...] = (DATE, GEO, BRAND, SKU)
KEY_COLUMNS: tuple[str, ...] = (GEO, BRAND, SKU)

SALES_UNITS = "Sales_Units"
SALES_VALUE = "Sales_Value"
MRP = "MRP"
NET_PRICE = "Net_Price"

#: Every column in file order, with its role and unit.
COLUMNS: dict[str, tuple[Role, str]] = {
    "Date": (Role.ID, "week start date"),
    "Geo": (Role.ID, "region name"),
    "Brand": (Role.ID, "brand name"),
    "SKU": (Role.ID, "SKU name"),
    "Sales_Units": (Role.KPI, "units per week"),
    "Sales_Value": (Role.KPI, "INR per week"),
    "MRP": (Role.PRICE, "INR per unit (list price)"),
    "Net_Price": (Role.PRICE, "INR per unit (after discount)"),
    "Feature_Flag": (Role.PROMO, "0/1"),
    "Display_Flag": (Role.PROMO, "0/1"),
    "TPR_Flag": (Role.PROMO, "0/1 (temporary price reduction)"),
    "Trade_Spend": (Role.PROMO, "INR per week"),
    "TV_Impressions": (Role.MEDIA, "impressions per week"),
    "YouTube_Impressions": (Role.MEDIA, "impressions per week"),
    "Facebook_Impressions": (Role.MEDIA, "impressions per week"),
    "Instagram_Impressions": (Role.MEDIA, "impressions per week"),
    "Print_Readership": (Role.MEDIA, "readers per week"),
    "Radio_Listenership": (Role.MEDIA, "listeners per week"),
    "FB_Banner_Content_Score": (Role.CREATIVE, "score 0-100"),
    "IG_Banner_Content_Score": (Role.CREATIVE, "score 0-100"),
    "Weighted_Distribution": (Role.DISTRIBUTION, "share 0-1"),
    "Numeric_Distribution": (Role.DISTRIBUTION, "share 0-1"),
    "TDP": (Role.DISTRIBUTION, "total distribution points"),
    "NOS": (Role.DISTRIBUTION, "number of SKUs on shelf"),
    "CPI": (Role.MACRO, "index"),
    "GDP_Growth": (Role.MACRO, "% per year"),
    "Festival_Index": (Role.MACRO, "index, 1 = normal week"),
    "Rainfall_Index": (Role.MACRO, "index"),
}

ALL_COLUMNS: tuple[str, ...] = tuple(COLUMNS)

#: Fewest weeks a model trains on (after the holdout); a panel shorter than this can be read, not fitted.
MIN_TRAINING_WEEKS = 9


def holdout_problem(holdout_weeks: int, n_weeks: int) -> str | None:
    """What is wrong with holding out the last ``holdout_weeks`` of ``n_weeks`` (too few training weeks left),
    naming the ``data_config.yaml`` key and the fix; None when the panel is too short for any holdout to
    matter (it cannot be fitted at all) or the holdout leaves enough."""
    if n_weeks < MIN_TRAINING_WEEKS or holdout_weeks <= n_weeks - MIN_TRAINING_WEEKS:
        return None
    return (
        f"data_config.yaml: key 'holdout_weeks' ({holdout_weeks}) leaves too few training weeks of the "
        f"{n_weeks} in the data (at least {MIN_TRAINING_WEEKS} are needed); set holdout_weeks to at most "
        f"{n_weeks - MIN_TRAINING_WEEKS}"
    )


NUMERIC_COLUMNS: tuple[str, ...] = tuple(c for c, (role, _) in COLUMNS.items() if role is not Role.ID)
FLAG_COLUMNS: tuple[str, ...] = ("Feature_Flag", "Display_Flag", "TPR_Flag")
PRICE_COLUMNS: tuple[str, ...] = tuple(c for c, (role, _) in COLUMNS.items() if role is Role.PRICE)
NON_NEGATIVE_COLUMNS: tuple[str, ...] = tuple(c for c in NUMERIC_COLUMNS if c not in ("GDP_Growth",))
CONTROL_COLUMNS: tuple[str, ...] = (
    "Feature_Flag",
    "Display_Flag",
    "TPR_Flag",
    "Trade_Spend",
    "FB_Banner_Content_Score",
    "IG_Banner_Content_Score",
    "Weighted_Distribution",
    "Numeric_Distribution",
    "TDP",
    "NOS",
    "CPI",
    "GDP_Growth",
    "Festival_Index",
    "Rainfall_Index",
)


def columns_with_role(role: Role) -> tuple[str, ...]:
    """Column names that play ``role``, in file order."""
    return tuple(c for c, (r, _) in COLUMNS.items() if r is role)


#: The columns of a lift-test CSV (an experiment's measured incremental sales of one channel in one
#: slice over some weeks), exactly; read by the model's calibration, written by the synthetic source.
LIFT_TEST_COLUMNS: tuple[str, ...] = (
    "channel",
    "brand",
    "region",
    "start_date",
    "end_date",
    "incremental_sales",
    "standard_error",
)
#: The name that selects every brand, region or SKU (``mmm optimize --brand all``, a lift test's
#: ``brand``); no brand, region or SKU in the data may carry it.
ALL_SELECTION = "all"
#: The value of a lift test's ``brand`` or ``region`` that means every brand or every region.
LIFT_TEST_ALL = ALL_SELECTION
