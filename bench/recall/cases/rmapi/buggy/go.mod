module example.com/rmapi

go 1.18

require golang.org/x/sync v0.0.0

replace golang.org/x/sync => ./stub/xsync
