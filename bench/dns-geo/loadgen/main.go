// loadgen: a closed-loop UDP DNS load generator for the geo benchmark. Unlike dnsperf
// (one fixed EDNS option for every query), each query carries an EDNS Client Subnet
// option drawn from a list of client subnets, as a resolver serving many networks sends.
// Several clients (sockets) keep a window of queries outstanding each, sending and
// receiving in batches (sendmmsg/recvmmsg), and it prints one JSON line: answered QPS,
// latency percentiles, losses, rcodes, which cluster the answers pointed at, and its own
// CPU time. Loopback only: it refuses any server address outside 127.0.0.0/8 and ::1.
//
//	loadgen -server 127.0.0.1:5353 -zone bench.example -names 10000 -subnets subnets.txt \
//	        -clients 8 -outstanding 512 -seconds 5 [-procs 4]
//	loadgen -emit 1000000 -out queries.bin ...   # the same queries, framed for dnsperf -B
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

type config struct {
	server      string
	zone        string
	names       int
	subnets     [][3]byte
	clients     int
	outstanding int
	seconds     float64
	timeout     time.Duration
	batch       int
	ecs         bool
	seed        uint64
}

func main() {
	var c config
	var subnetPath, out string
	var emit int
	flag.StringVar(&c.server, "server", "127.0.0.1:5353", "server address (loopback only)")
	flag.StringVar(&c.zone, "zone", "bench.example", "zone; names are n0..n<names-1>.<zone>")
	flag.IntVar(&c.names, "names", 10000, "number of names")
	flag.StringVar(&subnetPath, "subnets", "", "file of client subnets, one IPv4 /24 (a.b.c.0) a line")
	flag.IntVar(&c.clients, "clients", 8, "client sockets")
	flag.IntVar(&c.outstanding, "outstanding", 512, "queries outstanding in total")
	flag.Float64Var(&c.seconds, "seconds", 5, "run time")
	flag.DurationVar(&c.timeout, "timeout", 2*time.Second, "a query unanswered this long is lost")
	flag.IntVar(&c.batch, "batch", 64, "datagrams per sendmmsg/recvmmsg")
	flag.BoolVar(&c.ecs, "ecs", true, "send an ECS option (else plain EDNS)")
	flag.Uint64Var(&c.seed, "seed", 1, "random seed")
	// More OS threads than cores: on a shared machine a generator with as many threads as
	// cores loses its share of CPU to everything else and becomes the bottleneck.
	procs := flag.Int("procs", 4, "GOMAXPROCS")
	flag.IntVar(&emit, "emit", 0, "write this many queries to -out (dnsperf -B format) instead of sending")
	flag.StringVar(&out, "out", "", "output file for -emit")
	flag.Parse()
	runtime.GOMAXPROCS(max(*procs, runtime.NumCPU()))
	if err := run(c, subnetPath, emit, out); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func readSubnets(path string) ([][3]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var subnets [][3]byte
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text()) // "a.b.c.0 [continent]"
		if len(fields) == 0 {
			continue
		}
		line := fields[0]
		a, err := netip.ParseAddr(strings.TrimSuffix(line, "/24"))
		if err != nil || !a.Is4() {
			return nil, fmt.Errorf("subnets: %q is not an IPv4 address", line)
		}
		b := a.As4()
		subnets = append(subnets, [3]byte{b[0], b[1], b[2]})
	}
	if len(subnets) == 0 {
		return nil, fmt.Errorf("subnets: %s is empty", path)
	}
	return subnets, sc.Err()
}

func run(c config, subnetPath string, emit int, out string) error {
	if subnetPath == "" {
		return fmt.Errorf("-subnets is required")
	}
	subnets, err := readSubnets(subnetPath)
	if err != nil {
		return err
	}
	c.subnets = subnets
	q := newQueries(c)
	if emit > 0 {
		return q.emit(emit, out, c.seed)
	}
	addr, err := net.ResolveUDPAddr("udp", c.server)
	if err != nil {
		return err
	}
	if !addr.IP.IsLoopback() {
		return fmt.Errorf("refusing %s: the load generator sends only to loopback", addr.IP)
	}
	if c.clients < 1 || c.outstanding < c.clients {
		return fmt.Errorf("need 1 <= clients <= outstanding")
	}
	var ru0 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	start := time.Now()
	end := start.Add(time.Duration(c.seconds * float64(time.Second)))
	results := make([]*clientStats, c.clients)
	errs := make([]error, c.clients)
	var wg sync.WaitGroup
	for i := 0; i < c.clients; i++ {
		window := c.outstanding / c.clients
		if i < c.outstanding%c.clients {
			window++
		}
		wg.Add(1)
		go func(i, window int) {
			defer wg.Done()
			results[i], errs[i] = runClient(addr, q, c, window, c.seed+uint64(i)*0x9e3779b97f4a7c15, start, end)
		}(i, window)
	}
	wg.Wait()
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	var ru1 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	total := merge(results)
	rep := total.report(c.seconds)
	rep.CPUSeconds = cpu(ru1) - cpu(ru0)
	rep.Subnets = len(subnets)
	return json.NewEncoder(os.Stdout).Encode(rep)
}

func cpu(r syscall.Rusage) float64 {
	return float64(r.Utime.Sec+r.Stime.Sec) + float64(r.Utime.Usec+r.Stime.Usec)/1e6
}
