module example.com/goresctrl-uintptr

go 1.25.0
