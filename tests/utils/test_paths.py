"""Default project layout: the steps chain with no path options."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mmm_analytics.errors import InputError
from mmm_analytics.utils.paths import ProjectPaths, file_problem, folder_of, require_readable

EXPECTED = {
    "raw_dir": "data/raw",
    "raw_csv": "data/raw/mmm_data.csv",
    "ground_truth": "data/raw/ground_truth.json",
    "processed_dir": "data/processed",
    "clean_panel": "data/processed/clean_panel.parquet",
    "features": "data/processed/features.parquet",
    "models_dir": "outputs/models",
    "model_file": "outputs/models/mmm_model.keras",
    "figures_dir": "outputs/figures",
    "eda_figures": "outputs/figures/eda",
    "model_figures": "outputs/figures/model",
    "curve_figures": "outputs/figures/roi_curves",
    "simulation_figures": "outputs/figures/simulations",
    "reports_dir": "outputs/reports",
    "simulations_dir": "outputs/simulations",
}


@pytest.mark.parametrize("name, relative", EXPECTED.items(), ids=list(EXPECTED))
def test_default_layout_is_relative_to_the_current_folder(name: str, relative: str) -> None:
    assert getattr(ProjectPaths(), name) == Path(relative)


def test_every_path_moves_with_the_root(tmp_path: Path) -> None:
    paths = ProjectPaths(tmp_path / "run")
    for name, relative in EXPECTED.items():
        assert getattr(paths, name) == tmp_path / "run" / relative


def test_paths_are_immutable() -> None:
    with pytest.raises(AttributeError):
        ProjectPaths().root = Path("elsewhere")  # type: ignore[misc]


def test_folder_of_a_model_is_the_folder_or_the_one_around_its_keras_file(tmp_path: Path) -> None:
    assert folder_of(tmp_path / "models" / "mmm_model.keras") == tmp_path / "models"
    assert folder_of(tmp_path / "models") == tmp_path / "models"
    odd = tmp_path / "named.keras"  # a folder whose name ends in .keras is a folder
    odd.mkdir()
    assert folder_of(odd) == odd


def test_file_problem_names_each_way_a_path_is_not_a_readable_file(tmp_path: Path) -> None:
    file = tmp_path / "panel.csv"
    file.write_text("x\n")
    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    assert file_problem(file) is None
    assert file_problem(tmp_path) == "folder"
    assert file_problem(tmp_path / "absent.csv") == "missing"
    assert file_problem(pipe) == "special"
    assert file_problem(Path("/dev/null")) == "special"


def test_require_readable_tells_a_folder_from_a_missing_file(tmp_path: Path) -> None:
    """Before, a folder at data/processed/clean_panel.parquet was reported as "not found"."""
    (tmp_path / "clean_panel.parquet").mkdir()
    with pytest.raises(InputError, match=r"clean_panel\.parquet' is a folder, not the file; run 'mmm data' to make it"):
        require_readable(tmp_path / "clean_panel.parquet", "run 'mmm data' to make it")
    with pytest.raises(InputError, match=r"absent\.parquet' not found; run 'mmm data'"):
        require_readable(tmp_path / "absent.parquet", "run 'mmm data' to make it")
    with pytest.raises(InputError, match=r"'/dev/null' is not a regular file \(a device, pipe or socket\); run"):
        require_readable(Path("/dev/null"), "run 'mmm data' to make it")
    (tmp_path / "ok.csv").write_text("x\n")
    require_readable(tmp_path / "ok.csv", "run 'mmm data' to make it")
