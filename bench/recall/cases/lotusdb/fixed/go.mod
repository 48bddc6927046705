module example.com/lotusdb

go 1.16
