// Batched UDP for the DNS server: recvmmsg(2) and sendmmsg(2) on a non-blocking socket
// watched by libuv, with one call into JavaScript per batch of datagrams.
//
// Node 20's dgram reads one datagram per recvmsg, sends one per sendmsg, allocates a
// buffer, an address object and a send request per datagram and cannot set
// SO_REUSEPORT; for a DNS server those costs are most of the work. Here the datagrams
// land in fixed slots of one input buffer that JavaScript also holds, JavaScript writes
// each reply into the matching slot of one output buffer and its length into a shared
// Int32Array, and the replies leave in one sendmmsg. Linux only (recvmmsg/sendmmsg).
//
// Per slot i, meta[i * META_STRIDE + k] holds:
//   0: datagram length (-1 when it was truncated to the slot size)
//   1: address family of the source (4 or 6)
//   2: source port
//   3..6: source address, network order, 4 bytes per word (IPv4 in word 3)
//   7: reply length, written by JavaScript (0: no reply)
//   8: 1 when the reply came from the answer cache here, 2 when rate limiting withheld it
//      (JavaScript skips both), 3 when rate limiting slips it (JavaScript answers truncated)
// and, written by JavaScript for the slots it answered (see answer_cache.h):
//   9: 1: cache the reply for every client; 2: for the location class in word 10
//  11: offset of the echoed ECS address in the reply (-1: none); 12: its metrics slot
//  13: 1 when the query's client subnet was located: word 14 its class, 15 the scope
//
// With the answer cache on (cacheInit), a datagram whose answer is cached is answered
// in C as it arrives, and JavaScript is called only for a batch with misses in it.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "answer_cache.h"
#include "rrl.h"
#include "serve_threads.h"

#define BATCH 64
#define IN_SLOT 4096
#define META_STRIDE 16
#define MAX_ROUNDS 16
#define MAX_THREADS 16

typedef struct {
  int fd;
  int closing;
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_ref resource;
  napi_async_context async;
  // The buffers are ArrayBuffers owned by V8 (held by these references until close), so
  // JavaScript views of them can never outlive their memory.
  napi_ref in_ref;
  napi_ref out_ref;
  napi_ref meta_ref;
  uint8_t* in;
  uint8_t* out;
  int32_t* meta;
  size_t out_slot;
  double dropped;  // replies the kernel would not take (EAGAIN/ENOBUFS) or refused
  ac_cache* cache;
  napi_ref stats_ref;
  double* stats;
  int metric_slots;
  rrl* rrl;  // response-rate limiting here (rrlInit), for every serving thread
  int8_t verdicts[BATCH];
  int8_t taken_verdicts[BATCH];
  // Extra serving threads (startThreads): the cache is written under `lock`.
  pthread_rwlock_t lock;
  st_pool* pool;
  uv_async_t wake;
  int wake_open;
  int open_handles;
  napi_ref thread_stats[MAX_THREADS];
  int32_t take_lens[BATCH];
  socklen_t take_addr_lens[BATCH];
  struct sockaddr_storage addrs[BATCH];
  struct iovec in_iov[BATCH];
  struct mmsghdr in_msgs[BATCH];
  struct iovec out_iov[BATCH];
  struct mmsghdr out_msgs[BATCH];
} batch_socket;

#define CHECK(env, call)                                   \
  do {                                                     \
    if ((call) != napi_ok) {                               \
      napi_throw_error((env), NULL, "udp-batch: " #call);  \
      return NULL;                                         \
    }                                                      \
  } while (0)

static napi_value throw_errno(napi_env env, const char* what, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_value m, e, code;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  napi_create_error(env, NULL, m, &e);
  const char* name = err == EADDRINUSE ? "EADDRINUSE" : err == EACCES ? "EACCES" : err == EADDRNOTAVAIL ? "EADDRNOTAVAIL" : "EIO";
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_set_named_property(env, e, "code", code);
  napi_throw(env, e);
  return NULL;
}

static batch_socket* unwrap(napi_env env, napi_value v) {
  void* p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, NULL, "udp-batch: not a socket handle");
    return NULL;
  }
  return (batch_socket*)p;
}

// The socket handle (the first argument) and the n arguments after it, into rest; a TypeError
// naming the call (usage) when fewer were given.
static batch_socket* socket_args(napi_env env, napi_callback_info info, size_t n, napi_value* rest, const char* usage) {
  size_t argc = 8;
  napi_value argv[8];
  if (n > 7 || napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < n + 1) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  for (size_t i = 0; i < n; i++) rest[i] = argv[i + 1];
  return unwrap(env, argv[0]);
}

// The handle argument of a call (and the next argument in `second`, when asked for).
static batch_socket* socket_arg(napi_env env, napi_callback_info info, napi_value* second) {
  return socket_args(env, info, second ? 1 : 0, second, "udp-batch: missing arguments");
}

static void free_socket(batch_socket* s) {
  ac_free(s->cache);
  if (s->stats_ref) napi_delete_reference(s->env, s->stats_ref);
  for (int k = 0; k < MAX_THREADS; k++) {
    if (s->thread_stats[k]) napi_delete_reference(s->env, s->thread_stats[k]);
  }
  pthread_rwlock_destroy(&s->lock);
  rrl_free(s->rrl);
  if (s->in_ref) napi_delete_reference(s->env, s->in_ref);
  if (s->out_ref) napi_delete_reference(s->env, s->out_ref);
  if (s->meta_ref) napi_delete_reference(s->env, s->meta_ref);
  free(s);
}

static napi_status new_buffer(napi_env env, size_t len, void** data, napi_ref* ref) {
  napi_value ab;
  napi_status st = napi_create_arraybuffer(env, len, data, &ab);
  if (st != napi_ok) return st;
  return napi_create_reference(env, ab, 1, ref);
}

// Sends the replies JavaScript wrote for the first n datagrams of the batch.
static void send_replies(batch_socket* s, int n) {
  int k = 0;
  for (int i = 0; i < n; i++) {
    int32_t len = s->meta[i * META_STRIDE + 7];
    if (len <= 0 || (size_t)len > s->out_slot) continue;
    s->out_iov[k].iov_base = s->out + (size_t)i * s->out_slot;
    s->out_iov[k].iov_len = (size_t)len;
    memset(&s->out_msgs[k].msg_hdr, 0, sizeof s->out_msgs[k].msg_hdr);
    s->out_msgs[k].msg_hdr.msg_name = &s->addrs[i];
    s->out_msgs[k].msg_hdr.msg_namelen = s->in_msgs[i].msg_hdr.msg_namelen;
    s->out_msgs[k].msg_hdr.msg_iov = &s->out_iov[k];
    s->out_msgs[k].msg_hdr.msg_iovlen = 1;
    k++;
  }
  int done = 0;
  while (done < k) {
    int r = sendmmsg(s->fd, s->out_msgs + done, (unsigned)(k - done), MSG_DONTWAIT);
    if (r > 0) {
      done += r;
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else {
      // The first remaining reply failed (socket buffer full, or an error queued for
      // that destination): drop it, as a full queue drops a datagram, and go on.
      s->dropped += 1;
      done += 1;
    }
  }
}

// Rate-limits the datagrams (unless `given` has the verdicts a serving thread reached) and
// answers those whose answers are cached; returns how many need nothing from JavaScript.
static int answer_from_cache(batch_socket* s, int n, const int8_t* given) {
  struct timespec t0, t1;
  int8_t* v = s->verdicts;
  if (given) {
    memcpy(v, given, (size_t)n);
  } else {
    memset(v, RRL_PASS, (size_t)n);
    if (s->rrl) {
      double now = rrl_now_ms();
      rrl_lock(s->rrl);
      for (int i = 0; i < n; i++) {
        int32_t* m = s->meta + i * META_STRIDE;
        if (m[0] >= 0 && m[2] != 0 && m[1] != 0) v[i] = (int8_t)rrl_check(s->rrl, &s->addrs[i], now);
      }
      rrl_unlock(s->rrl);
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int hits = 0, done = 0;
  for (int i = 0; i < n; i++) {
    int32_t* m = s->meta + i * META_STRIDE;
    if (v[i] == RRL_DROP) {
      m[8] = 2;
      s->stats[s->metric_slots + AC_DROPS] += 1;
      done++;
      continue;
    }
    if (v[i] == RRL_SLIP) {
      m[8] = 3;
      continue;
    }
    if (m[0] <= 0 || m[2] == 0 || m[1] == 0) continue;
    int len = ac_answer(s->cache, s->stats, s->in + (size_t)i * IN_SLOT, m[0], s->out + (size_t)i * s->out_slot, s->out_slot);
    if (len > 0) {
      m[7] = len;
      m[8] = 1;
      hits++;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  ac_record(s->cache, s->stats, hits, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
  return hits + done;
}

// Keeps what JavaScript answered and located for the next queries like them.
static void learn_from_js(batch_socket* s, int n) {
  pthread_rwlock_wrlock(&s->lock);
  for (int i = 0; i < n; i++) {
    int32_t* m = s->meta + i * META_STRIDE;
    if (m[8] != 0 || m[0] <= 0) continue;
    const uint8_t* q = s->in + (size_t)i * IN_SLOT;
    if (m[9] != 0 && m[7] > 0 && (size_t)m[7] <= s->out_slot) {
      ac_store(s->cache, q, m[0], s->out + (size_t)i * s->out_slot, m[7], m[9] == 2 ? m[10] : -1, m[11], m[12]);
    }
    if (m[13] == 1) ac_learn_subnet(s->cache, q, m[0], m[14], m[15]);
  }
  pthread_rwlock_unlock(&s->lock);
}

// Answers the n datagrams in the input slots (cache, then JavaScript) and sends the
// replies; 0 when JavaScript threw (reported as a fatal exception) or the socket closed.
static int run_batch(batch_socket* s, int n, napi_value cb, napi_value resource, const int8_t* verdicts) {
  napi_env env = s->env;
  for (int i = 0; i < n; i++) {
    int32_t* m = s->meta + i * META_STRIDE;
    m[0] = (s->in_msgs[i].msg_hdr.msg_flags & MSG_TRUNC) ? -1 : (int32_t)s->in_msgs[i].msg_len;
    memset(&m[7], 0, 9 * sizeof *m);
    struct sockaddr_storage* a = &s->addrs[i];
    if (a->ss_family == AF_INET) {
      struct sockaddr_in* v4 = (struct sockaddr_in*)a;
      m[1] = 4;
      m[2] = ntohs(v4->sin_port);
      memcpy(&m[3], &v4->sin_addr, 4);
      m[4] = m[5] = m[6] = 0;
    } else if (a->ss_family == AF_INET6) {
      struct sockaddr_in6* v6 = (struct sockaddr_in6*)a;
      m[1] = 6;
      m[2] = ntohs(v6->sin6_port);
      memcpy(&m[3], &v6->sin6_addr, 16);
    } else {
      m[0] = -1;
      m[1] = 0;
      m[2] = 0;
    }
  }
  int hits = s->cache ? answer_from_cache(s, n, verdicts) : 0;
  if (hits < n) {
    napi_value argv[1], result;
    napi_create_int32(env, n, &argv[0]);
    napi_status st = napi_make_callback(env, s->async, resource, cb, 1, argv, &result);
    if (st == napi_pending_exception) {
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
      napi_fatal_exception(env, err);
      return 0;
    }
    if (s->closing) return 0;
    if (s->cache) learn_from_js(s, n);
  }
  send_replies(s, n);
  return 1;
}

static void on_readable(uv_poll_t* handle, int status, int events) {
  batch_socket* s = (batch_socket*)handle->data;
  if (s->closing || status < 0 || !(events & UV_READABLE)) return;
  napi_env env = s->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, resource;
  napi_get_reference_value(env, s->callback, &cb);
  napi_get_reference_value(env, s->resource, &resource);
  for (int round = 0; round < MAX_ROUNDS && !s->closing; round++) {
    for (int i = 0; i < BATCH; i++) {
      s->in_msgs[i].msg_hdr.msg_namelen = sizeof s->addrs[i];
      s->in_msgs[i].msg_hdr.msg_flags = 0;
    }
    int n = recvmmsg(s->fd, s->in_msgs, BATCH, MSG_DONTWAIT, NULL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (!run_batch(s, n, cb, resource, NULL) || n < BATCH) break;
  }
  napi_close_handle_scope(env, scope);
}

// The serving threads queued datagrams the cache could not answer: answer them here.
static void on_wake(uv_async_t* handle) {
  batch_socket* s = (batch_socket*)handle->data;
  if (s->closing || !s->pool) return;
  napi_env env = s->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, resource;
  napi_get_reference_value(env, s->callback, &cb);
  napi_get_reference_value(env, s->resource, &resource);
  for (int round = 0; round < MAX_ROUNDS && !s->closing; round++) {
    int n = st_take(s->pool, s->in, s->addrs, s->take_addr_lens, s->take_lens, s->taken_verdicts, BATCH);
    if (n <= 0) break;
    for (int i = 0; i < n; i++) {
      s->in_msgs[i].msg_len = s->take_lens[i] < 0 ? 0 : (unsigned)s->take_lens[i];
      s->in_msgs[i].msg_hdr.msg_flags = s->take_lens[i] < 0 ? MSG_TRUNC : 0;
      s->in_msgs[i].msg_hdr.msg_namelen = s->take_addr_lens[i];
    }
    if (!run_batch(s, n, cb, resource, s->taken_verdicts)) break;
  }
  napi_close_handle_scope(env, scope);
}

// open(address: string, port: number, ipv6: boolean, reusePort: boolean, outSlot: number, recvBuf: number)
//   -> handle; buffers via buffers(handle).
static napi_value open_socket(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6) {
    napi_throw_type_error(env, NULL, "udp-batch: open(address, port, ipv6, reusePort, outSlot, recvBuf)");
    return NULL;
  }
  char host[64];
  size_t hostLen = 0;
  int32_t port = 0, outSlot = 0, recvBuf = 0;
  bool v6 = false, reuse = false;
  CHECK(env, napi_get_value_string_utf8(env, argv[0], host, sizeof host, &hostLen));
  CHECK(env, napi_get_value_int32(env, argv[1], &port));
  CHECK(env, napi_get_value_bool(env, argv[2], &v6));
  CHECK(env, napi_get_value_bool(env, argv[3], &reuse));
  CHECK(env, napi_get_value_int32(env, argv[4], &outSlot));
  CHECK(env, napi_get_value_int32(env, argv[5], &recvBuf));
  if (port < 0 || port > 65535 || outSlot < 512 || outSlot > 65535) {
    napi_throw_range_error(env, NULL, "udp-batch: port or reply size out of range");
    return NULL;
  }
  struct sockaddr_storage addr;
  socklen_t addrLen;
  memset(&addr, 0, sizeof addr);
  if (v6) {
    struct sockaddr_in6* a = (struct sockaddr_in6*)&addr;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1) {
      napi_throw_type_error(env, NULL, "udp-batch: not an IPv6 address");
      return NULL;
    }
    addrLen = sizeof *a;
  } else {
    struct sockaddr_in* a = (struct sockaddr_in*)&addr;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1) {
      napi_throw_type_error(env, NULL, "udp-batch: not an IPv4 address");
      return NULL;
    }
    addrLen = sizeof *a;
  }
  int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket", errno);
  int one = 1, zero = 0;
  if (reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, "setsockopt(SO_REUSEPORT)", e);
  }
  // Like Node's dgram: an IPv6 wildcard socket also takes IPv4 (dual stack).
  if (v6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
  if (recvBuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &recvBuf, sizeof recvBuf);
  if (bind(fd, (struct sockaddr*)&addr, addrLen) < 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, "bind", e);
  }
  batch_socket* s = calloc(1, sizeof *s);
  if (!s) {
    close(fd);
    napi_throw_error(env, NULL, "udp-batch: out of memory");
    return NULL;
  }
  s->env = env;
  pthread_rwlock_init(&s->lock, NULL);
  if (new_buffer(env, (size_t)BATCH * IN_SLOT, (void**)&s->in, &s->in_ref) != napi_ok ||
      new_buffer(env, (size_t)BATCH * (size_t)outSlot, (void**)&s->out, &s->out_ref) != napi_ok ||
      new_buffer(env, (size_t)BATCH * META_STRIDE * sizeof(int32_t), (void**)&s->meta, &s->meta_ref) != napi_ok) {
    free_socket(s);
    close(fd);
    napi_throw_error(env, NULL, "udp-batch: out of memory");
    return NULL;
  }
  s->fd = fd;
  s->out_slot = (size_t)outSlot;
  for (int i = 0; i < BATCH; i++) {
    s->in_iov[i].iov_base = s->in + (size_t)i * IN_SLOT;
    s->in_iov[i].iov_len = IN_SLOT;
    s->in_msgs[i].msg_hdr.msg_name = &s->addrs[i];
    s->in_msgs[i].msg_hdr.msg_iov = &s->in_iov[i];
    s->in_msgs[i].msg_hdr.msg_iovlen = 1;
  }
  napi_value handle;
  CHECK(env, napi_create_external(env, s, NULL, NULL, &handle));
  return handle;
}

static napi_value local_port(napi_env env, napi_callback_info info) {
  batch_socket* s = socket_arg(env, info, NULL);
  if (!s) return NULL;
  struct sockaddr_storage a;
  socklen_t len = sizeof a;
  if (getsockname(s->fd, (struct sockaddr*)&a, &len) < 0) return throw_errno(env, "getsockname", errno);
  int port = a.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6*)&a)->sin6_port) : ntohs(((struct sockaddr_in*)&a)->sin_port);
  napi_value v;
  CHECK(env, napi_create_int32(env, port, &v));
  return v;
}

// buffers(handle) -> [input: ArrayBuffer, output: ArrayBuffer, meta: ArrayBuffer, slots, inSlot, outSlot]
static napi_value buffers(napi_env env, napi_callback_info info) {
  batch_socket* s = socket_arg(env, info, NULL);
  if (!s) return NULL;
  napi_value arr, in, out, meta, slots, inSlot, outSlot;
  if (s->closing) {
    napi_throw_error(env, NULL, "udp-batch: closed");
    return NULL;
  }
  CHECK(env, napi_get_reference_value(env, s->in_ref, &in));
  CHECK(env, napi_get_reference_value(env, s->out_ref, &out));
  CHECK(env, napi_get_reference_value(env, s->meta_ref, &meta));
  CHECK(env, napi_create_int32(env, BATCH, &slots));
  CHECK(env, napi_create_int32(env, IN_SLOT, &inSlot));
  CHECK(env, napi_create_int32(env, (int32_t)s->out_slot, &outSlot));
  CHECK(env, napi_create_array_with_length(env, 6, &arr));
  napi_value items[6] = {in, out, meta, slots, inSlot, outSlot};
  for (uint32_t i = 0; i < 6; i++) CHECK(env, napi_set_element(env, arr, i, items[i]));
  return arr;
}

// start(handle, onBatch(n)): watch the socket; onBatch runs once per received batch.
static napi_value start(napi_env env, napi_callback_info info) {
  napi_value onBatch;
  batch_socket* s = socket_arg(env, info, &onBatch);
  if (!s) return NULL;
  if (s->callback) {
    napi_throw_error(env, NULL, "udp-batch: already started");
    return NULL;
  }
  uv_loop_t* loop;
  CHECK(env, napi_get_uv_event_loop(env, &loop));
  napi_value resource, name;
  CHECK(env, napi_create_object(env, &resource));
  CHECK(env, napi_create_string_utf8(env, "kfed:udp-batch", NAPI_AUTO_LENGTH, &name));
  CHECK(env, napi_create_reference(env, onBatch, 1, &s->callback));
  CHECK(env, napi_create_reference(env, resource, 1, &s->resource));
  CHECK(env, napi_async_init(env, resource, name, &s->async));
  if (uv_poll_init(loop, &s->poll, s->fd) != 0) {
    napi_throw_error(env, NULL, "udp-batch: uv_poll_init failed");
    return NULL;
  }
  s->poll.data = s;
  uv_poll_start(&s->poll, UV_READABLE, on_readable);
  return NULL;
}

static void on_closed(uv_handle_t* h) {
  batch_socket* s = (batch_socket*)h->data;
  if (--s->open_handles > 0) return;
  close(s->fd);
  free_socket(s);
}

// close(handle): stop watching, close the socket and free the buffers (asynchronously).
static napi_value close_socket(napi_env env, napi_callback_info info) {
  batch_socket* s = socket_arg(env, info, NULL);
  if (!s || s->closing) return NULL;
  s->closing = 1;
  // The threads read the cache: they stop (and are joined) before anything is freed.
  st_stop(s->pool);
  s->pool = NULL;
  if (s->callback) {
    napi_async_destroy(env, s->async);
    napi_delete_reference(env, s->callback);
    napi_delete_reference(env, s->resource);
    uv_poll_stop(&s->poll);
    s->open_handles = 1 + s->wake_open;
    uv_close((uv_handle_t*)&s->poll, on_closed);
    if (s->wake_open) uv_close((uv_handle_t*)&s->wake, on_closed);
  } else {
    close(s->fd);
    free_socket(s);
  }
  return NULL;
}

static napi_value dropped(napi_env env, napi_callback_info info) {
  batch_socket* s = socket_arg(env, info, NULL);
  if (!s) return NULL;
  napi_value v;
  CHECK(env, napi_create_double(env, s->dropped + (s->pool ? st_dropped(s->pool) : 0), &v));
  return v;
}

// cacheInit(handle, maxEntries, metricSlots, bounds: number[]) -> stats: ArrayBuffer
// (layout in answer_cache.h).
static napi_value cache_init(napi_env env, napi_callback_info info) {
  napi_value a[3];
  batch_socket* s = socket_args(env, info, 3, a, "udp-batch: cacheInit(handle, maxEntries, metricSlots, bounds)");
  if (!s) return NULL;
  int32_t max = 0, slots = 0;
  uint32_t nb = 0;
  CHECK(env, napi_get_value_int32(env, a[0], &max));
  CHECK(env, napi_get_value_int32(env, a[1], &slots));
  CHECK(env, napi_get_array_length(env, a[2], &nb));
  if (s->cache || s->closing || max < 1 || max > (1 << 24) || slots < 1 || slots > 4096 || nb > 32) {
    napi_throw_range_error(env, NULL, "udp-batch: cacheInit arguments out of range, or already initialised");
    return NULL;
  }
  double bounds[32];
  for (uint32_t i = 0; i < nb; i++) {
    napi_value v;
    CHECK(env, napi_get_element(env, a[2], i, &v));
    CHECK(env, napi_get_value_double(env, v, &bounds[i]));
  }
  double* stats = NULL;
  napi_value ab;
  CHECK(env, napi_create_arraybuffer(env, ((size_t)slots + AC_BUCKETS + nb + 1) * sizeof(double), (void**)&stats, &ab));
  memset(stats, 0, ((size_t)slots + AC_BUCKETS + nb + 1) * sizeof(double));
  s->cache = ac_new((uint32_t)max, (uint32_t)slots, bounds, (int)nb);
  s->stats = stats;
  s->metric_slots = slots;
  if (!s->cache) {
    napi_throw_error(env, NULL, "udp-batch: out of memory");
    return NULL;
  }
  CHECK(env, napi_create_reference(env, ab, 1, &s->stats_ref));
  return ab;
}

// cacheClear(handle): forget every cached answer and located subnet (a new snapshot).
static napi_value cache_clear(napi_env env, napi_callback_info info) {
  batch_socket* s = socket_arg(env, info, NULL);
  if (s && s->cache) {
    pthread_rwlock_wrlock(&s->lock);
    ac_clear(s->cache);
    pthread_rwlock_unlock(&s->lock);
  }
  return NULL;
}

// rrlInit(handle, rate, burst, slip, ipv4Bits, ipv6Bits, exemptLoopback, maxEntries): rate
// limiting in C (rrl.h) for this socket and its serving threads, before the cache is
// consulted; needs cacheInit first and comes before startThreads.
static napi_value rrl_init(napi_env env, napi_callback_info info) {
  napi_value a[7];
  batch_socket* s = socket_args(env, info, 7, a, "udp-batch: rrlInit(handle, rate, burst, slip, ipv4Bits, ipv6Bits, exemptLoopback, maxEntries)");
  if (!s) return NULL;
  rrl_config cfg;
  bool exempt = false;
  int32_t max = 0;
  CHECK(env, napi_get_value_double(env, a[0], &cfg.rate));
  CHECK(env, napi_get_value_double(env, a[1], &cfg.burst));
  CHECK(env, napi_get_value_int32(env, a[2], &cfg.slip));
  CHECK(env, napi_get_value_int32(env, a[3], &cfg.v4_bits));
  CHECK(env, napi_get_value_int32(env, a[4], &cfg.v6_bits));
  CHECK(env, napi_get_value_bool(env, a[5], &exempt));
  CHECK(env, napi_get_value_int32(env, a[6], &max));
  cfg.exempt_loopback = exempt;
  if (!s->cache || s->rrl || s->pool || !(cfg.rate > 0) || !(cfg.burst >= 1) || cfg.slip < 0 || cfg.v4_bits < 1 || cfg.v4_bits > 32 || cfg.v6_bits < 1 ||
      cfg.v6_bits > 128 || max < 1) {
    napi_throw_range_error(env, NULL, "udp-batch: rrlInit needs the cache on, no threads yet, and settings in range");
    return NULL;
  }
  cfg.max_entries = (uint32_t)max;
  s->rrl = rrl_new(&cfg);
  if (!s->rrl) {
    napi_throw_error(env, NULL, "udp-batch: out of memory");
    return NULL;
  }
  return NULL;
}

static void wake_main(void* arg) { uv_async_send((uv_async_t*)arg); }

// startThreads(handle, n) -> stats: ArrayBuffer[] (one per thread, layout in answer_cache.h).
// n more threads serve the socket's address from the answer cache (serve_threads.h);
// needs start() and cacheInit() first, and a socket opened with reusePort.
static napi_value start_threads(napi_env env, napi_callback_info info) {
  napi_value nv;
  batch_socket* s = socket_arg(env, info, &nv);
  if (!s) return NULL;
  int32_t n = 0;
  CHECK(env, napi_get_value_int32(env, nv, &n));
  // Once: a failed try leaves the wake handle initialised (closed with the socket), and
  // initialising it again would put it on the loop's handle queue twice.
  if (!s->cache || !s->callback || s->pool || s->wake_open || s->closing || n < 1 || n > MAX_THREADS) {
    napi_throw_error(env, NULL, "udp-batch: startThreads needs a started socket with the cache on, once, 1..16 threads");
    return NULL;
  }
  struct sockaddr_storage bound;
  socklen_t bound_len = sizeof bound;
  if (getsockname(s->fd, (struct sockaddr*)&bound, &bound_len) < 0) return throw_errno(env, "getsockname", errno);
  int recv_buf = 0;
  socklen_t rl = sizeof recv_buf;
  getsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &recv_buf, &rl);
  napi_value arr;
  CHECK(env, napi_create_array_with_length(env, (size_t)n, &arr));
  double* stats[MAX_THREADS];
  size_t len = ac_stats_len(s->cache);
  for (int k = 0; k < n; k++) {
    napi_value ab;
    CHECK(env, napi_create_arraybuffer(env, len * sizeof(double), (void**)&stats[k], &ab));
    memset(stats[k], 0, len * sizeof(double));
    CHECK(env, napi_create_reference(env, ab, 1, &s->thread_stats[k]));
    CHECK(env, napi_set_element(env, arr, (uint32_t)k, ab));
  }
  uv_loop_t* loop;
  CHECK(env, napi_get_uv_event_loop(env, &loop));
  if (uv_async_init(loop, &s->wake, on_wake) != 0) {
    napi_throw_error(env, NULL, "udp-batch: uv_async_init failed");
    return NULL;
  }
  s->wake.data = s;
  s->wake_open = 1;
  st_config cfg = {
      .addr = (struct sockaddr*)&bound, .addr_len = bound_len, .recv_buf = recv_buf / 2, .cache = s->cache, .lock = &s->lock,
      .rrl = s->rrl, .drops_at = (size_t)s->metric_slots + AC_DROPS, .out_slot = s->out_slot, .in_slot = IN_SLOT, .stats = stats,
      .wake = wake_main, .wake_arg = &s->wake,
  };
  char err[256] = "";
  s->pool = st_start(n, &cfg, err, sizeof err);
  if (!s->pool) {
    char msg[300];
    snprintf(msg, sizeof msg, "udp-batch: serving threads: %s", err);
    napi_throw_error(env, NULL, msg);
    return NULL;
  }
  return arr;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, open_socket, NULL, NULL, NULL, napi_default, NULL},
      {"localPort", NULL, local_port, NULL, NULL, NULL, napi_default, NULL},
      {"buffers", NULL, buffers, NULL, NULL, NULL, napi_default, NULL},
      {"start", NULL, start, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, close_socket, NULL, NULL, NULL, napi_default, NULL},
      {"dropped", NULL, dropped, NULL, NULL, NULL, napi_default, NULL},
      {"cacheInit", NULL, cache_init, NULL, NULL, NULL, napi_default, NULL},
      {"cacheClear", NULL, cache_clear, NULL, NULL, NULL, napi_default, NULL},
      {"startThreads", NULL, start_threads, NULL, NULL, NULL, napi_default, NULL},
      {"rrlInit", NULL, rrl_init, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
