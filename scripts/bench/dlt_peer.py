"""The benchmark's peer loader (issue 8): dlt's rest_api_source with the seed's configuration, into DuckDB.

Run with the venv that scripts/bench/dlt-install.sh makes:

    CLOCKODO_EMAIL=... CLOCKODO_API_KEY=... .services/dlt/bin/python scripts/bench/dlt_peer.py \
        --base-url http://127.0.0.1:18787/api --duckdb /tmp/bench/dlt.duckdb \
        --years 2024,2025,2026 --start-date 2024-01-01 [--end-datetime 2026-11-30T12:00:00Z]

dlt keeps only entries whose time_last_change lies in [start, end): an --end-datetime equal to the API server's
API_SERVER_NOW drops the entries last changed at exactly that second. Leave it out (now) or give a later one.

Credentials come only from the environment (CLOCKODO_EMAIL, CLOCKODO_API_KEY) and are never printed.
Prints one JSON line on stdout: {"seconds": <wall time of pipeline.run>, "rows": {...}, "dlt_version": "..."}.
Everything else (dlt's own logs, errors) goes to stderr. Each run is a full first load: the DuckDB file is
deleted first and the pipeline's state lives in a temporary folder next to it, removed afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import sys
import tempfile
import time
from typing import Any, Dict, List, NoReturn

RESOURCES = ("projects", "customers", "absences", "entries")
DATASET = "clockodo"
PIPELINE_NAME = "clockodo_dlt_peer"


def fail(message: str) -> NoReturn:
    print(f"dlt_peer: {message}", file=sys.stderr)
    sys.exit(1)


def parse_args(argv: List[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--base-url", required=True, help="API base URL, e.g. http://127.0.0.1:18787/api")
    parser.add_argument("--duckdb", required=True, help="DuckDB database file (deleted first if it exists)")
    parser.add_argument("--years", required=True, help="years of the absences partition, e.g. 2024,2025,2026")
    parser.add_argument("--start-date", required=True, help="entries' incremental start (YYYY-MM-DD)")
    parser.add_argument("--end-datetime", help="entries' incremental end (ISO 8601, exclusive for time_last_change); default: now")
    args = parser.parse_args(argv)
    try:
        args.years = [int(y) for y in args.years.split(",") if y.strip()]
    except ValueError:
        parser.error(f"--years must be a comma-separated list of years, got {args.years!r}")
    if not args.years or any(not 1000 <= y <= 9999 for y in args.years):
        parser.error("--years must name at least one four-digit year")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", args.start_date):
        parser.error("--start-date must be YYYY-MM-DD")
    try:
        dt.date.fromisoformat(args.start_date)
    except ValueError:
        parser.error(f"--start-date is not a date: {args.start_date}")
    if args.end_datetime is not None:
        try:
            end = dt.datetime.fromisoformat(args.end_datetime.replace("Z", "+00:00"))
        except ValueError:
            parser.error(f"--end-datetime is not an ISO 8601 datetime: {args.end_datetime}")
        if end.tzinfo is None:
            end = end.replace(tzinfo=dt.timezone.utc)
        args.end_datetime = iso_utc(end)
    return args


def iso_utc(value: dt.datetime) -> str:
    """The API's datetime format: UTC, 'Z', no fractional seconds."""
    return value.astimezone(dt.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def quiet_dlt(work_dir: str) -> None:
    """Before dlt is imported: logs at WARNING on stderr, no telemetry, no state or config from ~/.dlt or ./.dlt."""
    os.environ["RUNTIME__LOG_LEVEL"] = "WARNING"
    os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"
    os.environ["DLT_DATA_DIR"] = os.path.join(work_dir, "data")
    os.environ["DLT_PROJECT_DIR"] = work_dir
    os.environ.setdefault("DLT_DISABLE_CLI_INTERACTIVE", "true")


def build_config(base_url: str, email: str, years: List[int], start_datetime: str, end_datetime: str) -> Dict[str, Any]:
    import dlt
    from dlt.sources.helpers.requests import Client

    # The seed reads these through dlt's config and secrets providers; we fill those providers from the
    # environment and the command line so that the configuration below reads them exactly as the seed does.
    dlt.config["years"] = years
    dlt.config["start_date"] = start_datetime

    # The seed's retry rule: "429, 500, 502, 503 and 504 with a maximum of 3 retries and a backoff factor of 2".
    # dlt takes retry rules on the HTTP session, not in the rest_api configuration: 1 try + 3 retries,
    # exponential backoff with multiplier 2 (dlt also honours Retry-After and retries dropped connections).
    # raise_for_status=False is what RESTClient's own default session uses; it raises per response itself.
    session = Client(
        raise_for_status=False,
        status_codes=(429, 500, 502, 503, 504),
        request_max_attempts=4,
        request_backoff_factor=2,
    ).session

    # The years partition of absences (the seed's `partition_router: {type: list, values: years,
    # request_option: {inject_into: request_parameter, field_name: year}}`). dlt's rest_api has no partition
    # router; its way to run one request per value is a parameter resolved from a parent resource
    # ("{resources.<parent>.<field>}"). The parent is this resource yielding one {"year": ...} per configured
    # year; selected=False so it loads no table of its own.
    @dlt.resource(name="years", selected=False)
    def years_partition():  # type: ignore[no-untyped-def]
        yield [{"year": year} for year in dlt.config["years"]]

    # The seed's paginator `{type: cursor, cursor_param: page, stop_condition: "response.paging.count_pages ==
    # response.paging.current_page"}` is a page counter (the API returns no cursor to follow): in dlt's terms
    # the page_number paginator, first page 1, stopping once the page just read is paging.count_pages.
    # (dlt also stops on an empty page, its default.)
    def seed_paginator() -> Dict[str, Any]:
        return {"type": "page_number", "page_param": "page", "base_page": 1, "total_path": "paging.count_pages"}

    # The seed's `limit: 1000` (projects and customers only) is the page size; the API's parameter for it is
    # items_per_page. Entries have no limit in the seed, so none is sent for them.
    seed_limit = {"items_per_page": 1000}

    # --- The seed's configuration (shared/seed/000_082559dc63d795e3.txt), in dlt's rest_api terms. ---------
    return {
        "client": {
            "base_url": base_url,  # the seed's "https://api.example.com"
            # The API rejects requests without this header (at most 50 characters); the seed predates it.
            "headers": {"X-Clockodo-External-Application": external_application(email)},
            "auth": {
                "type": "http_basic",  # the seed's "basic"; dlt's name for HTTP Basic auth
                "username": dlt.secrets["email_address"],
                "password": dlt.secrets["api_key"],
            },
            "session": session,
        },
        "resource_defaults": {
            "primary_key": "id",
            "write_disposition": "merge",
        },
        "resources": [
            {
                "name": "projects",
                "endpoint": {
                    "path": "/v2/projects",
                    "data_selector": "projects",
                    "paginator": seed_paginator(),
                    "params": dict(seed_limit),
                },
            },
            {
                "name": "absences",
                "endpoint": {
                    "path": "/v2/absences",
                    "data_selector": "absences",
                    # No paginator in the seed: dlt detects that the response is a single page.
                    # dlt's syntax for a query parameter taken from each record of a parent resource.
                    "params": {"year": "{resources.years.year}"},
                },
            },
            {
                "name": "customers",
                "endpoint": {
                    "path": "/v2/customers",
                    "data_selector": "customers",
                    "paginator": seed_paginator(),
                    "params": dict(seed_limit),
                },
            },
            {
                "name": "entries",
                "endpoint": {
                    "path": "/v2/entries",
                    "data_selector": "entries",
                    "paginator": seed_paginator(),
                    # The seed's `incremental_sync: {type: datetime, cursor_field: time_last_change,
                    # start_datetime: start_date, end_datetime: now}`. dlt sends the window as request
                    # parameters (start_param/end_param); the API's window parameters are time_since and
                    # time_until (both required), as Airbyte's connector sends them. dlt then also keeps only
                    # rows whose time_last_change lies in [initial_value, end_value).
                    "incremental": {
                        "cursor_path": "time_last_change",
                        "start_param": "time_since",
                        "end_param": "time_until",
                        "initial_value": dlt.config["start_date"],
                        "end_value": end_datetime,
                    },
                },
            },
            years_partition,
        ],
    }


def external_application(email: str) -> str:
    value = f"dlt-peer;{email}"
    return value if len(value) <= 50 else "dlt-peer"


def main(argv: List[str]) -> int:
    args = parse_args(argv)
    email = os.environ.get("CLOCKODO_EMAIL", "")
    api_key = os.environ.get("CLOCKODO_API_KEY", "")
    if not email or not api_key:
        fail("CLOCKODO_EMAIL and CLOCKODO_API_KEY must be set in the environment")

    duckdb_path = os.path.abspath(args.duckdb)
    os.makedirs(os.path.dirname(duckdb_path), exist_ok=True)
    for path in (duckdb_path, duckdb_path + ".wal"):
        if os.path.exists(path):
            os.remove(path)
    work_dir = tempfile.mkdtemp(prefix=".dlt_peer_", dir=os.path.dirname(duckdb_path))
    try:
        quiet_dlt(work_dir)
        return load(args, email, api_key, duckdb_path, work_dir)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


def load(args: argparse.Namespace, email: str, api_key: str, duckdb_path: str, work_dir: str) -> int:
    import dlt
    import duckdb
    from dlt.sources.rest_api import rest_api_source

    dlt.secrets["email_address"] = email
    dlt.secrets["api_key"] = api_key
    start_datetime = f"{args.start_date}T00:00:00Z"
    end_datetime = args.end_datetime or iso_utc(dt.datetime.now(dt.timezone.utc))

    source = rest_api_source(build_config(args.base_url, email, args.years, start_datetime, end_datetime))
    pipeline = dlt.pipeline(
        pipeline_name=PIPELINE_NAME,
        pipelines_dir=os.path.join(work_dir, "pipelines"),
        destination=dlt.destinations.duckdb(duckdb_path),
        dataset_name=DATASET,
        progress=None,
    )
    started = time.perf_counter()
    pipeline.run(source)
    seconds = time.perf_counter() - started
    steps = [
        f"{step.step} {(step.finished_at - step.started_at).total_seconds():.1f}s"
        for step in pipeline.last_trace.steps
        if step.step in ("extract", "normalize", "load") and step.finished_at
    ]
    print(f"[bench] dlt pipeline.run {seconds:.1f}s: {', '.join(steps)}", file=sys.stderr)

    rows: Dict[str, int] = {}
    with duckdb.connect(duckdb_path, read_only=True) as conn:
        for name in RESOURCES:
            (count,) = conn.execute(f'SELECT count(*) FROM "{DATASET}"."{name}"').fetchone()
            rows[name] = int(count)
    print(json.dumps({"seconds": round(seconds, 3), "rows": rows, "dlt_version": dlt.__version__}))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except SystemExit:
        raise
    except KeyboardInterrupt:
        fail("interrupted")
    except Exception as exc:  # noqa: BLE001 - one line on stderr, non-zero exit
        fail(f"failed: {type(exc).__name__}: {exc}")
