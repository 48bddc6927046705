// Package logrus is a minimal stub of github.com/Sirupsen/logrus (not from the original project).
package logrus

import "time"

type Fields map[string]interface{}

type Level uint8

const (
	PanicLevel Level = iota
	FatalLevel
	ErrorLevel
	WarnLevel
	InfoLevel
	DebugLevel
)

type Entry struct {
	Data    Fields
	Time    time.Time
	Level   Level
	Message string
}
