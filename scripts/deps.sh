#!/usr/bin/env bash
# Installs the Debian packages Gatehouse builds and tests with. Idempotent:
# does nothing when everything is already installed.
set -euo pipefail
PKGS=(
  build-essential cmake ninja-build ccache pkg-config git clang-14 libclang-rt-14-dev
  libvectorscan-dev libre2-dev libyaml-cpp-dev libtomlplusplus-dev nlohmann-json3-dev
  libcli11-dev libfmt-dev libssl-dev libgit2-dev libsqlite3-dev libpqxx-dev postgresql
  libgtest-dev libgmock-dev libbenchmark-dev libsimdjson-dev libpugixml-dev
  ripgrep hyperfine
  chromium  # headless: the audit's HTML report test (tests/audit)
)
# Tools that may come from elsewhere (e.g. a Node.js or Python not installed
# from Debian): install the Debian package only if the command is missing.
declare -A TOOLS=([npm]=npm [python3]=python3 [git]=git)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
for cmd in "${!TOOLS[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${TOOLS[$cmd]}")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
