// Package v1: minimal stub of k8s.io/api/core/v1.
package v1

type Secret struct {
	Name string
	Data map[string][]byte
}

type SecretList struct{ Items []Secret }
