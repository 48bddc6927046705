module github.com/pborman/uuid

go 1.15
