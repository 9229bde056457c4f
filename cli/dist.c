/* dist.c - the reprint program on many processes (reprint-mpi).
 *
 * cli_comm is NULL in `reprint`; `reprint-mpi` (main_mpi.c) sets it to the
 * job's ranks before dispatching. A command run on ranks writes outputs,
 * the progress bar and the summary on rank 0 only; a rank that fails
 * names itself and its host in its one error line and ends the whole job,
 * since the others wait for it in an exchange. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

rp_comm *cli_comm = NULL;

bool cli_is_root(void)
{
    return rp_comm_rank(cli_comm) == 0;
}

void cli_dist_name_rank(void)
{
    static char prog[384];
    if (cli_comm == NULL) return;
    snprintf(prog, sizeof prog, "%s: rank %d of %d on %s", cli_prog, rp_comm_rank(cli_comm),
             rp_comm_size(cli_comm), rp_comm_host(cli_comm));
    cli_prog = prog;
}

void cli_dist_progress(cli_progress *bar, bool quiet)
{
    /* mpirun gives the ranks a terminal for stdout (when it has one) but a
     * pipe for stderr, which it copies to its own as it comes */
    if (cli_comm != NULL && cli_is_root() && !quiet && isatty(STDOUT_FILENO)) bar->on = true;
}

void cli_dist_abort(int status)
{
    if (cli_comm == NULL) return;
    fflush(stdout);
    fflush(stderr);
    rp_comm_abort(cli_comm, status);
}
