#!/usr/bin/env bash
# Builds the ready-made programs: sbimport for every supported system,
# packed for download, with a SHA-256 checksum file.
#
#   scripts/dist.sh            # into dist/
#   scripts/dist.sh OUTDIR     # into OUTDIR (created; old archives replaced)
#
# Environment:
#   VERSION   the version to stamp (default: git describe --tags --always
#             --dirty; "dev" outside a git checkout)
#   TARGETS   GOOS/GOARCH pairs to build (default: all five below)
#
# It writes, for version V:
#   sbimport_V_linux_amd64.tar.gz    sbimport_V_linux_arm64.tar.gz
#   sbimport_V_macos_amd64.tar.gz    sbimport_V_macos_arm64.tar.gz
#   sbimport_V_windows_amd64.zip     (holds sbimport.exe)
#   SHA256SUMS.txt                   (check with: sha256sum -c SHA256SUMS.txt)
# Each archive holds the program and README.md at its top. The builds are
# static (CGO_ENABLED=0) and -trimpath; sbimport --version prints V.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

out=${1:-dist}
version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
targets=${TARGETS:-"linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64"}
case $version in
*[!A-Za-z0-9._+-]*) echo "dist.sh: version '$version' has characters a file name should not" >&2; exit 2 ;;
esac

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The packer, built for this machine (GOOS/GOARCH from the caller's
# environment do not apply to it).
env -u GOOS -u GOARCH go build -o "$work/distpack" ./internal/distpack

ldflags="-s -w -X github.com/sbimport/sbimport/salesbyte.Version=$version"
archives=()
for t in $targets; do
	goos=${t%/*} goarch=${t#*/}
	name=$goos
	[ "$goos" = darwin ] && name=macos
	exe=sbimport
	[ "$goos" = windows ] && exe=sbimport.exe
	dir="$work/$goos-$goarch"
	mkdir -p "$dir"
	echo "building $goos/$goarch" >&2
	CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch \
		go build -trimpath -ldflags "$ldflags" -o "$dir/$exe" ./cmd/sbimport
	cp README.md "$dir/README.md"
	base="sbimport_${version}_${name}_${goarch}"
	if [ "$goos" = windows ]; then
		archive="$base.zip"
		"$work/distpack" zip "$out/$archive" "$dir/$exe" "$dir/README.md"
	else
		archive="$base.tar.gz"
		"$work/distpack" tar.gz "$out/$archive" "$dir/$exe" "$dir/README.md"
	fi
	archives+=("$out/$archive")
done
"$work/distpack" sums "$out/SHA256SUMS.txt" "${archives[@]}"
n=${#archives[@]}; word=archives; [ "$n" -eq 1 ] && word=archive
echo "sbimport $version: $n $word and SHA256SUMS.txt in ${out#"$root"/}" >&2
