module example.com/semrouter-subslice

go 1.25.0
