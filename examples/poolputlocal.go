package examples

import "sync"

// Scratch buffers for encodeRecord.
var scratchPool = sync.Pool{New: func() any { return new([64]byte) }}

// encodeRecord returns a local array to the pool by address.
func encodeRecord(id uint32) byte {
	var scratch [64]byte
	scratch[0] = byte(id)
	sum := scratch[0] ^ scratch[1]
	// Not a dangling pointer: the compiler moves scratch to the heap, one allocation per call.
	scratchPool.Put(&scratch)
	return sum
}

// What the compiler really prints for this file (go1.26.8, `go build -gcflags=-m`, inlining lines left out):
//	./poolputlocal.go:6:57: new([64]byte) escapes to heap
//	./poolputlocal.go:10:6: moved to heap: scratch
