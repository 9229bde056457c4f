/* main_mpi.c - reprint-mpi: the reprint program started on MPI ranks.
 *
 * MPI is started, the job's ranks become cli_comm, and the same command
 * table as reprint's dispatches (main.c is compiled a second time for this
 * program with its main() renamed rp_cli_main, see the Makefile). Only the
 * corpus commands that run on ranks are accepted. Why a program of its
 * own: docs/DESIGN.md, "Many machines". */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int rp_cli_main(int argc, char **argv);

int main(int argc, char **argv)
{
    rp_comm *comm = NULL;
    rp_error err;
    if (rp_comm_mpi_init(&argc, &argv, &comm, &err) != RP_OK) {
        fprintf(stderr, "reprint-mpi: cannot start MPI: %s\n", err.msg);
        return EXIT_FAIL;
    }
    int status;
    const char *cmd = argc > 1 ? argv[1] : "";
    if (strcmp(cmd, "dedup") == 0 || cmd[0] == '-' || strcmp(cmd, "help") == 0) {
        cli_comm = comm;
        status = rp_cli_main(argc, argv);
    } else {
        if (rp_comm_rank(comm) == 0)
            fprintf(stderr,
                    "reprint-mpi: '%s' does not run on ranks (reprint-mpi runs dedup); use "
                    "reprint\n",
                    cmd);
        status = EXIT_USAGE;
    }
    rp_comm_free(comm);
    return status;
}
