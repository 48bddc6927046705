// Package glog is a stub of github.com/golang/glog (not from the original project).
package glog

func Errorf(format string, args ...interface{}) {}
func Infof(format string, args ...interface{})  {}
