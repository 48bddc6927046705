module example.com/gojenkins

go 1.17
