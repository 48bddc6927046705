package examples

// frame is large enough that copying it around is noticeable.
type frame struct {
	header  [16]byte
	payload [4096]byte
	length  int
}

// checksumLater returns a closure that captures f: the closure outlives the call, so f is
// moved to the heap (a 4 KiB allocation per call).
func checksumLater(data []byte) func() int {
	var f frame
	f.length = copy(f.payload[:], data)
	return func() int {
		sum := 0
		for _, b := range f.payload[:f.length] {
			sum += int(b)
		}
		return sum
	}
}

// What the compiler really prints for this file (go1.26.8, `go build -gcflags=-m`, inlining lines left out):
//	./closurebig.go:12:20: data does not escape
//	./closurebig.go:13:6: moved to heap: f
//	./closurebig.go:15:9: func literal escapes to heap
