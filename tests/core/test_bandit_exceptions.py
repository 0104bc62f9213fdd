"""Every exception to bandit (run over academy/ by .ci/run) names the check it silences and says why, on its line."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: `# nosec B603 # why`: bandit reads the ids up to the next `#`, so the reason follows a second `#`.
JUSTIFIED = re.compile(r"# nosec (B\d{3}(, ?B\d{3})*) # \S.{9,}")


def test_every_nosec_names_its_check_and_gives_a_reason():
    bare = []
    for path in sorted((ROOT / "academy").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "nosec" in line and not JUSTIFIED.search(line):
                bare.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert bare == [], "\n".join(bare)
