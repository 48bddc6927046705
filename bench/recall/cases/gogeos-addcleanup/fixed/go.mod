module example.com/gogeos-addcleanup

go 1.24.0
