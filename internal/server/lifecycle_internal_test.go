package server

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// Ensure the shutdown fits one deadline of at most 25 s (inside the usual
// 30 s grace before SIGKILL), of which draining leaves the stop steps 10 s.
func TestShutdownBudget(t *testing.T) {
	if ShutdownTimeout > 25*time.Second || ShutdownTimeout-DrainTimeout < 10*time.Second {
		t.Fatalf("shutdown %v with drain %v", ShutdownTimeout, DrainTimeout)
	}
}

// Ensure Stop runs the usage flush first and then the other steps, the
// last registered first; runs them once; and returns by its context's
// deadline, naming a step that hangs, without waiting for it.
func TestStopOrderAndDeadline(t *testing.T) {
	s := &Server{}
	var order []string
	step := func(name string) func(context.Context) error {
		return func(context.Context) error { order = append(order, name); return nil }
	}
	s.onStop("mail worker", step("mail worker"))
	s.onStop("key change listener", step("key change listener"))
	s.flushFirst("usage flush", step("usage flush"))
	s.OnStop(step("late"))
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(order, ", "); got != "usage flush, late, key change listener, mail worker" {
		t.Fatalf("stop order: %s", got)
	}
	if err := s.Stop(context.Background()); err != nil || len(order) != 4 {
		t.Fatalf("a second Stop ran steps again: %v %v", order, err)
	}

	hung := &Server{}
	release := make(chan struct{})
	defer close(release)
	flushed := false
	hung.onStop("mail worker", func(context.Context) error { <-release; return nil })
	hung.flushFirst("usage flush", func(context.Context) error { flushed = true; return nil })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := hung.Stop(ctx)
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("Stop waited %v for a hung step", took)
	}
	if !flushed || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "mail worker") {
		t.Fatalf("flushed %v, err %v", flushed, err)
	}
}
