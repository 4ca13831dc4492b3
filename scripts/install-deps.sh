#!/usr/bin/env bash
# Installs the system components the tests use, when missing: Docker engine, the distribution registry,
# skopeo (an independent OCI client), umoci (unpacks images to a rootfs), busybox-static (a model
# image's base in the engine), openssl (an independent signature check), htpasswd, shellcheck (over
# the example workflows' run: blocks), yq (the one Debian ships, for the docs' yq line).
set -euo pipefail
need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v skopeo >/dev/null || need+=(skopeo)
command -v umoci >/dev/null || need+=(umoci)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v openssl >/dev/null || need+=(openssl)
command -v htpasswd >/dev/null || need+=(apache2-utils)
command -v shellcheck >/dev/null || need+=(shellcheck)
command -v yq >/dev/null || need+=(yq)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing ${need[*]}; run as root or install them (apt-get install ${need[*]})" >&2
    exit 1
  fi
  echo "install-deps: apt-get install ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
