// Package types is a stub (not from the project).
package types

type FileType int

const FileTypeChunk FileType = 1
