package examples

// config is returned by pointer from its constructor.
type config struct {
	name    string
	retries int
}

// newConfig returns the address of a local: legal Go, the compiler moves c to the heap.
func newConfig(name string) *config {
	c := config{name: name, retries: 3}
	return &c
}

// What the compiler really prints for this file (go1.26.8, `go build -gcflags=-m`, inlining lines left out):
//	./returnaddr.go:10:16: leaking param: name
//	./returnaddr.go:11:2: moved to heap: c
