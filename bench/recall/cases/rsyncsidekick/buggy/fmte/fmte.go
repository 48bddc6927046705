// Package fmte: minimal stub.
package fmte

import "errors"

func Errors(message string, errs []error) error { return errors.New(message) }
