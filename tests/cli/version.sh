# The version line names the tool and the library version.
$REPRINT --version
