module example.com/viperblock-subslice

go 1.26.4
