package routerreplay

import (
	"context"
	"sync"
	"time"

	"example.com/semrouter-subslice/store"
)

type (
	RoutingRecord = store.Record
	ToolTrace     = store.ToolTrace
	ToolTraceStep = store.ToolTraceStep
)

type Recorder struct {
	storage store.Storage

	policyMu          sync.RWMutex
	maxBodyBytes      int
	maxToolTraceBytes int // 0 = no limit
	maxToolTraceSteps int // 0 = no limit

	captureRequestBody  bool
	captureResponseBody bool
}

type recorderPolicy struct {
	maxBodyBytes        int
	maxToolTraceBytes   int
	maxToolTraceSteps   int
	captureRequestBody  bool
	captureResponseBody bool
}

func (r *Recorder) policySnapshot() recorderPolicy {
	r.policyMu.RLock()
	defer r.policyMu.RUnlock()
	return recorderPolicy{
		maxBodyBytes:        r.maxBodyBytes,
		maxToolTraceBytes:   r.maxToolTraceBytes,
		maxToolTraceSteps:   r.maxToolTraceSteps,
		captureRequestBody:  r.captureRequestBody,
		captureResponseBody: r.captureResponseBody,
	}
}

func (r *Recorder) SetMaxRecords(max int) {
	if memStore, ok := r.storage.(*store.MemoryStore); ok {
		memStore.SetMaxRecords(max)
	}
}

func (r *Recorder) AddRecord(rec RoutingRecord) (string, error) {
	policy := r.policySnapshot()
	if rec.Timestamp.IsZero() {
		rec.Timestamp = time.Now().UTC()
	}

	rec.RequestBody, rec.RequestBodyTruncated = applyBodyCapturePolicy(
		rec.RequestBody, rec.RequestBodyTruncated, policy.captureRequestBody, policy.maxBodyBytes)
	rec.ResponseBody, rec.ResponseBodyTruncated = applyBodyCapturePolicy(
		rec.ResponseBody, rec.ResponseBodyTruncated, policy.captureResponseBody, policy.maxBodyBytes)

	// Apply MaxToolTraceBytes to structured tool-trace fields.
	// These are truncated independently of the raw body fields so that
	// callers can keep MaxBodyBytes small without losing structured data.
	applyMaxToolTraceBytes(&rec, policy.maxToolTraceBytes)
	// MaxToolTraceSteps is enforced separately so that an unbounded agent
	// session that produces hundreds of steps per record can't keep growing
	// the slice and OOM the router (see issue #1835).
	capToolTraceStepCount(rec.ToolTrace, policy.maxToolTraceSteps)

	ctx := context.Background()
	return r.storage.Add(ctx, rec)
}

// applyMaxToolTraceBytes truncates structured tool-trace text fields to max
// bytes. A non-positive max disables truncation.
func applyMaxToolTraceBytes(rec *RoutingRecord, max int) {
	if max <= 0 {
		return
	}
	if len(rec.Prompt) > max {
		rec.Prompt = rec.Prompt[:max]
		rec.PromptTruncated = true
	}
	if len(rec.ToolDefinitions) > max {
		rec.ToolDefinitions = rec.ToolDefinitions[:max]
		rec.ToolDefinitionsTruncated = true
	}
	truncateToolTraceSteps(rec.ToolTrace, max)
}

// truncateToolTraceSteps applies the byte limit to each step's Arguments and
// Output fields.
func truncateToolTraceSteps(trace *ToolTrace, max int) {
	if trace == nil || max <= 0 {
		return
	}
	for i := range trace.Steps {
		truncateToolTraceStep(&trace.Steps[i], max)
	}
}

// capToolTraceStepCount drops the oldest steps so that no more than max
// remain on trace.Steps. The most recent steps are preserved because they
// carry the current state of the agent timeline; dropping from the head
// means an unbounded loop cannot exhaust memory while we still see what
// the agent is currently doing. A non-positive max disables the cap.
func capToolTraceStepCount(trace *ToolTrace, max int) {
	if trace == nil || max <= 0 {
		return
	}
	if len(trace.Steps) <= max {
		return
	}
	dropped := len(trace.Steps) - max
	// Allocate a fresh slice so the original (possibly large) backing array
	// can be garbage-collected immediately rather than being kept alive by a
	// length-trimmed reslice.
	kept := make([]ToolTraceStep, max)
	copy(kept, trace.Steps[dropped:])
	trace.Steps = kept
	trace.StepsTruncated = true
	trace.DroppedStepCount += dropped
}

// truncateToolTraceStep applies the byte limit to a single step's Arguments
// and Output fields. RawArguments and RawOutput are intentionally preserved at
// their original full-fidelity values so that downstream consumers that need
// to replay the exchange byte-for-byte can still recover the untruncated
// payload (see #1781). Only the "normalized" Arguments/Output fields are cut,
// and Truncated is set to signal that truncation happened.
func truncateToolTraceStep(step *ToolTraceStep, max int) {
	if len(step.Arguments) > max {
		step.Arguments = step.Arguments[:max]
		step.Truncated = true
	}
	if len(step.Output) > max {
		step.Output = step.Output[:max]
		step.Truncated = true
	}
}

// applyBodyCapturePolicy enforces one capture switch on one body field. The
// switch decides whether a body may reach storage at all, not just whether it
// is truncated: when capture is off the body must be dropped entirely —
// truncation alone only bounds a leak (see #2748). Within the limit the
// caller's truncated flag is preserved.
func applyBodyCapturePolicy(body string, truncated, capture bool, maxBytes int) (string, bool) {
	if !capture {
		return "", false
	}
	if len(body) > maxBytes {
		return body[:maxBytes], true
	}
	return body, truncated
}
