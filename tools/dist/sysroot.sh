#!/bin/sh
# sysroot.sh DEBIAN_ARCH DIR PACKAGE...: Debian's PACKAGEs for DEBIAN_ARCH (arm64, armhf, ...;
# a name ending in :all is taken as it is), unpacked into DIR with dpkg-deb -x. apt runs with a
# private configuration beside DIR (DIR.apt: its own sources list, lists, cache and an empty status
# file), so the machine's dpkg architectures and apt setup are left alone. Nothing is installed
# or run from the packages. A second run asking for the same packages does nothing; any other
# starts DIR anew.
set -eu
[ $# -ge 3 ] || { echo "usage: sysroot.sh DEBIAN_ARCH DIR PACKAGE..." >&2; exit 2; }
arch=$1 dir=$2
shift 2
case "$dir" in /*) ;; *) dir=$PWD/$dir ;; esac
wanted="$arch $*"
if [ -f "$dir/.packages" ] && [ "$(cat "$dir/.packages")" = "$wanted" ]; then exit 0; fi

apt=$dir.apt
rm -rf "$dir" "$apt"
mkdir -p "$dir" "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/debs" "$apt/sources.list.d"
: >"$apt/status"
. /etc/os-release
suite=${VERSION_CODENAME:-bookworm}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
{
    echo "deb [signed-by=$keyring] http://deb.debian.org/debian $suite main"
    echo "deb [signed-by=$keyring] http://deb.debian.org/debian $suite-updates main"
    echo "deb [signed-by=$keyring] http://deb.debian.org/debian-security $suite-security main"
} >"$apt/sources.list"
cat >"$apt/apt.conf" <<CONF
Dir::Etc::SourceList "$apt/sources.list";
Dir::Etc::SourceParts "$apt/sources.list.d";
Dir::State::Lists "$apt/lists";
Dir::State::status "$apt/status";
Dir::Cache "$apt/cache";
APT::Architecture "$arch";
APT::Architectures { "$arch"; };
APT::Sandbox::User "root";
CONF
export APT_CONFIG="$apt/apt.conf"
apt-get -qq update
names=""
for package in "$@"; do
    case "$package" in *:all) names="$names ${package%:all}" ;; *) names="$names $package:$arch" ;; esac
done
# shellcheck disable=SC2086 # one word per package
(cd "$apt/debs" && apt-get -qq download $names)
for deb in "$apt/debs"/*.deb; do dpkg-deb -x "$deb" "$dir"; done
printf '%s\n' "$wanted" >"$dir/.packages"
