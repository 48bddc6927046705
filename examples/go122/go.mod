module example.com/memlens-examples/go122

go 1.22
