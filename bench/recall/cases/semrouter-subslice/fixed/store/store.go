// Package store is a stub of pkg/routerreplay/store (not from the project).
package store

import (
	"context"
	"time"
)

type ToolTraceStep struct {
	Arguments    string
	Output       string
	RawArguments string
	RawOutput    string
	Truncated    bool
}

type ToolTrace struct {
	Steps            []ToolTraceStep
	StepsTruncated   bool
	DroppedStepCount int
}

type Record struct {
	Timestamp                time.Time
	RequestBody              string
	RequestBodyTruncated     bool
	ResponseBody             string
	ResponseBodyTruncated    bool
	Prompt                   string
	PromptTruncated          bool
	ToolDefinitions          string
	ToolDefinitionsTruncated bool
	ToolTrace                *ToolTrace
}

type Storage interface {
	Add(ctx context.Context, rec Record) (string, error)
}

type MemoryStore struct{ records []Record }

func (m *MemoryStore) Add(ctx context.Context, rec Record) (string, error) {
	m.records = append(m.records, rec)
	return "id", nil
}

func (m *MemoryStore) SetMaxRecords(max int) {}
