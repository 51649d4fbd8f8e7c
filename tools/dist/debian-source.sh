#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# debian-source.sh PACKAGE VERSION SHA256 DIR: unpack Debian's source package
# PACKAGE at exactly VERSION (with Debian's patches) into DIR, for make dist
# to build the libraries it links statically from a pinned source rather
# than from whatever the build machine has installed.
#
# apt fetches it from the mirror this machine's apt already uses, through a
# private sources list and cache under DIR's parent, so the machine's own
# apt configuration is neither needed to have deb-src lines nor changed.
# apt checks the files against the signed Sources index; SHA256, the
# upstream tarball's, pins the source across a changed index too.
set -euo pipefail

if [[ $# -ne 4 ]]; then
	echo "usage: debian-source.sh PACKAGE VERSION SHA256 DIR" >&2
	exit 2
fi
pkg=$1 version=$2 sha=$3 dir=$4
work=$(realpath -m "$(dirname "$dir")")/apt-$pkg
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/get"

# The mirror and suite of the Debian packages apt installs from here.
# shellcheck disable=SC2016  # $(SITE) is apt's field syntax, not the shell's
read -r site suite < <(apt-get indextargets --format '$(SITE) $(RELEASE)' \
	'Origin: Debian' 'Identifier: Packages' | sort -u | awk '$2 !~ /-/' | head -n 1)
if [[ -z ${site:-} ]]; then
	echo "debian-source: apt knows no Debian mirror here: add one to /etc/apt/sources.list" >&2
	exit 1
fi
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $site $suite main" \
	>"$work/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache"
	-o APT::Sandbox::User=root -qq)
apt-get "${apt_opts[@]}" update
(cd "$work/get" && apt-get "${apt_opts[@]}" source --download-only "$pkg=$version" >/dev/null)

orig=$(find "$work/get" -maxdepth 1 -name "${pkg}_${version%-*}.orig.tar.*" | head -n 1)
got=$(sha256sum "$orig" | cut -d' ' -f1)
if [[ $got != "$sha" ]]; then
	echo "debian-source: $orig has sha256 $got, expected $sha: the pinned source changed; check it, then update the pin in tools/dist/static.mk" >&2
	exit 1
fi
rm -rf "$dir"
dpkg-source --no-check -x "$work/get/${pkg}_${version}.dsc" "$dir" >/dev/null
