// Extra UDP serving threads for the DNS server's batched socket: each binds its own
// SO_REUSEPORT socket on the server's address (the kernel spreads clients across them
// and the main socket), answers the queries whose answers are in the shared answer cache
// (read under the cache lock) and hands every other datagram to the main thread through
// a bounded queue, waking it with `wake`. The main thread (JavaScript's) answers those,
// stores what it learns under the write lock and sends the replies from its own socket,
// which has the same address and port. Linux only.
#ifndef KFED_SERVE_THREADS_H
#define KFED_SERVE_THREADS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "answer_cache.h"
#include "rrl.h"

#define ST_MAX_THREADS 16

typedef struct st_pool st_pool;

typedef struct {
  const struct sockaddr* addr;
  socklen_t addr_len;
  int recv_buf;       // SO_RCVBUF, 0: the kernel's default
  ac_cache* cache;
  pthread_rwlock_t* lock;
  rrl* rrl;           // response-rate limiting here (NULL: none); drops counted at stats[drops_at]
  size_t drops_at;
  size_t out_slot;    // largest reply
  size_t in_slot;     // largest datagram kept (longer ones are reported truncated)
  double** stats;     // one statistics array per thread (answer_cache.h), copied by st_start
  void (*wake)(void* arg);
  void* wake_arg;
} st_config;

// Starts n threads; NULL with a message in err when a socket or thread cannot be made.
st_pool* st_start(int n, const st_config* cfg, char* err, size_t err_len);
// Moves up to max queued datagrams into in (slots of cfg.in_slot bytes), their sources
// into addrs/addr_lens, their lengths (-1: truncated) into lens and the rate limiter's
// verdict (RRL_PASS or RRL_SLIP: answer truncated) into verdicts; returns how many.
int st_take(st_pool* p, uint8_t* in, struct sockaddr_storage* addrs, socklen_t* addr_lens, int32_t* lens, int8_t* verdicts, int max);
// Replies the threads' sockets refused, and datagrams dropped because the queue was full.
double st_dropped(st_pool* p);
// Stops and joins the threads and closes their sockets.
void st_stop(st_pool* p);

#endif
