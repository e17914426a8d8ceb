# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by build-aux/check and build-aux/demo: installs the Debian 12 packages that are
# missing, as root or through sudo. Each package is here for a reason:
#   build:    build-essential meson ninja-build pkg-config gettext libglib2.0-dev-bin
#   libs:     libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev libjson-glib-dev libp11-dev
#             libssl-dev libp11-kit-dev libsqlite3-dev glib-networking (TLS for libsoup)
#             nettle-dev (GOST R 34.10-2015 512-bit and Streebog-512 for the Kazakh EDS:
#             Nettle is GnuTLS's crypto library, already on every GNOME system; it pulls
#             libgmp-dev, whose integers its public-key API takes)
#   token:    softhsm2 (the test and demo token) opensc p11-kit openssl
#   data:     desktop-file-utils appstream (validators run as tests)
#   windows:  xvfb xauth dbus-daemon at-spi2-core fonts-dejavu-core
#   ui tests: imagemagick x11-utils python3-dogtail python3-gi (accessibility-tree tests)
#             poppler-utils (pdftotext, pdfinfo: test-summary-print reads the exported PDF)
#             xdotool (test-desk-flow types real key events into Xvfb through XTEST)
#   contract: python3-jsonschema python3-yaml (test-sandbox-contract checks the sandbox's
#             answers against data/portal-api.yaml)
#   fuzzing:  clang libclang-rt-14-dev (libFuzzer targets, built and run for a bounded time)
#   flatpak:  flatpak-builder (the manifest check, offline)

TIRKEU_PACKAGES="build-essential meson ninja-build pkg-config gettext libglib2.0-dev-bin
  libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev libjson-glib-dev libp11-dev libssl-dev
  libp11-kit-dev libsqlite3-dev glib-networking nettle-dev
  softhsm2 opensc p11-kit openssl
  desktop-file-utils appstream
  xvfb xauth dbus-daemon at-spi2-core fonts-dejavu-core
  imagemagick x11-utils python3-dogtail python3-gi poppler-utils xdotool
  python3-jsonschema python3-yaml
  clang libclang-rt-14-dev
  flatpak-builder"

tirkeu_install_deps () {
  local missing=()
  for pkg in $TIRKEU_PACKAGES; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
      || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0

  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "need root or sudo to install: ${missing[*]}" >&2; return 1; }
    sudo="sudo"
  fi
  echo "Installing: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >&2
}
