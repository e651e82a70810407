// Response-rate limiting per client prefix for the batched UDP socket, with the rules of
// src/dnsserver/rate-limit.ts (a token bucket per IPv4 /N or IPv6 /M prefix; over budget
// every slip-th response goes out truncated and the rest are dropped; loopback exempt
// when asked; the table starts over when full, failing open). One table serves every
// serving thread: callers hold rrl_lock around a batch of checks.
#ifndef KFED_RRL_H
#define KFED_RRL_H

#include <stdint.h>
#include <sys/socket.h>

typedef struct rrl rrl;

typedef struct {
  double rate;   // responses per second per prefix
  double burst;  // bucket size
  int slip;      // every slip-th limited response is truncated; 0: all dropped
  int v4_bits;
  int v6_bits;
  int exempt_loopback;
  uint32_t max_entries;
} rrl_config;

enum { RRL_PASS = 0, RRL_DROP = 1, RRL_SLIP = 2 };

rrl* rrl_new(const rrl_config* cfg);
void rrl_free(rrl* r);
void rrl_lock(rrl* r);
void rrl_unlock(rrl* r);
// The verdict for one response to `source` at now_ms (monotonic milliseconds).
int rrl_check(rrl* r, const struct sockaddr_storage* source, double now_ms);
// Monotonic milliseconds.
double rrl_now_ms(void);

#endif
