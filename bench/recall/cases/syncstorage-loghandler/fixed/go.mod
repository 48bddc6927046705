module example.com/syncstorage-loghandler

go 1.7

require github.com/Sirupsen/logrus v0.0.0

replace github.com/Sirupsen/logrus => ./stub/logrus
