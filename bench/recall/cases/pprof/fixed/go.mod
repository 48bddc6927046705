module example.com/pprof

go 1.18
