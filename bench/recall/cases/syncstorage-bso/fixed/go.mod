module example.com/syncstorage-bso

go 1.7
