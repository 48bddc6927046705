module example.com/portscanner

go 1.10
