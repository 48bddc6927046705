module example.com/minbft-cstring

go 1.12
