module example.com/phuslu-log-interface

go 1.18
