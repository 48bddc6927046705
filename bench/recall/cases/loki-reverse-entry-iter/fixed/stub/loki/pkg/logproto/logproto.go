// Package logproto is a stub (not from the original project).
package logproto

import "time"

type Entry struct {
	Timestamp time.Time
	Line      string
}
