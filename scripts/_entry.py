"""What every script in this folder does: run one ``mmm`` command with the script's arguments.

Runs from a checkout too: without the package installed, ``src/`` is used (its dependencies
must be installed: ``pip install -r requirements.txt`` installs both).
"""

import sys
from pathlib import Path


def run(*command: str) -> None:
    """``mmm <command> <the script's arguments>``."""
    try:
        from mmm_analytics.cli.app import main
    except ModuleNotFoundError as missing:
        if missing.name != "mmm_analytics":
            sys.exit(f"error: {missing}; install the dependencies with 'pip install -r requirements.txt'")
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
        from mmm_analytics.cli.app import main
    main([*command, *sys.argv[1:]])
