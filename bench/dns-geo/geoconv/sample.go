package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"sort"
	"strconv"
	"strings"
)

// sampler draws client /24 subnets per continent from the networks of the database
// (reservoir sampling, seeded), so the load has a known mix of continents.
type sampler struct {
	quota map[string]int
	seen  map[string]int
	picks map[string][]netip.Addr
	rand  *rand.Rand
}

func newSampler(spec string, seed uint64) *sampler {
	s := &sampler{quota: map[string]int{}, seen: map[string]int{}, picks: map[string][]netip.Addr{}, rand: rand.New(rand.NewPCG(seed, seed^0x5bd1e995))}
	for _, kv := range strings.Split(spec, ",") {
		k, v, _ := strings.Cut(kv, "=")
		if n, err := strconv.Atoi(v); err == nil && k != "" {
			s.quota[k] = n
		}
	}
	return s
}

// offer considers the /24 at the start of an IPv4 network of at most 24 bits.
func (s *sampler) offer(p netip.Prefix, continent string) {
	q := s.quota[continent]
	if q == 0 || !p.Addr().Is4() || p.Bits() > 24 {
		return
	}
	// A random /24 inside the network, so large networks are not sampled only at their start.
	a := p.Addr().As4()
	span := uint32(1) << (24 - p.Bits())
	base := uint32(a[0])<<16 | uint32(a[1])<<8 | uint32(a[2])
	v := base + uint32(s.rand.Uint64N(uint64(span)))
	addr := netip.AddrFrom4([4]byte{byte(v >> 16), byte(v >> 8), byte(v), 0})
	n := s.seen[continent]
	s.seen[continent] = n + 1
	if len(s.picks[continent]) < q {
		s.picks[continent] = append(s.picks[continent], addr)
	} else if j := s.rand.IntN(n + 1); j < q {
		s.picks[continent][j] = addr
	}
}

// write lists the subnets ("a.b.c.0 CONTINENT"), each /24 once, in a fixed order.
func (s *sampler) write(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	conts := make([]string, 0, len(s.picks))
	for c := range s.picks {
		conts = append(conts, c)
	}
	sort.Strings(conts)
	seen := map[netip.Addr]bool{}
	for _, c := range conts {
		for _, a := range s.picks[c] {
			if !seen[a] {
				seen[a] = true
				fmt.Fprintf(w, "%s %s\n", a, c)
			}
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
