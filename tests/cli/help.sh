# --help goes to stdout with status 0; `help CMD` equals `CMD --help`.
$REPRINT --help; echo "status $?"
$REPRINT compare --help > /tmp/reprint-help1.$$; echo "status $?"
$REPRINT help compare > /tmp/reprint-help2.$$; echo "status $?"
cmp /tmp/reprint-help1.$$ /tmp/reprint-help2.$$ && echo "help compare == compare --help"
rm -f /tmp/reprint-help1.$$ /tmp/reprint-help2.$$
