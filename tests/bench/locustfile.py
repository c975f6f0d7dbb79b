"""State-changing requests through the JSON API: an applicant files an objection, the office refuses it, again.

Run by tests/bench/test_http_bench.py as `locust --headless`; each simulated client is one applicant
(from BENCH_APPLICANTS, "username:entry_id,...") with its own list entry, so clients never collide.
"""
from __future__ import annotations

import itertools
import os

from locust import FastHttpUser, task

PASSWORD = "demo-pass-2026"
APPLICANTS = itertools.cycle([tuple(a.split(":")) for a in os.environ["BENCH_APPLICANTS"].split(",")])
GROUNDS = "该记录所依据的行政处罚决定已被复议机关撤销，请核实。"


class Applicant(FastHttpUser):
    def on_start(self):
        self.username, entry = next(APPLICANTS)
        self.entry_id = int(entry)
        self.mine = self._token(self.username)
        self.office = self._token("office")

    def _token(self, username: str) -> dict:
        with self.client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD},
                              name="token (not counted)", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"token for {username}: {response.status_code} {response.text[:200]}")
                raise RuntimeError(f"no token for {username}")
            return {"Authorization": f"Bearer {response.json()['token']}"}

    @task
    def file_and_refuse(self):
        with self.client.post("/api/v1/cases", headers=self.mine, name="file a case", catch_response=True,
                              json={"process": "objection", "list_entry_id": self.entry_id, "grounds": GROUNDS}) as r:
            if r.status_code != 201:
                r.failure(f"{r.status_code} {r.text[:200]}")
                return
            case_id = r.json()["id"]
        with self.client.post(f"/api/v1/cases/{case_id}/actions/refuse", headers=self.office, name="take an action",
                              json={"reason": "材料不全，不予受理。"}, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} {r.text[:200]}")
