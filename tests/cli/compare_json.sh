# The JSON contract on the bundled example pair.
$REPRINT compare --format json examples/wire.txt examples/article.txt
# Piped output defaults to JSON; stdin works as a file.
$REPRINT compare examples/wire.txt - < examples/article.txt
