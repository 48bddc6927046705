module example.com/gorestful-lockcopy

go 1.13
