//go:build !unix

package otel_test

import "testing"

// reportCPU does nothing where the process's CPU time is not at hand.
func reportCPU(*testing.B) {}
