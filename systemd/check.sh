#!/usr/bin/env bash
# Checks the systemd integration in this folder without installing anything on the host:
#
#   1. verify     `systemd-analyze verify` on every unit, inside a throw-away root:
#                 the units reference /usr/local/bin/kbqd, /usr/local/bin/kbq, /bin/kill and
#                 /bin/sleep, and verify fails on an ExecStart= that is not executable. So a
#                 temp dir gets a copy of the host's unit directory (sysinit.target,
#                 sockets.target, ... that default dependencies pull in), our units in
#                 etc/systemd/system/, and a placeholder script for every absolute path named
#                 by an Exec*= line; `--root=DIR` then resolves all of it inside DIR.
#                 verify exits 0 on warnings such as an unknown or misspelt key, so any line it
#                 prints about a kbq unit fails the check too.
#   2. sysusers   `systemd-sysusers --root=DIR` creates kbq and kbq-admin in a throw-away root.
#   3. tmpfiles   `systemd-tmpfiles --root=DIR --create` there, then owners and modes are
#                 compared with what kbqd.service expects (needs root for chown; skipped else).
#   4. security   `systemd-analyze security --offline=yes --threshold=20` on kbqd.service and
#                 kbq-reindex.service: exposure must be 2.0 or lower.
#
# Usage: systemd/check.sh          (from anywhere; exits non-zero if any check fails)
# Needs: systemd-analyze, systemd-sysusers, systemd-tmpfiles (Debian package `systemd`,
#        installed here with apt-get if missing). No running systemd, no network.
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
units=(kbqd.service kbqd.socket kbq-reindex.path kbq-reindex.service)
threshold=20   # systemd-analyze's scale: 20 means an exposure level of 2.0

passed=0
failed=0
pass() { echo "ok   $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
indent() { sed 's/^/      /'; }

# --- tools -------------------------------------------------------------------------------------
if ! command -v systemd-analyze >/dev/null || ! command -v systemd-sysusers >/dev/null \
   || ! command -v systemd-tmpfiles >/dev/null; then
  echo "check: installing the systemd package (for systemd-analyze)"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends systemd >/dev/null
fi
command -v systemd-analyze >/dev/null || { echo "check: systemd-analyze is missing" >&2; exit 1; }
echo "check: $(systemd-analyze --version | head -1)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# --- 1. verify ---------------------------------------------------------------------------------
root="$work/root"
mkdir -p "$root/etc/systemd/system"
# The host's unit directory, so that the targets our units depend on resolve under --root.
for d in /usr/lib/systemd/system /lib/systemd/system; do
  [ -d "$d" ] || continue
  real="$(readlink -f "$d")"
  [ -d "$root$real" ] && continue
  mkdir -p "$root$(dirname "$real")"
  cp -a "$real" "$root$real"
done
for u in "${units[@]}"; do cp "$here/$u" "$root/etc/systemd/system/$u"; done
# A placeholder for every executable named by an Exec*= line (prefixes such as - @ : + ! dropped).
while read -r exe; do
  mkdir -p "$root$(dirname "$exe")"
  printf '#!/bin/sh\nexit 0\n' >"$root$exe"
  chmod 0755 "$root$exe"
done < <(sed -n -E 's/^Exec[A-Za-z]*=[-@:+!]*(\/[^ ]+).*/\1/p' "${units[@]/#/$here/}" | sort -u)

out="$(cd "$root/etc/systemd/system" && systemd-analyze verify --root="$root" --man=no "${units[@]}" 2>&1)"
rc=$?
ours="$(grep -i 'kbq' <<<"$out" || true)"
others="$(grep -vi 'kbq' <<<"$out" || true)"
[ -n "$others" ] && { echo "note: verify said about the host's own units (ignored):"; indent <<<"$others"; }
if [ "$rc" -eq 0 ] && [ -z "$ours" ]; then
  pass "systemd-analyze verify ${units[*]}"
else
  fail "systemd-analyze verify (exit $rc):"
  indent <<<"$ours"
fi

# --- 2. sysusers -------------------------------------------------------------------------------
fsroot="$work/fsroot"
mkdir -p "$fsroot/etc"
if out="$(systemd-sysusers --root="$fsroot" - <"$here/kbq-sysusers.conf" 2>&1)" \
   && grep -q '^kbq:' "$fsroot/etc/passwd" && grep -q '^kbq:' "$fsroot/etc/group" \
   && grep -q '^kbq-admin:' "$fsroot/etc/group"; then
  pass "systemd-sysusers: user kbq, groups kbq and kbq-admin"
else
  fail "systemd-sysusers:"; indent <<<"$out"
fi

# --- 3. tmpfiles -------------------------------------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
  echo "skip tmpfiles (chown needs root)"
elif ! out="$(systemd-tmpfiles --root="$fsroot" --create - <"$here/kbq-tmpfiles.conf" 2>&1)"; then
  fail "systemd-tmpfiles --create:"; indent <<<"$out"
else
  uid="$(awk -F: '$1 == "kbq" { print $3 }' "$fsroot/etc/passwd")"
  gid="$(awk -F: '$1 == "kbq" { print $3 }' "$fsroot/etc/group")"
  bad=""
  # path  mode  owner:group (numeric, as in the throw-away root)
  while read -r path mode owner; do
    got="$(stat -c '%a %u:%g' "$fsroot$path" 2>/dev/null || echo missing)"
    [ "$got" = "$mode $owner" ] || bad+="      $path: want $mode $owner, got $got"$'\n'
  done <<EOF
/var/lib/kbq 750 $uid:$gid
/var/lib/kbq/corpus 750 $uid:$gid
/var/lib/kbq/data 750 $uid:$gid
/etc/kbq 750 0:$gid
/etc/kbq/kbqd.toml 640 0:$gid
EOF
  # StateDirectoryMode= in kbqd.service must agree with tmpfiles, or each resets the other.
  sdmode="$(sed -n 's/^StateDirectoryMode=0*//p' "$here/kbqd.service")"
  [ "$sdmode" = "750" ] || bad+="      kbqd.service StateDirectoryMode=$sdmode, tmpfiles says 0750"$'\n'
  if [ -z "$bad" ]; then
    pass "systemd-tmpfiles --create: owners and modes"
  else
    fail "systemd-tmpfiles --create:"; printf '%s' "$bad"
  fi
fi

# --- 4. security -------------------------------------------------------------------------------
for u in kbqd.service kbq-reindex.service; do
  out="$(cd "$here" && systemd-analyze security --offline=yes --threshold="$threshold" "$u" 2>&1)"
  rc=$?
  level="$(grep -o 'Overall exposure level for .*' <<<"$out" || true)"
  if [ "$rc" -eq 0 ] && [ -n "$level" ]; then
    pass "security: $level"
  else
    fail "security (exit $rc, threshold $threshold): ${level:-no score}"
    grep -E '✗|Failed|rror' <<<"$out" | indent
  fi
done

echo "check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
