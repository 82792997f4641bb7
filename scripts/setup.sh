#!/usr/bin/env bash
# Installs what kbq needs on Debian/Ubuntu and is missing. Safe to run any number of times.
# Needs: a Swift 6 toolchain on PATH (swift.org or the distribution's), root or sudo for apt.
set -euo pipefail

# Debian packages, and why:
packages=(
  libxapian-dev   # the search engine (headers + library)
  xapian-tools    # xapian-check, xapian-compact, xapian-tcpsrv, xapian-replicate
  libicu-dev      # word segmentation (Thai, Lao, Khmer, Burmese, CJK) and normalisation
  libopencc-dev   # traditional <-> simplified Chinese conversion
  opencc          # OpenCC's conversion data files
  libsystemd-dev  # sd_notify and socket activation
  pkg-config
  curl            # tests talk to the daemon with curl --unix-socket
  util-linux      # setpriv, used by the admin-permission tests
  python3         # relevance scorers under ../shared/bench and Benchmarks/ (sqlite3 for FTS5)
  systemd         # systemd-analyze (unit checks) and systemd-socket-activate (tests)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null; then
  echo "setup: no 'swift' on PATH. Install a Swift 6 toolchain (https://www.swift.org/install/linux/) and retry." >&2
  exit 1
fi

# Tantivy, measured beside kbq by kbq-bench (Benchmarks/compare/engines.py), from PyPI.
if ! python3 -c 'import tantivy' 2>/dev/null; then
  python3 -m pip --version >/dev/null 2>&1 || python3 -m ensurepip --upgrade >/dev/null
  echo "setup: installing Benchmarks/compare/requirements.txt (pip)"
  python3 -m pip install --quiet --disable-pip-version-check -r "$(dirname "$0")/../Benchmarks/compare/requirements.txt" \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages \
         -r "$(dirname "$0")/../Benchmarks/compare/requirements.txt"
fi
