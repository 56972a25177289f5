"""Replays the statements test/chdb/statement-recorder.ts recorded against ClickHouse 18.16 on
today's engine (chdb: ClickHouse 26.x in-process), in the same order, and compares every SELECT's
answer with the one 18.16 gave.

usage: PYTHONPATH=.services/chdb python3 test/chdb/replay.py LOG.json REPORT.json

REPORT.json: {"engine", "statements", "distinct", "compared", "shape_only", "parsed", "problems"}.
Exits 0 whatever it found (the test judges the problems), 3 when chdb cannot be imported.
"""

import json
import math
import re
import shutil
import sys
import tempfile

try:
    from chdb import session as chdb_session
except ImportError as e:
    sys.stderr.write(
        f"chdb is not importable ({e}): bash scripts/test-deps-install.sh installs it into "
        ".services/chdb; run this with PYTHONPATH=.services/chdb\n"
    )
    sys.exit(3)

# Defaults of a ClickHouse server that chdb's build changes: set back, so that chdb answers as a
# server would before the project's client settings go on top.
SERVER_DEFAULTS = {
    "date_time_input_format": "basic",
    "output_format_json_quote_64bit_integers": "1",
    "implicit_select": "0",
}

DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def is_datetime(value):
    return isinstance(value, str) and bool(DATETIME.match(value))


# Answers that differ between the two runs by nature, compared by shape only:
# (which statements, column, check, why).
SHAPE_ONLY = [
    (
        lambda st: "toString(max(_synced_at)) AS lastWritten" in st["sql"],
        "lastWritten",
        is_datetime,
        "deletion markers take _synced_at = now(), which is the replay's own time",
    ),
    (
        lambda st: ") AS stored," in st["sql"],
        "stored",
        lambda v: isinstance(v, int) and v >= 0,
        "rows stored before merges (npm run report's 'stored'): each server merges a key's versions in its own time",
    ),
    (
        lambda st: st["site"].startswith("test/"),
        "_synced_at",
        is_datetime,
        "the test's dumps of every table at the end: the deletion markers' now() again",
    ),
]

# Values whose inner order or spelling is not the point: (which statements, column, fix, why).
NORMALIZE = [
    (
        lambda st: "arrayStringConcat(groupArray(" in st["sql"],
        "resources",
        lambda v: " ".join(sorted(v.split(" "))) if isinstance(v, str) else v,
        "groupArray collects in whatever order the parts are read",
    ),
    (
        lambda st: "FROM system.columns" in st["sql"],
        "type",
        lambda v: v.replace("\\'", "'") if isinstance(v, str) else v,
        "18.16 shows DateTime(\\'UTC\\'), current servers DateTime('UTC'); schema.ts reads both",
    ),
]


def literal(value):
    if re.fullmatch(r"-?\d+(\.\d+)?", value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def canon(value):
    """Numbers compare by value (1 == 1.0), whatever the JSON text."""
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return int(value)
    if isinstance(value, list):
        return [canon(v) for v in value]
    if isinstance(value, dict):
        return {k: canon(v) for k, v in value.items()}
    return value


def parse_rows(text, fmt):
    if fmt.endswith("EachRow"):
        return [canon(json.loads(line)) for line in text.splitlines() if line.strip()]
    return None  # other formats compare as text


def normalize(st, rows):
    """Applies the rules above; returns the rows and whether a column was compared by shape only."""
    by_shape = False
    for applies, column, check, _why in SHAPE_ONLY:
        if applies(st):
            by_shape = True
            for row in rows:
                if column in row:
                    ok = check(row[column])
                    row[column] = "<shape ok>" if ok else f"<bad shape: {row[column]!r}>"
    for applies, column, fix, _why in NORMALIZE:
        if applies(st):
            for row in rows:
                if column in row:
                    row[column] = fix(row[column])
    # Without ORDER BY the row order is the engine's choice.
    if not re.search(r"\bORDER BY\b", st["sql"], re.IGNORECASE):
        rows.sort(key=lambda r: json.dumps(r, sort_keys=True))
    return rows, by_shape


def order_keys(sql):
    """The output columns the last ORDER BY sorts by, when it names only plain columns."""
    m = re.search(r"\bORDER BY\s+(.*?)(?:\s+LIMIT\b.*)?\s*$", sql, re.IGNORECASE | re.DOTALL)
    if not m:
        return None
    keys = [k.strip() for k in m.group(1).split(",")]
    keys = [re.sub(r"\s+(ASC|DESC)$", "", k, flags=re.IGNORECASE) for k in keys]
    return keys if all(re.fullmatch(r"\w+", k) for k in keys) else None


def same_answer(sql, expected, got):
    """Equal rows in equal order; rows that tie on the ORDER BY columns may come in either order."""
    if expected == got or not isinstance(expected, list):
        return expected == got
    # A LIMIT that cut an unordered answer short: which rows it kept is the engine's choice.
    limit = re.search(r"\bLIMIT\s+(\d+)\s*$", sql, re.IGNORECASE)
    if limit and not re.search(r"\bORDER BY\b", sql, re.IGNORECASE) and len(expected) == int(limit.group(1)):
        return isinstance(got, list) and len(got) == len(expected)
    keys = order_keys(sql)
    if keys is None or not re.search(r"\bORDER BY\b", sql, re.IGNORECASE):
        return False
    by_key = lambda rows: [[r.get(k) for k in keys] for r in rows]  # noqa: E731
    by_row = lambda rows: sorted(json.dumps(r, sort_keys=True) for r in rows)  # noqa: E731
    return by_key(expected) == by_key(got) and by_row(expected) == by_row(got)


def short(text, limit=600):
    text = str(text)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


def query_value(sess, sql):
    return json.loads(sess.query(sql, "JSONEachRow").bytes())["v"]


class Replay:
    def __init__(self, sess):
        self.sess = sess
        self.problems = []
        self.compared = 0
        self.shape_only = 0
        self.parsed = 0

    def problem(self, st, error, **more):
        where = {"seq": st["seq"], "caller": st["caller"], "sql": short(st["sql"])}
        self.problems.append({**where, "error": error, **more})

    def run(self, st):
        if st.get("unreplayable"):
            return self.problem(st, "cannot replay: " + st["unreplayable"])
        if st.get("error"):
            return self.problem(st, "18.16 rejected it: " + st["error"])
        restore = {}
        try:
            for name, value in (st.get("settings") or {}).items():
                current = f"SELECT toString(getSetting('{name}')) AS v"
                restore[name] = query_value(self.sess, current)
                self.sess.query(f"SET {name} = {literal(str(value))}")
            if st["kind"] == "insert":
                self.insert(st)
            elif st["kind"] == "query":
                self.select(st)
            else:
                self.sess.query(st["sql"])
        except Exception as e:  # chdb raises its errors: each is a finding
            self.problem(st, short(str(e), 1200))
        finally:
            for name, value in restore.items():
                self.sess.query(f"SET {name} = {literal(value)}")

    def insert(self, st):
        if st["format"] != "JSONEachRow":
            raise ValueError(f"the replay inserts JSONEachRow only, not {st['format']}")
        if st["rows"]:  # for no rows the client sends nothing
            body = "\n".join(json.dumps(r, ensure_ascii=False) for r in st["rows"])
            self.sess.query(st["sql"] + "\n" + body)

    def select(self, st):
        # As @clickhouse/client sends it (formatQuery): the format appended to the statement.
        fmt = st["format"]
        sql = st["sql"].strip().rstrip(";") + " \nFORMAT " + fmt
        got_text = self.sess.query(sql, fmt).bytes().decode("utf-8")
        expected = parse_rows(st["result"], fmt)
        if expected is None:
            expected, got, by_shape = st["result"], got_text, False
        else:
            expected, by_shape = normalize(st, expected)
            got, _ = normalize(st, parse_rows(got_text, fmt))
        self.compared += 1
        self.shape_only += by_shape
        if not same_answer(st["sql"], expected, got):
            self.problem(
                st,
                "answered differently",
                expected=short(json.dumps(expected, ensure_ascii=False)),
                got=short(json.dumps(got, ensure_ascii=False)),
            )


def main():
    log_path, report_path = sys.argv[1], sys.argv[2]
    with open(log_path, encoding="utf-8") as f:
        log = json.load(f)
    workdir = tempfile.mkdtemp(prefix="chdb-replay-")
    try:
        sess = chdb_session.Session(workdir)
        replay = Replay(sess)
        engine = query_value(sess, "SELECT version() AS v")
        settings = {**SERVER_DEFAULTS, **log["settings"]}
        for name, value in settings.items():
            st = {"seq": 0, "caller": "client settings", "site": "", "sql": f"SET {name} = {value}"}
            try:
                sess.query(f"SET {name} = {literal(value)}")
            except Exception as e:  # a setting the client sends that 26.x lacks is a finding
                replay.problem(st, str(e))
        databases = []
        for st in log["statements"]:
            m = re.match(r"\s*CREATE DATABASE IF NOT EXISTS `?(\w+)`?", st["sql"])
            if m:
                databases.append(m.group(1))
            replay.run(st)
        # Statements for a cluster, which chdb lacks: parsed only.
        for st in log.get("parseOnly") or []:
            try:
                sess.query("EXPLAIN AST " + st["sql"], "TSV")
                replay.parsed += 1
            except Exception as e:
                replay.problem(st, "does not parse: " + short(str(e), 1200))
        # The statement the e2e harness, the soak and the benchmark end with.
        for db in dict.fromkeys(databases):
            replay.run({"seq": 0, "caller": "cleanup", "site": "", "kind": "command",
                        "sql": f"DROP DATABASE IF EXISTS {db}"})
        sess.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    texts = [s["sql"] for s in log["statements"]]
    report = {
        "engine": engine,
        "statements": len(texts),
        "distinct": len(set(texts)),
        "compared": replay.compared,
        "shape_only": replay.shape_only,
        "parsed": replay.parsed,
        "problems": replay.problems,
    }
    with open(report_path, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
