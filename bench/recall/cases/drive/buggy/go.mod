module example.com/drive

go 1.6
