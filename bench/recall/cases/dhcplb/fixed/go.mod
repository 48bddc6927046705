module example.com/dhcplb

go 1.19
