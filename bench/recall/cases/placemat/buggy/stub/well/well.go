// Package well is a minimal stub of github.com/cybozu-go/well (Environment runs goroutines).
package well

import (
	"context"
	"os/exec"
	"sync"
)

type Environment struct {
	ctx context.Context
	wg  sync.WaitGroup
	mu  sync.Mutex
	err error
}

func NewEnvironment(ctx context.Context) *Environment { return &Environment{ctx: ctx} }

func (e *Environment) Go(f func(ctx context.Context) error) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		if err := f(e.ctx); err != nil {
			e.mu.Lock()
			e.err = err
			e.mu.Unlock()
		}
	}()
}

func (e *Environment) Stop() {}

func (e *Environment) Wait() error { e.wg.Wait(); return e.err }

func CommandContext(ctx context.Context, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, name, args...)
}
