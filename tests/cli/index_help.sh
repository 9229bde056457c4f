# index and query: --help on stdout with status 0, `help CMD` the same, and
# every long option of their --help documented in their man pages.
$REPRINT index --help; echo "status $?"
$REPRINT help index | cmp - /dev/stdin <<EOT && echo "help index == index --help"
$($REPRINT index --help)
EOT
$REPRINT help query | cmp -s - /dev/stdin <<EOT && echo "help query == query --help"
$($REPRINT query --help)
EOT
check() { # man page, commands...
    page=$1
    shift
    for opt in $("$@" | grep -o -- '--[a-z][a-z-]*' | sort -u); do
        grep -q -- "$(printf '%s' "$opt" | sed 's/-/\\\\-/g')" "$page" || echo "$page: undocumented $opt"
    done
}
helps() { for a in add remove stats; do $REPRINT index $a --help; done; }
check docs/reprint-index.1 helps
check docs/reprint-query.1 $REPRINT query --help
for a in add remove stats; do $REPRINT index $a --help > /dev/null; echo "index $a --help: $?"; done
echo checked
