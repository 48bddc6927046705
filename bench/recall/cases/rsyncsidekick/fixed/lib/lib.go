// Package lib: minimal stub (goroutine-safe maps in the original).
package lib

import "sync"

type SafeMap[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]V
}

func NewSafeMap[K comparable, V any]() *SafeMap[K, V] { return &SafeMap[K, V]{m: map[K]V{}} }
func (s *SafeMap[K, V]) Len() int                    { s.mu.Lock(); defer s.mu.Unlock(); return len(s.m) }

type MultiMap[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K][]V
}

func NewMultiMap[K comparable, V any]() *MultiMap[K, V] { return &MultiMap[K, V]{m: map[K][]V{}} }
