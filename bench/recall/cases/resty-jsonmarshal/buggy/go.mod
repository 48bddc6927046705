module example.com/resty-jsonmarshal

go 1.11
