"""Scenario files: absolute and relative amounts, validation errors naming scenario and key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mmm_analytics.errors import InputError
from mmm_analytics.simulator import MarketingSimulator
from mmm_analytics.simulator.scenarios import (
    SUMMARY_COLUMNS,
    compare_scenarios,
    load_scenarios,
    scenarios_from_file,
)

GOOD = """
scenarios:
  - name: current
  - name: tv_up
    description: TV +20%
    spend: {TV: "+20%", Facebook: 1500}
  - name: brand_a_off
    brand: BrandA
    region: EAST
    spend: {TV: 0, YouTube: "-100%", Facebook: "0"}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenarios.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_resolves_relative_and_absolute_amounts(tmp_path: Path, simulator: MarketingSimulator) -> None:
    current, tv_up, off = scenarios_from_file(_write(tmp_path, GOOD), simulator)
    now = simulator.current_spend()
    assert current.spend == now
    assert tv_up.spend["TV"] == pytest.approx(1.2 * now["TV"]) and tv_up.spend["Facebook"] == 1500.0
    assert tv_up.spend["YouTube"] == now["YouTube"]
    assert (off.brand, off.region) == ("BrandA", "EAST") and set(off.spend.values()) == {0.0}


def test_a_scenario_s_names_are_read_as_the_model_s(tmp_path: Path, simulator: MarketingSimulator) -> None:
    """Before, 'brand: branda' or 'region: east' was an unknown name, though it can only mean BrandA, EAST."""
    text = "scenarios:\n  - name: a\n    brand: branda\n    region: east\n    spend: {TV: 0}\n"
    [scenario] = scenarios_from_file(_write(tmp_path, text), simulator)
    assert (scenario.brand, scenario.region) == ("BrandA", "EAST")
    assert scenario.spend == {**simulator.current_spend("BrandA", "EAST"), "TV": 0.0}


def test_a_scenario_s_channels_are_read_whatever_their_case(tmp_path: Path, simulator: MarketingSimulator) -> None:
    """Before, 'tv: 0' was an unknown channel in a scenario, while the menu took 'tv' for TV."""
    text = "scenarios:\n  - name: a\n    spend: {tv: 0, youtube: '+10%'}\n"
    [scenario] = scenarios_from_file(_write(tmp_path, text), simulator)
    now = simulator.current_spend()
    assert scenario.spend == {**now, "TV": 0.0, "YouTube": pytest.approx(1.1 * now["YouTube"])}
    twice = "scenarios:\n  - name: a\n    spend: {TV: 0, tv: 5}\n"
    with pytest.raises(InputError, match=r"scenario 'a', key 'tv': TV is given twice; give each channel once"):
        scenarios_from_file(_write(tmp_path, twice), simulator)


def test_a_signed_amount_is_a_change_of_today_s_spend(tmp_path: Path, simulator: MarketingSimulator) -> None:
    """Before, 'TV: +5000' (YAML's number 5,000) and 'TV: "+5000"' set TV to 5,000 INR, and 'TV: -1000'
    was refused as a negative spend; now each is a change, as '+20%' is."""
    text = "scenarios:\n  - name: a\n    spend: {TV: +5000, YouTube: '+1,000', Facebook: -100}\n  - name: b\n    spend: {TV: 250}\n"
    scenario, unsigned = scenarios_from_file(_write(tmp_path, text), simulator)
    now = simulator.current_spend()
    assert scenario.spend["TV"] == pytest.approx(now["TV"] + 5000.0, rel=1e-12)
    assert scenario.spend["YouTube"] == pytest.approx(now["YouTube"] + 1000.0, rel=1e-12)
    assert scenario.spend["Facebook"] == pytest.approx(now["Facebook"] - 100.0, rel=1e-12)
    assert unsigned.spend["TV"] == 250.0  # unsigned: the spend itself


def test_a_scenario_naming_no_brand_or_region_is_run_for_the_selection(
    tmp_path: Path, simulator: MarketingSimulator
) -> None:
    """Before, ``mmm simulate --brand BrandA --region EAST`` ran every such scenario nationally; one that
    names its own brand or region (``all`` included) keeps it."""
    text = (
        "scenarios:\n  - name: plain\n    spend: {TV: '+20%'}\n  - name: own_brand\n    brand: BrandB\n"
        "  - name: national\n    brand: all\n    region: all\n"
    )
    plain, own_brand, national = scenarios_from_file(_write(tmp_path, text), simulator, "BrandA", "EAST")
    assert (plain.brand, plain.region) == ("BrandA", "EAST")
    assert plain.spend["TV"] == pytest.approx(1.2 * simulator.current_spend("BrandA", "EAST")["TV"])
    assert (own_brand.brand, own_brand.region) == ("BrandB", "EAST")
    assert (national.brand, national.region) == ("all", "all")
    summary, channels = compare_scenarios(simulator, [plain, own_brand, national])
    assert list(zip(summary["brand"], summary["region"])) == [("BrandA", "EAST"), ("BrandB", "EAST"), ("all", "all")]
    assert {"brand", "region"} <= set(channels.columns)  # the channel rows say where too
    assert set(channels.loc[channels["scenario"] == "plain", "brand"]) == {"BrandA"}
    [default] = scenarios_from_file(_write(tmp_path, "scenarios:\n  - name: a\n"), simulator)
    assert (default.brand, default.region) == ("all", "all")


def test_comparison_table(tmp_path: Path, simulator: MarketingSimulator) -> None:
    summary, channels = compare_scenarios(simulator, scenarios_from_file(_write(tmp_path, GOOD), simulator))
    assert set(SUMMARY_COLUMNS) <= set(summary.columns) and "contribution_TV" in summary.columns
    assert summary.loc[0, "delta_incremental_vs_current"] == pytest.approx(0.0, abs=1e-6)
    assert summary.loc[1, "delta_incremental_vs_current"] != 0.0
    assert summary.loc[2, "incremental_sales"] == 0.0
    assert len(channels) == 3 * 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("scenarios:\n  - name: a\n    spend: {Cinema: 10}\n", r"scenario 'a', key 'Cinema': unknown channel"),
        (
            "scenarios:\n  - name: b\n    spend: {TV: lots}\n",
            r"scenario 'b', key 'TV': 'lots' is not a number; write an amount in INR",
        ),
        (  # a signed amount is a change (before: refused as a negative spend, the way to a cut unsaid)
            "scenarios:\n  - name: c\n    spend: {TV: -1.0e+12}\n",
            r"scenario 'c', key 'TV': '-1.0e\+12' cuts more than today's spend of [\d,]+ INR; -100% is the most",
        ),
        (
            "scenarios:\n  - name: d\n    spend: {TV: '-150%'}\n",
            r"scenario 'd', key 'TV': .* cuts more than all of today's spend",
        ),
        (  # before: "Extra inputs are not permitted", no word of the keys there are
            "scenarios:\n  - name: e\n    spnd: {TV: 5}\n",
            r"scenario 'e', key 'spnd': unknown key; the keys here are name, description, brand, region, spend",
        ),
        (
            "scenarios:\n  - name: e2\nfoo: 1\n",
            r"foo: unknown key; the keys here are scenarios \(a list of scenarios\): check its spelling or remove it",
        ),
        ("scenarios:\n  - name: f\n    brand: BrandQ\n", r"scenario 'f', key 'brand': unknown brand 'BrandQ'"),
        ("scenarios:\n  - name: g\n  - name: g\n", r"repeated: g"),
        ("scenarios: []\n", r"scenarios"),
        ("scenarios:\n  - name: h\n    spend: [1, 2]\n", r"scenario 'h', key 'spend'"),
        (
            "scenarios:\n  - name: i\n    spend: {TV: 1.0e+300}\n",
            r"scenario 'i': total weekly spend of 1e\+300 INR .* too large: the allowed maximum is [\d,]+ INR \(100 x",
        ),
        (
            "scenarios:\n  - name: j\n    spend: {Facebook: '+1000000%'}\n",
            r"scenario 'j', key 'Facebook': '\+1000000%' is more than 10,000 times today's spend",
        ),
        (
            "scenarios:\n  - name: k\n    spend: {TV: true}\n",
            r"scenario 'k', key 'spend': TV is given true; write a weekly spend in INR",
        ),
        ("scenarios:\n  - name: l\n    spend: {TV: }\n", r"scenario 'l', key 'spend': TV is given nothing"),
        ("- name: m\n", r"expected 'scenarios:' with a list of scenarios at the top level, got a list"),
        ("scenarios:\n  - name: n\n    spend: {TV: '2024-13-01'}\n", r"scenario 'n', key 'TV': '2024-13-01' is not"),
        (
            "scenarios:\n  - name: 2024-13-01\n",
            r"line 2: '2024-13-01' is not a date that exists \(month must be in 1..12\)",
        ),
        # before: "key 'spend.TV.float': Input should be a valid number"
        ("scenarios:\n  - name: o\n    spend: {TV: [1]}\n", r"scenario 'o', key 'spend': TV is given a list; write"),
        # before: "key 'spend.TV.float': Input should be a finite number"
        ("scenarios:\n  - name: p\n    spend: {TV: .inf}\n", r"scenario 'p', key 'spend': TV is given inf; write"),
        # before: "50 is given nothing" (YAML splits a flow mapping at the commas of 1,50,000)
        (
            "scenarios:\n  - name: q\n    spend: {TV: 1,50,000}\n",
            r"scenario 'q', key 'spend': '50' is not a channel: in braces, YAML splits an amount at its commas .*"
            r"quote the amount \(\{TV: '1,50,000'\}\)",
        ),
    ],
    ids=[
        "unknown-channel",
        "text",
        "negative",
        "cut-too-deep",
        "misspelled-key",
        "unknown-top-level-key",
        "unknown-brand",
        "duplicate",
        "empty",
        "not-a-mapping",
        "implausible-amount",
        "implausible-change",
        "yes-no",
        "empty-amount",
        "list-at-the-top",
        "date-text",
        "impossible-date",
        "amount-a-list",
        "amount-infinite",
        "amount-split-at-its-commas",
    ],
)
def test_bad_scenarios_name_scenario_and_key(
    tmp_path: Path, simulator: MarketingSimulator, text: str, message: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(InputError, match=message) as caught:
        scenarios_from_file(path, simulator)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    ("text", "key", "shown"),
    [
        ("scenarios:\n  - name: 123\n", "name", "a number (123)"),
        ("scenarios:\n  - name: a\n    brand: 0123\n", "brand", "a number (83)"),  # YAML 1.1 octal
        ("scenarios:\n  - name: 2025-01-06\n", "name", "a date (2025-01-06)"),
        ("scenarios:\n  - name: a\n    region: yes\n", "region", "true/false (True)"),
    ],
)
def test_a_name_yaml_reads_as_a_number_or_a_date_asks_for_quotes(
    tmp_path: Path, text: str, key: str, shown: str
) -> None:
    """Before, "Input should be a valid string", with the key path but not what to do."""
    with pytest.raises(
        InputError,
        match=rf"key '{key}': YAML reads this value as {re.escape(shown)}; put the text in quotes to keep it as written",
    ):
        load_scenarios(_write(tmp_path, text))


@pytest.mark.parametrize("text", ["scenarios:\n  - name: a\n    brand:\n", "scenarios:\n  - name: a\n    region: ~\n"])
def test_an_empty_brand_or_region_says_what_to_write(tmp_path: Path, text: str) -> None:
    """Before, "Input should be a valid string", with no fix."""
    with pytest.raises(
        InputError, match=r"YAML reads this value as empty \(null\); write the text, or leave the key out"
    ):
        load_scenarios(_write(tmp_path, text))


@pytest.mark.parametrize("name", ["''", "'   '"])
def test_an_empty_name_says_what_to_write(tmp_path: Path, name: str) -> None:
    """Before, "String should have at least 1 character", with no fix (and a name of spaces passed)."""
    with pytest.raises(
        InputError, match=r"key 'name': a scenario needs a name to show in the tables; write one, e.g. name: tv_plus_20"
    ):
        load_scenarios(_write(tmp_path, f"scenarios:\n  - name: {name}\n"))


def test_quoted_names_are_read_as_written(tmp_path: Path) -> None:
    (spec,) = load_scenarios(_write(tmp_path, "scenarios:\n  - name: '0123'\n    brand: '5'\n"))
    assert (spec.name, spec.brand) == ("0123", "5")


def test_a_percentage_reads_as_everywhere_else(tmp_path: Path, simulator: MarketingSimulator) -> None:
    """Signed, a change; unsigned, a share of today's spend, as in --min/--max and the menu (a bare
    '20%' was read as +20%)."""
    text = "scenarios:\n  - name: a\n    spend: {TV: '20%', YouTube: '+20%', Facebook: '120%'}\n  - name: b\n    spend: {TV: '-20%'}\n"
    first, second = scenarios_from_file(_write(tmp_path, text), simulator)
    now = simulator.current_spend()
    assert first.spend["TV"] == pytest.approx(0.2 * now["TV"], rel=1e-12)
    assert first.spend["YouTube"] == pytest.approx(1.2 * now["YouTube"], rel=1e-12)
    assert first.spend["Facebook"] == pytest.approx(1.2 * now["Facebook"], rel=1e-12)
    assert second.spend["TV"] == pytest.approx(0.8 * now["TV"], rel=1e-12)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "scenarios:\n  - name: a\n    spend: {TV: 5, TV: 6}\n",
            "line 3: key 'spend.TV' is given twice (both on that line)",
        ),
        (
            "scenarios:\n  - name: a\n    spend:\n      TV: 5\n      Print: 0\n      TV: 6\n",
            "line 6: key 'spend.TV' is given twice (first on line 4)",
        ),
        ("scenarios:\n  - name: a\n    name: b\n", "line 3: key 'name' is given twice (first on line 2)"),
    ],
    ids=["flow", "block", "name"],
)
def test_a_channel_given_twice_is_refused(
    tmp_path: Path, simulator: MarketingSimulator, text: str, message: str
) -> None:
    """YAML kept the last amount silently: {TV: 5, TV: 6} gave TV 6."""
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        scenarios_from_file(path, simulator)
    assert str(caught.value) == f"{path} {message}; keep one"


def test_missing_file(tmp_path: Path, simulator: MarketingSimulator) -> None:
    with pytest.raises(InputError, match="scenarios file .* not found"):
        scenarios_from_file(tmp_path / "nope.yaml", simulator)


def test_default_scenarios_file_is_valid() -> None:
    from mmm_analytics.simulator.scenarios import load_scenarios

    specs = load_scenarios(Path(__file__).parents[2] / "config" / "scenarios.yaml")
    assert len(specs) >= 5 and specs[0].name == "current_mix"
    # Before, one scenario named BrandA: every panel with brands of its own stopped after the data step.
    assert {(spec.brand, spec.region) for spec in specs} <= {(None, None), ("all", "all")}


def test_a_missing_scenarios_file_shows_the_form_of_one(tmp_path: Path) -> None:
    """Before, it said 'pass --scenarios (e.g. config/scenarios.yaml)', a file a new project does not have."""
    with pytest.raises(InputError) as caught:
        load_scenarios(tmp_path / "none.yaml")
    example = str(caught.value).split('e.g. "')[1].split('"')[0]
    # the menu asks for the file by name too, where "pass --scenarios" would send the user to another command
    assert "not found; give a YAML file of named plans (--scenarios on the command line)" in str(caught.value)
    (tmp_path / "example.yaml").write_text(example)
    assert [spec.name for spec in load_scenarios(tmp_path / "example.yaml")] == ["now", "more_tv"]  # the example reads


@pytest.mark.parametrize(
    ("text", "fix"),
    [
        ("scenarios: []\n", "list at least one scenario, e.g. '- {name: today, spend: {}}'"),
        ("scenarios:\n  - spend: {TV: 5}\n", "add it (the project's config/scenarios.yaml shows the format)"),
        ("scenarios:\n  - name: x\n    spend: [TV, 5000]\n", "write a mapping, e.g. {TV: 150000, Radio: '+20%'}"),
        ("{}\n", "add it (the project's config/scenarios.yaml shows the format)"),
    ],
    ids=["no-scenario", "no-name", "spend-a-list", "no-scenarios-key"],
)
def test_a_malformed_scenarios_file_says_what_to_write(tmp_path: Path, text: str, fix: str) -> None:
    """Before, pydantic's words alone ('List should have at least 1 item after validation, not 0')."""
    path = _write(tmp_path, text)
    with pytest.raises(InputError, match=r"^.*scenarios\.yaml: ") as raised:
        load_scenarios(path)
    assert str(raised.value).endswith(f"; {fix}")
