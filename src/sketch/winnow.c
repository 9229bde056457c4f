/* winnow.c - fingerprints of a document for passage-level reuse search.
 *
 * Winnowing (Schleimer, Wilkerson & Aiken 2003) over word k-grams: every
 * k-gram of tokens is hashed (the rolling shingle hash of minhash.c and
 * compare.c), and in each window of w consecutive k-gram hashes the minimum
 * is selected (the rightmost one on ties, and a selection is recorded once
 * however many windows pick it). Guarantee: two texts sharing a run of at
 * least w + k - 1 tokens share at least one fingerprint, whatever surrounds
 * the run; the density is about 2 / (w + 1) fingerprints per token. */
#include "sketch/sketch.h"

rp_status rp__winnow(const rp_token *t, size_t n, size_t k, size_t w, rp__fingerprints *out)
{
    out->n = 0;
    if (k < 1 || k > 32 || w < 1 || w > 64) return RP_ERR_PARAM;
    if (n < k) return RP_OK;
    size_t ng = n - k + 1; /* number of k-grams */
    /* k-gram hashes, computed into a ring of w entries as we go. */
    uint64_t ring[64];
    uint32_t ring_pos[64];
    uint64_t rolled = 0;
    for (size_t i = 0; i < k; i++)
        rolled = rp__rotl64(rolled, 1) ^ t[i].hash;
    size_t last = SIZE_MAX; /* k-gram index of the last fingerprint recorded */
    size_t min_at = SIZE_MAX;
    for (size_t g = 0; g < ng; g++) {
        if (g > 0) rolled = rp__shingle_roll(rolled, t[g - 1].hash, t[g + k - 1].hash, k);
        ring[g % w] = rp__shingle_hash(rolled);
        ring_pos[g % w] = (uint32_t)g;
        if (g + 1 < w && g + 1 < ng) continue; /* the first window is not full yet */
        size_t lo = g + 1 >= w ? g + 1 - w : 0;
        if (min_at == SIZE_MAX || min_at < lo) {
            /* The minimum left the window: rescan it (rightmost minimum). */
            min_at = lo;
            for (size_t j = lo; j <= g; j++)
                if (ring[j % w] <= ring[min_at % w]) min_at = j;
        } else if (ring[g % w] <= ring[min_at % w]) {
            min_at = g;
        }
        if (min_at != last) {
            if (!rp__grow((void **)&out->fp, &out->cap, out->n + 1, sizeof *out->fp))
                return RP_ERR_NOMEM;
            out->fp[out->n].hash = ring[min_at % w];
            out->fp[out->n].tok = ring_pos[min_at % w];
            out->n++;
            last = min_at;
        }
    }
    return RP_OK;
}

void rp__fingerprints_free(rp__fingerprints *f)
{
    rp__free(f->fp);
    f->fp = NULL;
    f->n = f->cap = 0;
}
