/* comm.c - the ranks of a run spread over processes (rp_comm).
 *
 * The public accessors and the collective operations with the bytes each
 * rank sends counted; the transport itself is behind rp__comm_ops
 * (src/mpi/mpi_comm.c for Open MPI). */
#include "base/base.h"

#include <stdlib.h>

int rp_comm_rank(const rp_comm *c)
{
    return c ? c->rank : 0;
}

int rp_comm_size(const rp_comm *c)
{
    return c ? c->size : 1;
}

const char *rp_comm_host(const rp_comm *c)
{
    return c ? c->host : "";
}

uint64_t rp_comm_bytes_sent(const rp_comm *c)
{
    return c ? c->bytes_sent : 0;
}

void rp_comm_abort(rp_comm *c, int status)
{
    if (c != NULL) c->ops->abort(c->impl, status);
    exit(status);
}

void rp_comm_barrier(rp_comm *c)
{
    if (c != NULL) c->ops->barrier(c->impl);
}

void rp_comm_free(rp_comm *c)
{
    if (c == NULL) return;
    c->ops->finalize(c->impl);
    rp__free(c);
}

void rp__comm_alltoallv(rp_comm *c, const void *send, const uint64_t *scount, void *recv,
                        const uint64_t *rcount)
{
    for (int p = 0; p < c->size; p++)
        if (p != c->rank) c->bytes_sent += scount[p];
    c->ops->alltoallv(c->impl, send, scount, recv, rcount);
}

void rp__comm_allreduce(rp_comm *c, uint64_t *v, size_t n, int op)
{
    c->ops->allreduce(c->impl, v, n, op);
}

void rp__comm_dbl_max(rp_comm *c, double *v, size_t n)
{
    c->ops->allreduce_dbl_max(c->impl, v, n);
}

void rp__comm_allgather(rp_comm *c, const uint64_t *mine, size_t n, uint64_t *all)
{
    c->bytes_sent += (uint64_t)(c->size - 1) * n * 8;
    c->ops->allgather(c->impl, mine, n, all);
}

void rp__comm_bcast(rp_comm *c, void *buf, size_t len, int root)
{
    if (c->rank == root) c->bytes_sent += (uint64_t)(c->size - 1) * len;
    c->ops->bcast(c->impl, buf, len, root);
}

void rp__comm_send(rp_comm *c, int dest, const void *buf, size_t len)
{
    c->bytes_sent += len;
    c->ops->send(c->impl, dest, buf, len);
}

void rp__comm_recv(rp_comm *c, int src, void *buf, size_t len)
{
    c->ops->recv(c->impl, src, buf, len);
}
