module github.com/cybozu-go/well

go 1.13
