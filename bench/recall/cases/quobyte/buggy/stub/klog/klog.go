// Package klog is a minimal stub of k8s.io/klog.
package klog

import "log"

func Infof(format string, args ...interface{})  { log.Printf(format, args...) }
func Errorf(format string, args ...interface{}) { log.Printf(format, args...) }
