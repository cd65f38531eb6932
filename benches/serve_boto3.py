"""boto3 against `hubtriage serve`: import generated findings in calls of 100, then batch-update some
of them in calls of 100; prints findings/s for both and the server-side latency of the updates.

    cargo build --release
    python3 benches/serve_boto3.py            # 100,000 imported, 10,000 updated
    python3 benches/serve_boto3.py --count 20000 --updates 5000 --bin target/release/hubtriage

Needs boto3 (`pip install boto3`, or the venv .ci/run makes: target/ci-venv/bin/python).
Server-side time comes from the `x-hubtriage-server-ms` header of each answer (time in the server
from the parsed request to the operation's result); the server's own summary is printed at the end.
"""

import argparse
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config


def pct(values, q):
    s = sorted(values)
    return s[min(len(s), max(1, math.ceil(q * len(s)))) - 1]


def client_side_cost(client, sample):
    """What boto3 spends per 100-finding BatchImportFindings call before anything is sent: the ceiling
    of one client, whatever the server does."""
    from botocore.validate import validate_parameters
    op = client.meta.service_model.operation_model("BatchImportFindings")
    calls = [{"Findings": sample[i:i + 100]} for i in range(0, len(sample), 100)]
    t = time.perf_counter()
    for params in calls:
        validate_parameters(params, op.input_shape)
    validate_ms = (time.perf_counter() - t) * 1000 / len(calls)
    t = time.perf_counter()
    for params in calls:
        client._serializer.serialize_to_request(params, op)
    serialize_ms = (time.perf_counter() - t) * 1000 / len(calls)
    print(f"boto3 client-side per import call of 100: validation {validate_ms:.1f} ms, serialisation "
          f"{serialize_ms:.1f} ms: at most {100_000 / (validate_ms + serialize_ms):,.0f} findings/s with validation, "
          f"{100_000 / serialize_ms:,.0f} without, before any network or server time", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=100_000)
    ap.add_argument("--updates", type=int, default=10_000)
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "hubtriage"))
    ap.add_argument("--threads", type=int, default=1,
                    help="calls in flight at once from the one client (boto3 clients are thread-safe); the client's "
                         "own serialising then overlaps the server's work")
    ap.add_argument("--no-validation", action="store_true",
                    help="turn off botocore's client-side parameter validation (it costs the client, not the server)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as d:
        print(f"generating {args.count} findings...", flush=True)
        out = subprocess.run([args.bin, "generate", "--count", str(args.count), "--seed", "1", "--format", "jsonl"],
                             check=True, capture_output=True)
        findings = [json.loads(line) for line in out.stdout.splitlines()]
        server = subprocess.Popen([args.bin, "--store", os.path.join(d, "bench.db"), "serve", "--listen", "127.0.0.1:0"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            endpoint = server.stdout.readline().strip().split("listening on ", 1)[1]
            client = boto3.client(
                "securityhub", endpoint_url=endpoint, region_name="us-east-1",
                aws_access_key_id="bench", aws_secret_access_key="bench",
                config=Config(parameter_validation=not args.no_validation, retries={"max_attempts": 1}))
            server_ms = {"BatchImportFindings": [], "BatchUpdateFindings": []}

            def record(http_response, model, **_):
                ms = http_response.headers.get("x-hubtriage-server-ms")
                if ms is not None and model.name in server_ms:
                    server_ms[model.name].append(float(ms))

            client.meta.events.register("after-call.securityhub", record)
            client_side_cost(client, findings[:2000])

            def import_call(i):
                r = client.batch_import_findings(Findings=findings[i:i + 100])
                assert r["FailedCount"] == 0, r["FailedFindings"][:1]

            t = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.threads) as pool:
                list(pool.map(import_call, range(0, len(findings), 100)))
            import_s = time.perf_counter() - t

            ids = [{"Id": f["Id"], "ProductArn": f["ProductArn"]} for f in findings[:args.updates]]
            def update_call(i):
                r = client.batch_update_findings(
                    FindingIdentifiers=ids[i:i + 100], Workflow={"Status": "NOTIFIED"},
                    Note={"Text": "bench", "UpdatedBy": "bench"})
                assert not r["UnprocessedFindings"], r["UnprocessedFindings"][:1]

            t = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.threads) as pool:
                list(pool.map(update_call, range(0, len(ids), 100)))
            update_s = time.perf_counter() - t
        finally:
            server.send_signal(signal.SIGTERM)
            _, err = server.communicate(timeout=60)

        imp, upd = server_ms["BatchImportFindings"], server_ms["BatchUpdateFindings"]
        mode = f"{args.threads} call(s) in flight, parameter validation {'off' if args.no_validation else 'on'}"
        print(f"one boto3 client, {mode}")
        print(f"import: {len(findings)} findings in {import_s:.1f} s = {len(findings) / import_s:,.0f} findings/s "
              f"(server p50 {statistics.median(imp):.1f} ms per call of 100)")
        print(f"update: {len(ids)} findings in {update_s:.2f} s = {len(ids) / update_s:,.0f} findings/s")
        print(f"BatchUpdateFindings server-side per call of 100: p50 {statistics.median(upd):.2f} ms, "
              f"p99 {pct(upd, 0.99):.2f} ms")
        print("server summary:\n" + err.strip())


if __name__ == "__main__":
    sys.exit(main())
