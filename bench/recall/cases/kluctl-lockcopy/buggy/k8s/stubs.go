package k8s

// stubs (not from the project)

import (
	"context"

	"example.com/kluctl-lockcopy/discovery"
)

type ClientFactory interface {
	DiscoveryClient() (discovery.DiscoveryInterface, error)
}

type k8sClients struct{}

func newK8sClients(ctx context.Context, clientFactory ClientFactory, count int) (*k8sClients, error) {
	return &k8sClients{}, nil
}
