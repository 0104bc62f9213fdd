"""Every parser finishes on inputs at its size limit, ordinary and hostile (unclosed multi-language spans, runs of
brackets, billion laughs...). Each kind runs benchmarks/parsers.py once per input in a subprocess with a generous
timeout: a parser that hangs, or is quadratic, never finishes there. Speed itself is printed by the benchmark."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from benchmarks.parsers import gift_inputs, markdown_inputs, yaml_inputs  # noqa: E402

#: Seconds for a whole group; each input takes a fraction of a second, a quadratic GIFT span parser minutes.
TIMEOUT = 60
GROUPS = {"yaml": yaml_inputs(1024), "gift": gift_inputs(1024), "markdown": markdown_inputs(1024)}


@pytest.mark.parametrize("kind", sorted(GROUPS))
def test_every_parser_finishes_on_large_and_hostile_inputs(kind):
    names = sorted(GROUPS[kind])
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "parsers.py"), "--repeat", "1", "--only",
                             *names], capture_output=True, text=True, timeout=TIMEOUT, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    printed = {line.split()[0] for line in result.stdout.splitlines()[1:] if line.strip()}
    assert printed == set(names)
