#!/usr/bin/env bash
# Installs the Debian packages regkit needs (Pango for WeasyPrint, HarfBuzz's subsetter, the CJK
# fonts, and the programs the tests use: poppler-utils, LibreOffice, pdftk-java, chromium, PostgreSQL) when run as root or with password-less sudo; otherwise prints
# one line naming what to install and fails.
set -euo pipefail
# Rendering: Pango, HarfBuzz's subsetter, the CJK fonts. Tests: poppler-utils; the office programs
# users fill forms with (LibreOffice Writer/Calc headless with its Python-UNO bridge, pdftk-java);
# Debian's chromium and chromedriver for the browser tests; PostgreSQL for the database tests;
# the C compiler for the audit's compiled cell test (src/regkit/check/cells.c).
PKGS="gcc libc6-dev libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fontconfig
fonts-arphic-gbsn00lp fonts-arphic-gkai00mp fonts-arphic-uming fonts-arphic-ukai fonts-wqy-zenhei fonts-lxgw-wenkai poppler-utils
poppler-data libreoffice-writer-nogui libreoffice-calc-nogui python3-uno pdftk-java chromium chromium-driver postgresql"
missing=()
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
  echo "regkit: missing system packages; run: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fc-cache -f >/dev/null 2>&1 || true
