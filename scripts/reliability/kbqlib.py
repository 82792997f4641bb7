"""Shared helpers for the reliability scripts (Python 3.11 standard library only).

- finding the binaries and parsing the common options (--kbqd, --kbq, --work, --corpus);
- `Daemon`: one kbqd on its own socket and data folder, its pid, RSS and open fds;
- `Client`: HTTP/1.1 over the Unix socket (http.client, keep-alive);
- `exchange`: raw bytes in, the responses (or a close) out, for fuzzing;
- small corpus and index helpers (entry count, xapian-check, touching a file);
- `Report`: counters, failures and the final `SUMMARY` line.

Run as a program it is a tiny client, used by security.py under another uid:
    python3 kbqlib.py request SOCKET METHOD PATH [BODY]   → one JSON line {status, body} or {error}
"""

import argparse
import atexit
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
BUNDLED_CORPUS = os.path.join(REPO, "corpus")


# ---------------------------------------------------------------- options and binaries

def find_binary(name, given):
    """--kbqd/--kbq, then $KBQD/$KBQ, then ../../.build/release, then PATH."""
    for candidate in (given, os.environ.get(name.upper()), os.path.join(REPO, ".build", "release", name)):
        if candidate and os.access(candidate, os.X_OK):
            return os.path.abspath(candidate)
    found = shutil.which(name)
    if not found:
        sys.exit(f"{name} not found: pass --{name} PATH or set ${name.upper()}")
    return found


def parser(description):
    p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kbqd", help="kbqd binary (default: $KBQD, ../../.build/release/kbqd, PATH)")
    p.add_argument("--kbq", help="kbq binary (default: $KBQ, ../../.build/release/kbq, PATH)")
    p.add_argument("--work", help="work folder (a new temporary folder by default)")
    p.add_argument("--corpus", default=BUNDLED_CORPUS, help="corpus to copy (default: the bundled one)")
    p.add_argument("--seed", type=int, default=1, help="random seed")
    p.add_argument("--keep", action="store_true", help="keep this run's folder under --work")
    return p


def setup(args, name):
    """Resolves the binaries and makes this run's own folder under --work."""
    args.kbqd = find_binary("kbqd", args.kbqd)
    args.kbq = find_binary("kbq", args.kbq)
    base = args.work or tempfile.mkdtemp(prefix="kbq-rel-")
    os.makedirs(base, exist_ok=True)
    if not args.work:
        os.chmod(base, 0o755)  # security.py runs clients as nobody, who must reach the sockets
    args.run_dir = tempfile.mkdtemp(prefix=name + "-", dir=base)
    os.chmod(args.run_dir, 0o755)  # security.py runs clients as nobody inside it
    log(f"{name}: kbqd {args.kbqd}, kbq {args.kbq}, folder {args.run_dir}")
    return args.run_dir


def cleanup(args):
    if not args.keep:
        shutil.rmtree(args.run_dir, ignore_errors=True)


def log(message):
    print(time.strftime("%H:%M:%S ") + message, flush=True)


# ---------------------------------------------------------------- HTTP over the socket

class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=60):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.unix_path)
        self.sock = s


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)


class Client:
    """One keep-alive connection, reopened after 25 s unused (kbqd closes idle connections
    after 30 s) or after kbqd closed it. Transport errors raise."""

    def __init__(self, path, timeout=60):
        self.path, self.timeout, self.conn, self.used = path, timeout, None, 0.0

    def request(self, method, path, body=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        if self.conn is not None and time.monotonic() - self.used > 25:
            self.close()
        self.used = time.monotonic()
        if self.conn is None:
            self.conn = UnixHTTPConnection(self.path, self.timeout)
        try:
            self.conn.request(method, path, body=body)
            r = self.conn.getresponse()
            data = r.read()
        except BaseException:
            self.close()
            raise
        if r.will_close:
            self.close()
        return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, body=None):
        return self.request("POST", path, body if body is not None else b"")

    def close(self):
        if self.conn:
            self.conn.close()
        self.conn = None


def parse_responses(data, head_first=False):
    """Splits bytes read from kbqd into responses. Returns (list of (status, headers, body),
    leftover bytes, problem or None). A problem means the bytes are not well-formed HTTP."""
    out = []
    while data:
        end = data.find(b"\r\n\r\n")
        if end < 0:
            return out, data, None
        head, rest = data[:end].decode("latin-1"), data[end + 4:]
        lines = head.split("\r\n")
        m = re.fullmatch(r"HTTP/1\.[01] (\d{3}) [^\r\n]*", lines[0])
        if not m:
            return out, data, f"bad status line {lines[0][:80]!r}"
        headers = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if not sep or not name or name != name.strip():
                return out, data, f"bad header line {line[:80]!r}"
            headers[name.lower()] = value.strip()
        if "content-length" not in headers or not headers["content-length"].isdigit():
            return out, data, "response without a Content-Length"
        n = 0 if (head_first and not out) else int(headers["content-length"])
        if len(rest) < n:
            return out, data, None
        out.append((int(m.group(1)), headers, rest[:n]))
        data = rest[n:]
    return out, b"", None


def exchange(sock_path, data, timeout=10.0, expect=None, head_first=False, half_close=False):
    """Sends raw bytes on a new connection and reads until kbqd closes, `expect` responses
    have come, or `timeout` passes. With `half_close`, the sending side is shut after the
    bytes and reading stops at an answer that says `Connection: close`.
    Returns dict(responses, closed, timed_out, problem)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    result = {"responses": [], "closed": False, "timed_out": False, "problem": None}
    buf = b""
    try:
        s.connect(sock_path)
        try:
            s.sendall(data)
            if half_close:
                s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # kbqd answered and closed before reading all of it (413, 400): read the answer
        except socket.timeout:
            result["send_blocked"] = True  # kbqd stopped reading; still look for an answer
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                result["timed_out"] = True
                break
            s.settimeout(left)
            try:
                chunk = s.recv(1 << 16)
            except socket.timeout:
                result["timed_out"] = True
                break
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                result["closed"] = True
                break
            buf += chunk
            got, _, problem = parse_responses(buf, head_first)
            if problem or (expect and len(got) >= expect):
                break
            if half_close and any(h.get("connection", "").lower() == "close" for _, h, _ in got):
                break  # kbqd said it closes: no need to wait for it
    finally:
        s.close()
    got, leftover, problem = parse_responses(buf, head_first)
    result["responses"] = got
    result["problem"] = problem or (f"{len(leftover)} bytes of an incomplete response" if leftover and result["closed"] else None)
    return result


# ---------------------------------------------------------------- the daemon

STARTED = []  # every Daemon started: killed at exit if still running (a script that fails midway)


@atexit.register
def _kill_leftovers():
    for d in STARTED:
        if d.alive():
            d.kill9()


signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that atexit runs on kill too


class Daemon:
    """One kbqd. `prefix` runs it under another command that execs it (prlimit, setpriv)."""

    def __init__(self, kbqd, corpus, data, sock, log_path, extra=(), prefix=(), umask=None):
        self.cmd = list(prefix) + [kbqd, "--corpus", corpus, "--data", data, "--socket", sock] + list(extra)
        self.corpus, self.data, self.sock, self.log_path, self.umask = corpus, data, sock, log_path, umask
        self.proc = None

    def start(self, wait=True, timeout=900):
        os.makedirs(os.path.dirname(self.sock), exist_ok=True)
        logf = open(self.log_path, "ab")
        umask = self.umask
        self.proc = subprocess.Popen(self.cmd, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True,
                                     preexec_fn=(lambda: os.umask(umask)) if umask is not None else None)
        logf.close()
        STARTED.append(self)
        if wait:
            self.wait_ready(timeout)
        return self

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_ready(self, timeout=900):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"kbqd exited with status {self.proc.returncode}; log: {self.log_tail()}")
            try:
                if Client(self.sock, 5).get("/v1/ready").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"kbqd not ready after {timeout} s; log: {self.log_tail()}")

    def warm_up(self, seconds=1.0):
        """Searches from a few clients at once, so that every search worker has opened the
        index (fd counts are compared after this)."""
        load = Load(self.sock, 4, seed=0).start()
        time.sleep(seconds)
        load.stop()

    def client(self, timeout=60):
        return Client(self.sock, timeout)

    def get_json(self, path):
        r = self.client().get(path)
        if r.status != 200:
            raise RuntimeError(f"GET {path}: {r.status} {r.body[:200]!r}")
        return r.json()

    def kill9(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self, timeout=60):
        """SIGTERM, then SIGKILL after `timeout`; the exit status."""
        if not self.alive():
            return self.proc.returncode if self.proc else None
        os.kill(self.proc.pid, signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill9()
            return "killed after SIGTERM timeout"

    def rss_kb(self):
        return proc_rss_kb(self.pid)

    def fds(self):
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def log_tail(self, n=1500):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-n:].decode(errors="replace")
        except OSError:
            return ""


def proc_rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def reindex(client, full, timeout=1800):
    """Starts a reindex and waits for its end; the final task (dict)."""
    r = client.post("/v1/reindex", {"full": bool(full)})
    if r.status not in (200, 202):
        raise RuntimeError(f"POST /v1/reindex: {r.status} {r.body[:200]!r}")
    return wait_task(client, r.json()["id"], timeout)


def wait_task(client, task_id, timeout=1800):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        t = client.get(f"/v1/tasks/{task_id}").json()
        if t["state"] != "running":
            return t
        time.sleep(0.1)
    raise RuntimeError(f"task {task_id} still running after {timeout} s")


# ---------------------------------------------------------------- corpus and index

def copy_corpus(src, dst):
    shutil.copytree(src, dst, symlinks=True)
    return dst


def entry_files(corpus):
    out = []
    for root, dirs, files in os.walk(corpus):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "_data")
        out += [os.path.join(root, f) for f in sorted(files) if f.endswith(".md")]
    return out


def entry_count(kbq, corpus):
    """Entries the loader accepts in `corpus` (kbq validate --json)."""
    r = subprocess.run([kbq, "validate", corpus, "--json"], capture_output=True, timeout=600)
    if r.returncode not in (0, 1):
        raise RuntimeError(f"kbq validate exited {r.returncode}: {r.stderr[-500:]!r}")
    return json.loads(r.stdout)["summary"]["entries"]


def entry_ids(corpus):
    return entry_ids_of(entry_files(corpus))


def entry_ids_of(paths):
    """The `id:` of each entry file."""
    ids = []
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("id:"):
                    ids.append(line[3:].strip().strip("\"'"))
                    break
    return ids


def touch_entry(path, stamp):
    """Changes an entry's body (its content hash), keeping it valid."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"\n<!-- reliability: [^>]* -->\n?$", "\n", text)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.rstrip("\n") + f"\n<!-- reliability: {stamp} -->\n")


def xapian_check(db_path):
    """(clean, output) of `xapian-check`."""
    r = subprocess.run(["xapian-check", db_path], capture_output=True, text=True, timeout=600)
    out = (r.stdout + r.stderr).strip()
    return r.returncode == 0 and "No errors found" in out, out.splitlines()[-1] if out else ""


QUERIES = [
    {"q": "refund shipping", "market": "DE"}, {"q": "退货 运费", "market": "DE", "reply_lang": "de"},
    {"q": "Rückerstattung", "kinds": ["phrasing"]}, {"q": "plug voltage", "market": "JP"},
    {"q": "退款", "stage": "after-sale"}, {"q": "retur*", "limit": 20}, {"q": "\"original packaging\""},
    {"q": "customs duties", "market": "MX", "categories": ["customs"]}, {"q": "配送 遅延", "reply_lang": "ja"},
    {"q": "환불", "market": "KR"}, {"q": "استرداد", "market": "SA"}, {"q": "kind:policy market:EU"},
    {"q": "size chart", "product_line": "apparel"}, {"q": "chargeback paypal", "platform": "paypal"},
    {"q": "délai de livraison", "market": "FR"}, {"q": "退貨 運費", "market": "TW"}, {"q": ""},
    {"q": "warranty -exchange", "offset": 10, "limit": 10}, {"q": "ส่งคืน", "market": "TH"},
    {"q": "reembolso", "market": "ES", "strict": True, "stage": "after-sale"},
]


def random_query(rng, words=()):
    """A search body: one of QUERIES, sometimes with words taken from the corpus."""
    q = dict(rng.choice(QUERIES))
    if words and rng.random() < 0.5:
        q["q"] = " ".join(rng.sample(words, min(len(words), rng.randint(1, 4))))
    return q


def random_request(rng, words=(), ids=()):
    """(method, path, body): mostly searches (POST and GET), some entries, briefs, status."""
    q = random_query(rng, words)
    roll = rng.random()
    if roll < 0.05 and ids:
        return "GET", f"/v1/entries/{rng.choice(ids)}", None
    if roll < 0.08:
        return "POST", "/v1/brief", {k: v for k, v in q.items() if k not in ("limit", "offset", "kinds")}
    if roll < 0.10:
        return "GET", "/v1/status", None
    if roll < 0.40:
        flat = {k: ",".join(v) if isinstance(v, list) else str(v).lower() if isinstance(v, bool) else v
                for k, v in q.items()}
        return "GET", "/v1/search?" + urllib.parse.urlencode(flat), None
    return "POST", "/v1/search", q


class Load:
    """`clients` threads, each on its own keep-alive connection, sending `random_request`s
    until `stop()`. Any answer but 200, and any transport error, is a failure."""

    def __init__(self, sock, clients=1, seed=1, words=(), ids=(), timeout=120):
        self.sock, self.clients, self.seed, self.words, self.ids, self.timeout = sock, clients, seed, words, ids, timeout
        self.halt, self.lock = threading.Event(), threading.Lock()
        self.ok = self.failed = 0
        self.errors, self.latencies, self.threads = [], [], []

    def start(self):
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(self.clients)]
        for t in self.threads:
            t.start()
        return self

    def stop(self):
        self.halt.set()
        for t in self.threads:
            t.join()
        return self

    def _run(self, i):
        rng = random.Random(self.seed * 1000 + i)
        c = Client(self.sock, self.timeout)
        ok = failed = 0
        errors, latencies = [], []
        while not self.halt.is_set():
            method, path, body = random_request(rng, self.words, self.ids)
            t = time.monotonic()
            try:
                r = c.request(method, path, body)
                good, why = r.status == 200, f"{r.status} {r.body[:200]!r}"
            except Exception as e:
                good, why = False, f"{type(e).__name__}: {e}"
            latencies.append(time.monotonic() - t)
            if good:
                ok += 1
            else:
                failed += 1
                errors.append(f"{method} {path[:100]} → {why}")
        c.close()
        with self.lock:
            self.ok += ok
            self.failed += failed
            self.errors += errors
            self.latencies += latencies

    def percentile_ms(self, p):
        lat = sorted(self.latencies) or [0]
        return round(lat[min(len(lat) - 1, int(len(lat) * p))] * 1000, 1)


def corpus_words(corpus, limit=3000, seed=0):
    """Words of entry titles, to vary queries."""
    words = set()
    for path in entry_files(corpus)[:limit]:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("title:"):
                    words.update(w for w in re.split(r"[\s\"'“”:,()–-]+", line[6:]) if 1 < len(w) < 20)
                    break
    return sorted(words)


# ---------------------------------------------------------------- results

class Report:
    """Counters and failures; `finish` prints one SUMMARY line and returns the exit status."""

    def __init__(self, name):
        self.name, self.figures, self.failures = name, {}, []

    def fail(self, message):
        self.failures.append(message)
        log(f"FAIL {message}")

    def check(self, ok, message):
        if not ok:
            self.fail(message)
        return ok

    def set(self, **figures):
        self.figures.update(figures)

    def add(self, key, n=1):
        self.figures[key] = self.figures.get(key, 0) + n

    def finish(self):
        figures = " ".join(f"{k}={v}" for k, v in self.figures.items())
        status = "PASS" if not self.failures else "FAIL"
        print(f"SUMMARY {self.name}: {figures} failures={len(self.failures)} result={status}", flush=True)
        for f in self.failures[:30]:
            print(f"  - {f}", flush=True)
        return 0 if not self.failures else 1


# ---------------------------------------------------------------- as a program

def main(argv):
    """`request SOCKET METHOD PATH [BODY]`: one request, printed as a JSON line."""
    if len(argv) < 4 or argv[0] != "request":
        sys.exit("usage: kbqlib.py request SOCKET METHOD PATH [BODY]")
    sock, method, path = argv[1:4]
    body = argv[4].encode() if len(argv) > 4 else None
    try:
        r = Client(sock, 30).request(method, path, body)
        print(json.dumps({"status": r.status, "body": r.body.decode(errors="replace")}))
    except OSError as e:
        print(json.dumps({"error": type(e).__name__, "errno": e.errno}))


if __name__ == "__main__":
    main(sys.argv[1:])
