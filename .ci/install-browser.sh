#!/usr/bin/env bash
# Install what the browser tests and `build check` need, outside the venv:
#   - Debian's Chromium (/usr/bin/chromium), driven by Playwright. Never a
#     browser download of Playwright's own (`playwright install` cannot reach
#     its hosts here and must not be run).
#   - a Java runtime, for the Nu HTML Checker.
#   - fonts for the scripts of the archive (Noto for Latin, Devanagari and
#     Telugu; WenQuanYi Micro Hei for Chinese), so screenshots and the
#     wrapping tests see real glyphs, not boxes.
#   - the Nu HTML Checker itself (vnu.jar from the npm package vnu-jar), into
#     the repository's node_modules/ (gitignored). Nothing else is written in
#     the work tree: no package.json, no lock file.
# Idempotent: when everything is present it does nothing and takes well under
# a second.
set -euo pipefail
cd "$(dirname "$0")/.."

VNU_JAR=node_modules/vnu-jar/build/dist/vnu.jar

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
else
  SUDO=(sudo)
fi

apt_packages=()
command -v chromium >/dev/null 2>&1 || apt_packages+=(chromium)
command -v java >/dev/null 2>&1 || apt_packages+=(default-jre-headless)
for font in fonts-noto-core fonts-wqy-microhei; do
  dpkg-query -W -f='${Status}' "$font" 2>/dev/null | grep -q 'install ok installed' || apt_packages+=("$font")
done

if [ ${#apt_packages[@]} -gt 0 ]; then
  echo "install-browser: apt-get install ${apt_packages[*]}"
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${apt_packages[@]}"
fi

if [ ! -f "$VNU_JAR" ]; then
  echo "install-browser: npm install vnu-jar"
  npm install --prefix . --no-save --no-package-lock --no-audit --no-fund --loglevel=error vnu-jar
fi

chromium --version 2>/dev/null
java -version 2>&1 | sed -n 1p
echo "vnu.jar: $VNU_JAR"
