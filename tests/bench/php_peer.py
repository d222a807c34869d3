"""The benchmark's PHP peer (tests/bench/peer/): Debian's php-fpm serving
peer/my.php from a static pool, behind the benchmark's nginx.  Used by
bench.py; standard library only."""

import glob
import os
import shutil

import stack

PEER_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peer")
# membermail's session_idle default (app/conf.c); the bench config keeps it.
SESSION_IDLE = 7200


def php_fpm_binary():
    found = sorted(glob.glob("/usr/sbin/php-fpm[0-9]*"))
    return found[-1] if found else shutil.which("php-fpm")


def php_dsn(pg, app_name):
    """PDO's DSN for the app's role over the cluster's unix socket."""
    return "pgsql:host=%s;port=%d;dbname=%s;user=%s;application_name=%s" % (
        pg.base, pg.port, stack.APP_DB, stack.WEB_ROLE, app_name)


def nginx_site(prefix, common, port, sock, script):
    """The peer's server block: membermail's snippet with the upstream
    renamed and the script named (the snippet's locations set no
    fastcgi_param, so the server-level one reaches them)."""
    expect = "fastcgi_pass membermail;"
    with open(os.path.join(prefix, "snippets", "php-common.conf"), "w") as f:
        f.write(common.replace(expect, "fastcgi_pass membermail_php;"))
    return ("upstream membermail_php {\n    server unix:%s max_fails=3 fail_timeout=5s;\n}\n"
            "server {\n    listen 127.0.0.1:%d;\n    server_name localhost;\n"
            "    access_log %s/logs/access-php.log membermail;\n"
            "    fastcgi_param SCRIPT_FILENAME %s;\n"
            "    include snippets/php-common.conf;\n}\n" % (sock, port, prefix, script))


def start(base, sock, workers, dsn, server_prepares=False):
    """Renders the pool into base/peer, starts php-fpm (a stack.Proc) and
    waits for its workers; returns (proc, script path)."""
    d = os.path.join(base, "peer")
    os.makedirs(d, exist_ok=True)
    os.chmod(d, 0o755)
    script = os.path.join(d, "my.php")
    shutil.copy(os.path.join(PEER_DIR, "my.php"), script)
    os.chmod(script, 0o644)
    user = owner = ""
    if stack.is_root():
        u, g = stack.unprivileged_user()
        user = "user = %s\ngroup = %s" % (u, g)
        owner = "listen.owner = %s\nlisten.group = %s" % (u, g)
    with open(os.path.join(PEER_DIR, "php-fpm.conf.in")) as f:
        conf = f.read()
    for k, v in (("@BASE@", d), ("@USER@", user), ("@SOCKET@", sock),
                 ("@LISTEN_OWNER@", owner), ("@WORKERS@", str(workers)), ("@DSN@", dsn),
                 ("@SESSION_IDLE@", str(SESSION_IDLE)),
                 ("@SERVER_PREPARES@", "1" if server_prepares else "0")):
        conf = conf.replace(k, v)
    path = os.path.join(d, "php-fpm.conf")
    with open(path, "w") as f:
        f.write(conf)
    proc = stack.Proc([php_fpm_binary(), "-F", "-O", "-y", path,
                       "-d", "opcache.validate_timestamps=0"],
                      os.path.join(d, "php-fpm.stderr"), name="php-fpm")
    if not stack.wait_until(lambda: not proc.running() or (
            os.path.exists(sock) and len(stack.children_of(proc.pid)) == workers), 15):
        raise RuntimeError("php-fpm did not start %d workers:\n%s" % (workers, proc.tail()))
    if not proc.running():
        raise RuntimeError("php-fpm exited with %s:\n%s" % (proc.poll(), proc.tail()))
    return proc, script
