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

_MOUNTED=()
_unmount_ours() {
  local i
  for ((i = ${#_MOUNTED[@]} - 1; i >= 0; i--)); do
    umount -R "${_MOUNTED[$i]}" 2>/dev/null || umount -l "${_MOUNTED[$i]}" 2>/dev/null || true
  done
  _MOUNTED=()
}

_mount_once() {  # _mount_once SOURCE TARGET [mount flags...]
  local src=$1 target=$2
  shift 2
  mkdir -p "$target"
  if ! mountpoint -q "$target"; then
    mount "$@" "$src" "$target"
    _MOUNTED+=("$target")
  fi
}

# Make the root usable for running Python: mounts plus the host's resolver and CA bundle.
enter_root_prepare() {
  [[ $ENV_KIND == chroot ]] || return 0
  [[ -x $EVSM_ROOT/usr/bin/python3.14 ]] || die "no Python 3.14 root at $EVSM_ROOT: run scripts/setup first"
  trap _unmount_ours EXIT
  trap '_unmount_ours; exit 130' INT TERM
  cp /etc/resolv.conf "$EVSM_ROOT/etc/resolv.conf" 2>/dev/null || true
  cp /etc/hosts "$EVSM_ROOT/etc/hosts" 2>/dev/null || true
  if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
    mkdir -p "$EVSM_ROOT/etc/ssl/certs"
    cp /etc/ssl/certs/ca-certificates.crt "$EVSM_ROOT/etc/ssl/certs/ca-certificates.crt"
  fi
  _mount_once /proc "$EVSM_ROOT/proc" --bind
  _mount_once /sys "$EVSM_ROOT/sys" --rbind
  _mount_once /dev "$EVSM_ROOT/dev" --rbind
  _mount_once "$REPO_DIR" "$EVSM_ROOT$REPO_DIR" --bind
}

# in_env CMD...: run CMD with the project venv first on PATH, in the checkout.
in_env() {
  local path="$VENV_DIR/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
  if [[ $ENV_KIND == native ]]; then
    (cd "$REPO_DIR" && PATH="$path" VIRTUAL_ENV="$VENV_DIR" "$@")
  else
    enter_root_prepare
    chroot "$EVSM_ROOT" /usr/bin/env -i HOME=/root LANG=C.UTF-8 PATH="$path" VIRTUAL_ENV="$VENV_DIR" \
      CI="${CI:-}" TERM="${TERM:-dumb}" PIP_DISABLE_PIP_VERSION_CHECK=1 \
      /bin/bash -c 'cd "$0" && exec "$@"' "$REPO_DIR" "$@"
  fi
}
