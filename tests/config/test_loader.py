"""Loading the four YAML files: defaults, and user mistakes that name the file and the key."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

from mmm_analytics.config import (
    DataConfig,
    FeatureConfig,
    ModelConfig,
    VizConfig,
    load_config,
    parse_settings,
)
from mmm_analytics.config.loader import CONFIG_FILES, load_config_path, read_yaml
from mmm_analytics.errors import InputError

REPO_CONFIG = Path(__file__).resolve().parents[2] / "config"


def write_config(folder: Path, file_name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name
    path.write_text(text, encoding="utf-8")
    return path


def test_repository_config_loads_and_equals_the_built_in_defaults(tmp_path: Path) -> None:
    from_files = load_config(REPO_CONFIG, required=True)
    built_in = load_config(tmp_path / "missing")
    assert from_files == built_in
    assert list(from_files.data.channels) == ["TV", "YouTube", "Facebook", "Instagram", "Print", "Radio"]
    assert from_files.features.max_lag == 16 and from_files.model.saturation == "auto"


def test_missing_folder_gives_defaults_unless_required(tmp_path: Path) -> None:
    config = load_config(tmp_path / "nowhere")
    assert config.data == DataConfig() and config.features == FeatureConfig()
    assert config.model == ModelConfig() and config.viz == VizConfig()
    with pytest.raises(
        InputError,
        match=rf"config folder '{re.escape(str(tmp_path / 'nowhere'))}' not found; pass an existing --config-dir",
    ):
        load_config(tmp_path / "nowhere", required=True)


def test_missing_and_empty_files_mean_defaults(tmp_path: Path) -> None:
    write_config(tmp_path, "model_config.yaml", "# nothing set\n")
    write_config(tmp_path, "feature_config.yaml", "max_lag: 8\n")
    config = load_config(tmp_path)
    assert config.model == ModelConfig()
    assert config.features.max_lag == 8 and config.features.fourier_order == 3
    assert config.data == DataConfig()


def test_partial_nested_settings_keep_the_other_defaults(tmp_path: Path) -> None:
    write_config(
        tmp_path, "model_config.yaml", "priors:\n  roi: {mean: 2.0}\n  channel_roi: {TV: {mean: 3.0, spread: 0.5}}\n"
    )
    priors = load_config(tmp_path).model.priors
    assert priors.roi.mean == 2.0 and priors.roi.spread == 1.0
    assert priors.channel_roi["TV"].spread == 0.5 and priors.half_life.mean_weeks == 2.0


BAD_FILES = [
    ("feature_config.yaml", "max_lag: -1\n", "key 'max_lag': Input should be greater than or equal to 0 (got -1)"),
    ("model_config.yaml", "max_lag: -4\n", "key 'max_lag': Input should be greater than or equal to 0 (got -4)"),
    (
        "model_config.yaml",
        "saturation: cubic\n",
        "key 'saturation': should be one of auto, hill, sigmoid, logistic (got 'cubic')",
    ),
    ("model_config.yaml", "epochs: many\n", "key 'epochs': Input should be a valid integer"),
    ("model_config.yaml", "learnin_rate: 0.1\n", "unknown key 'learnin_rate'; remove it or check its spelling"),
    ("model_config.yaml", "priors:\n  roi: {mean: 0}\n", "key 'priors.roi.mean': Input should be greater than 0"),
    ("feature_config.yaml", "granularity: geo\n", "key 'granularity': Input should be 'geo_brand' or 'geo_brand_sku'"),
    (
        "feature_config.yaml",
        "fixed_transform: {retention: 1.5}\n",
        "key 'fixed_transform.retention': Input should be less than 1",
    ),
    (
        "data_config.yaml",
        "channels:\n  TV: {column: TV_Impressions}\n",
        "key 'channels.TV': give either 'cpm' (INR per 1000 exposures) or 'spend_column'",
    ),
    (
        "data_config.yaml",
        "channels:\n  TV: {column: TV_Impressions, cpm: 0}\n",
        "key 'channels.TV.cpm': Input should be greater than 0",
    ),
    (
        "data_config.yaml",
        "channels:\n  TV: {column: TV_Impressions, cpm: 1.0e-300}\n",
        "key 'channels.TV.cpm': 1e-300 INR per 1000 exposures is below 0.01 (a paisa), no medium's price",
    ),
    ("data_config.yaml", "channels:\n  TV: {cpm: 1.0}\n", "key 'channels.TV.column' is required"),
    ("data_config.yaml", "holdout_weeks: -2\n", "key 'holdout_weeks': Input should be greater than or equal to 0"),
    ("data_config.yaml", "channels: {}\n", "'channels' must list at least one channel"),
    ("viz_config.yaml", "dpi: 10\n", "key 'dpi': Input should be greater than or equal to 50"),
    ("viz_config.yaml", "- 1\n- 2\n", "expected a mapping of keys at the top level, got list"),
    ("data_config.yaml", "cleaning:\n  outliers:\n    threshold: .inf\n", "Input should be a finite number"),
    ("model_config.yaml", "curves:\n  max_spend_multiple: .inf\n", "Input should be a finite number"),
    # before: data_range_margin 1e308 was a traceback (inf in the JSON), the multiples 1e308 overflowed
    (
        "model_config.yaml",
        "simulator:\n  data_range_margin: 1.0e+308\n",
        "key 'simulator.data_range_margin': Input should be less than or equal to 100",
    ),
    (
        "model_config.yaml",
        "simulator:\n  max_spend_multiple: 1.0e+308\n",
        "key 'simulator.max_spend_multiple': Input should be less than or equal to 10000",
    ),
    (
        "model_config.yaml",
        "curves:\n  max_spend_multiple: 1.0e+308\n",
        "key 'curves.max_spend_multiple': Input should be less than or equal to 100",
    ),
    # before: 0.5 was taken, then today's budget ran while --budget 100% of it was refused as too large;
    # 1.5 stopped mmm simulate part way, at the frontier's budgets past it
    (
        "model_config.yaml",
        "simulator:\n  max_spend_multiple: 1.5\n",
        "key 'simulator.max_spend_multiple': Input should be greater than or equal to 2",
    ),
    ("viz_config.yaml", "figure_width: 1000\n", "figure_width 1000 inches at dpi 150 is 150,000 pixels"),
    ("model_config.yaml", "seed: -1\n", "key 'seed': Input should be greater than or equal to 0"),
    ("model_config.yaml", "seed: 4294967296\n", "key 'seed': Input should be less than or equal to 4294967295"),
    (
        "model_config.yaml",
        "intervals:\n  draws: 100000\n",
        "key 'intervals.draws': Input should be less than or equal to 4000",
    ),
    (
        "model_config.yaml",
        "curves:\n  points: 10000000\n",
        "key 'curves.points': Input should be less than or equal to 1001",
    ),
    ("viz_config.yaml", "palette: []\n", "key 'palette': give at least one colour, e.g. ['#1f4e79'] (got [])"),
    (
        "viz_config.yaml",
        "palette: ['#1f4e79', notacolour]\n",
        "key 'palette.1': not a colour; use a name such as 'tab:blue' or a hex code such as '#1f77b4' "
        "(got 'notacolour')",
    ),
    ("viz_config.yaml", "palette: ['#12']\n", "key 'palette.0': not a colour; use a name such as 'tab:blue'"),
    (
        "viz_config.yaml",
        "channel_colors: {TV: blurple}\n",
        "key 'channel_colors.TV': not a colour; use a name such as 'tab:blue' or a hex code such as '#1f77b4' "
        "(got 'blurple')",
    ),
    (
        "viz_config.yaml",
        "style: neon\n",
        "key 'style': Input should be 'white', 'dark', 'whitegrid', 'darkgrid' or 'ticks' (got 'neon')",
    ),
    (
        "model_config.yaml",
        "max_lag:\n",
        "key 'max_lag' has no value (YAML reads an empty value as null): Input should be a valid integer; "
        "give it a value, or remove the line for the default",
    ),
    (
        "model_config.yaml",
        "simulator:\n",
        "key 'simulator' has no value (YAML reads an empty value as null), where a section of keys is wanted: "
        "write its keys indented below it, or remove the line for the default",
    ),
    (
        "viz_config.yaml",
        "palette:\n  - '#112233'\n  -\n",
        "key 'palette.1' has no value (YAML reads an empty value as null): Input should be a valid string; "
        "give it a value",
    ),
    (
        "data_config.yaml",
        "channels:\n  TV:\n",
        "key 'channels.TV' has no value (YAML reads an empty value as null), where a section of keys is wanted: "
        "write its keys indented below it",
    ),
]


@pytest.mark.parametrize(
    "file_name, text, message",
    BAD_FILES,
    ids=[
        "feature_negative_max_lag",
        "model_negative_max_lag",
        "unknown_saturation",
        "wrong_type",
        "unknown_key",
        "nested_bound",
        "unknown_granularity",
        "retention_above_one",
        "channel_without_cpm_or_spend",
        "zero_cpm",
        "cpm_below_a_paisa",
        "channel_without_column",
        "negative_holdout",
        "no_channels",
        "dpi_too_low",
        "not_a_mapping",
        "infinite_outlier_threshold",
        "infinite_curve_range",
        "huge_data_range_margin",
        "huge_budget_multiple",
        "huge_curve_range",
        "budget_multiple_below_today",
        "figure_too_wide",
        "negative_model_seed",
        "model_seed_beyond_the_generators",
        "draws_beyond_memory",
        "curve_points_beyond_memory",
        "empty_palette",
        "palette_not_a_colour",
        "palette_short_hex",
        "channel_colour_not_a_colour",
        "unknown_style",
        "empty_value",  # before: "key 'max_lag': Input should be a valid integer", which hid that nothing was given
        "empty_section",  # before: "Input should be a valid dictionary or instance of SimulatorSettings"
        "empty_list_item",  # removing its line drops the item: no default to give back
        "empty_channel",  # removing its line drops the channel from the model
    ],
)
def test_bad_value_names_the_file_and_the_key(tmp_path: Path, file_name: str, text: str, message: str) -> None:
    path = write_config(tmp_path, file_name, text)
    with pytest.raises(InputError, match=re.escape(f"{path}: ") + ".*" + re.escape(message)) as error:
        load_config(tmp_path)
    assert "\n" not in str(error.value)


def test_every_problem_of_a_file_is_named_in_its_one_line(tmp_path: Path) -> None:
    """A bad value and misspelled keys: all in the one line (before, a key only after the value was fixed);
    past four problems, the first four and how many more."""
    path = write_config(tmp_path, "model_config.yaml", "intervals:\n  level: 1.9\n  drawz: 400\nlearnin_rate: 0.1\n")
    with pytest.raises(InputError) as error:
        load_config(tmp_path)
    line = str(error.value)
    assert line.startswith(f"{path}: key 'intervals.level': Input should be less than 1 (got 1.9) (also: ")
    assert "unknown key 'intervals.drawz'" in line and "unknown key 'learnin_rate'" in line and "\n" not in line
    write_config(tmp_path, "model_config.yaml", "a1: 1\na2: 2\na3: 3\na4: 4\na5: 5\na6: 6\n")
    with pytest.raises(InputError, match=r"unknown key 'a1'; .* \(also: unknown key 'a2'; .*'a4'; and 2 more\)$"):
        load_config(tmp_path)


@pytest.mark.parametrize(
    "text, line",
    [("max_lag: [1, 2\n", 2), ("seed: 1\nsaturation: hill\n  epochs: 3\n", 3), ("a: b: c\n", 1)],
    ids=["unclosed_list", "bad_indent", "nested_colon"],
)
def test_invalid_yaml_names_the_file_and_line(tmp_path: Path, text: str, line: int) -> None:
    path = write_config(tmp_path, "model_config.yaml", text)
    with pytest.raises(InputError, match=re.escape(f"{path}: line {line} is not valid YAML; fix the syntax")):
        load_config(tmp_path)


def test_a_number_yaml_cannot_build_is_one_line(tmp_path: Path) -> None:
    """YAML types 0x_ as a hexadecimal number and fails building it."""
    path = write_config(tmp_path, "feature_config.yaml", "bogus: 0x_\n")
    with pytest.raises(InputError, match=re.escape(f"{path}: a value cannot be read (") + ".*put the text in quotes"):
        load_config(tmp_path)


def test_a_date_that_does_not_exist_names_the_file_and_line(tmp_path: Path) -> None:
    """YAML reads 2022-13-45 as a date and fails building it; that was a traceback, then a line
    without the line number."""
    path = write_config(tmp_path, "data_config.yaml", "seed: 1\nsynthetic:\n  start_date: 2022-13-45\n")
    expected = f"{path} line 3: '2022-13-45' is not a date that exists (month must be in 1..12); write a real date"
    with pytest.raises(InputError, match=re.escape(expected) + ".*YYYY-MM-DD"):
        load_config(tmp_path)


def test_a_channel_transform_for_an_unknown_channel_names_the_file(tmp_path: Path) -> None:
    """It was ignored without a word."""
    path = write_config(tmp_path, "feature_config.yaml", "channel_transforms:\n  Podcast: {retention: 0.7}\n")
    with pytest.raises(InputError, match=re.escape(f"{path}: key 'channel_transforms.Podcast': unknown channel")):
        load_config(tmp_path)
    with pytest.raises(InputError, match=re.escape(f"{path}: key 'channel_transforms.Podcast': unknown channel")):
        load_config_path(path)


def test_channel_keys_match_the_channel_table_in_any_case(tmp_path: Path) -> None:
    """Before, 'tv:' in these keys was an unknown channel, where the data's, the scenarios' and the options'
    channel names match in any case."""
    write_config(tmp_path, "feature_config.yaml", "channel_transforms:\n  tv: {retention: 0.7}\n")
    write_config(tmp_path, "viz_config.yaml", "channel_colors:\n  youtube: '#000000'\n")
    write_config(tmp_path, "model_config.yaml", "priors:\n  channel_roi:\n    RADIO: {mean: 2.0, spread: 0.5}\n")
    config = load_config(tmp_path)
    assert config.features.transform_for("TV").retention == 0.7
    assert config.viz.channel_colors == {"YouTube": "#000000"}
    assert config.model.priors.channel_roi["Radio"].mean == 2.0


def test_a_channel_given_twice_in_two_cases_is_one_line(tmp_path: Path) -> None:
    path = write_config(tmp_path, "viz_config.yaml", "channel_colors:\n  TV: '#000000'\n  tv: '#ffffff'\n")
    with pytest.raises(InputError, match=re.escape(f"{path}: key 'channel_colors' names TV twice; keep one entry")):
        load_config(tmp_path)


def test_a_colour_for_an_unknown_channel_names_the_file(tmp_path: Path) -> None:
    """It was accepted without a word (a misspelt channel kept its palette colour)."""
    path = write_config(tmp_path, "viz_config.yaml", "channel_colors:\n  Telly: '#000000'\n")
    with pytest.raises(InputError, match=re.escape(f"{path}: key 'channel_colors.Telly': unknown channel; channels")):
        load_config(tmp_path)
    write_config(tmp_path, "viz_config.yaml", "channel_colors:\n  TV: '#000000'\n")
    assert load_config(tmp_path).viz.channel_colors == {"TV": "#000000"}


def test_an_roi_prior_for_an_unknown_channel_names_the_file(tmp_path: Path) -> None:
    """It was accepted without a word: a misspelt channel's prior was silently never used."""
    path = write_config(
        tmp_path, "model_config.yaml", "priors:\n  channel_roi:\n    Cinema: {mean: 2.0, spread: 0.5}\n"
    )
    with pytest.raises(
        InputError, match=re.escape(f"{path}: key 'priors.channel_roi.Cinema': unknown channel; channels")
    ):
        load_config(tmp_path)
    write_config(tmp_path, "model_config.yaml", "priors:\n  channel_roi:\n    TV: {mean: 2.0, spread: 0.5}\n")
    assert load_config(tmp_path).model.priors.channel_roi["TV"].mean == 2.0


@pytest.mark.parametrize(
    "key, prior",
    [
        ("channel_half_life", "{mean_weeks: 6.0, spread: 0.3}"),
        ("channel_weibull_shape", "{mean: 2.5, spread: 0.3}"),
        ("channel_half_saturation", "{mean: 0.5, spread: 0.3}"),
        ("channel_slope", "{mean: 1.3, spread: 0.2}"),
    ],
)
def test_a_channel_s_own_curve_prior_is_read_and_its_channel_checked(tmp_path: Path, key: str, prior: str) -> None:
    path = write_config(tmp_path, "model_config.yaml", f"priors:\n  {key}:\n    Cinema: {prior}\n")
    with pytest.raises(InputError, match=re.escape(f"{path}: key 'priors.{key}.Cinema': unknown channel; channels")):
        load_config(tmp_path)
    write_config(tmp_path, "model_config.yaml", f"priors:\n  {key}:\n    TV: {prior}\n")
    priors = load_config(tmp_path).model.priors
    assert getattr(priors, key)["TV"].spread in (0.2, 0.3)
    assert all(not getattr(priors, other) for other in priors.CHANNEL_KEYS if other != key)


def test_read_yaml_parses_a_mapping(tmp_path: Path) -> None:
    path = write_config(tmp_path, "viz_config.yaml", "dpi: 300\npalette: ['#000000']\n")
    assert read_yaml(path) == {"dpi": 300, "palette": ["#000000"]}


def test_parse_settings_validates_one_model() -> None:
    path = Path("somewhere/feature_config.yaml")
    assert parse_settings(FeatureConfig, None, path) == FeatureConfig()
    assert parse_settings(FeatureConfig, {"fourier_order": 2}, path).fourier_order == 2
    with pytest.raises(InputError, match=r"somewhere/feature_config.yaml: key 'fourier_order'"):
        parse_settings(FeatureConfig, {"fourier_order": 11}, path)


def test_every_file_has_a_model() -> None:
    assert set(CONFIG_FILES) == {"data_config.yaml", "feature_config.yaml", "model_config.yaml", "viz_config.yaml"}
    assert all((REPO_CONFIG / name).is_file() for name in CONFIG_FILES)


def test_complete_folder_needs_every_file(tmp_path: Path) -> None:
    write_config(tmp_path, "viz_config.yaml", "dpi: 50\n")
    with pytest.raises(
        InputError,
        match=rf"^config folder '{re.escape(str(tmp_path))}' has no data_config\.yaml, feature_config\.yaml or "
        r"model_config\.yaml; copy them from the project's config/ folder \(an empty file means built-in defaults\)",
    ):
        load_config(tmp_path, required=True, complete=True)
    for name in ("data_config.yaml", "feature_config.yaml"):
        write_config(tmp_path, name, "")
    with pytest.raises(InputError, match=r"has no model_config\.yaml; copy it from"):
        load_config(tmp_path, required=True, complete=True)
    write_config(tmp_path, "model_config.yaml", "")
    assert load_config(tmp_path, required=True, complete=True).viz.dpi == 50
    assert load_config(tmp_path / "absent").data == DataConfig()  # a folder nobody named: defaults


def test_misspelt_file_name_is_caught_in_a_complete_folder(tmp_path: Path) -> None:
    for name in CONFIG_FILES:
        write_config(tmp_path, name.replace("data_config.yaml", "data_config.yml"), "")
    with pytest.raises(InputError, match=r"has no data_config\.yaml;"):
        load_config(tmp_path, required=True, complete=True)


def test_config_folder_that_is_a_file(tmp_path: Path) -> None:
    path = write_config(tmp_path, "config", "")
    with pytest.raises(InputError, match="config folder '.*config' is a file; pass the folder holding the YAML files"):
        load_config(path)


def test_non_utf8_yaml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "viz_config.yaml").write_bytes(b"dpi: \xff\xfe\n")
    with pytest.raises(InputError, match=r"viz_config\.yaml: not UTF-8 text"):
        load_config(tmp_path)


@pytest.mark.parametrize(
    "nested", ["[" * 2000 + "]" * 2000, "{a: " * 2000 + "1" + "}" * 2000], ids=["lists", "mappings"]
)
def test_yaml_nested_thousands_of_levels_deep_names_the_file(tmp_path: Path, nested: str) -> None:
    """Before, a value nested 500 levels deep ended every command in a RecursionError traceback."""
    write_config(tmp_path, "data_config.yaml", f"x: {nested}\n")
    with pytest.raises(InputError, match=r"data_config\.yaml: lists or mappings nested hundreds of levels deep"):
        load_config(tmp_path)


def test_a_key_given_twice_names_the_file_both_lines_and_the_fix(tmp_path: Path) -> None:
    """YAML kept the last of the two silently: 200 ran while the user looked at the 13 they edited."""
    path = write_config(tmp_path, "model_config.yaml", "seed: 1\nholdout_weeks: 13\nepochs: 3\nholdout_weeks: 200\n")
    expected = f"{path} line 4: key 'holdout_weeks' is given twice (first on line 2); keep one"
    for load in (lambda: load_config(tmp_path), lambda: load_config_path(path)):
        with pytest.raises(InputError) as error:
            load()
        assert str(error.value) == expected


def test_a_nested_key_given_twice_names_its_full_key(tmp_path: Path) -> None:
    path = write_config(
        tmp_path, "model_config.yaml", "priors:\n  roi:\n    mean: 1.0\n    spread: 1.0\n    mean: 2.0\n"
    )
    with pytest.raises(InputError) as error:
        load_config(tmp_path)
    assert str(error.value) == f"{path} line 5: key 'priors.roi.mean' is given twice (first on line 3); keep one"


def test_a_key_given_twice_in_one_flow_mapping(tmp_path: Path) -> None:
    path = write_config(
        tmp_path, "feature_config.yaml", "channel_transforms:\n  TV: {retention: 0.5, retention: 0.7}\n"
    )
    with pytest.raises(InputError) as error:
        read_yaml(path)
    assert str(error.value) == (
        f"{path} line 2: key 'channel_transforms.TV.retention' is given twice (both on that line); keep one"
    )


def test_a_key_written_once_quoted_and_once_bare_is_the_same_key(tmp_path: Path) -> None:
    path = write_config(tmp_path, "viz_config.yaml", "dpi: 100\n'dpi': 200\n")
    with pytest.raises(InputError, match=re.escape(f"{path} line 2: key 'dpi' is given twice (first on line 1)")):
        read_yaml(path)


def test_the_same_key_in_different_mappings_is_fine(tmp_path: Path) -> None:
    path = write_config(tmp_path, "x.yaml", "a: {mean: 1}\nb: {mean: 2}\nc: [{mean: 3}, {mean: 4}]\n")
    assert read_yaml(path) == {"a": {"mean": 1}, "b": {"mean": 2}, "c": [{"mean": 3}, {"mean": 4}]}


def test_merge_keys_still_work_and_may_be_overridden(tmp_path: Path) -> None:
    """Keys a merge brings in are not duplicates of the mapping's own keys; merge order is kept."""
    text = "base: &b {x: 1, y: 2}\nover:\n  <<: *b\n  x: 3\nboth:\n  <<: [*b, {x: 9, z: 1}]\n"
    path = write_config(tmp_path, "x.yaml", text)
    assert read_yaml(path) == {"base": {"x": 1, "y": 2}, "over": {"x": 3, "y": 2}, "both": {"x": 1, "y": 2, "z": 1}}
    bad = write_config(tmp_path, "y.yaml", "base: &b {x: 1}\nover:\n  <<: *b\n  x: 2\n  x: 3\n")
    with pytest.raises(InputError, match=re.escape(f"{bad} line 5: key 'over.x' is given twice (first on line 4)")):
        read_yaml(bad)


def test_a_merged_mapping_that_merges_another_is_read_as_plain_yaml_reads_it(tmp_path: Path) -> None:
    """A merge rewrites the merged mapping in place: checked while building, a chained merge read as a key
    given twice."""
    text = "b0: &b0 {x: 1, y: 2}\ndefaults:\n  inner: &base\n    <<: *b0\n    x: 3\nderived:\n  <<: *base\n  z: 4\n"
    path = write_config(tmp_path, "x.yaml", text)
    assert read_yaml(path) == yaml.safe_load(text)


def test_dates_still_read_as_dates(tmp_path: Path) -> None:
    path = write_config(tmp_path, "data_config.yaml", "synthetic:\n  start_date: 2022-01-03\n")
    assert str(read_yaml(path)["synthetic"]["start_date"]) == "2022-01-03"
    assert load_config(tmp_path).data.synthetic.start_date.isoformat() == "2022-01-03"


def test_a_config_path_that_is_a_pipe_is_not_called_missing(tmp_path: Path) -> None:
    """Before: "--config 'cfg.yaml' not found; did you mean 'cfg.yaml'?" for a named pipe."""
    pipe = tmp_path / "model_config.yaml"
    os.mkfifo(pipe)
    with pytest.raises(InputError, match=r"is not a regular file \(a device, pipe or socket\); give a YAML file"):
        load_config_path(pipe)


@pytest.mark.parametrize("kind", ["pipe", "folder"])
@pytest.mark.parametrize("complete", [False, True])
def test_a_config_file_in_a_folder_that_is_not_a_file_is_named(tmp_path: Path, kind: str, complete: bool) -> None:
    """Before, a pipe or a folder named data_config.yaml in the config folder was read as no file at all: built-in
    defaults without a word, or "has no data_config.yaml" when every file is required."""
    odd = tmp_path / "data_config.yaml"
    if kind == "pipe":
        os.mkfifo(odd)
    else:
        odd.mkdir()
    what = "a folder" if kind == "folder" else r"not a regular file \(a device, pipe or socket\)"
    with pytest.raises(InputError, match=rf"^'{re.escape(str(odd))}' is {what}, not a YAML file; put the YAML file"):
        load_config(tmp_path, complete=complete)


def test_a_yaml_tag_is_named_not_called_a_syntax_error(tmp_path: Path) -> None:
    """Before: "line 1 is not valid YAML; fix the syntax" for a tag YAML reads but a config may not hold."""
    path = write_config(tmp_path, "model_config.yaml", "epochs: 3\nfoo: !!python/object:os.system [ls]\n")
    with pytest.raises(
        InputError, match=r"model_config\.yaml: line 2: the tag '!!python/object:os\.system' is not allowed"
    ):
        read_yaml(path)


def test_a_huge_value_is_echoed_in_a_few_characters(tmp_path: Path) -> None:
    """Nine YAML aliases of nine items each made a value of 387 million items, and the error line's echo
    of it ran out of memory (a traceback after 39 s); six made a one-line error of 2.8 MB."""
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for previous, name in zip("abcdefgh", "bcdefghi"):
        levels.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    (tmp_path / "data_config.yaml").write_text("\n".join([*levels, "holdout_weeks: *i", ""]))
    with pytest.raises(InputError) as raised:
        load_config(tmp_path)
    message = str(raised.value)
    assert "holdout_weeks" in message and len(message) < 400, message[:400]
    assert "\n" not in message
