#!/usr/bin/env bash
# Run lint and the default test suite as on a fresh machine: no CJK font, no LibreOffice,
# no Chromium, an empty matplotlib cache. Linux only; needs root or unprivileged user
# namespaces (`unshare`): the fonts and binaries are hidden in a private mount namespace,
# nothing on the machine changes. Tests needing them must skip with a stated reason.
#
#   tools/fresh_machine_test.sh [pytest args]       (PYTHON=.venv/bin/python by default)
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHON="${PYTHON:-.venv/bin/python}"
unset JJJPLAN_REQUIRE_BINARIES
MPLCONFIGDIR="$(mktemp -d)"
export MPLCONFIGDIR
exec unshare --mount --propagation private bash -s -- "$@" <<'INNER'
set -euo pipefail
# every folder holding a font with Chinese glyphs becomes an empty tmpfs
if command -v fc-list >/dev/null; then
  fc-list :lang=zh file | sed 's/: *$//' | xargs -r -n1 dirname | sort -u |
    while read -r dir; do mount -t tmpfs none "$dir"; done
fi
for name in soffice libreoffice localc chromium chromium-browser google-chrome; do
  path="$(command -v "$name" || true)"
  if [ -n "$path" ]; then mount --bind /dev/null "$(readlink -f "$path")"; fi
done
echo "CJK fonts visible: $(fc-list :lang=zh | wc -l); soffice: $(command -v soffice >/dev/null && [ -x "$(command -v soffice)" ] && echo yes || echo no)"
"$PYTHON" -m ruff check jjjplan tests benchmarks tools
"$PYTHON" -m pytest -m "not slow" -p no:cacheprovider "$@"
INNER
