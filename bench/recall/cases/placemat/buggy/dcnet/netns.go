package dcnet

import (
	"context"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/cybozu-go/well"
)

// --- minimal stubs (not from the original project) ---
type app struct {
	name    string
	command []string
}

type netNS struct {
	name string
	apps []app
}

func (n *netNS) Cleanup() {}

func (n *netNS) createNetNS() (ns.NetNS, error) { return nil, nil }

// --- from cybozu-go/placemat v2/pkg/dcnet/netns.go: Setup, with the veth/init-script part
// (which does not touch the loop below) elided; the "Run Commands" loop is verbatim ---
func (n *netNS) Setup(ctx context.Context, mtu int, force bool) error {
	if force {
		n.Cleanup()
	}

	createdNS, err := n.createNetNS()
	if err != nil {
		return err
	}
	defer createdNS.Close()

	// ... elided ...

	// Run Commands
	env := well.NewEnvironment(ctx)
	for _, app := range n.apps {
		env.Go(func(ctx2 context.Context) error {
			err := createdNS.Do(func(hostNS ns.NetNS) error {
				if err := well.CommandContext(ctx, app.command[0], app.command[1:]...).Run(); err != nil {
					return err
				}
				return nil
			})
			if err != nil {
				return err
			}
			return nil
		})
	}
	env.Stop()
	return env.Wait()
}
