#!/usr/bin/env bash
# Prints the path of a pinned Node.js 22 binary, the major of the Lambda runtime (template.yaml:
# nodejs22.x), fetching it once into the user's cache. The binary is the official build that the npm
# registry's node-linux-<arch> package ships (package/bin/node); the package's tarball is checked
# against the sha512 integrity pinned below before anything is unpacked, so a changed tarball is refused.
# Nothing is installed system-wide.
#   bash scripts/node22.sh            -> /root/.cache/eks-delegate-node/v22.23.5-linux-x64/bin/node
# NODE22=/path/to/node uses that binary instead (it must report v22.x), e.g. without registry access.
set -euo pipefail

VERSION=22.23.5
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ARCH=x64 INTEGRITY='sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==' ;;
  Linux-aarch64) ARCH=arm64 INTEGRITY='sha512-e1LOUGKVruPGuLVutn8+Cgm5pI1APm4Kvh+zbb/qe/ZpD9s+TQby5iUgZOWmPpbSKpj0Td8DP1N0NEnXasHizg==' ;;
  *) echo "node22.sh: no pinned Node 22 for $(uname -s) $(uname -m); set NODE22 to a Node 22 binary" >&2; exit 1 ;;
esac
PACKAGE="node-linux-$ARCH@$VERSION"

if [ -n "${NODE22:-}" ]; then
  got="$("$NODE22" --version)" || { echo "node22.sh: NODE22=$NODE22 does not run" >&2; exit 1; }
  case "$got" in v22.*) ;; *) echo "node22.sh: NODE22=$NODE22 is $got, not Node 22" >&2; exit 1 ;; esac
  echo "$NODE22"
  exit 0
fi

CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/eks-delegate-node"
DIR="$CACHE/v$VERSION-linux-$ARCH"
NODE="$DIR/bin/node"

# A cached copy counts only if it was unpacked from the pinned tarball and still runs as that version.
if [ -x "$NODE" ] && [ "$(cat "$DIR/.integrity" 2>/dev/null)" = "$INTEGRITY" ] && [ "$("$NODE" --version 2>/dev/null)" = "v$VERSION" ]; then
  echo "$NODE"
  exit 0
fi

mkdir -p "$CACHE"
work="$(mktemp -d "$CACHE/.fetch-XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "node22.sh: fetching $PACKAGE from the npm registry into $DIR" >&2
tarball="$(cd "$work" && npm pack "$PACKAGE" --silent --ignore-scripts)"
# sha512 in npm's integrity form (base64 of the digest); node here is whatever runs npm.
actual="sha512-$(node -e "process.stdout.write(require('node:crypto').createHash('sha512').update(require('node:fs').readFileSync(process.argv[1])).digest('base64'))" "$work/$tarball")"
if [ "$actual" != "$INTEGRITY" ]; then
  echo "node22.sh: $PACKAGE's tarball has integrity $actual, not the pinned $INTEGRITY: refused" >&2
  exit 1
fi
mkdir "$work/unpacked"
tar -xzf "$work/$tarball" -C "$work/unpacked" --strip-components=1 package/bin/node
printf '%s' "$INTEGRITY" > "$work/unpacked/.integrity"
got="$("$work/unpacked/bin/node" --version)"
[ "$got" = "v$VERSION" ] || { echo "node22.sh: the unpacked binary reports $got, not v$VERSION" >&2; exit 1; }

# Moved into place in one rename, so a concurrent run sees either nothing or a whole copy.
rm -rf "$DIR.old"
[ -e "$DIR" ] && mv "$DIR" "$DIR.old"
mv -T "$work/unpacked" "$DIR" 2>/dev/null || [ -x "$NODE" ] # another run won the race: its copy is as good
rm -rf "$DIR.old"
echo "$NODE"
