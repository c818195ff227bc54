#!/usr/bin/env bash
# `make bench` compares regkit with LibreOffice converting the same DOCX files. LibreOffice is not a
# regkit dependency: install it here when run as root (or with password-less sudo); otherwise say
# how, and let the bench skip that comparison.
set -euo pipefail
command -v soffice >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
  echo "bench: LibreOffice not installed (sudo apt-get install -y libreoffice-writer-nogui); skipping that comparison" >&2
  exit 0
fi
echo "installing libreoffice-writer-nogui for the bench"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq libreoffice-writer-nogui >/dev/null
