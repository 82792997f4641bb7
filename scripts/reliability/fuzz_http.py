#!/usr/bin/env python3
"""Seeded fuzz loop against kbqd's socket.

First a fixed list of hostile requests (1 MB queries, 10,000 terms, `*` floods, deep JSON,
huge headers and bodies, path traversal, invalid UTF-8, a slow client), then `--count`
random inputs from several worker processes: valid requests with fuzzed values, mutated
JSON bodies, mutated headers and framing, and raw byte mutations (bit flips, truncations,
splices). Checks: every answer is well-formed HTTP with a status below 500 and, when JSON,
a parseable body; complete requests are answered (no hang); raw inputs end in answers or a
close; nothing outside the corpus is served; kbqd stays up, `/v1/health` keeps answering,
and RSS stays under `--max-rss-mb`. If kbqd dies, the inputs in flight are saved under the
run folder's `failures/`, it is restarted, and the run goes on.

    fuzz_http.py --kbqd K --kbq Q --work DIR [--count 20000] [--seed 1] [--workers 3]
"""

import collections
import json
import multiprocessing
import os
import queue
import random
import re
import socket
import threading
import time
import urllib.parse

import kbqlib
from kbqlib import log

# Inputs that crash the kbqd under test (FINDINGS.md); --avoid-known leaves them out of the
# random loop so that a long run spends its time on new ground. The fixed cases keep them.
KNOWN_CRASHES = re.compile(rb"older_than_days=0*9223372036854775807(?![0-9])"  # Int.max
                           rb"|offset\W{1,4}0*922337203685477(57[0-9][0-9]|580[0-7])(?![0-9])")  # > Int.max - 100
LEAK = re.compile(rb"root:[x*!]?:0:0:|KBQ-OUTSIDE-MARKER")

INTS = ["0", "-1", "1", "3", "99", "100", "101", "999", "1000", "1001", "2147483647", "2147483648", "-2147483649",
        "4294967296", "9007199254740993", "9223372036854775806", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "-9223372036854775809", "18446744073709551616", "1e3", "1.5", "0x10", "-0", "+1",
        " 1", "1 ", "", "٣", "1e400", "NaN"]
WORDS = ["refund", "退款", "退貨", "Rückerstattung", "환불", "استرداد", "ส่งคืน", "配送", "plug", "DE", "EU", "GLOBAL",
         "zh-Hans", "pt-BR", "kind:policy", "market:DE", "lang:zh_hans", "id:", "-exchange", '"original packaging"',
         "retur*", "*", "?", "a*", "**", "-", ":", '"', "'", "\\", "%", "&", "=", "+", "#", "\0", "\ufffd", "😀",
         "\u202e", "\ufeff", "ﬀ", "İ", "ß", "\u3000", "：", "＊", "../", "..%2F", "%00", "\r\n", "\t", "\x7f"]
FIELDS = {"q": "str", "lang": "str", "market": "str", "stage": "str", "categories": "list", "platform": "str",
          "channel": "str", "product_line": "str", "kinds": "list", "langs": "list", "reply_lang": "str",
          "strict": "bool", "limit": "int", "offset": "int", "facets": "bool", "expand": "bool"}
VALID = {"lang": ["de", "en", "zh-Hans", "ja", "xx", "zh-hans", "EN"], "market": ["DE", "de", "EU", "ZZ", "GLOBAL", "MX"],
         "stage": ["pre-sale", "after-sale", "late"], "categories": ["refund", "return", "customs", "nope"],
         "platform": ["amazon", "ebay", "myspace"], "channel": ["email", "chat", "fax"], "product_line": ["3c", "toys"],
         "kinds": ["phrasing", "policy", "taboo", "case", "product", "poem"], "langs": ["de", "ja", "??"],
         "reply_lang": ["de", "ja", "en", "tlh"]}


# ---------------------------------------------------------------- values

def text(rng, n=None):
    """About n characters: words, random code points, operator floods or many distinct terms.
    Long texts repeat a random piece of at most 64 units (generating them is the slow part)."""
    n = rng.choice([0, 1, 3, 8, 40, 300, 4096, 5000]) if n is None else n
    roll, k = rng.random(), min(n, 64)
    if roll < 0.4:
        piece = " ".join(rng.choice(WORDS) for _ in range(max(1, k // 4)))
    elif roll < 0.7:
        piece = "".join(chr(rng.choice([rng.randrange(32, 127), rng.randrange(0x4E00, 0x9FFF), rng.randrange(0x600, 0x6FF),
                                         rng.randrange(0, 0x10FFFF)])) for _ in range(k))
        piece = piece.encode("utf-8", "replace").decode()
    elif roll < 0.85:
        return rng.choice(["*", "?", "a* ", "ab* ", '"', "-a ", "x ", "退", "kind:policy "]) * max(1, n // 2)
    else:
        return " ".join(f"w{rng.randrange(10**6)}" for _ in range(max(1, min(n, 1000) // 7)))
    return (piece * (n // max(len(piece), 1) + 1))[:n] if n > len(piece) else piece


def value(rng, kind):
    """A value of the field's type, or (sometimes) of another."""
    if rng.random() < 0.15:
        kind = rng.choice(["str", "int", "bool", "list", "null", "obj", "deep", "float"])
    if kind == "str":
        return text(rng)
    if kind == "int":
        v = rng.choice(INTS)
        try:
            return int(v)
        except ValueError:
            return v
    if kind == "bool":
        return rng.choice([True, False, "true", 1, 0, "yes"])
    if kind == "list":
        return [text(rng, rng.choice([0, 3, 10])) for _ in range(rng.choice([0, 1, 3, 100]))]
    if kind == "null":
        return None
    if kind == "obj":
        return {text(rng, 5): text(rng, 5)}
    if kind == "float":
        return rng.choice([1.5, -0.0, 1e308, 3.0])
    depth = rng.choice([10, 100, 600])
    return json.loads("[" * depth + "]" * depth)


def params(rng):
    """Search parameters: known fields with valid, odd or wrongly typed values; now and then an
    unknown one."""
    out = {}
    for name in rng.sample(list(FIELDS), rng.randrange(0, 6)):
        if name in VALID and rng.random() < 0.5:
            v = rng.choice(VALID[name])
            out[name] = [v] if FIELDS[name] == "list" else v
        else:
            out[name] = value(rng, FIELDS[name])
    if rng.random() < 0.05:
        out[text(rng, 6)] = 1
    if "q" not in out and rng.random() < 0.7:
        out["q"] = rng.choice(kbqlib.QUERIES)["q"] if rng.random() < 0.5 else text(rng)
    return out


def query_string(rng, p):
    pairs = []
    for k, v in p.items():
        if isinstance(v, (dict, list)) and not (isinstance(v, list) and all(isinstance(x, str) for x in v)):
            v = json.dumps(v)
        elif isinstance(v, list):
            v = ",".join(v)
        pairs.append((k, str(v).lower() if isinstance(v, bool) else str(v)))
    qs = urllib.parse.urlencode(pairs, quote_via=urllib.parse.quote)
    if rng.random() < 0.2:  # raw percent soup and invalid UTF-8 escapes
        qs += "&" + rng.choice(["q=%ff%fe", "q=%C3%28", "q=%ED%A0%80", "q=%00", "q=%", "q=%zz", "limit=%31%30", "=x", "&&&",
                                "q=a&q=b&q=c", "q=" + "%41" * 1000, "kinds=policy&kinds=poem", "q=+++", "q=%E2%80%AE"])
    return qs


def entry_id(rng, ids):
    return rng.choice(ids + ["..", ".", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..%2f" * 8 + "etc%2fpasswd",
                             "a%2Fb", "%00", "phr-x%00.md", "A", "-a", "a" * 64, "a" * 65, "%ff", "%c0%ae%c0%ae",
                             "ph r", "phr-refund-confirmation-de%2F..%2F..", "\u0430bc", "..%5c..%5cwin.ini"])


# ---------------------------------------------------------------- requests

def request(method, target, body=None, headers=()):
    head = [f"{method} {target} HTTP/1.1", "Host: localhost"] + list(headers)
    data = body.encode() if isinstance(body, str) else body
    if data is not None:
        head.append(f"Content-Length: {len(data)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("utf-8", "surrogatepass") + (data or b"")


def mutate_json(rng, obj):
    text_ = json.dumps(obj, ensure_ascii=rng.random() < 0.5)
    raw = text_.encode("utf-8", "surrogatepass")
    roll = rng.random()
    if roll < 0.15:
        return raw[:rng.randrange(len(raw) + 1)]
    if roll < 0.25:
        i = rng.randrange(len(raw) + 1)
        return raw[:i] + rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b'"', b",", b"}", b"]", b"\\u", b"\\ud800"]) + raw[i:]
    if roll < 0.32:
        depth = rng.choice([50, 513, 5000, 200000])
        return b'{"q":' + b"[" * depth + b"]" * depth + b"}"
    if roll < 0.38:
        return raw.replace(b"{", b'{"q":"a","q":1,', 1)
    if roll < 0.44:
        return rng.choice([b"", b"null", b"[]", b"1", b'"x"', b"{}", b"\xef\xbb\xbf{}", b"{,}", b"NaN", b'{"q":NaN}',
                           b'{"q":"a",}', b'{"q":"a"} x', b"/*c*/{}", b'{"q":"\\ud800"}', b'{"limit":1e999}'])
    return raw


def generate(rng, ids):
    """(bytes, expect, head): expect is "response" for a complete request (it must be answered)
    or "any" for bytes that may be incomplete or not HTTP at all."""
    roll = rng.random()
    if roll < 0.42:  # a complete request, fuzzed values
        data, head = structured(rng, ids)
        return data, "response", head
    if roll < 0.60:
        return framed(rng, ids), "any", False
    return raw_mutation(rng, bodied(rng, ids), ids), "any", False


def structured(rng, ids):
    kind = rng.choices(["search-get", "search-post", "brief", "entries", "render", "check", "stale", "static", "tasks",
                        "method", "reindex"], [20, 25, 6, 10, 8, 6, 6, 6, 3, 5, 0.05])[0]
    if kind == "search-get":
        return request("GET", "/v1/search?" + query_string(rng, params(rng))), False
    if kind == "search-post":
        return request("POST", "/v1/search", mutate_json(rng, params(rng))), False
    if kind == "brief":
        method = rng.choice(["GET", "POST"])
        p = params(rng)
        return (request("GET", "/v1/brief?" + query_string(rng, p)) if method == "GET"
                else request("POST", "/v1/brief", mutate_json(rng, p))), False
    if kind == "entries":
        suffix = rng.choice(["", "?raw=1", "?raw=true", "?raw=%00", "?raw=1&raw=0", "?x=1"])
        method = rng.choice(["GET", "GET", "HEAD"])
        return request(method, "/v1/entries/" + entry_id(rng, ids) + suffix), method == "HEAD"
    if kind == "render":
        body = {"id": entry_id(rng, ids)}
        for k in rng.sample(["values", "lang", "allow_missing", "extra"], rng.randrange(4)):
            body[k] = {"customer_name": text(rng), text(rng, 4): text(rng)} if k == "values" and rng.random() < 0.6 else value(rng, "str")
        return request("POST", "/v1/render", mutate_json(rng, body)), False
    if kind == "check":
        body = {"draft": text(rng, rng.choice([10, 1000, 100000])), "market": rng.choice(VALID["market"])}
        return request("POST", "/v1/check", mutate_json(rng, body)), False
    if kind == "stale":
        qs = f"older_than_days={urllib.parse.quote(rng.choice(INTS))}" + rng.choice(["", "&kinds=policy", "&kinds=poem", "&kinds=,,,"])
        return request("GET", "/v1/stale?" + qs), False
    if kind == "static":
        method = rng.choice(["GET", "GET", "HEAD"])
        path = rng.choice(["/v1/health", "/v1/ready", "/v1/status", "/metrics", "/v1/metrics", "/", "/v1", "/v1/",
                           "//v1//health", "/v1/health/", "/v1/./health", "/v1/../v1/health", "/%76%31/health", "*"])
        return request(method, path), method == "HEAD"
    if kind == "tasks":
        return request("GET", "/v1/tasks/" + rng.choice(["t1", "t0", "t-1", "t99999999999999999999", "x", "%00", "t1%2F.."])), False
    if kind == "method":
        method = rng.choice(["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PURGE", "BREW", "M" * 100, "POST", "GET"])
        path = rng.choice(["/v1/search", "/v1/health", "/v1/reindex", "/v1/render", "/metrics", "/v1/entries/x"])
        return request(method, path, b"{}" if rng.random() < 0.5 else None), False
    return request("POST", "/v1/reindex" + rng.choice(["", "?full=0"]), mutate_json(rng, {"full": False})), False


def bodied(rng, ids):
    """A structured request that is not HEAD (inside pipelines and raw mutations, a HEAD
    answer's missing body cannot be told apart)."""
    while True:
        data, head = structured(rng, ids)
        if not head:
            return data


def framed(rng, ids):
    """A request with odd headers or framing."""
    body = json.dumps(params(rng)).encode()
    roll = rng.randrange(14)
    if roll == 0:
        return request("POST", "/v1/search", body, [f"Content-Length: {len(body) + rng.choice([1, 7])}"])
    if roll == 1:
        return b"POST /v1/search HTTP/1.1\r\nContent-Length: %d\r\n\r\n%s" % (rng.choice([0, 1, len(body) // 2]), body)
    if roll == 2:
        return b"POST /v1/search HTTP/1.1\r\nContent-Length: -1\r\n\r\n" + body
    if roll == 3:
        chunks = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
        if rng.random() < 0.5:
            chunks = rng.choice([b"zz\r\n", b"ffffffffffffffffff\r\n", b"5\r\nab\r\n", b"-1\r\n"]) + chunks
        return b"POST /v1/search HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks
    if roll == 4:
        return b"POST /v1/search HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n" + body
    if roll == 5:
        return b"GET /v1/health HTTP/1.1\r\nX-Big: " + b"a" * rng.choice([8000, 80000, 200000]) + b"\r\n\r\n"
    if roll == 6:
        return b"GET /v1/health HTTP/1.1\r\n" + b"X-A: b\r\n" * rng.choice([100, 10000, 30000]) + b"\r\n"
    if roll == 7:
        return rng.choice([b"GET /v1/health HTTP/1.0\r\n\r\n", b"GET /v1/health HTTP/2.0\r\n\r\n", b"GET /v1/health\r\n\r\n",
                           b"GET /v1/health HTTP/9.9\r\n\r\n", b"GET /v1/health HTTP/1.1\n\n", b"get /v1/health HTTP/1.1\r\n\r\n",
                           b"GET  /v1/health  HTTP/1.1\r\n\r\n", b"GET http://x/v1/health HTTP/1.1\r\n\r\n", b"OPTIONS * HTTP/1.1\r\n\r\n",
                           b"GET /v1/health HTTP/1.1\r\n folded: x\r\n\r\n", b"GET /v1/health HTTP/1.1\r\nX:\x00\r\n\r\n"])
    if roll == 8:
        return b"POST /v1/search HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % (2 << 20) + b"{" * (2 << 20)
    if roll == 9:
        return b"POST /v1/search HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % rng.choice([1 << 30, 10**15]) + body
    if roll == 10:
        return b"GET /v1/search?q=" + b"a" * rng.choice([5000, 100000, 1 << 20]) + b" HTTP/1.1\r\n\r\n"
    if roll == 11:
        return b"".join(bodied(rng, ids) for _ in range(rng.randrange(2, 20)))  # pipelined
    if roll == 12:
        return request("POST", "/v1/search", body, ["Content-Length: 2", "Content-Length: %d" % len(body)])
    return b"GET /v1/entries/" + bytes(rng.randrange(1, 256) for _ in range(20)).replace(b" ", b"_") + b" HTTP/1.1\r\n\r\n"


def raw_mutation(rng, data, ids):
    data = bytearray(data)
    for _ in range(rng.choice([1, 1, 2, 4, 16])):
        op = rng.randrange(7)
        i = rng.randrange(len(data) + 1)
        if op == 0 and data:
            j = min(i, len(data) - 1)
            data[j] ^= 1 << rng.randrange(8)
        elif op == 1:
            data[i:i] = rng.randbytes(rng.choice([1, 4, 64]))
        elif op == 2:
            del data[i:i + rng.choice([1, 8, 64])]
        elif op == 3:
            data[i:i] = data[i:i + rng.choice([4, 32, 256])] * rng.choice([2, 10, 100])
        elif op == 4:
            data = data[:i]
        elif op == 5:
            data = data.replace(b"\r\n", rng.choice([b"\n", b"\r", b"\r\r\n", b"\n\r"]), rng.randrange(1, 5))
        else:
            data[i:i] = bodied(rng, ids)[:rng.randrange(200)]
    if rng.random() < 0.05:
        return rng.randbytes(rng.choice([1, 16, 1000, 100000]))
    return bytes(data)


# ---------------------------------------------------------------- checking answers

def problems_of(responses, head):
    out = []
    for i, (status, headers, body) in enumerate(responses):
        if status >= 500:
            out.append(f"status {status}: {body[:200]!r}")
        if LEAK.search(body):
            out.append(f"a file outside the corpus in the answer: {body[:200]!r}")
        if head and i == 0:
            continue
        if headers.get("content-type", "").startswith("application/json"):
            try:
                obj = json.loads(body)
            except ValueError:
                out.append(f"status {status}: body is not JSON: {body[:200]!r}")
                continue
            if status >= 400 and not (isinstance(obj, dict) and "code" in obj.get("error", {})):
                out.append(f"status {status}: error body without error.code: {body[:200]!r}")
        elif not (status == 400 and not body) and not headers.get("content-type", "").startswith(("text/", "application/")):
            out.append(f"status {status} without a content type")
    return out


class Conn:
    """A worker's keep-alive connection, for complete requests."""

    def __init__(self, path):
        self.path, self.sock, self.buf, self.used = path, None, b"", 0.0

    def exchange(self, data, head, timeout):
        if self.sock is not None and time.monotonic() - self.used > 20:
            self.close()  # kbqd closes connections idle for 30 s
        self.used = time.monotonic()
        if self.sock is None:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.connect(self.path)
            self.buf = b""
        self.sock.settimeout(timeout)
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        deadline = time.monotonic() + timeout
        while True:
            got, _, problem = kbqlib.parse_responses(self.buf, head)
            if got or problem:
                break
            left = deadline - time.monotonic()
            try:
                if left <= 0:
                    raise socket.timeout
                self.sock.settimeout(left)
                chunk = self.sock.recv(1 << 16)
            except socket.timeout:
                self.close()
                return {"responses": [], "timed_out": True, "closed": False, "problem": None}
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                self.close()
                return {"responses": got, "timed_out": False, "closed": True, "problem": problem}
            self.buf += chunk
        first = got[:1]
        if problem or first[0][1].get("connection", "").lower() == "close" or (first[0][0] == 400 and not first[0][2]):
            self.close()  # bare 400s and closes: start over on a new connection
        self.buf = b""
        return {"responses": first, "timed_out": False, "closed": False, "problem": problem}

    def close(self):
        if self.sock:
            self.sock.close()
        self.sock, self.buf = None, b""


def worker(index, count, args, ids, results):
    rng = random.Random(args.seed * 1_000_003 + index)
    stats, failures = collections.Counter(), []
    recent = collections.deque(maxlen=20)
    conn = Conn(args.sock)
    previous = b""  # the last input sent on `conn`: kept with a failure on that connection
    began = time.monotonic()
    failures_dir = f"{args.run_dir}/failures"

    def save(tag, inputs):
        os.makedirs(failures_dir, exist_ok=True)
        path = f"{failures_dir}/w{index}-{stats['inputs']}-{tag}"
        for k, d in enumerate(inputs):
            with open(f"{path}-{k}.bin", "wb") as f:
                f.write(d)
        return path

    for _ in range(count):
        data, expect, head = generate(rng, ids)
        if args.avoid_known and KNOWN_CRASHES.search(data):
            stats["known_crashers_skipped"] += 1
            continue
        stats["inputs"] += 1
        if stats["inputs"] % 1000 == 0:
            with args.done.get_lock():
                args.done.value += 1000
        recent.append(data)
        try:
            if expect == "response":
                r = conn.exchange(data, head, args.timeout)
                before, previous = previous, data
            else:
                r = kbqlib.exchange(args.sock, data, args.timeout, half_close=True)
        except (ConnectionRefusedError, FileNotFoundError, ConnectionResetError, BrokenPipeError) as e:
            conn.close()
            stats["connection_refused"] += 1
            failures.append(f"kbqd gone ({type(e).__name__}); the last inputs: {save('down', list(recent))}-*.bin")
            wait_for(args.sock, 120)
            continue
        stats["answers"] += len(r["responses"])
        for status, _, _ in r["responses"]:
            stats[f"status_{status // 100}xx"] += 1
        if not r["responses"]:
            stats["closed_without_answer" if not r["timed_out"] else "no_answer"] += 1
        found = problems_of(r["responses"], head)
        if r["problem"]:
            found.append(f"malformed answer: {r['problem']}")
        if r["timed_out"] and (expect == "response" or not r["responses"]):
            found.append(f"no {'answer' if expect == 'response' else 'close'} within {args.timeout} s")
        if expect == "response" and not r["responses"] and not r["timed_out"]:
            found.append("closed without an answer")  # a complete request must be answered
        if found:
            stats["failed_inputs"] += 1
            inputs = [data, before] if expect == "response" and before else [data]
            failures.append(f"{found[0]} at {time.monotonic() - began:.0f} s (input, previous on the connection: "
                            f"{save('input', inputs)}-*.bin)")
    conn.close()
    results.put((dict(stats), failures[:50]))


def wait_for(path, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            kbqlib.Client(path, 5).get("/v1/health")
            return True
        except OSError:
            time.sleep(0.2)
    return False


# ---------------------------------------------------------------- fixed hostile cases

def post(path, body):
    return request("POST", path, body if isinstance(body, bytes) else json.dumps(body).encode())


def fixed_cases(ids):
    """(label, bytes, allowed statuses, head)."""
    words = " ".join(f"w{i}" for i in range(10000))
    return [
        ("1 MB q in a POST body", post("/v1/search", {"q": "a" * 1_000_000}), {400}, False),
        ("1 MB q in the URL", request("GET", "/v1/search?q=" + "a" * 1_000_000), {400, 414, 431}, False),
        ("10,000 terms", post("/v1/search", {"q": words}), {400}, False),
        ("terms up to the 4096-byte limit", post("/v1/search", {"q": "a " * 2048}), {200}, False),
        ("* flood", post("/v1/search", {"q": "*" * 4096}), {200}, False),
        ("a* flood", post("/v1/search", {"q": "a* " * 1365}), {200}, False),
        ("ab* wildcards", post("/v1/search", {"q": " ".join(f"{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}*" for i in range(1000))}), {200}, False),
        ("? flood", request("GET", "/v1/search?q=" + "%3F" * 4096), {200}, False),
        ("phrase of 2,000 words", post("/v1/search", {"q": '"' + "a " * 2000 + '"'}), {200}, False),
        ("JSON nested 100,000 deep", post("/v1/search", b"[" * 100000 + b"]" * 100000), {400}, False),
        ("JSON nested 100,000 deep in render", post("/v1/render", b'{"id":' + b"[" * 100000 + b"]" * 100000 + b"}"), {400}, False),
        ("JSON nested 100,000 deep in check", post("/v1/check", b'{"draft":' + b"{\"a\":" * 100000 + b"1" + b"}" * 100001), {400}, False),
        ("2 MB body", post("/v1/search", b"{" * (2 << 20)), {413}, False),
        ("1 MB draft", post("/v1/check", {"draft": "will definitely arrive " * 45000}), {200, 400, 413}, False),
        ("200 KB header line", b"GET /v1/health HTTP/1.1\r\nX-Big: " + b"a" * 200000 + b"\r\n\r\n", {400, 431}, False),
        ("20,000 headers", b"GET /v1/health HTTP/1.1\r\n" + b"X-A: b\r\n" * 20000 + b"\r\n", {200, 400, 431}, False),
        ("invalid UTF-8 in q (GET)", request("GET", "/v1/search?q=%ff%fe%c3%28"), {200, 400}, False),
        ("invalid UTF-8 in q (POST)", post("/v1/search", b'{"q":"\xff\xfe"}'), {400}, False),
        ("invalid UTF-8 in the path", b"GET /v1/entries/\xff\xfe HTTP/1.1\r\n\r\n", {400, 404}, False),
        ("lone surrogate", post("/v1/search", b'{"q":"\\ud800"}'), {200, 400}, False),
        ("NUL in q", request("GET", "/v1/search?q=a%00b"), {200, 400}, False),
        ("stale, days = Int.max", request("GET", "/v1/stale?older_than_days=9223372036854775807"), {200, 400}, False),
        ("stale, days = Int.max + 1", request("GET", "/v1/stale?older_than_days=9223372036854775808"), {400}, False),
        ("offset = Int.max", request("GET", "/v1/search?q=a&offset=9223372036854775807"), {400}, False),
        ("offset = Int.min", request("GET", "/v1/search?q=a&offset=-9223372036854775808&limit=100"), {400}, False),
        ("limit = Int.max in JSON", post("/v1/search", {"q": "a", "limit": 9223372036854775807}), {400}, False),
        ("limit = 2^64 in JSON", post("/v1/search", {"q": "a", "limit": 18446744073709551616}), {400}, False),
    ] + [(f"entry id {t!r}", request("GET", f"/v1/entries/{t}?raw=1"), {400, 404}, False)
         for t in ["..%2F..%2Fetc%2Fpasswd", "..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
                   "..", "a%2F..%2F..%2Fetc%2Fpasswd", "%00", "passwd%00", "..%5C..%5Cetc%5Cpasswd", "%252e%252e%252f"]]


def slow_client(sock):
    """A request trickled over about 4 s, while another client is answered at once."""
    data = request("GET", "/v1/search?q=refund&limit=1")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(sock)
    other_max = 0.0
    for i in range(0, len(data), 2):
        s.sendall(data[i:i + 2])
        t = time.monotonic()
        other = kbqlib.Client(sock, 10).get("/v1/health").status
        other_max = max(other_max, time.monotonic() - t)
        if other != 200:
            return f"another client got {other} while a slow one was sending"
        time.sleep(4 / (len(data) / 2))
    got = kbqlib.parse_responses(s.recv(1 << 20))[0]
    s.close()
    if not got or got[0][0] != 200:
        return f"the slow request got {got[:1]}"
    return None if other_max < 2 else f"another client waited {other_max:.1f} s"


# ---------------------------------------------------------------- main

class Watch:
    """Watches kbqd: alive (restarts it if not), RSS, /v1/health every 2 s."""

    def __init__(self, daemon, report):
        self.daemon, self.report = daemon, report
        self.peak = self.start_rss = daemon.rss_kb()
        self.restarts, self.halt = 0, threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        last_health = 0.0
        while not self.halt.wait(0.5):
            if not self.daemon.alive():
                code = self.daemon.proc.returncode
                self.report.fail(f"kbqd died (status {code}): {crash_line(self.daemon.log_tail(20000))}")
                self.restarts += 1
                self.daemon.start()
                continue
            self.peak = max(self.peak, self.daemon.rss_kb())
            if time.monotonic() - last_health > 2:
                last_health = time.monotonic()
                try:
                    status = kbqlib.Client(self.daemon.sock, 10).get("/v1/health").status
                except OSError as e:
                    status = f"{type(e).__name__}"
                if status != 200 and not self.halt.wait(2) and self.daemon.alive():  # a crash is reported above
                    self.report.fail(f"/v1/health answered {status}")


def crash_line(log_text):
    """The reason, the crashed thread and its first frame, from Swift's backtrace."""
    lines = log_text.splitlines()
    reason = [l.strip("* ") for l in lines if l.startswith(("*** Swift runtime failure", "Fatal error"))][-1:]
    crashed = max((i for i, l in enumerate(lines) if l.endswith(" crashed:")), default=None)
    frame = [] if crashed is None else [re.sub(r"^.*?0x[0-9a-f]+ ", "", l) for l in lines[crashed + 1:crashed + 12]
                                        if re.match(r"\s*\d+ ", l) and "runtime failure" not in l][:1]
    crashed_thread = [lines[crashed].strip()] if crashed is not None else []
    reason = reason or [l.strip("* ") for l in lines if l.startswith("*** Program crashed")][-1:]
    return "; ".join(reason + crashed_thread + frame)[:400] or log_text[-300:]


def main():
    p = kbqlib.parser(__doc__)
    p.add_argument("--count", type=int, default=20000, help="random inputs (besides the fixed cases)")
    p.add_argument("--workers", type=int, default=3, help="fuzzing processes")
    p.add_argument("--timeout", type=float, default=30, help="seconds an answer or a close may take")
    p.add_argument("--max-rss-mb", type=int, default=1024, help="kbqd's RSS must stay under this")
    p.add_argument("--avoid-known", action="store_true", help="leave known crashers (FINDINGS.md) out of the random loop")
    args = p.parse_args()
    run = kbqlib.setup(args, "fuzz-http")
    report = kbqlib.Report("fuzz_http")
    corpus = kbqlib.copy_corpus(args.corpus, f"{run}/corpus")
    ids = kbqlib.entry_ids(corpus)
    args.sock = f"{run}/kbq.sock"
    daemon = kbqlib.Daemon(args.kbqd, corpus, f"{run}/data", args.sock, f"{run}/kbqd.log").start()
    watch = Watch(daemon, report)
    watch.thread.start()
    log(f"kbqd {daemon.pid}: RSS {watch.start_rss // 1024} MB at start; bound {args.max_rss_mb} MB")

    for label, data, allowed, head in fixed_cases(ids):
        try:
            r = kbqlib.exchange(args.sock, data, args.timeout, 1, head)
        except OSError as e:  # kbqd is down (a crash is reported by Watch)
            r = {"responses": [], "timed_out": False, "problem": f"{type(e).__name__}"}
        got = [s for s, _, _ in r["responses"]][:1]
        found = problems_of(r["responses"], head)
        if allowed and not (got and got[0] in allowed):
            found.append(f"answered {got or 'nothing'}{' (timed out)' if r['timed_out'] else ''}, expected one of {sorted(allowed)}")
        report.add("fixed_cases")
        for f in found:
            report.fail(f"fixed case {label}: {f}")
        wait_for(args.sock, 60)
    report.add("fixed_cases")
    try:
        problem = slow_client(args.sock)
    except OSError as e:
        problem = f"{type(e).__name__}: {e}"
    report.check(problem is None, f"slow client: {problem}")

    t = time.monotonic()
    results = multiprocessing.Queue()
    share = [args.count // args.workers + (i < args.count % args.workers) for i in range(args.workers)]
    args.done = multiprocessing.Value("l", 0)  # inputs sent so far, for the progress line
    procs = [multiprocessing.Process(target=worker, args=(i, share[i], args, ids, results), daemon=True)
             for i in range(args.workers)]
    for proc in procs:
        proc.start()
    totals, failures, finished = collections.Counter(), [], 0
    while finished < len(procs):
        try:
            stats, fails = results.get(timeout=60)
        except queue.Empty:
            if not any(proc.is_alive() for proc in procs):
                break
            log(f"{args.done.value} inputs, {len(report.failures)} failures, kbqd RSS peak {watch.peak // 1024} MB")
            continue
        totals.update(stats)
        failures += fails
        finished += 1
    report.check(finished == len(procs), f"{len(procs) - finished} fuzz workers died")
    for proc in procs:
        proc.join()
    seconds = time.monotonic() - t
    watch.halt.set()
    watch.thread.join()
    for f in failures[:40]:
        report.fail(f)
    report.check(totals["failed_inputs"] == 0, f"{totals['failed_inputs']} inputs failed")
    end_rss = daemon.rss_kb() if daemon.alive() else 0
    report.check(watch.peak < args.max_rss_mb * 1024, f"RSS peaked at {watch.peak // 1024} MB, over {args.max_rss_mb} MB")
    status = daemon.stop()
    report.check(status == 0, f"kbqd exit status after SIGTERM: {status}")
    report.set(inputs=totals["inputs"] + report.figures.get("fixed_cases", 0), random_inputs=totals["inputs"],
               rate_per_s=round(totals["inputs"] / max(seconds, 1e-9)), failed_inputs=totals["failed_inputs"],
               **{k: v for k, v in sorted(totals.items()) if k.startswith(("status_", "closed", "no_answer", "known", "connection"))},
               kbqd_restarts=watch.restarts, rss_start_mb=watch.start_rss // 1024, rss_peak_mb=watch.peak // 1024,
               rss_end_mb=end_rss // 1024, rss_bound_mb=args.max_rss_mb)
    if not report.failures:
        kbqlib.cleanup(args)
    else:
        log(f"failing inputs and kbqd.log kept in {run}")
    return report.finish()


if __name__ == "__main__":
    raise SystemExit(main())
