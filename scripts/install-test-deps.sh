#!/usr/bin/env bash
# Installs the real peers the test suite talks to, only where they are missing:
# Dovecot (POP3 server), swaks (SMTP client), Chromium (browser tests),
# aiosmtpd (capturing SMTP server) and playwright-core (drives Chromium).
# Safe to run again: every step checks first.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"

need_apt=()
command -v dovecot >/dev/null 2>&1 || need_apt+=(dovecot-core dovecot-pop3d)
command -v swaks >/dev/null 2>&1 || need_apt+=(swaks)
# swaks needs these for --tls (STARTTLS tests).
perl -MNet::SSLeay -MIO::Socket::SSL -e1 >/dev/null 2>&1 || need_apt+=(libnet-ssleay-perl libio-socket-ssl-perl)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v psql >/dev/null 2>&1 || need_apt+=(postgresql-client)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if ! python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
  echo "installing aiosmtpd (Python)"
  python3 -m pip install -q aiosmtpd
fi

if [ ! -d "$here/tests/browser/node_modules/playwright-core" ]; then
  echo "installing playwright-core (npm)"
  (cd "$here/tests/browser" && npm install --no-audit --no-fund --silent)
fi
