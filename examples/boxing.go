package examples

import "fmt"

// reportCount passes an int to fmt.Println, whose parameters are `...any`: the int is converted
// to an interface, and the compiler reports that conversion escaping to the heap.
func reportCount(count int) {
	fmt.Println("count:", count)
}

// What the compiler really prints for this file (go1.26.8, `go build -gcflags=-m`, inlining lines left out):
//	./boxing.go:8:13: ... argument does not escape
//	./boxing.go:8:14: "count:" escapes to heap
//	./boxing.go:8:24: count escapes to heap
