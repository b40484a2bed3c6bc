//go:build race

package sweep_test

// raceSlowdown stretches MaxAnswerTime under the race detector, which makes
// the server several times slower than the binary that ships (the promise
// of one second is for that binary: `go test` without -race holds it).
const raceSlowdown = 4
