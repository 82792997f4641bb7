#!/usr/bin/env python3
"""Security checks of the socket, the data folder and the unit. Runs as root and acts as
`nobody` (uid 65534) with setpriv.

1. kbqd started like the unit (umask 0027, socket mode 0660, group root): the socket and data
   modes are as configured; nobody cannot connect, list, read or write the data folder,
   signal kbqd, remove the socket, or take over the socket with a kbqd of its own.
2. socket mode 0666 and --admin-group 4242: nobody can search and read status, but
   POST /v1/reindex is 403 (and `kbq reindex` exits 77); with group 4242 (primary or
   supplementary) or as root it is allowed.
3. No entry id reads outside the corpus: traversal ids are 400/404; an indexed entry whose
   file (or folder) is later replaced by a symbolic link must not be served with raw=1.
4. `systemd-analyze security --offline=yes` of the units (read-only; nothing is installed).

    security.py --kbqd K --kbq Q --work DIR [--corpus C]
"""

import json
import os
import shutil
import stat
import subprocess

import kbqlib
from kbqlib import log

NOBODY = 65534
ADMIN_GID = 4242
MARKER = "KBQ-OUTSIDE-MARKER-5c1d"
UNITS = [os.path.join(kbqlib.REPO, "systemd", u) for u in ("kbqd.service", "kbq-reindex.service")]


def as_user(cmd, uid=NOBODY, gid=NOBODY, groups=None):
    ids = ["setpriv", f"--reuid={uid}", f"--regid={gid}"]
    ids += [f"--groups={','.join(map(str, groups))}"] if groups else ["--clear-groups"]
    return subprocess.run(ids + ["--"] + cmd, capture_output=True, text=True, errors="replace", timeout=120)


def request_as(sock, method, path, body=None, **ids):
    """One request as another user: {status, body} or {error, errno}."""
    cmd = ["python3", os.path.join(kbqlib.HERE, "kbqlib.py"), "request", sock, method, path] + ([body] if body else [])
    r = as_user(cmd, **ids)
    try:
        return json.loads(r.stdout)
    except ValueError:
        return {"error": f"no answer: {r.stderr[-200:]}"}


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def start(args, run, name, socket_mode, umask, extra=()):
    with open(f"{run}/{name}.toml", "w") as f:
        f.write(f'socket_mode = "{socket_mode}"\n')
    os.makedirs(f"{run}/sock-{name}", mode=0o755)
    os.chmod(f"{run}/sock-{name}", 0o755)
    return kbqlib.Daemon(args.kbqd, f"{run}/corpus", f"{run}/data-{name}", f"{run}/sock-{name}/kbq.sock",
                         f"{run}/{name}.log", extra=["--config", f"{run}/{name}.toml"] + list(extra), umask=umask).start()


def locked_down(args, run, report):
    """Like the unit: umask 0027, socket 0660, nobody not in its group."""
    d = start(args, run, "unit", "0660", 0o027)
    sock, data = d.sock, d.data
    c = report.check
    c(mode(sock) == 0o660, f"socket mode {oct(mode(sock))}, configured 0660")
    for path in (data, f"{data}/generations", os.path.realpath(f"{data}/current")):
        c(mode(path) & 0o007 == 0, f"{path} is open to others: {oct(mode(path))}")
    c(mode(f"{data}/lock") == 0o640, f"lock file mode {oct(mode(f'{data}/lock'))}")
    r = request_as(sock, "GET", "/v1/health")
    c(r.get("errno") == 13, f"nobody connecting to a 0660 socket: {r}")
    k = as_user([args.kbq, "status", "--socket", sock])
    c(k.returncode != 0 and "generation" not in k.stdout, f"kbq status as nobody: exit {k.returncode} {k.stdout[:100]}")
    log(f"kbq status as nobody on a 0660 socket: exit {k.returncode}: {k.stderr.strip()[:150]}")
    for what, cmd in [("list the data folder", ["ls", data]),
                      ("read an index file", ["cat", f"{data}/current/iamglass"]),
                      ("write into the data folder", ["touch", f"{data}/x"]),
                      ("send SIGHUP to kbqd", ["kill", "-HUP", str(d.pid)]),
                      ("remove the socket", ["rm", "-f", sock])]:
        r2 = as_user(cmd)
        c(r2.returncode != 0, f"nobody could {what}")
        report.add("denied_to_nobody", r2.returncode != 0)
    # a kbqd of nobody's own on the same socket path must not take it over
    own = f"{run}/nobody-data"
    os.makedirs(own)
    os.chown(own, NOBODY, NOBODY)
    r3 = as_user([args.kbqd, "--corpus", f"{run}/corpus", "--data", own, "--socket", sock])
    c(r3.returncode != 0, "nobody's kbqd started on kbqd's socket")
    c(d.client().get("/v1/health").status == 200, "kbqd's socket stopped answering after nobody's kbqd")
    log(f"nobody's kbqd on the same socket: exit {r3.returncode}: {(r3.stderr or r3.stdout).strip()[-150:]}")
    # a second kbqd on the same data folder (root): refused by the lock
    r4 = subprocess.run([args.kbqd, "--corpus", f"{run}/corpus", "--data", data, "--socket", f"{run}/second.sock"],
                        capture_output=True, text=True, timeout=120)
    c(r4.returncode != 0 and "another kbqd" in r4.stderr + r4.stdout, f"a second kbqd on the same data folder: exit {r4.returncode}")
    c(d.stop() == 0, "kbqd did not stop cleanly")


def open_socket(args, run, report):
    """Socket 0666, admin group 4242: who may search, who may reindex."""
    d = start(args, run, "open", "0666", 0o022, ["--admin-group", str(ADMIN_GID)])
    sock, c = d.sock, report.check
    for method, path, body in [("GET", "/v1/health", None), ("GET", "/v1/search?q=refund", None),
                               ("POST", "/v1/search", '{"q": "退款", "market": "DE"}'), ("GET", "/v1/status", None),
                               ("GET", "/metrics", None), ("GET", "/v1/entries/phr-refund-confirmation-de", None)]:
        r = request_as(sock, method, path, body)
        c(r.get("status") == 200, f"nobody {method} {path}: {r}")
    cases = [("nobody", {}, 403), ("nobody, body {full: true}", {}, 403),
             ("uid 12345 (no passwd entry)", {"uid": 12345, "gid": 12345}, 403),
             ("nobody with supplementary group 4242", {"groups": [ADMIN_GID]}, 202),
             ("nobody with primary group 4242", {"gid": ADMIN_GID}, 202)]
    for label, ids, want in cases:
        body = '{"full": true}' if "body" in label else None
        r = request_as(sock, "POST", "/v1/reindex", body, **ids)
        got = r.get("status")
        ok = got == want or (want == 202 and got == 200)  # 200: a reindex was already running
        c(ok, f"POST /v1/reindex as {label}: {got}, expected {want}: {r}")
        report.add("admin_checks", 1)
        if got in (200, 202):
            kbqlib.wait_task(d.client(), json.loads(r["body"])["id"])
    k = as_user([args.kbq, "reindex", "--socket", sock])
    c(k.returncode == 77, f"kbq reindex as nobody: exit {k.returncode}, expected 77")
    r = d.client().post("/v1/reindex")
    c(r.status in (200, 202), f"POST /v1/reindex as root: {r.status}")
    readable = as_user(["cat", f"{d.data}/current/iamglass"]).returncode == 0
    report.set(index_readable_by_others_under_umask_022=readable)
    log(f"under umask 022 the index {'is' if readable else 'is not'} readable by nobody "
        f"(kbqd leaves modes to the umask; the unit sets UMask=0027)")
    traversal(d, run, report)
    c(d.stop() == 0, "kbqd did not stop cleanly")


def traversal(d, run, report):
    outside = f"{run}/outside"
    os.makedirs(outside)
    with open(f"{outside}/secret.md", "w") as f:
        f.write(f"---\nid: outside\nkind: phrasing\nlang: en\ntitle: {MARKER}\n---\n{MARKER}\n")
    ids = ["..%2F..%2Fetc%2Fpasswd", "..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
           "..", ".", "a%2F..%2F..%2Fetc%2Fpasswd", "%00", "passwd%00.md", "..%5C..%5Cetc%5Cpasswd",
           "%252e%252e%252fetc%252fpasswd", "%c0%ae%c0%ae%c0%afetc%c0%afpasswd", "phr-refund-confirmation-de%2F..",
           "..%2F" * 20 + "etc%2Fshadow", "~root", "%2Fetc%2Fpasswd"]
    leaks = 0
    for i in ids:
        for suffix in ("", "?raw=1"):
            r = request_as(d.sock, "GET", f"/v1/entries/{i}{suffix}")
            body = r.get("body", "")
            bad = r.get("status") not in (400, 404) or "root:" in body or MARKER in body
            leaks += bad
            report.check(not bad, f"GET /v1/entries/{i}{suffix} as nobody: {r.get('status')} {body[:120]!r}")
    report.set(traversal_requests=2 * len(ids), traversal_leaks=leaks)
    # an indexed entry's file replaced by a symbolic link to a file outside the corpus
    entry, rel = "phr-refund-confirmation-de", "phrasing/de/phr-refund-confirmation-de.md"
    path = f"{run}/corpus/{rel}"
    os.rename(path, path + ".orig")
    os.symlink(f"{outside}/secret.md", path)
    r = request_as(d.sock, "GET", f"/v1/entries/{entry}?raw=1")
    report.check(MARKER not in r.get("body", ""), f"raw=1 follows a symbolic link out of the corpus: {r.get('status')} "
                                                  f"{r.get('body', '')[:80]!r} (ln -s {outside}/secret.md {rel})")
    os.unlink(path)
    os.rename(path + ".orig", path)
    # the same with the entry's folder replaced by a link to a folder outside the corpus
    folder = os.path.dirname(path)
    shutil.copy(f"{outside}/secret.md", f"{outside}/{os.path.basename(path)}")
    os.rename(folder, folder + ".orig")
    os.symlink(outside, folder)
    r = request_as(d.sock, "GET", f"/v1/entries/{entry}?raw=1")
    report.check(MARKER not in r.get("body", ""), f"raw=1 follows a linked folder out of the corpus: {r.get('status')} "
                                                  f"{r.get('body', '')[:80]!r} (ln -s {outside} phrasing/de)")
    os.unlink(folder)
    os.rename(folder + ".orig", folder)


def exposure(report):
    """systemd-analyze security --offline=yes: reads the unit files, touches nothing."""
    for unit in UNITS:
        name = os.path.basename(unit).replace(".service", "").replace("-", "_")
        try:
            r = subprocess.run(["systemd-analyze", "security", "--offline=yes", unit], capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as e:
            report.set(**{f"exposure_{name}": f"unavailable ({type(e).__name__})"})
            continue
        line = [l for l in r.stdout.splitlines() if "Overall exposure level" in l]
        score = line[0].split(":")[-1].split()[0] if line else "unavailable"
        report.set(**{f"exposure_{name}": score})
        log(f"{line[0] if line else r.stderr.strip()[:200]}")
        if line:
            report.check(float(score) <= 2.0, f"{unit}: exposure {score} > 2.0")


def ancestors(path):
    out = []
    while path != os.path.dirname(path):
        out.append(path)
        path = os.path.dirname(path)
    return out


def main():
    p = kbqlib.parser(__doc__)
    args = p.parse_args()
    run = kbqlib.setup(args, "security")
    report = kbqlib.Report("security")
    closed = [d for d in ancestors(run) if not os.stat(d).st_mode & stat.S_IXOTH]
    if closed:
        report.fail(f"nobody cannot reach {run}: {closed[0]} is not o+x; pass --work with a reachable folder")
        return report.finish()
    kbqlib.copy_corpus(args.corpus, f"{run}/corpus")
    for step in (locked_down, open_socket):
        try:
            step(args, run, report)
        except Exception as e:
            report.fail(f"{step.__name__}: {type(e).__name__}: {e}")
    exposure(report)
    if not report.failures:
        kbqlib.cleanup(args)
    return report.finish()


if __name__ == "__main__":
    raise SystemExit(main())
