module example.com/prebid-azure-partitionkey

go 1.10

require (
	github.com/sirupsen/logrus v0.0.0
	github.com/valyala/fasthttp v0.0.0
)

replace (
	github.com/sirupsen/logrus => ./stub/logrus
	github.com/valyala/fasthttp => ./stub/fasthttp
)
