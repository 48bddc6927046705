module example.com/badwolf-uuid

go 1.15

require github.com/pborman/uuid v0.0.0

replace github.com/pborman/uuid => ./stub/uuid
