#!/usr/bin/python3
"""membermail's mail throughput benchmark: messages per second forwarded
by a private Postfix reading the aliases from PostgreSQL (deploy/postfix/:
proxy:pgsql tables, the access table, SRS through postsrsd) next to the
same Postfix alone, with the same aliases in a static hash: table and no
SRS, in the same run on the same machine.  Run by tests/bench/mail; on
demand, not in CI.

    mail_bench.py --build-dir build/local [--messages 5000] [--aliases 1000]
                  [--clients 8] [--rounds 1] [--max-seconds 600]

Each round sends the messages to both instances in turn (Postfix alone
first), from 127.0.0.2 (outside mynetworks, like the internet), one SMTP
connection per message, `clients` connections at once, each message to one
alias (round robin), each alias forwarding to one address at the SMTP sink
(tests/smtp_sink.py), which stands for the recipients' providers.  The
time runs from the first connection to the last copy stored by the sink;
messages per second = messages / that time.  The load is bounded by
max-seconds per instance.  Prints one line per instance and round, then the
ratio; exits 1 if a message is lost or refused.  Everything it starts is
stopped.
"""

import argparse
import os
import shutil
import smtplib
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "integration"))
import mailstack   # noqa: E402
import stack   # noqa: E402

DOMAIN = "bench.example"
CLIENT = "127.0.0.2"
BODY = ("From: Sender <sender@origin.example>\r\nTo: <%s>\r\nSubject: bench %d\r\n"
        "Message-ID: <bench.%d.%d@origin.example>\r\n\r\n" + "A line of a message body.\r\n" * 40)


def seed(pg, aliases):
    """One verified domain with an admin and `aliases` aliases, each to
    one address at the sink's made-up provider."""
    pg.psql("""
        INSERT INTO users (claimed_id, name, email)
            VALUES ('https://login.ubuntu.com/+id/benchadmin', 'benchadmin', 'admin@dest.example');
        INSERT INTO domains (name, team, verification_token, txt_status, txt_checked_at)
            VALUES ('%s', 'benchteam', 'BenchTok01', 'verified', now());
        INSERT INTO domain_members (domain_id, user_id, role)
            SELECT d.id, u.id, 'admin' FROM domains d, users u;
        INSERT INTO aliases (domain_id, local_part, user_id, recipients)
            SELECT d.id, 'member' || i, u.id, ARRAY['member' || i || '@dest.example']
            FROM domains d, users u, generate_series(0, %d) AS i;
        INSERT INTO recipient_confirmations (alias_id, address, how, confirmed_at)
            SELECT id, recipients[1], 'existing', now() FROM aliases;
    """ % (DOMAIN, aliases - 1), db=stack.APP_DB, user=stack.OWNER_ROLE)


def static_postfix(base, sink, aliases):
    """Postfix alone: the same aliases in a hash: table, no SRS."""
    pf = mailstack.Postfix(base, with_membermail=False, name="postfix-static", main={
        "relayhost": "[127.0.0.1]:%d" % sink.port,
        "virtual_alias_domains": DOMAIN,
        "virtual_alias_maps": "hash:" + os.path.join(base, "virtual"),
        "smtpd_relay_restrictions": "permit_mynetworks, reject_unauth_destination"})
    pf.configure()
    with open(os.path.join(base, "virtual"), "w") as f:
        for i in range(aliases):
            f.write("member%d@%s member%d@dest.example\n" % (i, DOMAIN, i))
    code, out, err = mailstack._run(["postmap", "-c", pf.etc, "hash:" + os.path.join(base, "virtual")])
    if code != 0:
        raise RuntimeError("postmap of the static table: %s" % err)
    return pf.start()


def membermail_postfix(base, sink, pg, srs, password):
    pf = mailstack.Postfix(base, name="postfix-membermail",
                           main={"relayhost": "[127.0.0.1]:%d" % sink.port})
    return pf.use_database(pg, "mm_postfix", password).use_srs(srs).start()


def stored(sink):
    return sum(1 for f in os.listdir(sink.dir) if f.endswith(".json"))


def load(pf, sink, messages, aliases, clients, max_seconds, tag):
    """Sends the messages; (seconds to the last stored copy, refused)."""
    start_count = stored(sink)
    lock = threading.Lock()
    todo = list(range(messages))
    refused = []
    deadline = time.monotonic() + max_seconds

    def client():
        while time.monotonic() < deadline:
            with lock:
                if not todo:
                    return
                n = todo.pop()
            rcpt = "member%d@%s" % (n % aliases, DOMAIN)
            try:
                s = smtplib.SMTP("127.0.0.1", pf.smtp_port, source_address=(CLIENT, 0), timeout=60)
                try:
                    s.sendmail("sender@origin.example", [rcpt], BODY % (rcpt, n, tag, n))
                finally:
                    s.quit()
            except (smtplib.SMTPException, OSError) as e:
                with lock:
                    refused.append("%s: %s" % (rcpt, e))

    t0 = time.monotonic()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()) + 60)
    accepted = time.monotonic() - t0
    want = start_count + messages - len(refused)
    while stored(sink) < want and time.monotonic() < deadline:
        time.sleep(0.05)
    return time.monotonic() - t0, accepted, stored(sink) - start_count, refused


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--messages", type=int, default=5000)
    ap.add_argument("--aliases", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--max-seconds", type=float, default=600)
    a = ap.parse_args()
    binary = os.path.join(os.path.abspath(a.build_dir), "membermail")
    base = tempfile.mkdtemp(prefix="mm-mailbench-")
    os.chmod(base, 0o755)
    rc = 0
    try:
        pg = stack.Postgres(os.path.join(base, "pg")).init().start()
        stack.provision_database(pg, binary)
        seed(pg, a.aliases)
        password = mailstack.secret_file(os.path.join(base, "pg-password"))
        mailstack.lookup_login(pg, "mm_postfix", password)
        sink = stack.SmtpSink(os.path.join(base, "sink"), os.path.join(base, "sink.log")).start()
        srs = mailstack.Postsrsd(os.path.join(base, "srs")).start()
        results = {"static": [], "membermail": []}
        instances = [("static", lambda: static_postfix(os.path.join(base, "static"), sink,
                                                        a.aliases)),
                     ("membermail", lambda: membermail_postfix(os.path.join(base, "membermail"),
                                                               sink, pg, srs, password))]
        for rnd in range(a.rounds):
            for name, make in instances:
                pf = make()
                took, accepted, got, refused = load(pf, sink, a.messages, a.aliases, a.clients,
                                                    a.max_seconds, rnd)
                queue = pf.queue_size()
                pf.stop()
                rate = got / took if took > 0 else 0.0
                results[name].append(rate)
                print("round %d %-10s %d messages, %d forwarded in %.1fs (accepted in %.1fs): "
                      "%.0f messages/s; %d refused, %d left in the queue"
                      % (rnd + 1, name, a.messages, got, took, accepted, rate, len(refused), queue),
                      flush=True)
                for line in refused[:5]:
                    print("    refused: %s" % line)
                if got != a.messages or refused:
                    rc = 1
        mm = sum(results["membermail"]) / len(results["membermail"])
        st = sum(results["static"]) / len(results["static"])
        print("mail bench: membermail (pgsql + SRS) %.0f messages/s, Postfix alone (hash:) %.0f "
              "messages/s: %.2f of Postfix alone" % (mm, st, mm / st if st else 0.0))
    finally:
        stack.cleanup_all()
        if rc == 0:
            shutil.rmtree(base, ignore_errors=True)
        else:
            print("mail bench: logs kept in %s" % base)
    return rc


if __name__ == "__main__":
    sys.exit(main())
