//go:build !race

package sweep_test

// raceSlowdown: see race_on_test.go.
const raceSlowdown = 1
