// Package good holds the corrected version of each scenario in the parent package: no syntax
// rule fires here. Compiler facts may remain where an allocation is the point (the pools' New).
package good

import (
	"bytes"
	"os"
	"strconv"
	"sync"
)

var scratchPool = sync.Pool{New: func() any { return new([64]byte) }}

// EncodeRecord keeps the pointer it got from the pool and puts that same pointer back.
func EncodeRecord(id uint32) byte {
	scratch := scratchPool.Get().(*[64]byte)
	scratch[0] = byte(id)
	sum := scratch[0] ^ scratch[1]
	scratchPool.Put(scratch)
	return sum
}

var linePool = sync.Pool{New: func() any {
	b := make([]byte, 0, 512)
	return &b
}}

// FormatLine pools a *[]byte: a pointer fits in an interface without an allocation.
func FormatLine(msg string) int {
	bp := linePool.Get().(*[]byte)
	buf := append((*bp)[:0], msg...)
	buf = append(buf, '\n')
	n := len(buf)
	*bp = buf
	linePool.Put(bp)
	return n
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// RenderGreeting resets the pooled buffer before writing to it.
func RenderGreeting(name string) string {
	b := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(b)
	b.Reset()
	b.WriteString("hello, ")
	b.WriteString(name)
	return b.String()
}

// FetchAll passes the loop variable to the goroutine as an argument: each goroutine gets its own copy.
func FetchAll(urls []string, fetch func(string)) int {
	var wg sync.WaitGroup
	started := 0
	for _, u := range urls {
		wg.Add(1)
		go func(u string) {
			defer wg.Done()
			fetch(u)
		}(u)
		started++
	}
	wg.Wait()
	return started
}

type frame struct {
	header  [16]byte
	payload [4096]byte
	length  int
}

// ChecksumLater computes what the closure needs up front and captures only that int.
func ChecksumLater(data []byte) func() int {
	var f frame
	f.length = copy(f.payload[:], data)
	sum := 0
	for _, b := range f.payload[:f.length] {
		sum += int(b)
	}
	return func() int { return sum }
}

type config struct {
	name    string
	retries int
}

// NewConfig returns the struct by value: the caller decides where it lives.
func NewConfig(name string) config {
	return config{name: name, retries: 3}
}

// ReportCount formats the int itself, so no interface conversion is needed.
func ReportCount(count int) {
	os.Stdout.WriteString("count: " + strconv.Itoa(count) + "\n")
}

// ReadChunk fills a buffer the caller owns instead of allocating one of a run-time size.
func ReadChunk(dst []byte) int {
	for i := range dst {
		dst[i] = byte(i)
	}
	return len(dst) / 2
}

// What the compiler really prints for this file (go1.26.8, `go build -gcflags=-m`, inlining lines left out):
//	good/correct.go:12:57: new([64]byte) escapes to heap
//	good/correct.go:24:2: moved to heap: b
//	good/correct.go:24:11: make([]byte, 0, 512) escapes to heap
//	good/correct.go:29:17: msg does not escape
//	good/correct.go:31:15: append escapes to heap
//	good/correct.go:32:14: append escapes to heap
//	good/correct.go:39:53: new(bytes.Buffer) escapes to heap
//	good/correct.go:42:21: name does not escape
//	good/correct.go:45:9: RenderGreeting ignoring self-assignment in bytes.b.buf = bytes.b.buf[:0]
//	good/correct.go:48:17: string(bytes.b.buf[bytes.b.off:]) escapes to heap
//	good/correct.go:52:15: leaking param content: urls
//	good/correct.go:52:30: leaking param: fetch
//	good/correct.go:53:6: moved to heap: wg
//	good/correct.go:57:6: func literal escapes to heap
//	good/correct.go:57:11: leaking param: u
//	good/correct.go:74:20: data does not escape
//	good/correct.go:81:9: func literal escapes to heap
//	good/correct.go:90:16: leaking param: name to result ~r0 level=0
//	good/correct.go:96:56: "count: " + ~r0 + "\n" does not escape
//	good/correct.go:100:16: dst does not escape
