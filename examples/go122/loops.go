// Package go122 is a module with `go 1.22`: every loop iteration has its own variable.
package go122

import "sync"

// FetchAll is the same loop as ../loopcapture.go, and correct here: each goroutine sees its own u.
func FetchAll(urls []string, fetch func(string)) int {
	var wg sync.WaitGroup
	started := 0
	for _, u := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fetch(u)
		}()
		started++
	}
	wg.Wait()
	return started
}

// PrintAll still carries the pre-1.22 idiom `n := n`, now redundant.
func PrintAll(names []string, print func(string)) {
	var wg sync.WaitGroup
	for _, n := range names {
		n := n
		wg.Add(1)
		go func() {
			defer wg.Done()
			print(n)
		}()
	}
	wg.Wait()
}

// What the compiler really prints for this file (go1.26.8, `go build -gcflags=-m`, inlining lines left out):
//	./loops.go:7:15: leaking param content: urls
//	./loops.go:7:30: leaking param: fetch
//	./loops.go:8:6: moved to heap: wg
//	./loops.go:12:6: func literal escapes to heap
//	./loops.go:23:15: leaking param content: names
//	./loops.go:23:31: leaking param: print
//	./loops.go:24:6: moved to heap: wg
//	./loops.go:28:6: func literal escapes to heap
