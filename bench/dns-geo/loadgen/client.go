package main

import (
	"errors"
	"net"
	"os"
	"syscall"
	"time"
)

// Latency histogram: 1 us buckets up to 100 ms, then 100 us buckets up to 2 s.
const (
	fineUs   = 100_000
	coarseUs = 100
	buckets  = fineUs + 1_900_000/coarseUs + 1
)

func bucketOf(us int64) int {
	if us < fineUs {
		return int(us)
	}
	b := fineUs + int((us-fineUs)/coarseUs)
	if b >= buckets {
		return buckets - 1
	}
	return b
}

func usOf(b int) int64 {
	if b < fineUs {
		return int64(b)
	}
	return fineUs + int64(b-fineUs)*coarseUs
}

type clientStats struct {
	sent, answered, late, lost, stray uint64
	rcodes                            [16]uint64
	clusters                          map[string]uint64
	hist                              []uint32
}

func newStats() *clientStats {
	return &clientStats{clusters: map[string]uint64{}, hist: make([]uint32, buckets)}
}

// cluster names the bench cluster an answer's first A record belongs to (its /24).
func cluster(msg []byte) string {
	// header, question (name, type, class), then the first answer: name (pointer), type..rdata
	if len(msg) < 12 || msg[6]|msg[7] == 0 {
		return "none"
	}
	o := 12
	for o < len(msg) && msg[o] != 0 {
		o += int(msg[o]) + 1
	}
	o += 5
	for o < len(msg) && msg[o] != 0 && msg[o]&0xc0 != 0xc0 {
		o += int(msg[o]) + 1
	}
	if o < len(msg) && msg[o]&0xc0 == 0xc0 {
		o += 2
	} else {
		o++
	}
	if o+14 > len(msg) || msg[o] != 0 || msg[o+1] != 1 {
		return "other"
	}
	a := msg[o+10 : o+13]
	switch {
	case a[0] == 192 && a[1] == 0 && a[2] == 2:
		return "eu"
	case a[0] == 198 && a[1] == 51 && a[2] == 100:
		return "us"
	case a[0] == 203 && a[1] == 0 && a[2] == 113:
		return "ap"
	}
	return "other"
}

type client struct {
	conn    *net.UDPConn
	rc      syscall.RawConn
	sendAt  []int64 // by query ID: ns since start + 1, 0 when free
	nextID  uint16
	oldest  uint16
	flight  int
	st      *clientStats
	sb, rb  *batch
	rand    rng
	start   time.Time
	timeout int64
}

func runClient(addr *net.UDPAddr, q *queries, c config, window int, seed uint64, start, end time.Time) (*clientStats, error) {
	conn, err := net.DialUDP("udp", nil, addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	_ = conn.SetReadBuffer(4 << 20)
	_ = conn.SetWriteBuffer(4 << 20)
	rc, err := conn.SyscallConn()
	if err != nil {
		return nil, err
	}
	cl := &client{conn: conn, rc: rc, sendAt: make([]int64, 65536), st: newStats(), sb: newBatch(c.batch, 512),
		rb: newBatch(c.batch, 4096), rand: rng(seed | 1), start: start, timeout: int64(c.timeout)}
	endNs := int64(end.Sub(start))
	for {
		now := int64(time.Since(start))
		if now >= endNs {
			break
		}
		cl.expire(now)
		if err := cl.fill(q, window); err != nil {
			return nil, err
		}
		if err := cl.receive(endNs, 20*time.Millisecond); err != nil {
			return nil, err
		}
	}
	// Drain: answers to queries already sent count for latency, not for QPS.
	drainUntil := time.Now().Add(200 * time.Millisecond)
	for cl.flight > 0 && time.Now().Before(drainUntil) {
		if err := cl.receive(endNs, time.Until(drainUntil)); err != nil {
			return nil, err
		}
	}
	return cl.st, nil
}

// expire counts queries unanswered past the timeout as lost and frees their IDs.
func (cl *client) expire(now int64) {
	for cl.oldest != cl.nextID {
		t := cl.sendAt[cl.oldest]
		if t != 0 {
			if now-(t-1) < cl.timeout {
				return
			}
			cl.sendAt[cl.oldest] = 0
			cl.flight--
			cl.st.lost++
		}
		cl.oldest++
	}
}

// fill sends queries until the window is full (in batches).
func (cl *client) fill(q *queries, window int) error {
	for cl.flight < window {
		k := window - cl.flight
		if k > len(cl.sb.hdrs) {
			k = len(cl.sb.hdrs)
		}
		// Never reuse an ID still outstanding (a window far below 65536 makes this rare).
		if cl.sendAt[cl.nextID+uint16(k)] != 0 {
			return nil
		}
		at := int64(time.Since(cl.start)) + 1
		for i := 0; i < k; i++ {
			n := q.build(cl.sb.bufs[i], cl.nextID, &cl.rand)
			cl.sb.iovs[i].SetLen(n)
			cl.sendAt[cl.nextID] = at
			cl.nextID++
		}
		sent := 0
		for sent < k {
			var n int
			var errno syscall.Errno
			err := cl.rc.Write(func(fd uintptr) bool {
				b := *cl.sb
				b.hdrs = b.hdrs[sent:]
				n, errno = mmsg(sysSendmmsg, fd, &b, k-sent)
				return errno != syscall.EAGAIN
			})
			if err != nil {
				return err
			}
			if errno == syscall.ECONNREFUSED {
				continue // an ICMP error from an earlier datagram; the server is not there yet or went away
			}
			if errno != 0 {
				return errno
			}
			sent += n
		}
		cl.flight += k
		cl.st.sent += uint64(k)
	}
	return nil
}

// receive reads one batch of answers (waiting up to `wait`) and records them.
func (cl *client) receive(endNs int64, wait time.Duration) error {
	for i := range cl.rb.hdrs {
		cl.rb.iovs[i].SetLen(len(cl.rb.bufs[i]))
	}
	_ = cl.conn.SetReadDeadline(time.Now().Add(wait))
	var n int
	var errno syscall.Errno
	err := cl.rc.Read(func(fd uintptr) bool {
		n, errno = mmsg(sysRecvmmsg, fd, cl.rb, len(cl.rb.hdrs))
		return errno != syscall.EAGAIN
	})
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil
		}
		return err
	}
	if errno == syscall.ECONNREFUSED {
		return nil
	}
	if errno != 0 {
		return errno
	}
	now := int64(time.Since(cl.start))
	for i := 0; i < n; i++ {
		msg := cl.rb.bufs[i][:cl.rb.hdrs[i].len]
		if len(msg) < 12 {
			cl.st.stray++
			continue
		}
		id := uint16(msg[0])<<8 | uint16(msg[1])
		t := cl.sendAt[id]
		if t == 0 {
			cl.st.stray++ // late answer to a query already counted lost
			continue
		}
		cl.sendAt[id] = 0
		cl.flight--
		lat := now - (t - 1)
		cl.st.hist[bucketOf(lat/1000)]++
		if now < endNs {
			cl.st.answered++
		} else {
			cl.st.late++
		}
		cl.st.rcodes[msg[3]&0xf]++
		cl.st.clusters[cluster(msg)]++
	}
	return nil
}
