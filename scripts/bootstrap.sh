#!/usr/bin/env bash
# Set up everything Sohoa needs on Debian 12, idempotently: apt packages, the virtualenv, PostgreSQL.
# Usage: scripts/bootstrap.sh [system|venv|postgres|browser|brokers|all]...
set -euo pipefail
cd "$(dirname "$0")/.."

APT_RUN=(tesseract-ocr tesseract-ocr-vie fonts-liberation2 fonts-freefont-ttf fonts-dejavu-core poppler-utils ghostscript qpdf
         python3 python3-venv python3-dev gcc make)
APT_TEST=(postgresql chromium iproute2 redis-server util-linux nginx-light)  # iproute2, redis-server: tests/cluster (hosts in network namespaces); nginx-light: `nginx -t` of deploy/nginx (tests/ops)
PY=${PYTHON:-python3}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_ensure() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "bootstrap: apt-get install ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

venv() {
  local stamp=.venv/.sohoa-lock.sha256
  local want
  want=$(cat requirements.lock requirements-nodeps.lock pyproject.toml | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x .venv/bin/sohoa ]; then
    return
  fi
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements.lock
  .venv/bin/python -m pip install -q --no-deps -r requirements-nodeps.lock
  .venv/bin/python -m pip install -q --no-deps -e .
  echo "$want" > "$stamp"
}

postgres() {
  apt_ensure postgresql
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n1)
  if ! pg_lsclusters -h 2>/dev/null | awk '{print $4}' | grep -q online; then
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || as_root pg_ctlcluster "$version" main start
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
  # A local test role and database (loopback only); tests create and drop their own schemas.
  as_root su postgres -c "psql -q -tAc \"SELECT 1 FROM pg_roles WHERE rolname='sohoa'\" | grep -q 1 || psql -q -c \"CREATE ROLE sohoa LOGIN SUPERUSER PASSWORD 'sohoa-test'\""
  as_root su postgres -c "psql -q -tAc \"SELECT 1 FROM pg_database WHERE datname='sohoa_test'\" | grep -q 1 || createdb -O sohoa sohoa_test"
}

# The independent validators of the preservation tests (OCFL, E-ARK, BagIt), in their own virtualenv.
validators() {
  local stamp=.venv-validators/.sohoa-lock.sha256 want
  want=$(sha256sum requirements-validators.lock | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return
  fi
  [ -x .venv-validators/bin/python ] || "$PY" -m venv .venv-validators
  .venv-validators/bin/python -m pip install -q -r requirements-validators.lock
  echo "$want" > "$stamp"
}

browser() {
  apt_ensure chromium
}

# The Celery tests' brokers (tests/cluster/test_celery_*.py): Redis and RabbitMQ on loopback, started when down.
brokers() {
  apt_ensure redis-server rabbitmq-server
  if ! redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
    as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no
  fi
  if ! as_root rabbitmq-diagnostics -q ping >/dev/null 2>&1; then
    as_root rabbitmq-server -detached
    for _ in $(seq 1 60); do as_root rabbitmq-diagnostics -q ping >/dev/null 2>&1 && break; sleep 1; done
  fi
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG && break; sleep 1; done
}

# The browser assets are vendored (committed under src/sohoa/web/static/vendor); npm runs only when
# package-lock.json pins another version than the vendored copy (or SOHOA_VENDOR_REFRESH=1).
front() {
  [ -f package-lock.json ] || return 0
  local pinned vendored
  # openseadragon (served by the app) and axe-core (the tests' accessibility scan), each against its VERSION
  pinned=$("$PY" -c 'import json; p = json.load(open("package-lock.json"))["packages"]; print(p["node_modules/openseadragon"]["version"], p["node_modules/axe-core"]["version"])')
  vendored="$(cat src/sohoa/web/static/vendor/openseadragon/VERSION 2>/dev/null || true) $(cat tests/web/vendor/axe-core/VERSION 2>/dev/null || true)"
  if [ "$pinned" != "$vendored" ] || [ "${SOHOA_VENDOR_REFRESH:-0}" = 1 ]; then
    command -v npm >/dev/null || apt_ensure npm
    npm ci --no-audit --no-fund --silent
    scripts/vendor-assets.sh
  fi
  return 0
}

for step in "${@:-all}"; do
  case "$step" in
    system) apt_ensure "${APT_RUN[@]}" ;;
    venv) venv ;;
    postgres) postgres ;;
    browser) browser ;;
    validators) validators ;;
    front) front ;;
    all) apt_ensure "${APT_RUN[@]}"; venv; front ;;
    test) apt_ensure "${APT_RUN[@]}" "${APT_TEST[@]}"; venv; validators; front; postgres; brokers ;;
    brokers) brokers ;;
    *) echo "unknown step $step" >&2; exit 2 ;;
  esac
done
