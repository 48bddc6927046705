// Package entity: minimal stub.
package entity

type FileMeta struct {
	Size              int64
	ModifiedTimestamp int64
}

type FileDigest struct{ Hash string }
