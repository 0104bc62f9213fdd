"""Benchmark: throughput of learner pages against a bare Flask page rendering a template of the same size.

Run: .venv/bin/python benchmarks/learner_pages.py  (needs `wrk` from Debian and gunicorn; prints figures, asserts
nothing). Both servers run under gunicorn with 2 sync workers on loopback; runs alternate and medians are taken.
"""
from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BARE_APP = '''
from flask import Flask, render_template_string

app = Flask(__name__)
BODY = open({body!r}, encoding="utf-8").read()
PAGE = "<!doctype html><html><head><title>{{{{ title }}}}</title></head><body>{{{{ body }}}}</body></html>"


@app.route("/")
def page():
    return render_template_string(PAGE, title="bare", body=BODY)
'''


def wait(url: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not start")


def wrk(url: str, cookie: str | None, seconds: int = 5) -> float:
    cmd = ["wrk", "-t2", "-c20", f"-d{seconds}s", url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("install wrk (apt-get install wrk)")
    tmp = Path(tempfile.mkdtemp())
    env = {**os.environ, "ACADEMY_DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
           "ACADEMY_SECRET_KEY": "b" * 40, "ACADEMY_ENV": "development"}
    subprocess.run([str(ROOT / ".venv/bin/academy"), "demo"], env=env, check=True, capture_output=True)
    app = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-w", "2", "-b", "127.0.0.1:8091",
                            "academy:create_app()"], env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        wait("http://127.0.0.1:8091/healthz")
        # Sign in as the demo trainee to get a session cookie.
        import http.cookiejar
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open("http://127.0.0.1:8091/login").read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"csrf_token": token, "email": "trainee@demo.kelisim.kz",
                                       "password": "Kelisim-trainee-2026"}).encode()
        opener.open("http://127.0.0.1:8091/login", data=data).read()
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        pages = {"home": "/", "lesson": "/courses/mediation-prevention/sources-of-tension", "dashboard": "/learning",
                 "course": "/courses/mediation-prevention", "catalogue": "/courses"}
        sizes = {k: len(opener.open("http://127.0.0.1:8091" + v).read()) for k, v in pages.items()}
        body = tmp / "body.html"
        body.write_text("x" * sizes["lesson"], encoding="utf-8")
        (tmp / "bare.py").write_text(BARE_APP.format(body=str(body)))
        bare = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-w", "2", "-b", "127.0.0.1:8092", "bare:app"],
                                cwd=tmp, stderr=subprocess.DEVNULL)
        try:
            wait("http://127.0.0.1:8092/")
            results: dict[str, list[float]] = {"bare": [], **{k: [] for k in pages}}
            for _ in range(3):
                results["bare"].append(wrk("http://127.0.0.1:8092/", None))
                for name, path in pages.items():
                    results[name].append(wrk("http://127.0.0.1:8091" + path, cookie))
            base = statistics.median(results["bare"])
            print(f"{'page':<12}{'bytes':>10}{'req/s (median)':>18}{'ratio to bare':>16}")
            print(f"{'bare':<12}{sizes['lesson']:>10}{base:>18.0f}{1:>16.2f}")
            for name in pages:
                med = statistics.median(results[name])
                print(f"{name:<12}{sizes[name]:>10}{med:>18.0f}{med / base:>16.2f}")
        finally:
            bare.terminate()
    finally:
        app.terminate()


if __name__ == "__main__":
    main()
