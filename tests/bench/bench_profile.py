"""bench.py --profile DIR: where a request's time goes, for one worker of
each server under the benchmark's load, one server at a time:

  1. PostgreSQL's view (pg_stat_statements, reset before the run): each
     statement's executions per request, mean time and buffers;
  2. system calls per request (strace -c on the worker; requests counted
     by its accept calls), the PostgreSQL round trips among them (sendto);
  3. the worker's CPU profile (perf record -e cpu-clock, flat and by
     shared object: libctemplate and libstdc++ are template filling);
  4. for /my, EXPLAIN (ANALYZE, BUFFERS) of the statement membermail's
     workers run (its text from pg_stat_activity, its generic plan, as the
     workers' prepared statement uses).

Everything is printed and kept in DIR (strace and perf output, perf.data).
"""

import os
import re
import signal
import subprocess
import time

import stack

STATEMENTS_SQL = """
SELECT calls, rows, round(mean_exec_time::numeric * 1000) AS mean_us,
       shared_blks_hit + shared_blks_read AS blocks,
       left(regexp_replace(query, '\\s+', ' ', 'g'), 90)
FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = '%s')
ORDER BY calls DESC, total_exec_time DESC LIMIT 12
"""


def wrk_while(b, name, seconds, tool):
    """Starts tool (argv or None), runs wrk against name for seconds,
    stops the tool with SIGINT; returns the wrk result."""
    proc = None
    if tool:
        proc = subprocess.Popen(tool, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(1.0)     # attached before the load starts
    try:
        res, _ = b.wrk(name, seconds)
    finally:
        if proc:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return res


def statements(b, name, seconds, out):
    b.pg.psql("SELECT pg_stat_statements_reset()", db=stack.APP_DB)
    res = wrk_while(b, name, seconds, None)
    _, text, _ = b.pg.psql(STATEMENTS_SQL % stack.APP_DB, db=stack.APP_DB)
    n = max(res["requests"], 1)
    lines = ["%s: %d requests at %.0f/s; per request:" % (name, res["requests"], res["rps"] or 0),
             "  %8s %8s %8s %8s  %s" % ("calls", "rows", "mean us", "blocks", "statement")]
    for row in text.splitlines():
        calls, rows, mean_us, blocks, query = row.split("|", 4)
        if "pg_stat_statements" in query:
            continue
        lines.append("  %8.3f %8.2f %8s %8.2f  %s" % (int(calls) / n, int(rows) / n, mean_us,
                                                       int(blocks) / n, query))
    report(out, "statements-" + name, lines)


def syscalls(b, name, worker, seconds, out):
    path = os.path.join(out, "strace-%s.txt" % name)
    wrk_while(b, name, seconds, ["strace", "-c", "-p", str(worker), "-o", path])
    calls = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$", line)
            if m and m.group(2) != "total":
                calls[m.group(2)] = int(m.group(1))
    served = calls.get("accept", 0) + calls.get("accept4", 0)
    if served == 0:
        report(out, "syscalls-" + name, ["%s: no request seen by strace" % name])
        return
    total = sum(calls.values())
    lines = ["%s worker %d: %d requests, %.1f system calls per request, %.2f sendto "
             "(PostgreSQL round trips):" % (name, worker, served, total / served,
                                            calls.get("sendto", 0) / served)]
    for sc, c in sorted(calls.items(), key=lambda kv: -kv[1]):
        lines.append("  %-16s %6.2f" % (sc, c / served))
    report(out, "syscalls-" + name, lines)


def cpu_profile(b, name, pid, seconds, out, what="worker"):
    tag = name if what == "worker" else name + "-" + what
    data = os.path.join(out, "perf-%s.data" % tag)
    wrk_while(b, name, seconds, ["perf", "record", "-q", "-e", "cpu-clock", "-F", "4000",
                                 "-p", str(pid), "-o", data])
    lines = ["%s %s %d, perf record -e cpu-clock, self time:" % (name, what, pid)]
    for sort, top in (("dso", 12), ("dso,sym", 25)):
        r = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children",
                            "--sort", sort, "-g", "none", "--percent-limit", "0.7"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=300)
        rows = [ln for ln in r.stdout.decode("utf-8", "replace").splitlines()
                if ln.strip() and not ln.startswith("#")]
        # C++ symbols (ctemplate's hash tables) run to hundreds of characters
        lines += ["  by %s:" % sort] + ["  " + ln.rstrip()[:140] for ln in rows[:top]]
    report(out, "perf-" + tag, lines)


def my_statement(b):
    """The /my statement's text as membermail's workers prepared it."""
    headers = {"Cookie": b.cookie}
    for _ in range(20):
        stack.http_request(b.targets["membermail"].port, "GET", b.path, headers=headers)
        _, text, _ = b.pg.psql("SELECT query FROM pg_stat_activity WHERE application_name = "
                               "'membermail' AND query LIKE '%%FROM sessions%%' LIMIT 1",
                               db=stack.APP_DB, args=["-R", "\x1e"])
        if text.strip():
            return text.strip().split("\x1e")[0]
    return None


def explain(b, out):
    sql = my_statement(b)
    if sql is None:
        report(out, "explain", ["no /my statement seen in pg_stat_activity"])
        return
    script = ("SET plan_cache_mode = force_generic_plan;\nPREPARE my AS %s;\n"
              "\\o /dev/null\nEXECUTE my('%s');\n\\o\n"
              "EXPLAIN (ANALYZE, BUFFERS) EXECUTE my('%s');\n" % (sql, b.digest, b.digest))
    _, text, _ = b.pg.psql(script, db=stack.APP_DB)
    report(out, "explain", ["the /my statement (generic plan, as the workers run it):",
                            "  " + re.sub(r"\s+", " ", sql)]
           + ["  " + ln for ln in text.splitlines() if ln.strip()])


def report(out, name, lines):
    print("\n".join(lines))
    print()
    with open(os.path.join(out, name + ".txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


def run(b, out, seconds):
    out = os.path.abspath(out)
    os.makedirs(out, exist_ok=True)
    b.pg.psql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", db=stack.APP_DB)
    print("profile: load before: %s" % open("/proc/loadavg").read().strip())
    for name in b.targets:
        b.wrk(name, 2)      # warm up
    b.find_pg_backends()
    for name, t in b.targets.items():
        worker = t.workers()[0]
        statements(b, name, seconds, out)
        syscalls(b, name, worker, seconds, out)
        cpu_profile(b, name, worker, seconds, out)
        if t.pg_pids:
            cpu_profile(b, name, t.pg_pids[0], seconds, out, "postgres")
    if b.args.page == "my":
        explain(b, out)
    print("profile: load after: %s; files in %s" % (open("/proc/loadavg").read().strip(), out))
    return 0
