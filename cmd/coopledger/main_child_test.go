package main

import (
	"os"
	"testing"
)

// TestMain runs the test binary as the coopledger command when bench
// starts it as a child `serve` (benchServeEnv), so bench's start-up and
// idle RSS figures work under go test too.
func TestMain(m *testing.M) {
	if os.Getenv(benchServeEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}
