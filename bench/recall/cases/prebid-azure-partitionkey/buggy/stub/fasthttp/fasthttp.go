// Package fasthttp is a stub (not from the original project).
package fasthttp

import "time"

type Client struct {
	MaxIdleConnDuration time.Duration
	DialDualStack       bool
	WriteTimeout        time.Duration
	ReadTimeout         time.Duration
}
