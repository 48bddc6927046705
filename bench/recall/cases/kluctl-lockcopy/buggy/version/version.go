// Package version is a stub of k8s.io/apimachinery/pkg/version (not from the project).
package version

type Info struct{ GitVersion string }
