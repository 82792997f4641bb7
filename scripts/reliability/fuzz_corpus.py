#!/usr/bin/env python3
"""Seeded fuzzing of the corpus loader.

Copies of real entries are mutated (front-matter bit flips, deleted and duplicated lines,
wrong types, bad YAML, invalid UTF-8, NUL bytes, very long lines, deep nesting, alias bombs,
binary files) and written in batches of thousands of files beside symbolic links (out of
the corpus, dangling, looping), a FIFO and a folder named like entries; markets.yaml and the
glossary are mutated in some batches. `kbq validate` reads each batch, with a timeout. It
must exit 0 or 1 (no signal, no hang), print valid JSON, report every problem as
`path:line: reason` (one line, a path in the batch, a line inside the file), and account
for every Markdown file (entries + files with errors = files). A 100 MB entry file (and,
with --big all, a 100 MB glossary file) checks that memory stays bounded. Then kbqd
reindexes some batches: it must stay up, index what `kbq validate` accepts, and never read
the file a symbolic link points to outside the corpus (its marker must not reach the index).

    fuzz_corpus.py --kbqd K --kbq Q --work DIR [--files 2000] [--batch 2000] [--rounds 2] [--big md|all|none]
"""

import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import time

import kbqlib
from kbqlib import log

MARKER = "KBQ-OUTSIDE-MARKER-7f3a"
PROBLEM_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+): (warning: )?\S")


# ---------------------------------------------------------------- mutations (bytes → bytes)

def lines_of(b):
    return b.split(b"\n")


def bitflip(rng, b):
    b = bytearray(b)
    for _ in range(rng.randrange(1, 9)):
        if b:
            i = rng.randrange(min(len(b), 400))
            b[i] ^= 1 << rng.randrange(8)
    return bytes(b)


def delete_line(rng, b):
    ls = lines_of(b)
    del ls[rng.randrange(len(ls))]
    return b"\n".join(ls)


def duplicate_line(rng, b):
    ls = lines_of(b)
    i = rng.randrange(min(len(ls), 16))
    ls.insert(rng.randrange(len(ls) + 1), ls[i])
    return b"\n".join(ls)


def swap_lines(rng, b):
    ls = lines_of(b)
    i, j = rng.randrange(min(len(ls), 16)), rng.randrange(len(ls))
    ls[i], ls[j] = ls[j], ls[i]
    return b"\n".join(ls)


ODD_VALUES = [b"[a, [b]]", b"{a: 1}", b"123", b"true", b"null", b"~", b"''", b"&x [1]", b"*x", b"!!binary aGVsbG8=",
              b"[" * 50, b"\n- a\n- b", b">\n  folded", b"|\n  literal", b'"unterminated', b"2026-13-45", b"-1",
              b"1e400", b"!!python/object:os.system", b"[a, b", b"'single ' quote'", b"\"\\x00\"", b"\t", b"@",
              b"../../../etc/passwd", b"A" * 70, b"zh_hans", b"[ZZ, '', de, 'GLOBAL ', ../]"]


def wrong_value(rng, b):
    ls = lines_of(b)
    keyed = [i for i, l in enumerate(ls[:20]) if re.match(rb"^[a-z_]+:", l)]
    if not keyed:
        return b
    i = rng.choice(keyed)
    ls[i] = ls[i].split(b":", 1)[0] + b": " + rng.choice(ODD_VALUES)
    return b"\n".join(ls)


def bad_yaml(rng, b):
    ls = lines_of(b)
    junk = rng.choice([b"\tkey: tab", b"  bad indent: x", b": :", b"- list item", b"key: [unclosed", b"? complex",
                       b"%YAML 1.2", b"...", b"&anchor", b"*alias", b"{", b"key: value: other", b"'quoted key': 1",
                       b"<<: *base", b"!tag x", b"key: |-\n\tbad", b"\xef\xbb\xbfid: bom", b"---"])
    ls.insert(rng.randrange(1, min(len(ls), 14) + 1), junk)
    return b"\n".join(ls)


def invalid_utf8(rng, b):
    i = rng.randrange(len(b) + 1)
    return b[:i] + rng.choice([b"\xff", b"\xfe\xff", b"\xc3", b"\xc0\xae", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80"]) + b[i:]


def nul(rng, b):
    i = rng.randrange(len(b) + 1)
    return b[:i] + b"\0" * rng.choice([1, 2, 1000]) + b[i:]


def long_line(rng, b):
    n = rng.choice([10_000, 100_000, 900_000, 1_100_000])
    ls = lines_of(b)
    i = rng.randrange(len(ls))
    ls.insert(i, (b"title: " if i < 8 else b"") + b"x" * n)
    return b"\n".join(ls)


def deep(rng, b):
    d = rng.choice([20, 200, 2_000, 20_000, 200_000])
    open_, close = rng.choice([(b"[", b"]"), (b"{a: ", b"}")])
    return b.replace(b"\n", b"\ntags: " + open_ * d + close * d + b"\n", 1)


def alias_bomb(rng, b):
    bomb = [b"lol0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for k in range(1, rng.choice([3, 6, 9]) + 1):
        bomb.append(b"lol%d: &a%d [" % (k, k) + b", ".join([b"*a%d" % (k - 1)] * 9) + b"]")
    bomb.append(b"bomb: *a%d" % (len(bomb) - 1))
    return b.replace(b"\n", b"\n" + b"\n".join(bomb) + b"\n", 1)


def fences(rng, b):
    return rng.choice([lambda: b[4:], lambda: b.replace(b"\n---\n", b"\n", 1), lambda: b.replace(b"\n", b"\r\n"),
                       lambda: b"\xef\xbb\xbf" + b, lambda: b"\n" + b, lambda: b"--- \n" + b[4:],
                       lambda: b.replace(b"\n---\n", b"\n--- x\n", 1), lambda: b"---\n---\n" + b[4:]])()


def binary(rng, b):
    return rng.randbytes(rng.choice([1, 100, 4096, 65536]))


def truncate(rng, b):
    return b[:rng.randrange(len(b) + 1)]


def placeholders(rng, b):
    return b + rng.choice([b"\n{{ bad name }}", b"\n{{", b"\n}}}}", b"\n{{a{{b}}}}", b"\n{{\xc3\xa9}}", b"\n{{" * 10000])


def odd_id(rng, b):
    return re.sub(rb"(?m)^id: .*$", b"id: " + rng.choice([b"../../x", b"A", b"x" * 65, b"", b"\xc3\xa9", b"a/b", b"-x",
                                                          b"[a]", b"x\\0y", b"0" * 64]), b, count=1)


def unknown_field(rng, b):
    return b.replace(b"\n", b"\n" + rng.choice([b"zz", b"x-y", b"\xe5\xad\x97", b"Id", b"id "]) + b": " + rng.choice(ODD_VALUES) + b"\n", 1)


MUTATIONS = [bitflip, delete_line, duplicate_line, swap_lines, wrong_value, bad_yaml, invalid_utf8, nul, long_line,
             deep, alias_bomb, fences, binary, truncate, placeholders, odd_id, unknown_field]


def mutate(rng, b, mutations=MUTATIONS):
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        b = rng.choice(mutations)(rng, b)
    return b


# kbqd cannot index a word or tag over ~245 bytes (FINDINGS.md): with --avoid-known, the
# kbqd rounds leave out the mutation that makes them, so the rest can be tested
KNOWN_BREAKERS = [long_line]


# ---------------------------------------------------------------- batches

def make_batch(run, rng, sources, n, number, outside):
    """A folder: the corpus's _data (mutated now and then), n mutated entries, special files."""
    d = f"{run}/batch"
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(f"{run}/corpus/_data", f"{d}/_data")
    if number % 5 == 4:
        glossary = sorted(os.listdir(f"{d}/_data/glossary"))
        path = f"{d}/_data/glossary/{rng.choice(glossary)}"
        with open(path, "rb") as f:
            data = f.read()
        with open(path, "wb") as f:
            f.write(mutate(rng, data))
    if number % 10 == 9:
        with open(f"{d}/_data/markets.yaml", "rb") as f:
            data = f.read()
        with open(f"{d}/_data/markets.yaml", "wb") as f:
            f.write(mutate(rng, data))
    for i in range(n):
        rel, data = rng.choice(sources)
        path = f"{d}/{os.path.dirname(rel)}/fz{number}-{i}.md"
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data if rng.random() < 0.03 else mutate(rng, data))
    specials = add_specials(d, outside)
    return d, n + len(specials), specials


def add_specials(d, outside):
    """Files that are not regular files: each must be reported, none read."""
    os.makedirs(f"{d}/phrasing/special", exist_ok=True)
    links = {"out.md": f"{outside}/secret.md", "outdir": outside, "dangling.md": f"{outside}/none.md",
             "loop.md": f"{d}/phrasing/special/loop.md", "zero.md": "/dev/zero", "passwd.md": "/etc/passwd",
             "inside.md": f"{d}/phrasing/special/../special/../../_data/markets.yaml"}
    for name, target in links.items():
        os.symlink(target, f"{d}/phrasing/special/{name}")
    os.mkfifo(f"{d}/phrasing/special/fifo.md")
    os.makedirs(f"{d}/phrasing/special/folder.md")
    return [f"phrasing/special/{n}" for n in list(links) + ["fifo.md"]]


def maxrss_of(cmd, timeout):
    """Runs cmd; (exit status or 'timeout', output, peak RSS in MB via wait4)."""
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                p.returncode = os.waitstatus_to_exitcode(status)
                out.seek(0)
                return p.returncode, out.read(), usage.ru_maxrss // 1024
            if time.monotonic() > deadline:
                p.kill()
                os.wait4(p.pid, 0)
                p.returncode = "timeout"
                return "timeout", b"", 0
            time.sleep(0.02)


def check_batch(args, report, d, files, specials, number):
    """Runs kbq validate on one batch (JSON and text) and checks what it says."""
    label = f"batch {number}"
    status, out, rss = maxrss_of([args.kbq, "validate", d, "--json"], args.timeout)
    report.set(validate_rss_max_mb=max(report.figures.get("validate_rss_max_mb", 0), rss))
    if not report.check(status in (0, 1), f"{label}: kbq validate --json exited {status}: {out[-300:]!r}"):
        return None
    try:
        result = json.loads(out)
    except ValueError:
        report.fail(f"{label}: --json output is not JSON: {out[:200]!r}")
        return None
    problems = result["problems"]
    bad = {}  # kind of bad report → examples
    for p in problems:
        path = f"{d}/{p['path']}"
        kind = None
        if "\n" in p["reason"] or not p["reason"].strip():
            kind = "reason not one line"
        elif not os.path.lexists(path) and p["path"] != ".":
            kind = "path not in the batch"
        elif os.path.isfile(path) and not os.path.islink(path):
            with open(path, "rb") as f:
                if not 1 <= p["line"] <= f.read().count(b"\n") + 1:
                    kind = "line outside the file"
        if kind:
            bad.setdefault(kind, []).append(f"{p['path']}:{p['line']}: {p['reason'][:100]!r}")
    for kind, examples in bad.items():
        report.fail(f"{label}: {len(examples)} problems with a {kind}, e.g. {examples[0]}")
        report.add(kind.replace(" ", "_"), len(examples))
    # every Markdown file is an entry or has an error
    md = [os.path.relpath(os.path.join(r, f), d) for r, _, fs in os.walk(d) for f in fs
          if f.endswith(".md") and not r.startswith(f"{d}/_data") and os.path.isfile(os.path.join(r, f))
          and not os.path.islink(os.path.join(r, f))]
    with_errors = {p["path"] for p in problems if p["severity"] == "error"}
    entries = result["summary"]["entries"]
    accounted = entries + len(with_errors & set(md))
    report.check(accounted == len(md), f"{label}: {len(md)} files, but {entries} entries + {len(with_errors & set(md))} "
                                       f"files with errors")
    reported = {p["path"] for p in problems}
    missing = [s for s in specials if s not in reported]
    report.check(not missing, f"{label}: not reported: {missing}")
    report.check(MARKER.encode() not in out, f"{label}: the marker of a file outside the corpus is in the output")
    # the same problems as text lines `DIR/PATH:LINE: REASON`
    status, text, _ = maxrss_of([args.kbq, "validate", d], args.timeout)
    lines = text.decode(errors="replace").splitlines()
    summary = [i for i, l in enumerate(lines) if re.match(r"^\d+ entries, ", l)]
    head = lines[:summary[0]] if summary else lines
    malformed = [l for l in head if not PROBLEM_LINE.match(l) or not l.startswith(d + "/")]
    report.check(status in (0, 1) and not malformed and len(head) == len(problems),
                 f"{label}: text output: exit {status}, {len(head)} problem lines for {len(problems)} problems, "
                 f"{len(malformed)} not `path:line: reason`, e.g. {malformed[:2]!r}")
    report.add("text_lines_not_path_line_reason", len(malformed))
    return result


def big_files(args, report, run, outside, which):
    """A 100 MB entry file, and with `all` a 100 MB glossary file: bounded time and memory."""
    d = f"{run}/big"
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(f"{run}/corpus/_data", f"{d}/_data")
    os.makedirs(f"{d}/phrasing/en")
    line = b"lorem ipsum dolor sit amet " * 40 + b"\n"
    with open(f"{d}/phrasing/en/big.md", "wb") as f:
        f.write(b"---\nid: big\nkind: phrasing\nlang: en\ntitle: big\n---\n")
        for _ in range(100 * 2**20 // len(line)):
            f.write(line)
    if which == "all":
        with open(f"{d}/_data/glossary/zz-big.yaml", "w") as f:
            f.write("sets:\n")
            i = 0
            while f.tell() < 100 * 2**20:
                f.write(f"  - id: s{i}\n    terms:\n      en: [word{i}, other{i}]\n      de: [wort{i}]\n")
                i += 1
    t = time.monotonic()
    status, out, rss = maxrss_of([args.kbq, "validate", d, "--json"], args.timeout)
    took = time.monotonic() - t
    log(f"100 MB files ({which}): exit {status} in {took:.1f} s, peak RSS {rss} MB")
    report.check(status in (0, 1), f"100 MB files: kbq validate exited {status}")
    report.check(rss <= args.max_rss_mb, f"100 MB files ({which}): kbq validate peaked at {rss} MB RSS (bound {args.max_rss_mb} MB)")
    report.check(took <= 60, f"100 MB files ({which}): kbq validate took {took:.0f} s")
    report.set(big_files=which, big_validate_s=round(took, 1), big_validate_rss_mb=rss)
    shutil.rmtree(d)


def daemon_rounds(args, report, run, rng, sources, outside):
    """kbqd reindexes mutated batches (with max_bad_files high enough to keep the good
    entries): up, the same entry count as kbq validate, the marker never indexed."""
    corpus = kbqlib.copy_corpus(f"{run}/corpus", f"{run}/dcorpus")
    add_specials(corpus, outside)
    with open(f"{run}/kbqd.toml", "w") as f:
        f.write("max_bad_files = 1000000\n")
    d = kbqlib.Daemon(args.kbqd, corpus, f"{run}/data", f"{run}/kbq.sock", f"{run}/kbqd.log",
                      extra=["--config", f"{run}/kbqd.toml"]).start()
    mutations = [m for m in MUTATIONS if not (args.avoid_known and m in KNOWN_BREAKERS)]
    c = d.client()
    for r in range(args.rounds):
        shutil.rmtree(f"{corpus}/fz", ignore_errors=True)
        for i in range(args.round_files):
            rel, data = rng.choice(sources)
            os.makedirs(f"{corpus}/fz/{os.path.dirname(rel)}", exist_ok=True)
            with open(f"{corpus}/fz/{os.path.dirname(rel)}/r{r}-{i}.md", "wb") as f:
                f.write(mutate(rng, data, mutations))
        expected = kbqlib.entry_count(args.kbq, corpus)
        task = kbqlib.reindex(c, full=r % 2 == 1)
        label = f"kbqd round {r} ({'full' if r % 2 else 'incremental'})"
        log(f"{label}: {task['state']}, {len(task['problems'])} problems, {task.get('error', '')}")
        report.check(d.alive(), f"{label}: kbqd died: {d.log_tail()}")
        report.check(task["state"] == "succeeded", f"{label}: {task['state']}: {task.get('error')}")
        docs = d.get_json("/v1/status")["documents"]
        report.check(docs == expected, f"{label}: kbqd serves {docs} entries, kbq validate accepts {expected}")
        hits = c.post("/v1/search", {"q": f'"{MARKER}"', "limit": 100}).json()["results"]
        leaked = [h["id"] for h in hits if MARKER in h["title"] or h["id"] == "outside-secret"]
        report.check(not leaked, f"{label}: the entry outside the corpus is served: {leaked}")
        report.check(c.get("/v1/entries/outside-secret").status == 404, f"{label}: /v1/entries/outside-secret is served")
        report.add("daemon_inputs", args.round_files)
    leaked = [f for f in os.listdir(os.path.realpath(f"{run}/data/current"))
              if MARKER.encode() in open(f"{run}/data/current/{f}", "rb").read()]
    report.check(not leaked, f"the outside marker is in the index files {leaked}")
    # the default limit: too many bad files fail the reindex and leave the index as it was
    before = d.get_json("/v1/status")["documents"]
    d.stop()
    d = kbqlib.Daemon(args.kbqd, corpus, f"{run}/data", f"{run}/kbq.sock", f"{run}/kbqd.log").start()
    task = kbqlib.reindex(d.client(), full=False)
    report.check(task["state"] == "failed" and "more than the limit" in (task.get("error") or ""),
                 f"over max_bad_files: {task['state']}: {task.get('error')}")
    report.check(d.get_json("/v1/status")["documents"] == before, "over max_bad_files: the index changed")
    report.check(d.stop() == 0, "kbqd did not stop cleanly")


def main():
    p = kbqlib.parser(__doc__)
    p.add_argument("--files", type=int, default=2000, help="mutated entry files in all")
    p.add_argument("--batch", type=int, default=2000, help="files per kbq validate run")
    p.add_argument("--rounds", type=int, default=2, help="kbqd reindexes of mutated files")
    p.add_argument("--round-files", type=int, default=300, help="mutated files per kbqd round")
    p.add_argument("--big", choices=["md", "all", "none"], default="md",
                   help="100 MB files: an entry (md), also a glossary file (all), or none")
    p.add_argument("--timeout", type=float, default=300, help="seconds a kbq validate may take")
    p.add_argument("--max-rss-mb", type=int, default=1024, help="kbq validate's peak RSS must stay under this")
    p.add_argument("--avoid-known", action="store_true",
                   help="kbqd rounds: leave out mutations that hit known indexer bugs (FINDINGS.md)")
    args = p.parse_args()
    run = kbqlib.setup(args, "fuzz-corpus")
    report = kbqlib.Report("fuzz_corpus")
    rng = random.Random(args.seed)
    kbqlib.copy_corpus(args.corpus, f"{run}/corpus")
    sources = []
    for path in kbqlib.entry_files(f"{run}/corpus"):
        with open(path, "rb") as f:
            sources.append((os.path.relpath(path, f"{run}/corpus"), f.read()))
    outside = f"{run}/outside"
    os.makedirs(outside)
    with open(f"{outside}/secret.md", "w") as f:
        f.write(f"---\nid: outside-secret\nkind: phrasing\nlang: en\ntitle: {MARKER}\n---\n{MARKER}\n")
    t = time.monotonic()
    done, number = 0, 0
    while done < args.files:
        n = min(args.batch, args.files - done)
        d, count, specials = make_batch(run, rng, sources, n, number, outside)
        result = check_batch(args, report, d, count, specials, number)
        done += n
        report.add("inputs", count)
        if result:
            report.add("problems_reported", len(result["problems"]))
        number += 1
        log(f"batch {number}: {done} files, {len(report.failures)} failures so far")
    report.set(batches=number, files_per_s=round(done / (time.monotonic() - t)))
    if args.big != "none":
        big_files(args, report, run, outside, args.big)
    if args.rounds:
        daemon_rounds(args, report, run, rng, sources, outside)
    if not report.failures:
        kbqlib.cleanup(args)
    return report.finish()


if __name__ == "__main__":
    raise SystemExit(main())
