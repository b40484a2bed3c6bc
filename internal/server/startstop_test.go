package server_test

import (
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"testing"
	"time"

	"businesstools/internal/apptest"
	"businesstools/internal/config"
)

// Ensure a running server stops its steps in order — the usage flush
// first, the mail worker after it — each once, logged by name.
func TestStopFlushesUsageFirst(t *testing.T) {
	app := apptest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	if err := app.Server.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, line := range strings.Split(app.Logs.String(), "\n") {
		var rec struct{ Msg, Step string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "stopped" {
			steps = append(steps, rec.Step)
		}
	}
	if len(steps) < 3 || steps[0] != "usage flush" || steps[len(steps)-1] != "mail worker" {
		t.Fatalf("stop steps: %v; want the usage flush first and the mail worker last", steps)
	}
}

// Ensure a start-up that fails leaves no worker running: no goroutine of
// the mail worker, the usage recorder, housekeeping or the key change
// listener outlives the failed New.
func TestFailedStartLeavesNothingRunning(t *testing.T) {
	for _, opt := range []apptest.Option{
		func(c *config.Config) { c.SMTPURL = "ftp://not-smtp.example" },
		func(c *config.Config) { c.MasterKey = "too short" },
	} {
		if _, err := apptest.Start(t, opt); err == nil {
			t.Fatal("start-up did not fail")
		}
	}
	workers := []string{"internal/mail.(*Worker)", "internal/usage.(*Recorder)", "internal/server.(*Server).startHousekeeping", "internal/pgnotify."}
	deadline := time.Now().Add(5 * time.Second)
	for {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		running := ""
		for _, w := range workers {
			if strings.Contains(stacks, w) {
				running = w
			}
		}
		if running == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still runs after failed starts:\n%s", running, stacks)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
