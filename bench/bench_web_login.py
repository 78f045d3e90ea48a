"""Staff web timings: argon2 login, wrong vs unknown user (should match), huge-password refusal.

Run: OMP_NUM_THREADS=1 python bench/bench_web_login.py
No peer library: the comparison that matters is within the run (wrong password vs unknown user).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from manyi.config import Settings
from manyi.staff import service
from manyi.store.engine import unit_of_work
from manyi.web.app import create_app  # noqa: TID251 - the benchmark drives the web app

SECRET = "correct horse"  # noqa: S105 - a throwaway user in a temporary database


def _timed(client: TestClient, data: dict[str, Any], n: int) -> tuple[int, float]:
    """Status of the last login attempt and the median milliseconds over `n` attempts."""
    times = []
    status = 0
    for _ in range(n):
        client.get("/login")  # sets the login-form CSRF cookie; the token is the same value
        data = {**data, "login_token": client.cookies.get("manyi_login_csrf", "")}
        started = time.perf_counter()
        status = client.post("/login", data=data).status_code
        times.append(time.perf_counter() - started)
        client.cookies.clear()
    return status, statistics.median(times) * 1000


def main() -> None:
    """Print the figures."""
    settings = Settings(data_dir=Path(tempfile.mkdtemp()), secret_key="bench")  # noqa: S106
    with TestClient(create_app(settings), follow_redirects=False) as client:
        with unit_of_work(client.app.state.sessions) as session:  # type: ignore[attr-defined]
            service.create_user(session=session, username="boss", password=SECRET, role="admin")
        cases = [
            ("login ok", {"username": "boss", "password": SECRET}, 9),
            ("wrong password", {"username": "boss", "password": "wrong horse!"}, 4),
            ("unknown user", {"username": "ghost", "password": "wrong horse!"}, 4),
            ("50,000-char password", {"username": "boss", "password": "x" * 50_000}, 9),
        ]
        results = {}
        for label, data, n in cases:
            status, ms = _timed(client, data, n)
            results[label] = ms
            print(f"{label:22s} status={status}  median={ms:7.1f} ms")
        ratio = results["unknown user"] / results["wrong password"]
        print(f"unknown-user / wrong-password time ratio: {ratio:.2f} (1.0 = indistinguishable)")
        client.get("/login")
        token = client.cookies.get("manyi_login_csrf", "")
        client.post("/login", data={"username": "boss", "password": SECRET, "login_token": token})
        started = time.perf_counter()
        for _ in range(200):
            client.get("/api/me")
        per = (time.perf_counter() - started) / 200 * 1000
        print(f"GET /api/me with a session cookie: {per:.2f} ms/request (in-process TestClient)")


if __name__ == "__main__":
    main()
