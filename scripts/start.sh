#!/usr/bin/env bash
# npm start: installs what is missing, then starts every service (see scripts/start.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
exec node scripts/netns.mjs node --import tsx scripts/start.ts "$@"
