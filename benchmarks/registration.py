"""Benchmark: /register with a new address against one that already has an account (they must cost the same).

Run: .venv/bin/python benchmarks/registration.py [--rounds N]
Uses the production password hash (Argon2id, OWASP parameters) and in-line mail to the outbox, on a temporary
SQLite database; prints the median and quartiles of each path and their ratio; asserts nothing.
"""
from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args(argv)

    from academy import create_app
    from academy.extensions import db

    tmp = Path(tempfile.mkdtemp())
    app = create_app({"TESTING": True, "SECRET_KEY": "b" * 40, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/b.db",
                      "WTF_CSRF_ENABLED": False, "MAIL_OUTBOX": str(tmp / "outbox"), "ACADEMY_BASE_URL": "http://b",
                      "ACADEMY_MAIL_LIMIT_ADDRESS": "100000 per hour",
                      "ACADEMY_MAIL_LIMIT_RECIPIENT": "100000 per hour"})
    logging.getLogger("academy").setLevel(logging.WARNING)  # one line per mail would drown the figures
    with app.app_context():
        db.create_all()
    client = app.test_client()
    form = {"full_name": "Бенчмарк", "password": "Correct-horse-battery-9", "confirm": "Correct-horse-battery-9",
            "region": "astana", "working_languages": ["kk"], "language": "kk"}
    client.post("/register", data={**form, "email": "taken@example.kz"})
    times: dict[str, list[float]] = {"new address": [], "existing address": []}
    for i in range(args.rounds):  # alternate, so that drift affects both paths alike
        for label, email in (("new address", f"new-{i}@example.kz"), ("existing address", "taken@example.kz")):
            start = time.perf_counter()
            r = client.post("/register", data={**form, "email": email})
            times[label].append(time.perf_counter() - start)
            assert r.status_code == 200
    print(f"{'path':<18} {'median ms':>10} {'q1 ms':>8} {'q3 ms':>8}")
    for label, values in times.items():
        q1, median, q3 = statistics.quantiles(values, n=4)
        print(f"{label:<18} {median * 1000:10.1f} {q1 * 1000:8.1f} {q3 * 1000:8.1f}")
    ratio = statistics.median(times["existing address"]) / statistics.median(times["new address"])
    print(f"existing / new: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
