module example.com/thanos-bucketedbytes

go 1.15

require github.com/pkg/errors v0.0.0

replace github.com/pkg/errors => ./stub/errors
