#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests in ./ui when it is missing.
# CI runs as root with CI=true; elsewhere it says what to run and carries on
# (the browser tests then skip with a loud message).
set -euo pipefail
for name in chromium chromium-browser google-chrome google-chrome-stable; do
	if command -v "$name" >/dev/null 2>&1; then
		echo "browser tests: using $(command -v "$name")"
		exit 0
	fi
done
if [ "${SBIMPORT_CHROMIUM:-}" != "" ]; then
	echo "browser tests: using $SBIMPORT_CHROMIUM"
	exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
	echo "browser tests: installing chromium (apt-get)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update
	apt-get install -y chromium
	exit 0
fi
echo "browser tests: no Chromium and no way to install it here; run: sudo apt-get install -y chromium" >&2
if [ "${CI:-}" = "true" ]; then
	exit 1
fi
