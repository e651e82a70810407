// See rrl.h.
#include "rrl.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SWEEP_MS 10000.0

typedef struct {
  uint64_t hi;
  uint64_t lo;
  uint8_t used;
  uint8_t v6;
  double tokens;
  double last;
  uint32_t limited;
} bucket;

struct rrl {
  rrl_config cfg;
  pthread_mutex_t mu;
  bucket* table;
  uint32_t mask;
  uint32_t count;
  double last_sweep;
};

double rrl_now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static uint64_t mask64(uint64_t v, int bits) {
  if (bits <= 0) return 0;
  if (bits >= 64) return v;
  return v & ~((1ull << (64 - bits)) - 1);
}

static uint64_t be64(const uint8_t* b) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = (v << 8) | b[i];
  return v;
}

rrl* rrl_new(const rrl_config* cfg) {
  rrl* r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->cfg = *cfg;
  if (r->cfg.max_entries < 16) r->cfg.max_entries = 16;
  uint32_t cap = 32;
  while (cap < 2 * r->cfg.max_entries && cap < (1u << 28)) cap <<= 1;
  if (r->cfg.max_entries > cap / 2) r->cfg.max_entries = cap / 2;
  r->table = calloc(cap, sizeof *r->table);
  if (!r->table) {
    free(r);
    return NULL;
  }
  r->mask = cap - 1;
  pthread_mutex_init(&r->mu, NULL);
  r->last_sweep = rrl_now_ms();
  return r;
}

void rrl_free(rrl* r) {
  if (!r) return;
  pthread_mutex_destroy(&r->mu);
  free(r->table);
  free(r);
}

void rrl_lock(rrl* r) { pthread_mutex_lock(&r->mu); }
void rrl_unlock(rrl* r) { pthread_mutex_unlock(&r->mu); }

static bucket* slot(rrl* r, uint64_t hi, uint64_t lo, uint8_t v6) {
  uint64_t x = (hi * 0x9e3779b97f4a7c15ull) ^ (lo + v6) * 0xbf58476d1ce4e5b9ull;
  x ^= x >> 31;
  for (uint32_t i = (uint32_t)x & r->mask;; i = (i + 1) & r->mask) {
    bucket* b = &r->table[i];
    if (!b->used || (b->hi == hi && b->lo == lo && b->v6 == v6)) return b;
  }
}

// Drops the buckets that have refilled (idle prefixes), as the JavaScript limiter's sweep.
static void sweep(rrl* r, double now) {
  if (r->count == 0) return;
  uint32_t cap = r->mask + 1;
  bucket* old = malloc(cap * sizeof *old);
  if (!old) return;
  memcpy(old, r->table, cap * sizeof *old);
  memset(r->table, 0, cap * sizeof *r->table);
  r->count = 0;
  for (uint32_t i = 0; i < cap; i++) {
    bucket* b = &old[i];
    if (!b->used || b->tokens + (now - b->last) / 1000.0 * r->cfg.rate >= r->cfg.burst) continue;
    *slot(r, b->hi, b->lo, b->v6) = *b;
    r->count++;
  }
  free(old);
}

int rrl_check(rrl* r, const struct sockaddr_storage* a, double now) {
  uint64_t hi = 0, lo = 0;
  uint8_t v6 = 0;
  if (a->ss_family == AF_INET) {
    uint32_t ip = ntohl(((const struct sockaddr_in*)a)->sin_addr.s_addr);
    if (r->cfg.exempt_loopback && (ip >> 24) == 127) return RRL_PASS;
    lo = r->cfg.v4_bits >= 32 ? ip : (uint64_t)ip >> (32 - r->cfg.v4_bits);
  } else if (a->ss_family == AF_INET6) {
    const uint8_t* b = ((const struct sockaddr_in6*)a)->sin6_addr.s6_addr;
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(b, mapped, 12) == 0) {
      // An IPv4-mapped source is limited as the IPv4 address it is.
      uint32_t ip = ((uint32_t)b[12] << 24) | ((uint32_t)b[13] << 16) | ((uint32_t)b[14] << 8) | b[15];
      if (r->cfg.exempt_loopback && (ip >> 24) == 127) return RRL_PASS;
      lo = r->cfg.v4_bits >= 32 ? ip : (uint64_t)ip >> (32 - r->cfg.v4_bits);
    } else {
      static const uint8_t one[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
      if (r->cfg.exempt_loopback && memcmp(b, one, 16) == 0) return RRL_PASS;
      v6 = 1;
      hi = mask64(be64(b), r->cfg.v6_bits);
      lo = mask64(be64(b + 8), r->cfg.v6_bits - 64);
    }
  } else {
    return RRL_PASS;
  }
  if (now - r->last_sweep >= SWEEP_MS) {
    sweep(r, now);
    r->last_sweep = now;
  }
  bucket* b = slot(r, hi, lo, v6);
  if (!b->used) {
    if (r->count >= r->cfg.max_entries) {
      memset(r->table, 0, (r->mask + 1) * sizeof *r->table);
      r->count = 0;
      b = slot(r, hi, lo, v6);
    }
    b->used = 1;
    b->hi = hi;
    b->lo = lo;
    b->v6 = v6;
    b->tokens = r->cfg.burst;
    b->last = now;
    b->limited = 0;
    r->count++;
  } else {
    double t = b->tokens + (now - b->last) / 1000.0 * r->cfg.rate;
    b->tokens = t < r->cfg.burst ? t : r->cfg.burst;
    b->last = now;
  }
  if (b->tokens >= 1) {
    b->tokens -= 1;
    return RRL_PASS;
  }
  b->limited++;
  return r->cfg.slip > 0 && b->limited % (uint32_t)r->cfg.slip == 0 ? RRL_SLIP : RRL_DROP;
}
