// kubectl for kfed's CI and e2e tests, built from the Go module proxy by scripts/build-kubectl.sh:
// the stock kubectl command from k8s.io/kubectl, nothing added.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubectl/pkg/cmd"
)

func main() {
	if err := cli.RunNoErrOutput(cmd.NewDefaultKubectlCommand()); err != nil {
		os.Exit(1)
	}
}
