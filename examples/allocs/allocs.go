// Package allocs holds functions whose allocations are known, and benchmarks for them
// (allocs_test.go): the targets of `memlens profile` and of the "Profile allocations" CodeLens.
package allocs

import "strconv"

// Point is a small value type.
type Point struct{ X, Y int }

// NewPoint returns the address of a local: the compiler moves p to the heap, so every call
// allocates one 16-byte object.
func NewPoint(x, y int) *Point {
	p := Point{X: x, Y: y}
	return &p
}

// Labels builds n strings and appends them to a slice that starts empty: each string is one
// allocation, and the slice is reallocated each time append outgrows its capacity.
func Labels(n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, "item-"+strconv.Itoa(i))
	}
	return out
}

// SumSquares keeps its slice on the stack: the compiler reports it does not escape, and a
// call allocates nothing.
func SumSquares(n int) int {
	buf := make([]int, 0, 16)
	for i := 0; i < n && i < 16; i++ {
		buf = append(buf, i*i)
	}
	total := 0
	for _, v := range buf {
		total += v
	}
	return total
}
