# shellcheck shell=bash
# Podman from Debian, configured for these machines. Sourced, not run (bash).
#   source scripts/_podman.sh && use_podman
# Needs root (apt-get, and podman runs rootful here). Sets CONTAINERS_CONF to a
# file under .tools/ instead of editing /etc, so nothing else on the machine
# changes. Storage stays podman's rootful default (/var/lib/containers).

_PODMAN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The CA bundle that HTTPS from inside a build needs (a TLS-intercepting proxy
# sits in front of the registries): bind-mounted read-only into build steps,
# never copied into an image.
CA_BUNDLE="${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"

use_podman() {
  # runc: crun fails under these machines' hybrid cgroups (v1 controllers plus
  # a v2 "unified" mount). debootstrap makes the base root filesystem for the
  # stand-ins (scripts/container-bases). netavark + aardvark-dns: the network
  # backend, with names resolvable between containers. uidmap: newuidmap for
  # podman's user namespace support. Debian's podman recommends the rest
  # (slirp4netns, fuse-overlayfs, ...); rootful podman on a kernel with native
  # overlayfs needs none of them, so they are not installed.
  local wanted=(podman runc debootstrap netavark aardvark-dns uidmap iptables)
  local missing=() pkg
  for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
      || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "[podman] installing: ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi

  # podman's default nofile ulimit (1048576) is above this machine's hard
  # limit, and runc refuses to raise it: use the hard limit itself.
  local nofile
  nofile="$(ulimit -Hn)"
  [ "$nofile" = unlimited ] && nofile=1048576

  local dir="$_PODMAN_ROOT/.tools/podman"
  mkdir -p "$dir"
  # cgroupfs: there is no systemd to hand cgroups to. File events logger: no
  # journald either.
  cat >"$dir/containers.conf.new" <<EOF
# Written by scripts/_podman.sh (use_podman); regenerated on every run.
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=32768:32768"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"

[network]
network_backend = "netavark"
EOF
  mv "$dir/containers.conf.new" "$dir/containers.conf"
  export CONTAINERS_CONF="$dir/containers.conf"
}
