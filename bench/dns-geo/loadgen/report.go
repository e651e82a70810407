package main

type report struct {
	Seconds    float64           `json:"seconds"`
	Sent       uint64            `json:"sent"`
	Answered   uint64            `json:"answered"`
	Lost       uint64            `json:"lost"`
	Stray      uint64            `json:"stray"`
	QPS        float64           `json:"qps"`
	P50Us      int64             `json:"p50Us"`
	P90Us      int64             `json:"p90Us"`
	P99Us      int64             `json:"p99Us"`
	P999Us     int64             `json:"p999Us"`
	Rcodes     map[string]uint64 `json:"rcodes"`
	Clusters   map[string]uint64 `json:"clusters"`
	CPUSeconds float64           `json:"cpuSeconds"`
	Subnets    int               `json:"subnets"`
}

func merge(all []*clientStats) *clientStats {
	t := newStats()
	for _, s := range all {
		t.sent += s.sent
		t.answered += s.answered
		t.late += s.late
		t.lost += s.lost
		t.stray += s.stray
		for i, v := range s.rcodes {
			t.rcodes[i] += v
		}
		for k, v := range s.clusters {
			t.clusters[k] += v
		}
		for i, v := range s.hist {
			t.hist[i] += v
		}
	}
	return t
}

func (s *clientStats) quantile(q float64) int64 {
	var total uint64
	for _, v := range s.hist {
		total += uint64(v)
	}
	if total == 0 {
		return -1
	}
	want := uint64(q * float64(total))
	var acc uint64
	for i, v := range s.hist {
		acc += uint64(v)
		if acc > want {
			return usOf(i)
		}
	}
	return usOf(len(s.hist) - 1)
}

var rcodeNames = []string{"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"}

func (s *clientStats) report(seconds float64) report {
	r := report{Seconds: seconds, Sent: s.sent, Answered: s.answered, Lost: s.lost, Stray: s.stray,
		QPS: float64(s.answered) / seconds, P50Us: s.quantile(0.5), P90Us: s.quantile(0.9), P99Us: s.quantile(0.99),
		P999Us: s.quantile(0.999), Rcodes: map[string]uint64{}, Clusters: s.clusters}
	for i, v := range s.rcodes {
		if v == 0 {
			continue
		}
		name := "RCODE" + string(rune('0'+i%10))
		if i < len(rcodeNames) {
			name = rcodeNames[i]
		}
		r.Rcodes[name] = v
	}
	return r
}
