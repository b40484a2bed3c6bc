// Package machine describes the machine a bench runs on, for the header of
// its report (and the README's speed tables): processor and load.
package machine

import (
	"os"
	"runtime"
	"strings"
)

// CPUModel is the first "model name" of /proc/cpuinfo (Linux), else GOARCH.
func CPUModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if name, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
		}
	}
	return runtime.GOARCH
}

// LoadAverage is /proc/loadavg's 1, 5 and 15 minute load (Linux): a shared
// machine shows here how much else was running, which inflates latencies.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}
