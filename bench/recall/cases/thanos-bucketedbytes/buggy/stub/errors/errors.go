// Package errors is a minimal stub of github.com/pkg/errors (not from the original project).
package errors

import stderrors "errors"

func New(s string) error { return stderrors.New(s) }
