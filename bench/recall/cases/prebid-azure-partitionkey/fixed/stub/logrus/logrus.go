// Package logrus is a stub (not from the original project).
package logrus

func Debugf(format string, args ...interface{}) {}
func Infof(format string, args ...interface{})  {}
