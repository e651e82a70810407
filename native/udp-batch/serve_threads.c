// See serve_threads.h.
#define _GNU_SOURCE
#include "serve_threads.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define T_BATCH 64
#define T_ROUNDS 16
#define QUEUE 512

typedef struct {
  int32_t len;
  int8_t verdict;
  socklen_t addr_len;
  struct sockaddr_storage addr;
} st_head;

typedef struct {
  st_pool* pool;
  int index;
  int fd;
  pthread_t tid;
  int started;
  uint64_t dropped;  // replies this thread's socket refused; read by the main thread (atomic)
  uint8_t* in;
  uint8_t* out;
  struct sockaddr_storage addrs[T_BATCH];
  struct iovec in_iov[T_BATCH];
  struct mmsghdr in_msgs[T_BATCH];
  struct iovec out_iov[T_BATCH];
  struct mmsghdr out_msgs[T_BATCH];
  int miss[T_BATCH];
  int8_t verdict[T_BATCH];
} st_thread;

struct st_pool {
  st_config cfg;
  double* stats[ST_MAX_THREADS];  // copied: cfg.stats may point at the caller's stack
  int n;
  int stop_fd;
  st_thread* threads;
  pthread_mutex_t qlock;
  st_head heads[QUEUE];
  uint8_t* qdata;
  int qhead;
  int qcount;
  double qdropped;  // under qlock
};

static int source_port(const struct sockaddr_storage* a) {
  if (a->ss_family == AF_INET) return ntohs(((const struct sockaddr_in*)a)->sin_port);
  if (a->ss_family == AF_INET6) return ntohs(((const struct sockaddr_in6*)a)->sin6_port);
  return 0;
}

static void send_all(st_thread* t, int k) {
  int done = 0;
  while (done < k) {
    int r = sendmmsg(t->fd, t->out_msgs + done, (unsigned)(k - done), MSG_DONTWAIT);
    if (r > 0) {
      done += r;
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else {
      __atomic_fetch_add(&t->dropped, 1, __ATOMIC_RELAXED);
      done += 1;
    }
  }
}

// Hands the datagrams the cache could not answer to the main thread.
static void forward(st_thread* t, int misses) {
  st_pool* p = t->pool;
  pthread_mutex_lock(&p->qlock);
  for (int j = 0; j < misses; j++) {
    int i = t->miss[j];
    if (p->qcount == QUEUE) {
      p->qdropped += misses - j;
      break;
    }
    int at = (p->qhead + p->qcount) % QUEUE;
    st_head* h = &p->heads[at];
    h->len = (t->in_msgs[i].msg_hdr.msg_flags & MSG_TRUNC) ? -1 : (int32_t)t->in_msgs[i].msg_len;
    h->verdict = t->verdict[i];
    h->addr_len = t->in_msgs[i].msg_hdr.msg_namelen;
    memcpy(&h->addr, &t->addrs[i], sizeof h->addr);
    if (h->len > 0) memcpy(p->qdata + (size_t)at * p->cfg.in_slot, t->in + (size_t)i * p->cfg.in_slot, (size_t)h->len);
    p->qcount++;
  }
  pthread_mutex_unlock(&p->qlock);
  p->cfg.wake(p->cfg.wake_arg);
}

static void serve_batch(st_thread* t, int n) {
  st_pool* p = t->pool;
  const st_config* c = &p->cfg;
  double* stats = p->stats[t->index];
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int k = 0, misses = 0;
  // As in JavaScript: every datagram that can be answered is rate-limited before anything else.
  memset(t->verdict, RRL_PASS, sizeof t->verdict);
  if (c->rrl) {
    double now = rrl_now_ms();
    rrl_lock(c->rrl);
    for (int i = 0; i < n; i++) {
      if (!(t->in_msgs[i].msg_hdr.msg_flags & MSG_TRUNC) && source_port(&t->addrs[i]) != 0) t->verdict[i] = (int8_t)rrl_check(c->rrl, &t->addrs[i], now);
    }
    rrl_unlock(c->rrl);
  }
  pthread_rwlock_rdlock(c->lock);
  for (int i = 0; i < n; i++) {
    struct mmsghdr* m = &t->in_msgs[i];
    int len = 0;
    if (t->verdict[i] == RRL_DROP) {
      stats[c->drops_at] += 1;
      continue;
    }
    if (t->verdict[i] == RRL_PASS && !(m->msg_hdr.msg_flags & MSG_TRUNC) && source_port(&t->addrs[i]) != 0) {
      len = ac_answer(c->cache, stats, t->in + (size_t)i * c->in_slot, (int)m->msg_len, t->out + (size_t)k * c->out_slot, c->out_slot);
    }
    if (len <= 0) {
      t->miss[misses++] = i;
      continue;
    }
    t->out_iov[k].iov_base = t->out + (size_t)k * c->out_slot;
    t->out_iov[k].iov_len = (size_t)len;
    memset(&t->out_msgs[k].msg_hdr, 0, sizeof t->out_msgs[k].msg_hdr);
    t->out_msgs[k].msg_hdr.msg_name = &t->addrs[i];
    t->out_msgs[k].msg_hdr.msg_namelen = m->msg_hdr.msg_namelen;
    t->out_msgs[k].msg_hdr.msg_iov = &t->out_iov[k];
    t->out_msgs[k].msg_hdr.msg_iovlen = 1;
    k++;
  }
  pthread_rwlock_unlock(c->lock);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  ac_record(c->cache, stats, k, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
  if (k > 0) send_all(t, k);
  if (misses > 0) forward(t, misses);
}

static void* serve(void* arg) {
  st_thread* t = arg;
  st_pool* p = t->pool;
  struct pollfd fds[2] = {{.fd = t->fd, .events = POLLIN}, {.fd = p->stop_fd, .events = POLLIN}};
  for (;;) {
    int r = poll(fds, 2, -1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 || fds[1].revents) break;
    for (int round = 0; round < T_ROUNDS; round++) {
      for (int i = 0; i < T_BATCH; i++) {
        t->in_msgs[i].msg_hdr.msg_namelen = sizeof t->addrs[i];
        t->in_msgs[i].msg_hdr.msg_flags = 0;
      }
      int n = recvmmsg(t->fd, t->in_msgs, T_BATCH, MSG_DONTWAIT, NULL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      serve_batch(t, n);
      if (n < T_BATCH) break;
    }
  }
  return NULL;
}

static int bind_socket(const st_config* c, char* err, size_t err_len) {
  int fd = socket(c->addr->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1, zero = 0;
  if (fd < 0) {
    snprintf(err, err_len, "socket: %s", strerror(errno));
    return -1;
  }
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0) {
    snprintf(err, err_len, "setsockopt(SO_REUSEPORT): %s", strerror(errno));
    close(fd);
    return -1;
  }
  if (c->addr->sa_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
  if (c->recv_buf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &c->recv_buf, sizeof c->recv_buf);
  if (bind(fd, c->addr, c->addr_len) < 0) {
    snprintf(err, err_len, "bind: %s", strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
}

st_pool* st_start(int n, const st_config* cfg, char* err, size_t err_len) {
  if (n < 1 || n > ST_MAX_THREADS) {
    snprintf(err, err_len, "1 to %d threads", ST_MAX_THREADS);
    return NULL;
  }
  st_pool* p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->cfg = *cfg;
  memcpy(p->stats, cfg->stats, (size_t)n * sizeof *p->stats);
  p->cfg.stats = NULL;
  p->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  p->threads = calloc((size_t)n, sizeof *p->threads);
  p->qdata = malloc((size_t)QUEUE * cfg->in_slot);
  pthread_mutex_init(&p->qlock, NULL);
  if (p->stop_fd < 0 || !p->threads || !p->qdata) {
    snprintf(err, err_len, "out of memory or eventfd failed");
    st_stop(p);
    return NULL;
  }
  for (int k = 0; k < n; k++) {
    st_thread* t = &p->threads[k];
    t->pool = p;
    t->index = k;
    t->fd = -1;
    p->n = k + 1;
    t->in = malloc(T_BATCH * cfg->in_slot);
    t->out = malloc(T_BATCH * cfg->out_slot);
    if (!t->in || !t->out) {
      snprintf(err, err_len, "out of memory");
      st_stop(p);
      return NULL;
    }
    for (int i = 0; i < T_BATCH; i++) {
      t->in_iov[i].iov_base = t->in + (size_t)i * cfg->in_slot;
      t->in_iov[i].iov_len = cfg->in_slot;
      t->in_msgs[i].msg_hdr.msg_name = &t->addrs[i];
      t->in_msgs[i].msg_hdr.msg_iov = &t->in_iov[i];
      t->in_msgs[i].msg_hdr.msg_iovlen = 1;
    }
    t->fd = bind_socket(cfg, err, err_len);
    if (t->fd < 0 || pthread_create(&t->tid, NULL, serve, t) != 0) {
      if (t->fd >= 0) snprintf(err, err_len, "pthread_create failed");
      st_stop(p);
      return NULL;
    }
    t->started = 1;
  }
  return p;
}

int st_take(st_pool* p, uint8_t* in, struct sockaddr_storage* addrs, socklen_t* addr_lens, int32_t* lens, int8_t* verdicts, int max) {
  pthread_mutex_lock(&p->qlock);
  int k = 0;
  for (; k < max && p->qcount > 0; k++) {
    st_head* h = &p->heads[p->qhead];
    lens[k] = h->len;
    verdicts[k] = h->verdict;
    addr_lens[k] = h->addr_len;
    memcpy(&addrs[k], &h->addr, sizeof h->addr);
    if (h->len > 0) memcpy(in + (size_t)k * p->cfg.in_slot, p->qdata + (size_t)p->qhead * p->cfg.in_slot, (size_t)h->len);
    p->qhead = (p->qhead + 1) % QUEUE;
    p->qcount--;
  }
  pthread_mutex_unlock(&p->qlock);
  return k;
}

// Called by the main thread while the threads run (a metrics scrape): qdropped is read
// under the queue lock, each thread's count atomically.
double st_dropped(st_pool* p) {
  pthread_mutex_lock(&p->qlock);
  double d = p->qdropped;
  pthread_mutex_unlock(&p->qlock);
  for (int k = 0; k < p->n; k++) d += (double)__atomic_load_n(&p->threads[k].dropped, __ATOMIC_RELAXED);
  return d;
}

void st_stop(st_pool* p) {
  if (!p) return;
  if (p->stop_fd >= 0) {
    uint64_t one = 1;
    // A fresh eventfd always takes one write; the threads poll it and exit.
    ssize_t w = write(p->stop_fd, &one, sizeof one);
    (void)w;
  }
  for (int k = 0; k < p->n; k++) {
    st_thread* t = &p->threads[k];
    if (t->started) pthread_join(t->tid, NULL);
    if (t->fd >= 0) close(t->fd);
    free(t->in);
    free(t->out);
  }
  if (p->stop_fd >= 0) close(p->stop_fd);
  pthread_mutex_destroy(&p->qlock);
  free(p->threads);
  free(p->qdata);
  free(p);
}
