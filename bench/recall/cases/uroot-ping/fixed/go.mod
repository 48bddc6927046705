module example.com/uroot-ping

go 1.9
