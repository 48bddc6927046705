module example.com/placemat

go 1.13

require (
	github.com/containernetworking/plugins v0.0.0
	github.com/cybozu-go/well v0.0.0
)

replace github.com/cybozu-go/well => ./stub/well

replace github.com/containernetworking/plugins => ./stub/cnplugins
