package examples

import "sync"

// fetchAll starts one goroutine per URL. In a go 1.21 module every iteration shares one `u`,
// so the goroutines may all see the last URL.
func fetchAll(urls []string, fetch func(string)) int {
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

// What the compiler really prints for this file (go1.26.8, `go build -gcflags=-m`, inlining lines left out):
//	./loopcapture.go:7:15: leaking param content: urls
//	./loopcapture.go:7:30: leaking param: fetch
//	./loopcapture.go:8:6: moved to heap: wg
//	./loopcapture.go:10:9: moved to heap: u
//	./loopcapture.go:12:6: func literal escapes to heap
