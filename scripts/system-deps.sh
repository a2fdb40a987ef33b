#!/usr/bin/env bash
# System libraries the minutes need (issue 11): Pango for WeasyPrint's PDF rendering,
# HarfBuzz-subset for its font subsetting (without it WeasyPrint warns, and the tests turn
# warnings into errors), and a serif font with Spanish accents (DejaVu).
# Installs them with apt-get when they are missing and we may (root, Debian/Ubuntu);
# otherwise says what to install and goes on (the bot runs; drafting minutes needs them).
# Safe to run repeatedly: a no-op when all is present.
#
# With --browser (make test): also Debian's Chromium, which the browser tests (tests/browser,
# Playwright pointed at /usr/bin/chromium) drive headless. Never `playwright install`: no
# browser is downloaded from anywhere but Debian's archive.
set -euo pipefail
browser=0
[ "${1:-}" = "--browser" ] && browser=1
missing=()
libs="$(ldconfig -p 2>/dev/null || true)"  # read once: grep -q on a pipe would SIGPIPE it
have_lib() { grep -q "$1" <<<"$libs"; }
have_lib 'libpango-1.0.so' || missing+=(libpango-1.0-0)
have_lib 'libpangoft2-1.0.so' || missing+=(libpangoft2-1.0-0)
have_lib 'libharfbuzz-subset.so' || missing+=(libharfbuzz-subset0)
fonts="$(fc-list 2>/dev/null || true)"
if ! grep -qi 'DejaVu Serif' <<<"$fonts"; then
  missing+=(fonts-dejavu-core fontconfig)
fi
if [ "$browser" -eq 1 ] && ! command -v chromium >/dev/null 2>&1; then
  missing+=(chromium)
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "system-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  # Not fatal: the bot runs without them and only drafting minutes needs them (and the
  # browser tests Chromium: without it they skip, saying why).
  echo "system-deps: missing ${missing[*]}; the minutes' PDFs (and browser tests) need them:" \
    "sudo apt-get install ${missing[*]}" >&2
fi
