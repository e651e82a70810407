// See answer_cache.h. Same rules as src/dnsserver/answer-cache.ts: the key is the query's
// bytes after the ID without the address of its ECS option; an answer is kept for every
// client, or per location class when it depends on where the client is; a subnet's class
// and the scope its answers carry are learned from JavaScript, which located it once.
#include "answer_cache.h"

#include <stdlib.h>
#include <string.h>

#define MAX_CLASSES 256
#define SUBNET_SLOTS (1u << 17)
#define MAX_SUBNETS (1u << 16)
#define TYPE_OPT 41
#define OPT_ECS 8

typedef struct {
  uint16_t len;
  int32_t ecs_at;  // a reply may be 65535 bytes: the offset does not fit 16 bits
  int32_t metric;
  uint8_t bytes[];
} ac_answer_t;

typedef struct {
  int32_t cls;
  ac_answer_t* a;
} ac_class;

typedef struct {
  uint32_t hash;
  uint32_t key_len;
  uint8_t* key;
  ac_answer_t* plain;
  ac_class* classes;
  uint32_t nclasses;
  uint32_t cap;
} ac_entry;

typedef struct {
  uint64_t k1;  // 0: empty; else bit 63 | family << 8 | source prefix length
  uint64_t k2;  // the first 8 address bytes, zero-filled
  int32_t cls;
  int32_t scope;
} ac_subnet;

struct ac_cache {
  ac_entry** slots;
  uint32_t mask;
  uint32_t count;
  uint32_t max;
  ac_subnet* subnets;
  uint32_t nsubnets;
  uint32_t metric_slots;
  int nbounds;
  double bounds[32];
};

static inline int u16(const uint8_t* b, int o) { return (b[o] << 8) | b[o + 1]; }

// Offset of the ECS option (its code) in a query of the usual shape (one question, no
// answer or authority records, only OPT in additional); -1 without ECS, -2 for any other
// shape. A port of findEcsOption in src/dnsserver/wire-query.ts.
static int find_ecs(const uint8_t* b, int end) {
  if (end < 12 || u16(b, 4) != 1 || u16(b, 6) != 0 || u16(b, 8) != 0) return -2;
  int ar = u16(b, 10);
  int o = 12;
  for (;;) {
    if (o >= end) return -2;
    int l = b[o];
    if (l == 0) break;
    if (l > 63) return -2;
    o += l + 1;
  }
  o += 5;
  int found = -1;
  for (int i = 0; i < ar; i++) {
    if (o + 11 > end || b[o] != 0 || u16(b, o + 1) != TYPE_OPT) return -2;
    int rd_end = o + 11 + u16(b, o + 9);
    if (rd_end > end) return -2;
    for (int p = o + 11; p < rd_end;) {
      if (p + 4 > rd_end) return -2;
      int l = u16(b, p + 2);
      if (p + 4 + l > rd_end) return -2;
      if (u16(b, p) == OPT_ECS) {
        if (found >= 0 || l < 4) return -2;
        found = p;
      }
      p += 4 + l;
    }
    o = rd_end;
  }
  return o == end ? found : -2;
}

// RFC 7871 section 6: no address bits past the source prefix (and the address fits).
static int ecs_valid(const uint8_t* m, int at, int len) {
  int source = m[at + 6];
  int n = (source + 7) >> 3;
  if (at + 8 + n > len) return 0;
  return (source & 7) == 0 || n == 0 || (m[at + 8 + n - 1] & (0xff >> (source & 7))) == 0;
}

static uint32_t hash_key(const uint8_t* m, int len, int from, int to) {
  uint32_t h = 0x811c9dc5u;
  for (int i = 2; i < from; i++) h = (h ^ m[i]) * 0x01000193u;
  for (int i = to; i < len; i++) h = (h ^ m[i]) * 0x01000193u;
  return h;
}

static int same_key(const ac_entry* e, const uint8_t* m, int len, int from, int to) {
  if (e->key_len != (uint32_t)(len - 2 - (to - from))) return 0;
  return memcmp(e->key, m + 2, (size_t)(from - 2)) == 0 && memcmp(e->key + (from - 2), m + to, (size_t)(len - to)) == 0;
}

static ac_entry* find_entry(ac_cache* c, uint32_t h, const uint8_t* m, int len, int from, int to, uint32_t* empty) {
  for (uint32_t i = h & c->mask;; i = (i + 1) & c->mask) {
    ac_entry* e = c->slots[i];
    if (!e) {
      if (empty) *empty = i;
      return NULL;
    }
    if (e->hash == h && same_key(e, m, len, from, to)) return e;
  }
}

// The subnet key of the ECS option at `at`; 0 when it is not kept here (IPv6 past /64).
static int subnet_key(const uint8_t* m, int at, uint64_t* k1, uint64_t* k2) {
  int family = u16(m, at + 4);
  int source = m[at + 6];
  if (!((family == 1 && source <= 32) || (family == 2 && source <= 64))) return 0;
  int n = (source + 7) >> 3;
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = (v << 8) | (i < n ? m[at + 8 + i] : 0);
  *k1 = (1ull << 63) | ((uint64_t)family << 8) | (uint64_t)source;
  *k2 = v;
  return 1;
}

static ac_subnet* find_subnet(ac_cache* c, uint64_t k1, uint64_t k2, int for_insert) {
  uint64_t x = (k2 ^ (k1 * 0x9e3779b97f4a7c15ull)) * 0xbf58476d1ce4e5b9ull;
  x ^= x >> 31;
  for (uint32_t i = (uint32_t)x & (SUBNET_SLOTS - 1);; i = (i + 1) & (SUBNET_SLOTS - 1)) {
    ac_subnet* s = &c->subnets[i];
    if (s->k1 == 0) return for_insert ? s : NULL;
    if (s->k1 == k1 && s->k2 == k2) return s;
  }
}

static void free_entry(ac_entry* e) {
  free(e->plain);
  for (uint32_t k = 0; k < e->nclasses; k++) free(e->classes[k].a);
  free(e->classes);
  free(e->key);
  free(e);
}

static void clear_answers(ac_cache* c) {
  for (uint32_t i = 0; i <= c->mask; i++) {
    if (c->slots[i]) free_entry(c->slots[i]);
    c->slots[i] = NULL;
  }
  c->count = 0;
}

ac_cache* ac_new(uint32_t max_entries, uint32_t metric_slots, const double* bounds, int nbounds) {
  ac_cache* c = calloc(1, sizeof *c);
  if (!c || nbounds < 0 || nbounds > 32 || max_entries == 0) {
    free(c);
    return NULL;
  }
  uint32_t cap = 16;
  while (cap < 2 * max_entries && cap < (1u << 30)) cap <<= 1;
  c->slots = calloc(cap, sizeof *c->slots);
  c->subnets = calloc(SUBNET_SLOTS, sizeof *c->subnets);
  if (!c->slots || !c->subnets) {
    free(c->slots);
    free(c->subnets);
    free(c);
    return NULL;
  }
  c->mask = cap - 1;
  c->max = max_entries < cap / 2 ? max_entries : cap / 2;
  c->metric_slots = metric_slots;
  c->nbounds = nbounds;
  memcpy(c->bounds, bounds, (size_t)nbounds * sizeof *bounds);
  return c;
}

void ac_free(ac_cache* c) {
  if (!c) return;
  clear_answers(c);
  free(c->slots);
  free(c->subnets);
  free(c);
}

void ac_clear(ac_cache* c) {
  clear_answers(c);
  memset(c->subnets, 0, SUBNET_SLOTS * sizeof *c->subnets);
  c->nsubnets = 0;
}

int ac_answer(ac_cache* c, double* stats, const uint8_t* m, int len, uint8_t* out, size_t cap) {
  if (c->count == 0) return 0;
  int ecs = find_ecs(m, len);
  if (ecs == -2) return 0;
  int from = len, to = len;
  if (ecs >= 0) {
    if (!ecs_valid(m, ecs, len)) return 0;  // FORMERR: JavaScript's
    from = ecs + 8;
    to = ecs + 4 + u16(m, ecs + 2);
  }
  ac_entry* e = find_entry(c, hash_key(m, len, from, to), m, len, from, to, NULL);
  if (!e) return 0;
  ac_answer_t* a = e->plain;
  int scope = -1;
  if (!a && e->nclasses > 0 && ecs >= 0) {
    uint64_t k1, k2;
    ac_subnet* s = subnet_key(m, ecs, &k1, &k2) ? find_subnet(c, k1, k2, 0) : NULL;
    if (!s) return 0;
    scope = s->scope;
    for (uint32_t k = 0; k < e->nclasses && !a; k++) {
      if (e->classes[k].cls == s->cls) a = e->classes[k].a;
    }
  }
  if (!a || a->len > cap) return 0;
  memcpy(out, a->bytes, a->len);
  out[0] = m[0];
  out[1] = m[1];
  if (a->ecs_at >= 0 && ecs >= 0) {
    memcpy(out + a->ecs_at, m + from, (size_t)(to - from));
    if (scope >= 0) out[a->ecs_at - 1] = (uint8_t)scope;
  }
  stats[a->metric] += 1;
  stats[c->metric_slots + AC_HITS] += 1;
  return a->len;
}

void ac_store(ac_cache* c, const uint8_t* m, int len, const uint8_t* reply, int reply_len, int cls, int ecs_at, int metric) {
  if (metric < 0 || (uint32_t)metric >= c->metric_slots || reply_len < 12 || reply_len > 65535) return;
  int ecs = find_ecs(m, len);
  if (ecs == -2 || (cls >= 0 && ecs < 0)) return;
  int from = len, to = len;
  if (ecs >= 0) {
    from = ecs + 8;
    to = ecs + 4 + u16(m, ecs + 2);
  }
  // The echoed address must lie inside the reply, after its SCOPE byte.
  if (ecs_at >= 0 && (ecs < 0 || ecs_at < 1 || ecs_at + (to - from) > reply_len)) return;
  uint32_t h = hash_key(m, len, from, to);
  uint32_t empty = 0;
  ac_entry* e = find_entry(c, h, m, len, from, to, &empty);
  if (!e) {
    if (c->count >= c->max) {
      clear_answers(c);
      find_entry(c, h, m, len, from, to, &empty);
    }
    e = calloc(1, sizeof *e);
    if (!e) return;
    e->hash = h;
    e->key_len = (uint32_t)(len - 2 - (to - from));
    e->key = malloc(e->key_len ? e->key_len : 1);
    if (!e->key) {
      free(e);
      return;
    }
    memcpy(e->key, m + 2, (size_t)(from - 2));
    memcpy(e->key + (from - 2), m + to, (size_t)(len - to));
    c->slots[empty] = e;
    c->count++;
  }
  ac_answer_t* a = malloc(sizeof *a + (size_t)reply_len);
  if (!a) return;
  a->len = (uint16_t)reply_len;
  a->ecs_at = ecs_at < 0 ? -1 : ecs_at;
  a->metric = metric;
  memcpy(a->bytes, reply, (size_t)reply_len);
  if (cls < 0) {
    free(e->plain);
    e->plain = a;
    return;
  }
  for (uint32_t k = 0; k < e->nclasses; k++) {
    if (e->classes[k].cls == cls) {
      free(e->classes[k].a);
      e->classes[k].a = a;
      return;
    }
  }
  if (e->nclasses >= MAX_CLASSES) {
    for (uint32_t k = 0; k < e->nclasses; k++) free(e->classes[k].a);
    e->nclasses = 0;
  }
  if (e->nclasses == e->cap) {
    uint32_t cap = e->cap ? e->cap * 2 : 4;
    ac_class* grown = realloc(e->classes, cap * sizeof *grown);
    if (!grown) {
      free(a);
      return;
    }
    e->classes = grown;
    e->cap = cap;
  }
  e->classes[e->nclasses].cls = cls;
  e->classes[e->nclasses].a = a;
  e->nclasses++;
}

void ac_learn_subnet(ac_cache* c, const uint8_t* m, int len, int cls, int scope) {
  int ecs = find_ecs(m, len);
  uint64_t k1, k2;
  if (ecs < 0 || !ecs_valid(m, ecs, len) || !subnet_key(m, ecs, &k1, &k2) || scope < 0 || scope > 128) return;
  ac_subnet* s = find_subnet(c, k1, k2, 1);
  if (s->k1 == 0) {
    if (c->nsubnets >= MAX_SUBNETS) {
      memset(c->subnets, 0, SUBNET_SLOTS * sizeof *c->subnets);
      c->nsubnets = 0;
      s = find_subnet(c, k1, k2, 1);
    }
    s->k1 = k1;
    s->k2 = k2;
    c->nsubnets++;
  }
  s->cls = cls;
  s->scope = scope;
}

size_t ac_stats_len(const ac_cache* c) { return (size_t)c->metric_slots + AC_BUCKETS + (size_t)c->nbounds + 1; }

void ac_record(ac_cache* c, double* stats, int hits, double seconds) {
  if (hits <= 0) return;
  double each = seconds / hits;
  int b = 0;
  while (b < c->nbounds && each > c->bounds[b]) b++;
  double* s = stats + c->metric_slots;
  s[AC_SUM] += seconds;
  s[AC_BUCKETS + b] += hits;
}
