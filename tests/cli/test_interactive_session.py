"""The interactive simulator as a person uses it: percentages at the spend prompts, the last brand
and region as defaults, this session's scenarios side by side, exports that never overwrite."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

from mmm_analytics.cli.interactive import Session, describe_changes
from mmm_analytics.cli.prompts import Prompter, parse_changes, parse_spend, split_items
from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.errors import InputError
from mmm_analytics.simulator import MarketingSimulator
from mmm_analytics.style.numbers import grouped


def _session(simulator: MarketingSimulator, answers: list[str], tmp_path: Path, **options: str) -> str:
    """Run a session on ``answers`` (Ctrl-D after the last), ``options`` (brand, region) passed on; returns the screen."""
    console = Console(record=True, width=200, force_terminal=False)
    queue: Iterator[str] = iter(answers)

    def read(prompt) -> str:
        console.print(prompt, end="")
        try:
            answer = next(queue)
        except StopIteration:
            raise EOFError from None
        console.print(answer, markup=False, highlight=False)
        return answer

    assert Session(simulator, console, tmp_path / "scenarios.yaml", tmp_path / "out", read=read, **options).run() == 0
    return console.export_text()


def _row(screen: str, channel: str) -> list[str]:
    """The cells of a channel's row in the last scenario table on the screen."""
    line = [text for text in screen.splitlines() if re.match(rf"^│ {channel}\s+│", text)][-1]
    return [cell.strip() for cell in line.strip("│").split("│")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("+20%", 1200.0, id="increase"),
        pytest.param("-10%", 900.0, id="decrease"),
        pytest.param("80%", 800.0, id="share"),
        pytest.param("0%", 0.0, id="share-zero"),
        pytest.param("-100%", 0.0, id="cut-all"),
        pytest.param(" + 5 % ", 1050.0, id="spaces"),
        pytest.param("1,500", 1500.0, id="amount"),
        pytest.param("+20", 1020.0, id="signed-amount"),  # before, 20 INR: a 98% cut for a forgotten '%'
        pytest.param("-250", 750.0, id="signed-cut"),  # before, refused as a negative amount
    ],
)
def test_parse_spend_reads_changes_shares_and_amounts(text: str, expected: float) -> None:
    assert parse_spend(text, 1000.0) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        pytest.param("-150%", "cuts more than all of today's spend", id="cut-too-much"),
        pytest.param("nan%", "not a finite percentage", id="nan"),
        pytest.param("lots%", "'lots%' is not a percentage", id="text"),
        pytest.param("lots", "'lots' is not a number; type an amount in INR (e.g. 150000), a change", id="word"),
        pytest.param("1e308%", "is more than 10,000 times today's spend", id="overflow"),
    ],
)
def test_parse_spend_explains_mistakes(text: str, fragment: str) -> None:
    with pytest.raises(InputError, match=re.escape(fragment)):
        parse_spend(text, 1e12)


def test_parse_changes_names_channels_whatever_their_case() -> None:
    current = {"TV": 1000.0, "Print": 500.0, "Radio": 200.0}
    assert parse_changes("tv=+20% Print=0 RADIO=50%", current) == pytest.approx(
        {"TV": 1200.0, "Print": 0.0, "Radio": 100.0}
    )
    with pytest.raises(InputError, match="unknown channel 'Cinema'; channels: TV, Print, Radio"):
        parse_changes("Cinema=5", current)
    with pytest.raises(InputError, match="TV is named twice"):
        parse_changes("TV=1 TV=2", current)
    with pytest.raises(InputError, match="'TV=': no value"):
        parse_changes("TV=", current)


def test_a_value_may_hold_spaces_as_amounts_are_written() -> None:
    current = {"TV": 1000.0, "Print": 500.0}
    assert split_items("TV=1.2 Cr  Print=0") == ["TV=1.2 Cr", "Print=0"]
    assert split_items("Rs 500 TV=1") == ["Rs", "500", "TV=1"]  # a first word without '=' is its own item
    assert parse_changes("TV=1.2 Cr Print=5 lakh", current) == pytest.approx({"TV": 1.2e7, "Print": 5e5})
    assert parse_changes("TV=Rs 500 Print=500 INR", current) == pytest.approx({"TV": 500.0, "Print": 500.0})
    with pytest.raises(InputError, match="unknown channel 'Cr'"):
        parse_changes("Cr TV=1", current)
    # Only an amount's words continue an item: a channel whose '=' was forgotten is named, not TV.
    assert split_items("TV=100000 Print") == ["TV=100000", "Print"]
    with pytest.raises(InputError, match="'Print': no value"):
        parse_changes("TV=100000 Print", current)


def test_spend_prompts_take_changes_and_shares(simulator: MarketingSimulator, tmp_path: Path) -> None:
    current = simulator.current_spend("BrandA", "EAST")
    screen = _session(simulator, ["1", "BrandA", "EAST", "+20%", "80%", "-10%", "6"], tmp_path)
    assert "! " not in screen  # no answer was refused
    tv, youtube, facebook = (current[c] for c in ("TV", "YouTube", "Facebook"))
    assert _row(screen, "TV")[1] == grouped(tv * 1.2)
    assert _row(screen, "YouTube")[1] == grouped(youtube * 0.8)
    assert _row(screen, "Facebook")[1] == grouped(facebook * 0.9)
    assert f"= {grouped(tv * 1.2)} INR" in screen  # each percentage is shown in INR


def test_channel_items_set_several_channels_and_end_the_prompts(simulator: MarketingSimulator, tmp_path: Path) -> None:
    current = simulator.current_spend("BrandA", "EAST")
    screen = _session(simulator, ["1", "BrandA", "EAST", "TV=+20% facebook=0", "6"], tmp_path)
    assert "YouTube weekly spend" not in screen
    assert "YouTube: current spend kept" in screen
    assert _row(screen, "TV")[1] == grouped(current["TV"] * 1.2)
    assert _row(screen, "YouTube")[1] == grouped(current["YouTube"])
    assert _row(screen, "Facebook")[1] == "0"


def test_a_wrong_channel_item_asks_again(simulator: MarketingSimulator, tmp_path: Path) -> None:
    screen = _session(simulator, ["1", "all", "all", "Cinema=5", "TV=-150%", "TV=0", "6"], tmp_path)
    assert "unknown channel 'Cinema'" in screen and "cuts more than all of today's spend" in screen
    assert _row(screen, "TV")[1] == "0"


def test_a_choice_is_found_in_any_spelling_and_a_clash_of_case_asks_again() -> None:
    """Before, a brand typed with a combining accent was unknown, and 'café' among 'Café' and 'CAFÉ'
    silently took the last of them."""
    console = Console(record=True, width=200, force_terminal=False)
    answers = iter(["Cafe\u0301", "caf\u00e9", "CAF\u00c9"])
    ask = Prompter(console, NumberFormat.INDIAN, read=lambda prompt: next(answers))
    options = ["Caf\u00e9", "CAF\u00c9", "all"]
    assert ask.choice("Brand", options, what="brand") == "Caf\u00e9"
    assert ask.choice("Brand", options, what="brand") == "CAF\u00c9"
    assert "Brand 'caf\u00e9' matches Caf\u00e9, CAF\u00c9 up to case; write it as one of them" in console.export_text()


def test_enter_takes_the_last_brand_and_region(simulator: MarketingSimulator, tmp_path: Path) -> None:
    answers = ["1", "", "", "", "", "", "1", "BrandB", "CENTRAL", "", "", "", "4", "", "", "current", "6"]
    screen = _session(simulator, answers, tmp_path)
    assert "Please type a brand" not in screen and "! " not in screen
    assert "Brand (BrandA / BrandB / all) [all]: " in screen  # all at first
    assert "Scenario result: all / all" in screen
    assert "Brand (BrandA / BrandB / all) [BrandB]: " in screen  # then the last one chosen
    assert "Region (CENTRAL / EAST / all) [CENTRAL]: " in screen
    assert "Around which mix" in screen and screen.count("Scenario result: BrandB / CENTRAL") == 1


def test_compare_this_sessions_scenarios_side_by_side(simulator: MarketingSimulator, tmp_path: Path) -> None:
    answers = ["1", "BrandA", "EAST", "+20%", "", "", "1", "", "", "TV=0", "3", "", "5", str(tmp_path / "x"), "6"]
    screen = _session(simulator, answers, tmp_path)
    assert "1  scenario_1: BrandA / EAST" in screen and "2  scenario_2: BrandA / EAST" in screen
    header = next(line for line in screen.splitlines() if "scenario_1" in line and "scenario_2" in line)
    assert header.index("current mix") < header.index("scenario_1") < header.index("scenario_2")
    current = simulator.current_spend("BrandA", "EAST")
    assert _row(screen, "TV spend")[1:] == [grouped(current["TV"]), grouped(current["TV"] * 1.2), "0"]
    assert "Change vs current mix" in screen
    (csv,) = (tmp_path / "x").glob("scenario_comparison_BrandA_EAST_*.csv")
    assert list(pd.read_csv(csv)["scenario"]) == ["current mix", "scenario_1", "scenario_2"]


def test_compare_picks_by_number_or_reads_a_file(simulator: MarketingSimulator, tmp_path: Path) -> None:
    (tmp_path / "scenarios.yaml").write_text("scenarios:\n  - name: from_file\n    spend: {TV: 0}\n")
    answers = ["1", "BrandA", "EAST", "", "", "", "1", "BrandB", "", "", "", ""]
    answers += ["3", "7", "x", "2", "3", "f", "", "6"]
    screen = _session(simulator, answers, tmp_path)
    assert "there is no number 7; choose from 1 to 2" in screen and "'x' is not a list of numbers" in screen
    tables = [part.split("Choose an action")[0] for part in screen.split("Scenario comparison")[1:]]
    assert len(tables) == 2
    assert "scenario_2" in tables[0] and "scenario_1" not in tables[0] and "current mix" in tables[0]
    assert "from_file" in tables[1] and "scenario_2" not in tables[1]


def test_exports_are_named_by_selection_and_time_and_never_overwrite(
    simulator: MarketingSimulator, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    answers = ["1", "BrandA", "EAST", "", "", "", "5", str(folder), "5", str(folder), "6"]
    screen = _session(simulator, answers, tmp_path)
    csvs = sorted(folder.glob("*.csv"))
    assert len(csvs) == 2 and len(list(folder.glob("*.json"))) == 2  # the second export kept the first
    assert all(re.fullmatch(r"simulation_BrandA_EAST_\d{8}-\d{6}(_2)?\.csv", p.name) for p in csvs)
    for csv in csvs:
        assert not csv.read_text().startswith("#") and "#" not in csv.read_text()  # a plain table
        assert list(pd.read_csv(csv).columns) == ["brand", "region", "channel", "spend", "contribution"]
        metadata = json.loads(csv.with_suffix(".json").read_text())["metadata"]
        assert metadata["csv_file"] == csv.name and metadata["brand"] == "BrandA" and metadata["region"] == "EAST"
        assert metadata["currency"] == "INR" and metadata["cpm_inr_per_1000_exposures"]
        assert f"Wrote {csv}" in screen


def test_an_export_folder_may_start_at_the_home_folder(
    simulator: MarketingSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, '~/exports' at the menu's prompt made a folder named '~' in the working folder."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    _session(simulator, ["1", "BrandA", "EAST", "", "", "", "5", "~/exports", "6"], tmp_path)
    assert len(list((tmp_path / "home" / "exports").glob("*.csv"))) == 1
    assert not (tmp_path / "~").exists()


@pytest.mark.parametrize(
    ("fmt", "shown"),
    [(NumberFormat.INDIAN, "TV 3,61,400 -> 1,50,000"), (NumberFormat.WESTERN, "TV 361,400 -> 150,000")],
    ids=["indian", "western"],
)
def test_describe_changes_lists_changed_channels(fmt: NumberFormat, shown: str) -> None:
    assert describe_changes({"TV": 150000.0, "Print": 10.2}, {"TV": 361400.0, "Print": 10.0}, fmt) == shown
    assert describe_changes({"TV": 1.0}, {"TV": 1.0}, fmt) == "current mix"


def test_every_change_of_the_budget_is_said_back_as_an_amount(simulator: MarketingSimulator, tmp_path: Path) -> None:
    """Before, '-5' was taken as today's budget minus 5 INR without a word, while '-10%' was said back."""
    today = sum(simulator.current_spend("BrandA", "EAST").values())
    answers = ["2", "BrandA", "EAST", "-5", "", "", "2", "", "", "+10%", "", "", "2", "", "", "5000", "", "", "6"]
    screen = _session(simulator, answers, tmp_path)
    assert f"  = {grouped(today - 5)} INR" in screen and f"  = {grouped(today * 1.1)} INR" in screen
    assert "= 5,000 INR" not in screen  # an amount is said as typed
    assert f"budget {grouped(today - 5)} INR per week" in screen


def test_a_budget_out_of_range_is_asked_again_in_the_menus_words(simulator: MarketingSimulator, tmp_path: Path) -> None:
    """Before, '1e30' was taken, the minimum and maximum asked, and then refused by a message naming
    '--budget' and 'total_budget', neither of which the menu has."""
    limit = simulator.max_weekly_spend("BrandA", "EAST")
    screen = _session(simulator, ["2", "BrandA", "EAST", "1e30", "+1e30", "", "", "", "6"], tmp_path)
    lines = screen.splitlines()
    first = next(i for i, line in enumerate(lines) if line.endswith("1e30"))
    assert lines[first + 1].startswith("  ! weekly budget of 1e+30 INR is too large: the allowed maximum is ")
    assert f"{grouped(int(limit))} INR" in screen and "; choose a smaller budget" in screen
    assert "--budget" not in screen and "total_budget" not in screen
    assert screen.count("Weekly budget (INR)") == 3 and screen.count("Minimum spends (e.g.") == 1
    assert "Advised allocation: BrandA / EAST" in screen


def test_the_menus_advice_names_its_own_fields(simulator: MarketingSimulator, tmp_path: Path) -> None:
    """Before, the menu's table and messages named --min/--max, --at-most and --no-data-range."""
    caps = " ".join(f"{channel}=1" for channel in simulator.channels)
    screen = _session(simulator, ["2", "BrandA", "EAST", "", "", caps, "TV=80%", "6"], tmp_path)
    today = sum(simulator.current_spend("BrandA", "EAST").values())
    assert (
        f"add up to 3 INR, below the weekly budget {grouped(today)} INR; raise a maximum or lower the budget" in screen
    )
    assert screen.count("Maximum spends (e.g.") == 2  # asked again at its prompt
    text = " ".join(screen.split())
    # the budget and the minimums were asked before: this prompt says what it can change
    assert "(here: change the maximums, or Enter for none; Ctrl-C goes back to the menu for other minimums" in text
    assert "percentages in 'Minimum spends'/'Maximum spends' and Change refer to it" in text
    # the data range has no prompt: the file that sets it is named, not an option of another command
    assert (
        "the advice is held within the data's range of weekly spend: YouTube" in text
        and "simulator.data_range: false or simulator.data_range_margin" in text
    )
    assert not re.search(r"--[a-z]|at_most|total_budget", screen)


def test_the_given_brand_and_region_start_the_prompts_and_run_the_files_scenarios(
    simulator: MarketingSimulator, tmp_path: Path
) -> None:
    """Before, the menu ignored --brand/--region: its prompts began at all, a file's scenarios ran nationally."""
    (tmp_path / "scenarios.yaml").write_text("scenarios:\n  - name: plain\n  - name: own\n    region: all\n")
    screen = _session(simulator, ["3", "", "1", "", "", "", "", "", "6"], tmp_path, brand="BrandA", region="EAST")
    assert _row(screen, "Brand / region")[1:] == ["BrandA / EAST", "BrandA / all"]
    assert "Brand (BrandA / BrandB / all) [BrandA]: " in screen and "Region (CENTRAL / EAST / all) [EAST]: " in screen
    assert "Scenario result: BrandA / EAST" in screen


def test_a_missing_scenarios_file_is_asked_for_in_the_menu_s_words(
    simulator: MarketingSimulator, tmp_path: Path
) -> None:
    """Before, the menu said "pass --scenarios with a YAML file", an option of another command."""
    screen = _session(simulator, ["3", str(tmp_path / "none.yaml"), "6"], tmp_path)
    assert "not found; give a YAML file of named plans (at the 'Scenarios file' prompt)" in " ".join(screen.split())
    assert "--scenarios" not in screen
