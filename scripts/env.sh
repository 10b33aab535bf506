# shellcheck shell=bash
# Sourced by scripts/setup, scripts/test and scripts/develop.
#
# Home Assistant 2026.10 needs Python >= 3.14.2. When the machine has one, the project venv lives in
# .venv next to the checkout. When it does not (Debian 12 ships 3.11), scripts/setup builds a Debian
# testing root with debootstrap and the venv lives inside it; `in_env` then runs commands there with the
# checkout bind-mounted at the same absolute path, so paths inside and outside agree.

set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MIN_PYTHON="3.14.2"
# Outside the checkout so that fresh clones on the same machine (CI) reuse it.
EVSM_ROOT=${EVSM_ROOT:-/var/cache/ev_session_monitor/py314root}
ROOT_VENV=/opt/evsm-venv
DEBIAN_SUITE=forky
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

# apt_install PACKAGE...: Debian packages, quietly (the forky mirror copy may be past its
# Valid-Until date).
apt_install() {
  local apt=(apt-get -o Acquire::Check-Valid-Until=false)
  "${apt[@]}" update -qq && DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq \
    --no-install-recommends "$@" >/dev/null
}

# ensure_chromium: Debian's Chromium on this machine (browser checks run it here, not in the root).
ensure_chromium() {
  command -v chromium >/dev/null && return 0
  [[ $(id -u) -eq 0 ]] || die "chromium is missing; install Debian's chromium package"
  log "installing chromium (once)"
  apt_install chromium || die "could not install chromium"
}

# start_chromium PORT: headless Chromium with its DevTools on PORT and a fresh profile, in the
# background (CHROMIUM_PID, CHROMIUM_PROFILE); stop_chromium ends it and every helper process.
start_chromium() {
  ensure_chromium
  CHROMIUM_PROFILE=$(mktemp -d)
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$CHROMIUM_PROFILE" --remote-debugging-port="$1" about:blank \
    >"$CHROMIUM_PROFILE.log" 2>&1 &
  CHROMIUM_PID=$!
}
stop_chromium() {
  [[ -n ${CHROMIUM_PROFILE:-} ]] || return 0
  # The helper processes outlive the main one for a moment and keep writing the profile.
  pkill -f -- "--user-data-dir=$CHROMIUM_PROFILE" 2>/dev/null || true
  wait "$CHROMIUM_PID" 2>/dev/null || true
  local _
  for _ in $(seq 1 50); do
    pgrep -f -- "--user-data-dir=$CHROMIUM_PROFILE" >/dev/null || break
    sleep 0.2
  done
  rm -rf "$CHROMIUM_PROFILE" "$CHROMIUM_PROFILE.log" 2>/dev/null || true
  CHROMIUM_PROFILE=
}

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

python_is_new_enough() {
  "$1" -c "import sys; sys.exit(0 if sys.version_info >= (${MIN_PYTHON//./, }) else 1)" 2>/dev/null
}

# A host Python >= MIN_PYTHON, if any.
host_python() {
  local candidate
  for candidate in python3.14 python3.15 python3; do
    if command -v "$candidate" >/dev/null && python_is_new_enough "$candidate"; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

if HOST_PYTHON=$(host_python); then
  ENV_KIND=native
  VENV_DIR="$REPO_DIR/.venv"
else
  ENV_KIND=chroot
  VENV_DIR="$ROOT_VENV"
fi

# The root's mounts live in a private mount namespace made for each command (unshare -m): they
# vanish with the command's last process, whatever way it ends, and two commands running at once
# never unmount each other's /proc.
prepare_root_files() {
  [[ $ENV_KIND == chroot ]] || return 0
  [[ -x $EVSM_ROOT/usr/bin/python3.14 ]] || die "no Python 3.14 root at $EVSM_ROOT: run scripts/setup first"
  cp /etc/resolv.conf "$EVSM_ROOT/etc/resolv.conf" 2>/dev/null || true
  cp /etc/hosts "$EVSM_ROOT/etc/hosts" 2>/dev/null || true
  if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
    mkdir -p "$EVSM_ROOT/etc/ssl/certs"
    cp /etc/ssl/certs/ca-certificates.crt "$EVSM_ROOT/etc/ssl/certs/ca-certificates.crt"
  fi
  mkdir -p "$EVSM_ROOT/proc" "$EVSM_ROOT/sys" "$EVSM_ROOT/dev" "$EVSM_ROOT$REPO_DIR"
}

# in_root_as_is CMD...: run CMD in the root with the environment given (mounts private to CMD).
in_root_as_is() {
  prepare_root_files
  unshare --mount --propagation private -- /bin/bash -c '
    set -e
    root=$1 repo=$2
    shift 2
    mount --bind /proc "$root/proc"
    mount --rbind /sys "$root/sys"
    mount --rbind /dev "$root/dev"
    mount --bind "$repo" "$root$repo"
    exec chroot "$root" "$@"' _ "$EVSM_ROOT" "$REPO_DIR" "$@"
}

# in_env CMD...: run CMD with the project venv first on PATH, in the checkout.
in_env() {
  local path="$VENV_DIR/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
  if [[ $ENV_KIND == native ]]; then
    (cd "$REPO_DIR" && PATH="$path" VIRTUAL_ENV="$VENV_DIR" "$@")
  else
    in_root_as_is /usr/bin/env -i HOME=/root LANG=C.UTF-8 PATH="$path" VIRTUAL_ENV="$VENV_DIR" \
      CI="${CI:-}" TERM="${TERM:-dumb}" PIP_DISABLE_PIP_VERSION_CHECK=1 \
      /bin/bash -c 'cd "$0" && exec "$@"' "$REPO_DIR" "$@"
  fi
}
