/* mpi_comm.c - rp_comm over Open MPI (MPI_COMM_WORLD).
 *
 * The only file of libreprint that includes <mpi.h>; it is built into
 * build/libreprint_mpi.a for the reprint-mpi program, never into
 * libreprint.a, so the one-process library and program do not depend on
 * MPI. Counts travel as 64-bit words; byte counts above what an int holds
 * are sent in pieces (bcast, send, recv) or kept small by the callers
 * (alltoallv: rp__outbox rounds are a few MiB). MPI errors keep MPI's
 * default handler: they end the job. */
#include "base/base.h"

#include <limits.h>
#include <mpi.h>
#include <string.h>

#define PIECE ((size_t)1 << 30)

typedef struct mpi_impl {
    MPI_Comm comm;
    int size;
    int *sc, *sd, *rc, *rd; /* alltoallv counts and displacements */
} mpi_impl;

static void m_alltoall_counts(void *impl, const uint64_t *scount, uint64_t *rcount)
{
    mpi_impl *m = impl;
    MPI_Alltoall(scount, 1, MPI_UINT64_T, rcount, 1, MPI_UINT64_T, m->comm);
}

static void m_alltoallv(void *impl, const void *send, const uint64_t *scount, void *recv,
                        const uint64_t *rcount)
{
    mpi_impl *m = impl;
    int sd = 0, rd = 0;
    for (int p = 0; p < m->size; p++) {
        m->sc[p] = (int)scount[p];
        m->rc[p] = (int)rcount[p];
        m->sd[p] = sd;
        m->rd[p] = rd;
        sd += m->sc[p];
        rd += m->rc[p];
    }
    MPI_Alltoallv(send, m->sc, m->sd, MPI_BYTE, recv, m->rc, m->rd, MPI_BYTE, m->comm);
}

static void m_allreduce(void *impl, uint64_t *v, size_t n, int op)
{
    mpi_impl *m = impl;
    MPI_Allreduce(MPI_IN_PLACE, v, (int)n, MPI_UINT64_T, op == RP__REDUCE_MAX ? MPI_MAX : MPI_SUM,
                  m->comm);
}

static void m_dbl_max(void *impl, double *v, size_t n)
{
    mpi_impl *m = impl;
    MPI_Allreduce(MPI_IN_PLACE, v, (int)n, MPI_DOUBLE, MPI_MAX, m->comm);
}

static void m_allgather(void *impl, const uint64_t *mine, size_t n, uint64_t *all)
{
    mpi_impl *m = impl;
    MPI_Allgather(mine, (int)n, MPI_UINT64_T, all, (int)n, MPI_UINT64_T, m->comm);
}

static void m_bcast(void *impl, void *buf, size_t len, int root)
{
    mpi_impl *m = impl;
    for (size_t at = 0; at < len; at += PIECE) {
        size_t n = len - at < PIECE ? len - at : PIECE;
        MPI_Bcast((char *)buf + at, (int)n, MPI_BYTE, root, m->comm);
    }
}

static char empty[1]; /* the buffer of an empty message (MPI wants one) */

static void m_send(void *impl, int dest, const void *buf, size_t len)
{
    mpi_impl *m = impl;
    if (buf == NULL) buf = empty;
    for (size_t at = 0; at < len || at == 0; at += PIECE) {
        size_t n = len - at < PIECE ? len - at : PIECE;
        MPI_Send((const char *)buf + at, (int)n, MPI_BYTE, dest, 0, m->comm);
        if (len == 0) break;
    }
}

static void m_recv(void *impl, int src, void *buf, size_t len)
{
    mpi_impl *m = impl;
    if (buf == NULL) buf = empty;
    for (size_t at = 0; at < len || at == 0; at += PIECE) {
        size_t n = len - at < PIECE ? len - at : PIECE;
        MPI_Recv((char *)buf + at, (int)n, MPI_BYTE, src, 0, m->comm, MPI_STATUS_IGNORE);
        if (len == 0) break;
    }
}

static void m_barrier(void *impl)
{
    mpi_impl *m = impl;
    MPI_Barrier(m->comm);
}

static void m_abort(void *impl, int status)
{
    mpi_impl *m = impl;
    MPI_Abort(m->comm, status);
}

static void m_finalize(void *impl)
{
    mpi_impl *m = impl;
    rp__free(m->sc);
    rp__free(m->sd);
    rp__free(m->rc);
    rp__free(m->rd);
    rp__free(m);
    MPI_Finalize();
}

static const rp__comm_ops mpi_ops = {
    m_alltoall_counts, m_alltoallv, m_allreduce, m_dbl_max, m_allgather, m_bcast,
    m_send,            m_recv,      m_barrier,   m_abort,   m_finalize,
};

rp_status rp_comm_mpi_init(int *argc, char ***argv, rp_comm **out, rp_error *err)
{
    *out = NULL;
    MPI_Init(argc, argv);
    rp_comm *c = rp__calloc(1, sizeof *c);
    mpi_impl *m = rp__calloc(1, sizeof *m);
    if (c == NULL || m == NULL) {
        rp__free(c);
        rp__free(m);
        MPI_Finalize();
        return rp__nomem(err, "");
    }
    m->comm = MPI_COMM_WORLD;
    MPI_Comm_rank(m->comm, &c->rank);
    MPI_Comm_size(m->comm, &c->size);
    m->size = c->size;
    m->sc = rp__calloc((size_t)c->size, sizeof(int));
    m->sd = rp__calloc((size_t)c->size, sizeof(int));
    m->rc = rp__calloc((size_t)c->size, sizeof(int));
    m->rd = rp__calloc((size_t)c->size, sizeof(int));
    if (m->sc == NULL || m->sd == NULL || m->rc == NULL || m->rd == NULL) {
        m_finalize(m);
        rp__free(c);
        return rp__nomem(err, "");
    }
    char name[MPI_MAX_PROCESSOR_NAME];
    int len = 0;
    MPI_Get_processor_name(name, &len);
    if (len < 0) len = 0;
    if ((size_t)len >= sizeof c->host) len = (int)sizeof c->host - 1;
    memcpy(c->host, name, (size_t)len);
    c->host[len] = '\0';
    c->ops = &mpi_ops;
    c->impl = m;
    *out = c;
    return RP_OK;
}
