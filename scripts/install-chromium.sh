#!/bin/sh
# Installs Debian's chromium for the browser test of report.html (__tests__/browser/).
# Idempotent: does nothing when /usr/bin/chromium is already there. Needs root (or passwordless
# sudo) and apt-get; anywhere else it says why and exits 0, and the browser test is skipped with
# that reason. Exit code 1 only when an install was attempted and failed.
set -u

if [ -x /usr/bin/chromium ]; then
  echo "install-chromium: /usr/bin/chromium is present ($(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown'))"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: skipped: apt-get is not available on this machine (not Debian/Ubuntu); install Chromium and set TORON_CHROMIUM to its path"
  exit 0
fi

if [ "$(id -u)" = "0" ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "install-chromium: skipped: not root and no passwordless sudo, so apt-get cannot install chromium"
  exit 0
fi

# Several test files may ask at once (vitest runs them in parallel): one installs, the others wait.
LOCK="${TMPDIR:-/tmp}/toron-testops-install-chromium.lock"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$LOCK"
  flock 9
  if [ -x /usr/bin/chromium ]; then
    echo "install-chromium: /usr/bin/chromium was installed meanwhile"
    exit 0
  fi
fi

echo "install-chromium: installing the Debian package chromium with apt-get"
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq; then
  echo "install-chromium: apt-get update failed"
  exit 1
fi
if ! $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends chromium; then
  echo "install-chromium: apt-get install chromium failed"
  exit 1
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "install-chromium: apt-get finished but /usr/bin/chromium is missing"
  exit 1
fi
echo "install-chromium: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
