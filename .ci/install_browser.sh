#!/usr/bin/env bash
# What tests/browser needs on a fresh Debian machine: Debian's Chromium (driven by the pip package
# playwright through executable_path; `playwright install` is never run) and a font with Latin and
# Arabic letters for the pages it draws. Idempotent: installs only what is missing.
# The charts (news_assets/charts.py) need no system font: they use the DejaVu Sans matplotlib ships.
set -euo pipefail

packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium)
fc-list :lang=ar 2>/dev/null | grep -q . || packages+=(fonts-dejavu-core)

if [ ${#packages[@]} -eq 0 ]; then
    echo "install_browser: chromium and an Arabic font are already installed"
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install_browser: need root or sudo to apt-get install ${packages[*]}" >&2; exit 1; }
    sudo="sudo"
fi
echo "install_browser: apt-get install ${packages[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}"
/usr/bin/chromium --version
