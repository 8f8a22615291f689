#!/usr/bin/env bash
# What the real-browser test (tests/test_browser.py) needs, installed only when missing:
#   - Chromium from the system's packages (Debian/Ubuntu: apt-get install chromium; Playwright cannot download a
#     browser here, and the test starts this one with executablePath /usr/bin/chromium, or $CHROMIUM);
#   - playwright-core from npm, pinned by tests/browser/package-lock.json (npm ci into tests/browser/node_modules).
# Run by .ci/run before `make test`. Without Chromium or node the browser test fails and says what is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
say() { echo "[browser-deps] $*"; }

chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ -x "$chromium" ]; then
  say "Chromium: $("$chromium" --version 2>/dev/null || echo "$chromium")"
elif command -v apt-get >/dev/null; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  say "Chromium: installing the Debian package 'chromium' (apt-get)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null 2> >(grep -v "^debconf: " >&2)
  say "Chromium: $("$chromium" --version 2>/dev/null)"
else
  say "Chromium is missing at $chromium and there is no apt-get: install Chromium and set CHROMIUM=/path/to/it." >&2
  exit 1
fi

command -v npm >/dev/null || { say "npm is missing: install Node.js 20 or newer." >&2; exit 1; }
lock="tests/browser/package-lock.json" stamp="tests/browser/node_modules/.package-lock.sha256"
sum="$(sha256sum "$lock" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
  say "playwright-core: up to date"
else
  say "playwright-core: npm ci (tests/browser/package-lock.json)"
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
  echo "$sum" > "$stamp"
fi
