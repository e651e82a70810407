// external-dns v0.20.0 with only its RFC2136 provider linked.
//
// The stock command (sigs.k8s.io/external-dns's main -> controller.Execute) links every provider,
// and one of them (civo) needs github.com/civo/civogo, which the Go module proxy does not serve; so
// the stock main cannot be built here. This command is external-dns's own code everywhere that
// matters to interoperability: its flag parsing and validation (the same command line), its sources
// (the CRD source reading DNSEndpoints, with the same wrappers), its TXT registry, its plan and its
// RFC2136 provider, each constructed with the arguments controller.Execute gives them. What is ours
// is the loop around them, which does what Controller.RunOnce does in v0.20.0: registry records ->
// source endpoints -> registry adjustments -> plan (policy, domain filters, managed types, owner id)
// -> apply the changes. With --once it makes one pass and exits non-zero on an error; otherwise it
// repeats every --interval until SIGTERM or SIGINT. Events and the metrics listener are left out.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	log "github.com/sirupsen/logrus"
	_ "k8s.io/client-go/plugin/pkg/client/auth"
	"k8s.io/klog/v2"

	"sigs.k8s.io/external-dns/endpoint"
	"sigs.k8s.io/external-dns/pkg/apis/externaldns"
	"sigs.k8s.io/external-dns/pkg/apis/externaldns/validation"
	"sigs.k8s.io/external-dns/plan"
	"sigs.k8s.io/external-dns/provider"
	"sigs.k8s.io/external-dns/provider/rfc2136"
	"sigs.k8s.io/external-dns/registry"
	"sigs.k8s.io/external-dns/source"
	"sigs.k8s.io/external-dns/source/annotations"
	"sigs.k8s.io/external-dns/source/wrappers"
)

func main() {
	cfg := externaldns.NewConfig()
	if err := cfg.ParseFlags(os.Args[1:]); err != nil {
		log.Fatalf("flag parsing error: %v", err)
	}
	if err := validation.ValidateConfig(cfg); err != nil {
		log.Fatalf("config validation failed: %v", err)
	}
	if cfg.Provider != "rfc2136" {
		log.Fatalf("this build of external-dns links only the rfc2136 provider, not %q", cfg.Provider)
	}
	if cfg.Registry != "txt" {
		log.Fatalf("this build of external-dns links only the txt registry, not %q", cfg.Registry)
	}
	annotations.SetAnnotationPrefix(cfg.AnnotationPrefix)
	if cfg.LogFormat == "json" {
		log.SetFormatter(&log.JSONFormatter{})
	}
	level, err := log.ParseLevel(cfg.LogLevel)
	if err != nil {
		log.Fatal(err)
	}
	log.SetLevel(level)
	if level < log.DebugLevel {
		klog.SetLogger(logr.Discard())
	}
	log.Info(externaldns.Banner())

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	src, err := buildSource(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	domainFilter := endpoint.NewDomainFilterWithExclusions(cfg.DomainFilter, cfg.ExcludeDomains)
	if cfg.RegexDomainFilter != nil && cfg.RegexDomainFilter.String() != "" {
		domainFilter = endpoint.NewRegexDomainFilter(cfg.RegexDomainFilter, cfg.RegexDomainExclusion)
	}
	tlsConfig := rfc2136.TLSConfig{
		UseTLS:                cfg.RFC2136UseTLS,
		SkipTLSVerify:         cfg.RFC2136SkipTLSVerify,
		CAFilePath:            cfg.TLSCA,
		ClientCertFilePath:    cfg.TLSClientCert,
		ClientCertKeyFilePath: cfg.TLSClientCertKey,
	}
	prov, err := rfc2136.NewRfc2136Provider(cfg.RFC2136Host, cfg.RFC2136Port, cfg.RFC2136Zone, cfg.RFC2136Insecure,
		cfg.RFC2136TSIGKeyName, cfg.RFC2136TSIGSecret, cfg.RFC2136TSIGSecretAlg, cfg.RFC2136TAXFR, domainFilter, cfg.DryRun,
		cfg.RFC2136MinTTL, cfg.RFC2136CreatePTR, cfg.RFC2136GSSTSIG, cfg.RFC2136KerberosUsername, cfg.RFC2136KerberosPassword,
		cfg.RFC2136KerberosRealm, cfg.RFC2136BatchChangeSize, tlsConfig, cfg.RFC2136LoadBalancingStrategy, nil)
	if err != nil {
		log.Fatal(err)
	}
	reg, err := registry.NewTXTRegistry(prov, cfg.TXTPrefix, cfg.TXTSuffix, cfg.TXTOwnerID, cfg.TXTCacheInterval,
		cfg.TXTWildcardReplacement, cfg.ManagedDNSRecordTypes, cfg.ExcludeDNSRecordTypes, cfg.TXTEncryptEnabled,
		[]byte(cfg.TXTEncryptAESKey), cfg.TXTOwnerOld)
	if err != nil {
		log.Fatal(err)
	}
	policy, ok := plan.Policies[cfg.Policy]
	if !ok {
		log.Fatalf("unknown policy: %s", cfg.Policy)
	}
	pass := func() error { return runOnce(ctx, cfg, src, reg, policy, domainFilter) }

	if cfg.Once {
		if err := pass(); err != nil {
			log.Fatal(err)
		}
		return
	}
	for {
		if err := pass(); err != nil {
			if !errors.Is(err, provider.SoftError) {
				log.Fatal(err)
			}
			log.Errorf("Failed to do run once: %v", err)
		}
		select {
		case <-ctx.Done():
			log.Info("Terminating main controller loop")
			return
		case <-time.After(cfg.Interval):
		}
	}
}

// buildSource makes the sources named by --source with the wrappers controller.Execute puts around them.
func buildSource(ctx context.Context, cfg *externaldns.Config) (source.Source, error) {
	timeout := cfg.RequestTimeout
	if cfg.UpdateEvents {
		timeout = 0
	}
	clients := &source.SingletonClientGenerator{KubeConfig: cfg.KubeConfig, APIServerURL: cfg.APIServerURL, RequestTimeout: timeout}
	sources, err := source.ByNames(ctx, clients, cfg.Sources, source.NewSourceConfig(cfg))
	if err != nil {
		return nil, err
	}
	return wrappers.WrapSources(sources, wrappers.NewConfig(
		wrappers.WithDefaultTargets(cfg.DefaultTargets),
		wrappers.WithForceDefaultTargets(cfg.ForceDefaultTargets),
		wrappers.WithNAT64Networks(cfg.NAT64Networks),
		wrappers.WithTargetNetFilter(cfg.TargetNetFilter),
		wrappers.WithExcludeTargetNets(cfg.ExcludeTargetNets),
		wrappers.WithMinTTL(cfg.MinTTL)))
}

// runOnce is one reconciliation pass, as external-dns's controller makes it.
func runOnce(ctx context.Context, cfg *externaldns.Config, src source.Source, reg registry.Registry,
	policy plan.Policy, domainFilter *endpoint.DomainFilter) error {
	current, err := reg.Records(ctx)
	if err != nil {
		return fmt.Errorf("registry records: %w", err)
	}
	ctx = context.WithValue(ctx, provider.RecordsContextKey, current)
	desired, err := src.Endpoints(ctx)
	if err != nil {
		return fmt.Errorf("source endpoints: %w", err)
	}
	desired, err = reg.AdjustEndpoints(desired)
	if err != nil {
		return fmt.Errorf("adjusting endpoints: %w", err)
	}
	p := (&plan.Plan{
		Policies:       []plan.Policy{policy},
		Current:        current,
		Desired:        desired,
		DomainFilter:   endpoint.MatchAllDomainFilters{domainFilter, reg.GetDomainFilter()},
		ManagedRecords: cfg.ManagedDNSRecordTypes,
		ExcludeRecords: cfg.ExcludeDNSRecordTypes,
		OwnerID:        reg.OwnerID(),
		OldOwnerId:     cfg.TXTOwnerOld,
	}).Calculate()
	if !p.Changes.HasChanges() {
		log.Info("All records are already up to date")
		return nil
	}
	return reg.ApplyChanges(ctx, p.Changes)
}
