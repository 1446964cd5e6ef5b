"""What every CLI test expects of a user's mistake: exit code 2 and one line on stderr."""

from __future__ import annotations


def one_error_line(result, *fragments: str) -> str:
    """Assert exit code 2, exactly one ``error: `` line on stderr holding every fragment, no
    traceback; return that line."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.output
    return lines[0]
