module github.com/containernetworking/plugins

go 1.13
