#!/usr/bin/env bash
# update-graphiql.sh refreshes the vendored GraphiQL browser bundles in
# internal/playground/assets/vendor/ from the npm registry.
#
# The bundles are committed so that `go build` never needs npm or a network:
# this script is only run by a developer who wants to move to other versions.
# Bump the pinned versions below, run it, check the page still works
# (go test ./internal/playground/ runs a headless-Chromium test when
# /usr/bin/chromium exists), and commit the changed assets.
#
# Files are copied byte-for-byte from the npm tarballs (npm pack checks each
# tarball against the registry's integrity hash), so the sums written to
# assets/SHA256SUMS can be checked against upstream by anyone.
set -euo pipefail

# Pinned versions. graphiql 3.x is the last major that ships UMD bundles
# (graphiql.min.js/.css) usable without a bundler; 4.x+ is ESM-only.
GRAPHIQL_VERSION=3.9.0
# React 18 is the last major with UMD builds (umd/*.production.min.js).
REACT_VERSION=18.3.1
REACT_DOM_VERSION=18.3.1
# 3.2.6 is built against @graphiql/react ^0.29, the one graphiql 3.9.0 bundles;
# its UMD build takes React and @graphiql/react from window.GraphiQL.
PLUGIN_EXPLORER_VERSION=3.2.6
# Bundled inside the explorer plugin's UMD build; fetched only for its LICENSE.
GRAPHIQL_EXPLORER_VERSION=0.9.0
# graphiql.min.js bundles @graphiql/toolkit and with it graphql-ws's client
# (^5.5.5), which runs subscriptions over graphql-transport-ws when
# playground.js passes createFetcher a subscriptionUrl: nothing more to vendor.

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
assets="$root/internal/playground/assets"
vendor="$assets/vendor"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# fetch NAME VERSION: npm pack NAME@VERSION into $work and unpack it into
# $work/NAME/package; records the tarball's integrity for VERSIONS.
integrity=()
fetch() {
	local name="$1" version="$2" dir="$work/$1" tgz
	mkdir -p "$dir"
	(cd "$dir" && npm pack --silent --json "$name@$version" >pack.json)
	# npm pack --json reports the tarball's file name and integrity.
	local tgz sri got
	tgz="$(node -p 'require(process.argv[1])[0].filename' "$dir/pack.json")"
	sri="$(node -p 'require(process.argv[1])[0].integrity' "$dir/pack.json")"
	tar -xzf "$dir/$tgz" -C "$dir"
	got="$(node -p 'require(process.argv[1]).version' "$dir/package/package.json")"
	if [[ "$got" != "$version" ]]; then
		echo "update-graphiql: wanted $name@$version, npm gave $got" >&2
		exit 1
	fi
	integrity+=("$name@$version $sri")
}

fetch graphiql "$GRAPHIQL_VERSION"
fetch react "$REACT_VERSION"
fetch react-dom "$REACT_DOM_VERSION"
fetch @graphiql/plugin-explorer "$PLUGIN_EXPLORER_VERSION"
fetch graphiql-explorer "$GRAPHIQL_EXPLORER_VERSION"

# Replace vendor/ wholesale so files dropped upstream don't linger. The
# hand-written files (playground.js, playground.css) live outside vendor/.
rm -rf "$vendor"
mkdir -p "$vendor"/{graphiql,react,react-dom,plugin-explorer}

cp "$work/graphiql/package/graphiql.min.js" \
	"$work/graphiql/package/graphiql.min.css" \
	"$work/graphiql/package/LICENSE" "$vendor/graphiql/"
cp "$work/react/package/umd/react.production.min.js" \
	"$work/react/package/LICENSE" "$vendor/react/"
cp "$work/react-dom/package/umd/react-dom.production.min.js" \
	"$work/react-dom/package/LICENSE" "$vendor/react-dom/"
cp "$work/@graphiql/plugin-explorer/package/dist/index.umd.js" \
	"$work/@graphiql/plugin-explorer/package/dist/style.css" "$vendor/plugin-explorer/"
# @graphiql/plugin-explorer ships no LICENSE file (package.json says MIT; it
# lives in the graphql/graphiql monorepo, whose LICENSE graphiql ships), and
# its UMD build bundles graphiql-explorer, so keep both licenses beside it.
cp "$work/graphiql/package/LICENSE" "$vendor/plugin-explorer/LICENSE"
cp "$work/graphiql-explorer/package/LICENSE" "$vendor/plugin-explorer/LICENSE.graphiql-explorer"

{
	echo "# Vendored by scripts/update-graphiql.sh; do not edit by hand."
	echo "graphiql $GRAPHIQL_VERSION"
	echo "react $REACT_VERSION"
	echo "react-dom $REACT_DOM_VERSION"
	echo "@graphiql/plugin-explorer $PLUGIN_EXPLORER_VERSION"
	echo "graphiql-explorer $GRAPHIQL_EXPLORER_VERSION (bundled in @graphiql/plugin-explorer; LICENSE only)"
	echo "graphql-ws ^5.5.5 (bundled in graphiql.min.js through @graphiql/toolkit; subscriptions)"
	echo
	echo "# npm tarball integrity"
	printf '%s\n' "${integrity[@]}"
} >"$assets/VERSIONS"

# SHA256SUMS covers the vendored files; playground_test.go checks that the
# embedded files still match it, so hand edits under vendor/ are caught.
(cd "$assets" && find vendor -type f | LC_ALL=C sort | xargs sha256sum) >"$assets/SHA256SUMS"
cat "$assets/SHA256SUMS"
