module github.com/Sirupsen/logrus

go 1.7
