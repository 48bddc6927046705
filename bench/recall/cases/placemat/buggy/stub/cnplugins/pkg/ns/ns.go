// Package ns is a minimal stub of github.com/containernetworking/plugins/pkg/ns.
package ns

type NetNS interface {
	Do(toRun func(NetNS) error) error
	Close() error
}
