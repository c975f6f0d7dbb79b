"""State-changing requests through the JSON API at a given rate: each of N clients, one applicant, files an objection
at random moments (a Poisson stream at its share of the rate) and has the office refuse it (tests/bench/
test_http_bench.py, row 1d).

`python -m tests.bench.paced_clients URL SECONDS RATE` with BENCH_APPLICANTS ("entry_id:token,...") and
BENCH_OFFICE_TOKEN set as for wrk_cycle.lua; prints one line, "PACED {json}", the summary of the run.

A client of its own rather than a general load tool: a thread a client, each with plain blocking sockets, that
opens a connection when it sends, writes a request made once and reads the answer to its end: 0.35-0.45 ms of CPU
a request where locust's clients took 1.3-2.5 ms on the same two cores as the server. It connects only when it
sends: a gunicorn sync worker serves one connection at a time, and a connection opened ahead of a client's pause
would hold a worker waiting on it (wrk does that). A filing that falls due while the client's last one is still
under way is made as soon as that is done; the latency is timed from the connection's opening to the answer's
end, each step apart, so it is the server's, not the client's queue. What fell due but could not be made before
the run's end counts as offered and not served.
"""
from __future__ import annotations

import json
import os
import random
import resource
import socket
import sys
import threading
import time
from urllib.parse import urlsplit

GROUNDS = "该记录所依据的行政处罚决定已被复议机关撤销，请核实。"
REASON = {"reason": "材料不全，不予受理。"}


def post(host: str, path: str, token: str, body: dict) -> bytes:
    payload = json.dumps(body, ensure_ascii=False).encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n\r\n")
    return head.encode() + payload


def send(address: tuple[str, int], request: bytes) -> tuple[int, bytes]:
    """The answer's status and body; the server closes the connection after it."""
    with socket.create_connection(address, timeout=60) as connection:
        connection.sendall(request)
        parts = []
        while chunk := connection.recv(65536):
            parts.append(chunk)
    head, _, body = b"".join(parts).partition(b"\r\n\r\n")
    return int(head[9:12] or 0), body


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def client(address, host, entry: int, token: str, office: str, rate: float, began: float, until: float,
           results: dict):
    """Files at the moments of a Poisson stream, each filing then its refusal; one that falls due while the last is
    still under way is made as soon as that is done (its wait is not timed: the latency is the server's)."""
    filing = post(host, "/api/v1/cases", token, {"process": "objection", "list_entry_id": entry, "grounds": GROUNDS})
    arrival, offered = began + random.expovariate(rate / 2), 0  # the first filing at a random moment too
    while arrival < until:
        time.sleep(max(0.0, arrival - time.monotonic()))
        if time.monotonic() >= until:
            break
        offered += 2
        started = time.monotonic()
        status, body = send(address, filing)
        results["file"].append(1000 * (time.monotonic() - started))
        if status != 201:
            results["failed"].append(f"file {status} {body[:200]!r}")
        else:
            refusal = post(host, f"/api/v1/cases/{json.loads(body)['id']}/actions/refuse", office, REASON)
            started = time.monotonic()
            status, body = send(address, refusal)
            results["act"].append(1000 * (time.monotonic() - started))
            if status != 200:
                results["failed"].append(f"refuse {status} {body[:200]!r}")
        arrival += random.expovariate(rate / 2)
    while arrival < until:  # fell due, but the last ones took until the end: offered, not made
        offered += 2
        arrival += random.expovariate(rate / 2)
    results["offered"].append(offered)


def run(url: str, seconds: float, rate: float) -> dict:
    parts = urlsplit(url)
    address = (parts.hostname, parts.port or 80)
    applicants = [item.split(":", 1) for item in os.environ["BENCH_APPLICANTS"].split(",")]
    office = os.environ["BENCH_OFFICE_TOKEN"]
    results: dict = {"file": [], "act": [], "failed": [], "offered": []}
    share = rate / len(applicants)
    cpu = time.process_time()
    began = time.monotonic()
    threads = [threading.Thread(target=client, args=(address, parts.netloc, int(entry), token, office, share, began,
                                                     began + seconds, results)) for entry, token in applicants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    count = len(results["file"]) + len(results["act"])
    steps = [results["file"], results["act"]]
    return {"requests": count, "failed": len(results["failed"]), "seconds": time.monotonic() - began,
            "rate": count / seconds, "offered": sum(results["offered"]) / seconds,
            "p95": max(percentile(s, 0.95) for s in steps), "p50": max(percentile(s, 0.5) for s in steps),
            "client_cpu_ms": 1000 * (time.process_time() - cpu) / max(count, 1),
            "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "examples": results["failed"][:3]}


if __name__ == "__main__":
    summary = run(sys.argv[1], float(sys.argv[2]), float(sys.argv[3]))
    print("PACED " + json.dumps(summary, ensure_ascii=False), flush=True)
