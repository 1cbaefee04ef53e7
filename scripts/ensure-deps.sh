#!/usr/bin/env bash
# Installs what a fresh machine lacks: npm packages (from the lock) and, for browser tests, Chromium.
# Usage: ensure-deps.sh [--browser]
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[setup] npm ci"
  npm ci --no-audit --no-fund
fi

if [ "${1:-}" = "--browser" ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "[setup] installing Debian chromium"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    # Not root, or no apt-get: Playwright's own Chromium (playwright.config.ts uses it when
    # /usr/bin/chromium is absent) installs into the user's cache and needs no root. Without it every
    # e2e test fails to launch a browser, so a failed install stops here rather than there.
    echo "[setup] /usr/bin/chromium not found and cannot apt-get: installing Playwright's own Chromium (npx playwright install chromium)"
    if ! npx playwright install chromium; then
      echo "[setup] could not install Playwright's Chromium: run \`npx playwright install chromium\` (it may need network access to the Playwright CDN), or install /usr/bin/chromium, then run this again" >&2
      exit 1
    fi
  fi
fi
