package examples

import "sync"

var linePool = sync.Pool{New: func() any { return make([]byte, 0, 512) }}

// formatLine puts a []byte (not a pointer) back into the pool.
func formatLine(msg string) int {
	buf := linePool.Get().([]byte)[:0]
	buf = append(buf, msg...)
	buf = append(buf, '\n')
	n := len(buf)
	// Converting the slice header to `any` allocates on every Put.
	linePool.Put(buf)
	return n
}

// What the compiler really prints for this file (go1.26.8, `go build -gcflags=-m`, inlining lines left out):
//	./poolputslice.go:5:55: make([]byte, 0, 512) escapes to heap
//	./poolputslice.go:8:17: msg does not escape
//	./poolputslice.go:10:14: append escapes to heap
//	./poolputslice.go:11:14: append escapes to heap
//	./poolputslice.go:14:15: buf escapes to heap
