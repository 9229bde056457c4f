# The terminal view without colour: [-only in A-] and {+only in B+}.
COLUMNS=100 $REPRINT compare --format text --color=never examples/wire.txt examples/article.txt
