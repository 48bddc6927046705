module example.com/nocalhost

go 1.16
