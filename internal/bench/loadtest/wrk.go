package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"businesstools/internal/apikey"
)

// target is one wrk target: a path, the key it sends (none for /healthz)
// and whether every answer must be 2xx (else every answer must not be).
type target struct {
	name, path, key string
	ok              bool
	script          string  // wrk Lua script setting the key's header
	goal            float64 // the least ratio to /healthz; 0: a reference row
}

// round is one wrk run's figures.
type round struct {
	rps          float64
	p50, p90     time.Duration
	p99, max     time.Duration
	requests     int
	non2xx       int
	socketErrors string
}

// hotPath runs the alternating wrk rounds and prints the table.
func hotPath(ctx context.Context, o options, srv *server, tmp string) error {
	unknown, _ := apikey.Generate()
	bad := []byte(srv.key)
	bad[len(bad)-1] ^= 1 // still base62; the checksum no longer matches
	targets := []*target{
		{name: "/healthz", path: "/healthz", ok: true},
		{name: "/v1/me valid key", path: "/v1/me", key: srv.key, ok: true, goal: 0.90},
		{name: "/v1/me unknown key", path: "/v1/me", key: unknown, goal: 0.95},
		{name: "/v1/me bad checksum", path: "/v1/me", key: string(bad), goal: 0.95},
		// The floor the request itself sets: /healthz (which ignores it)
		// sent the same Authorization header, read by net/http, no key work.
		{name: "/healthz + key header", path: "/healthz", key: string(bad), ok: true},
	}
	for i, t := range targets {
		if t.key == "" {
			continue
		}
		t.script = fmt.Sprintf("%s/target%d.lua", tmp, i)
		lua := fmt.Sprintf("wrk.headers[\"Authorization\"] = \"Bearer %s\"\n", t.key)
		if err := os.WriteFile(t.script, []byte(lua), 0o600); err != nil {
			return err
		}
	}
	fmt.Printf("wrk -t%d -c%d, %d rounds of %s per target, taking turns (a /healthz round first, the others rotated); medians of the rounds\n",
		o.threads, o.connections, o.rounds, o.duration)
	for _, t := range targets { // warm connections, the key cache and the negative cache
		if _, err := t.run(ctx, o, srv, time.Second); err != nil {
			return err
		}
	}
	lookups0, _ := srv.metric("apikey_db_lookups_total")
	// Each round starts with /healthz; the other targets follow in an order
	// rotated by one each round, so that none always runs right after the
	// valid key's round or last. One more /healthz round closes the run:
	// every round lies between two /healthz rounds (see ratio).
	results := make([][]round, len(targets))
	for j := range o.rounds + 1 {
		order := []int{0}
		for k := range len(targets) - 1 {
			order = append(order, 1+(j+k)%(len(targets)-1))
		}
		if j == o.rounds {
			order = order[:1]
		}
		for _, i := range order {
			r, err := targets[i].run(ctx, o, srv, o.duration)
			if err != nil {
				return err
			}
			results[i] = append(results[i], r)
		}
	}
	lookups1, _ := srv.metric("apikey_db_lookups_total")

	fmt.Printf("\n%-22s %10s %9s %9s %7s %8s  %s\n", "target", "req/s", "p50", "p99", "ratio", "target", "each round's ratio to the /healthz rounds around it")
	for i, t := range targets {
		rs := results[i]
		if i == 0 {
			rs = rs[:o.rounds] // the closing round is only a bracket
		}
		rps := median(rs, func(r round) float64 { return r.rps })
		p50 := time.Duration(median(rs, func(r round) float64 { return float64(r.p50) }))
		p99 := time.Duration(median(rs, func(r round) float64 { return float64(r.p99) }))
		// Each round's ratio is to the mean of the /healthz rounds that
		// open and close its turn, so that the VM's slow swings (±10 %
		// between rounds) cancel; the ratio shown is their median.
		ratios := make([]float64, len(rs))
		var each []string
		for j, r := range rs {
			ratios[j] = 1
			if i > 0 {
				ratios[j] = r.rps / ((results[0][j].rps + results[0][j+1].rps) / 2)
			}
			each = append(each, strconv.FormatFloat(ratios[j], 'f', 2, 64))
		}
		ratio := medianOf(ratios)
		goal, verdict := "", ""
		if t.goal > 0 {
			goal = "≥ " + strconv.FormatFloat(t.goal, 'f', 2, 64)
			verdict = passFail(ratio >= t.goal)
		} else if i > 0 {
			verdict = "(reference)"
		}
		if i == 0 {
			each = nil
		}
		fmt.Printf("%-22s %10.0f %9s %9s %7.3f %8s  %s %s\n", t.name, rps, p50.Round(time.Microsecond),
			p99.Round(time.Microsecond), ratio, goal, strings.Join(each, " "), verdict)
	}
	fmt.Printf("database lookups during the rounds: %.0f (the cached keys are refreshed in the background every %s)\n",
		lookups1-lookups0, apikey.DefaultFreshFor)
	return nil
}

func passFail(ok bool) string {
	if ok {
		return "(met)"
	}
	return "(NOT MET)"
}

func median(rs []round, f func(round) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	return medianOf(v)
}

func medianOf(v []float64) float64 {
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// run runs wrk once against t and checks every answer's class.
func (t *target) run(ctx context.Context, o options, srv *server, d time.Duration) (round, error) {
	args := []string{"-t" + strconv.Itoa(o.threads), "-c" + strconv.Itoa(o.connections),
		"-d" + strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s", "--latency"}
	if t.script != "" {
		args = append(args, "-s", t.script)
	}
	args = append(args, srv.base+t.path)
	out, err := exec.CommandContext(ctx, "wrk", args...).CombinedOutput()
	if err != nil {
		return round{}, fmt.Errorf("wrk %s: %w\n%s", t.name, err, out)
	}
	r, err := parseWrk(string(out))
	if err != nil {
		return round{}, fmt.Errorf("wrk %s: %w\n%s", t.name, err, out)
	}
	if t.ok && r.non2xx > 0 || !t.ok && r.non2xx != r.requests {
		return r, fmt.Errorf("%s: %d of %d answers were not 2xx, want %s", t.name, r.non2xx, r.requests,
			map[bool]string{true: "none", false: "all"}[t.ok])
	}
	if r.socketErrors != "" { // a loaded machine's timeouts: reported, not fatal
		fmt.Fprintf(os.Stderr, "loadtest: %s: socket errors: %s\n", t.name, r.socketErrors)
	}
	return r, nil
}

var (
	reRPS      = regexp.MustCompile(`(?m)^Requests/sec:\s+([\d.]+)`)
	rePct      = regexp.MustCompile(`(?m)^\s+(50|90|99)%\s+([\d.]+)(us|ms|s)\s*$`)
	reMax      = regexp.MustCompile(`(?m)^\s+Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)\s`)
	reRequests = regexp.MustCompile(`(?m)^\s+(\d+) requests in`)
	reNon2xx   = regexp.MustCompile(`(?m)^\s+Non-2xx or 3xx responses: (\d+)`)
	reSocket   = regexp.MustCompile(`(?m)^\s+Socket errors: (.*)$`)
)

// parseWrk reads wrk's report (with --latency).
func parseWrk(out string) (round, error) {
	var r round
	m := reRPS.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("no Requests/sec")
	}
	r.rps, _ = strconv.ParseFloat(m[1], 64)
	if m = reRequests.FindStringSubmatch(out); m == nil {
		return r, fmt.Errorf("no request count")
	}
	r.requests, _ = strconv.Atoi(m[1])
	if m = reNon2xx.FindStringSubmatch(out); m != nil {
		r.non2xx, _ = strconv.Atoi(m[1])
	}
	if m = reSocket.FindStringSubmatch(out); m != nil {
		r.socketErrors = m[1]
	}
	for _, p := range rePct.FindAllStringSubmatch(out, -1) {
		d := wrkDuration(p[2], p[3])
		switch p[1] {
		case "50":
			r.p50 = d
		case "90":
			r.p90 = d
		default:
			r.p99 = d
		}
	}
	if m = reMax.FindStringSubmatch(out); m != nil {
		r.max = wrkDuration(m[1], m[2])
	}
	if r.p50 == 0 || r.p99 == 0 {
		return r, fmt.Errorf("no latency distribution")
	}
	return r, nil
}

// wrkDuration reads one of wrk's durations ("335.53" "us").
func wrkDuration(v, unit string) time.Duration {
	f, _ := strconv.ParseFloat(v, 64)
	return time.Duration(f * float64(map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[unit]))
}
