package examples

// readChunk allocates a buffer whose size is only known at run time and returns part of it:
// the compiler reports `make([]byte, n) escapes to heap` (its -m=2 reason: the slice is returned).
func readChunk(n int) []byte {
	buf := make([]byte, n)
	for i := range buf {
		buf[i] = byte(i)
	}
	return buf[:n/2]
}

// sumChunk keeps its run-time-sized buffer inside the function. Folklore says a non-constant
// size always means a heap allocation; Go 1.26 reports `make([]byte, n) does not escape` here.
func sumChunk(n int) int {
	buf := make([]byte, n)
	total := 0
	for i := range buf {
		total += i
	}
	return total
}

// What the compiler really prints for this file (go1.26.8, `go build -gcflags=-m`, inlining lines left out):
//	./makesize.go:6:13: make([]byte, n) escapes to heap
//	./makesize.go:16:13: make([]byte, n) does not escape
