/* hmap.c - an open-addressing hash map from 64-bit keys to 32-bit values.
 *
 * Keys are already hashes (token or n-gram hashes), so the slot is taken
 * from the key's bits directly after one multiply. Used for vocabularies and
 * n-gram lookups in the aligner and the diff. */
#include "base/base.h"

#include <string.h>

static size_t slot_of(uint64_t key, size_t mask)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 17) & mask;
}

bool rp__hmap_init(rp__hmap *m, size_t expected)
{
    size_t cap = 16;
    while (cap < expected * 2 + 1) {
        if (cap > SIZE_MAX / 4 / sizeof(rp__hmap_slot)) return false;
        cap *= 2;
    }
    m->slots = rp__calloc(cap, sizeof *m->slots);
    if (m->slots == NULL) return false;
    m->mask = cap - 1;
    m->n = 0;
    return true;
}

void rp__hmap_free(rp__hmap *m)
{
    rp__free(m->slots);
    memset(m, 0, sizeof *m);
}

static bool rehash(rp__hmap *m)
{
    rp__hmap bigger;
    if (!rp__hmap_init(&bigger, (m->mask + 1))) return false;
    for (size_t i = 0; i <= m->mask; i++) {
        if (m->slots[i].used) {
            size_t s = slot_of(m->slots[i].key, bigger.mask);
            while (bigger.slots[s].used)
                s = (s + 1) & bigger.mask;
            bigger.slots[s] = m->slots[i];
        }
    }
    bigger.n = m->n;
    rp__free(m->slots);
    *m = bigger;
    return true;
}

uint32_t *rp__hmap_put(rp__hmap *m, uint64_t key, uint32_t value, bool *inserted)
{
    if ((m->n + 1) * 2 > m->mask + 1 && !rehash(m)) return NULL;
    size_t s = slot_of(key, m->mask);
    while (m->slots[s].used) {
        if (m->slots[s].key == key) {
            *inserted = false;
            return &m->slots[s].value;
        }
        s = (s + 1) & m->mask;
    }
    m->slots[s].used = 1;
    m->slots[s].key = key;
    m->slots[s].value = value;
    m->n++;
    *inserted = true;
    return &m->slots[s].value;
}

const uint32_t *rp__hmap_get(const rp__hmap *m, uint64_t key)
{
    size_t s = slot_of(key, m->mask);
    while (m->slots[s].used) {
        if (m->slots[s].key == key) return &m->slots[s].value;
        s = (s + 1) & m->mask;
    }
    return NULL;
}
