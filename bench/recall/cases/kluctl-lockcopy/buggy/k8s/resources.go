package k8s

import (
	"example.com/kluctl-lockcopy/discovery"
	"example.com/kluctl-lockcopy/restmapper"
	"fmt"
)

func (k *K8sCluster) doGetApiGroupResources() ([]*restmapper.APIGroupResources, error) {
	var ret []*restmapper.APIGroupResources

	// the discovery client doesn't support cancellation, so we need to run it in the background and wait for it
	finished := make(chan error)
	go func() {
		// there is a race deep inside the cached discovery client
		// see https://github.com/kubernetes/apimachinery/issues/156
		k.discoveryMutex.Lock()
		defer k.discoveryMutex.Unlock()

		var err error
		ret, err = restmapper.GetAPIGroupResources(k.discovery)
		if err != nil && !discovery.IsGroupDiscoveryFailedError(err) {
			finished <- err
			return
		}
		finished <- nil
	}()

	select {
	case err := <-finished:
		if err != nil {
			return nil, err
		}
	case <-k.ctx.Done():
		return nil, fmt.Errorf("failed listing api resources: %w", k.ctx.Err())
	}
	return ret, nil
}
