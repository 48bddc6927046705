// Package discovery is a stub of k8s.io/client-go/discovery (not from the project).
package discovery

import "example.com/kluctl-lockcopy/version"

type DiscoveryInterface interface {
	ServerVersion() (*version.Info, error)
}

func IsGroupDiscoveryFailedError(err error) bool { return false }
