#!/usr/bin/env bash
# Installs the OS packages the local stack needs, or says exactly what to install.
# With arguments, installs those packages instead (e.g. `chromium` for the dashboard's browser tests).
set -euo pipefail
packages=(postgresql-15 postgresql-15-cron postgresql-15-pgtap postgresql-15-plpgsql-check libtap-parser-sourcehandler-pgtap-perl)
[ $# -gt 0 ] && packages=("$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "[stack] installing OS packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "[stack] missing OS packages: ${missing[*]}" >&2
  echo "[stack] install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
