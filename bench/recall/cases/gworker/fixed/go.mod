module example.com/gworker

go 1.18
