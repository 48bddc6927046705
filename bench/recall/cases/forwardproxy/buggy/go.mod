module example.com/forwardproxy

go 1.14
