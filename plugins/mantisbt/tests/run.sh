#!/usr/bin/env bash
# Lint every PHP file of the MantisBT plugin (and its PHP language files), then run the test scripts.
# Usage: bash plugins/mantisbt/tests/run.sh   (PHP=/path/to/php to pick another binary)
set -u
PHP="${PHP:-php}"
root="$(cd "$(dirname "$0")/.." && pwd)"
status=0

lint_count=0
while IFS= read -r -d '' file; do
    lint_count=$((lint_count + 1))
    if ! out="$("$PHP" -l "$file" 2>&1)"; then
        echo "$out"
        status=1
    fi
done < <(find "$root" -type f \( -name '*.php' -o -path '*/lang/strings_*.txt' \) -print0)
echo "php -l: $lint_count files checked"

for test in PayloadTest.php PagesTest.php; do
    echo; echo "== $test"
    "$PHP" "$root/tests/$test" || status=1
done
[ $status -eq 0 ] && echo "ALL OK" || echo "FAILED"
exit $status
