// The DNS server's UDP answer cache, in C: the hit path of src/dnsserver/answer-cache.ts
// (replay a whole answer with the query's ID and client subnet patched in) run on the
// datagrams as recvmmsg delivers them, so a batch of hits never calls into JavaScript.
// JavaScript answers the misses and hands their answers (and the location class and
// ECS scope of each client subnet it located) down; see udp_batch.c for the protocol.
#ifndef KFED_ANSWER_CACHE_H
#define KFED_ANSWER_CACHE_H

#include <stddef.h>
#include <stdint.h>

typedef struct ac_cache ac_cache;

// Layout of the statistics array JavaScript reads at scrape time (doubles):
//   [0, metric_slots)          answers by metrics slot (transport, qtype, rcode)
//   metric_slots + AC_HITS     answers replayed here
//   metric_slots + AC_SUM      seconds spent building them
//   metric_slots + AC_DROPS    responses withheld by rate limiting (rrl.h)
//   metric_slots + AC_BUCKETS  per duration bucket (nbounds + 1, the last is +Inf), not cumulative
#define AC_HITS 0
#define AC_SUM 1
#define AC_DROPS 2
#define AC_BUCKETS 3

// max_entries questions (a full cache starts over); a statistics array has
// metric_slots + AC_BUCKETS + nbounds + 1 doubles.
ac_cache* ac_new(uint32_t max_entries, uint32_t metric_slots, const double* bounds, int nbounds);
void ac_free(ac_cache* c);
// Forgets every answer and every subnet's class (a new zone snapshot).
void ac_clear(ac_cache* c);
// Writes the cached answer to the query msg[0, len) into out (capacity cap) and returns
// its length, or 0 when this query is not answered here (JavaScript answers it).
// Counts the answer in `stats` (the layout above; each serving thread has its own). Safe
// to call from several threads at once while no thread stores, learns or clears.
int ac_answer(ac_cache* c, double* stats, const uint8_t* msg, int len, uint8_t* out, size_t cap);
// Remembers reply[0, reply_len) as the answer to msg for every client (cls < 0) or for
// the location class cls; ecs_at is the offset of the echoed ECS address in the reply
// (-1 without), metric its metrics slot. Ignores what does not fit the query.
void ac_store(ac_cache* c, const uint8_t* msg, int len, const uint8_t* reply, int reply_len, int cls, int ecs_at, int metric);
// Remembers the location class and reply scope of the client subnet in msg's ECS option.
void ac_learn_subnet(ac_cache* c, const uint8_t* msg, int len, int cls, int scope);
// Adds `hits` answers that took `seconds` in all to the duration statistics.
void ac_record(ac_cache* c, double* stats, int hits, double seconds);
// Doubles in a statistics array.
size_t ac_stats_len(const ac_cache* c);

#endif
