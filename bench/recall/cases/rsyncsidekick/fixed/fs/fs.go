// Package fs: minimal stub.
package fs

type FileSystem interface{ Name() string }
