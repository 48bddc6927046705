module example.com/memlens-examples

go 1.21
