package examples

import (
	"bytes"
	"sync"
)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// renderGreeting writes into a pooled buffer without Reset: whatever the previous user left in it
// is still there.
func renderGreeting(name string) string {
	b := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(b)
	b.WriteString("hello, ")
	b.WriteString(name)
	return b.String()
}

// What the compiler really prints for this file (go1.26.8, `go build -gcflags=-m`, inlining lines left out):
//	./poolgetnoreset.go:8:53: new(bytes.Buffer) escapes to heap
//	./poolgetnoreset.go:12:21: name does not escape
//	./poolgetnoreset.go:17:17: string(bytes.b.buf[bytes.b.off:]) escapes to heap
