// Stands in for vbom.ml/util in the module graph only: old releases of ambassador require it through k8s.io/kubectl
// v0.18.4, the Go module proxy does not serve it, and no package of it is compiled into external-dns.
module vbom.ml/util
