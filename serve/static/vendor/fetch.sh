#!/bin/sh
# Fetches the plotly.js bundle the playground serves, with npm, into this
# directory: the strict build, which runs under a Content-Security-Policy
# that forbids eval. To move to another version, change it here and in
# README.md (with the new file's SHA-256, which a test checks), run this
# script, and commit the result.
set -eu
package=plotly.js-strict-dist-min
version=4.1.1
dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "$package@$version" >/dev/null
tar -xzf "$package-$version.tgz"
cp package/plotly-strict.min.js "$dir/plotly-strict.min.js"
cp package/LICENSE "$dir/LICENSE"
sha256sum "$dir/plotly-strict.min.js"
