package main

import (
	"bufio"
	"encoding/binary"
	"os"
	"strconv"
	"strings"
)

// queries holds one wire template per name: header, question, and an OPT record whose
// ECS option (family 1, source /24) ends the message, so a query is a copy plus a new
// ID and three address bytes.
type queries struct {
	templates [][]byte
	subnets   [][3]byte
	ecs       bool
}

func encodeName(name string) []byte {
	var b []byte
	for _, label := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		b = append(b, byte(len(label)))
		b = append(b, label...)
	}
	return append(b, 0)
}

func newQueries(c config) *queries {
	q := &queries{subnets: c.subnets, ecs: c.ecs}
	for i := 0; i < c.names; i++ {
		m := []byte{0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1} // no RD: an authoritative query
		m = append(m, encodeName("n"+strconv.Itoa(i)+"."+c.zone)...)
		m = append(m, 0, 1, 0, 1) // A IN
		// OPT: root owner, type 41, UDP size 1232, ext rcode/version/flags 0
		m = append(m, 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0)
		if c.ecs {
			m = append(m, 0, 11, 0, 8, 0, 7, 0, 1, 24, 0, 0, 0, 0)
		} else {
			m = append(m, 0, 0)
		}
		q.templates = append(q.templates, m)
	}
	return q
}

// xorshift64*: cheap, per client, reproducible.
type rng uint64

func (r *rng) next() uint64 {
	x := uint64(*r)
	x ^= x >> 12
	x ^= x << 25
	x ^= x >> 27
	*r = rng(x)
	return x * 2685821657736338717
}

// build writes a query for a random name and a random client subnet into buf.
func (q *queries) build(buf []byte, id uint16, r *rng) int {
	v := r.next()
	t := q.templates[(v>>32)%uint64(len(q.templates))]
	n := copy(buf, t)
	binary.BigEndian.PutUint16(buf, id)
	if q.ecs {
		s := q.subnets[(v&0xffffffff)%uint64(len(q.subnets))]
		buf[n-3], buf[n-2], buf[n-1] = s[0], s[1], s[2]
	}
	return n
}

// emit writes n queries in dnsperf's -B format: each message after a two-byte length.
func (q *queries) emit(n int, path string, seed uint64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	r := rng(seed | 1)
	buf := make([]byte, 512)
	for i := 0; i < n; i++ {
		l := q.build(buf[2:], uint16(i), &r)
		binary.BigEndian.PutUint16(buf, uint16(l))
		if _, err := w.Write(buf[:l+2]); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
