package netpoll

import "testing"

func TestPollersFor(t *testing.T) {
	tests := []struct {
		name       string
		env        string
		gomaxprocs int
		want       int
	}{
		{"unset on 1 core", "", 1, 2},
		{"unset on 2 cores", "", 2, 2},
		{"unset on 8 cores", "", 8, 2},
		{"unset on 16 cores", "", 16, 4},
		{"unset on 64 cores", "", 64, 16},
		{"override", "3", 2, 3},
		{"override with spaces", " 6 ", 2, 6},
		{"zero ignored", "0", 16, 4},
		{"negative ignored", "-2", 16, 4},
		{"garbage ignored", "4x", 16, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pollersFor(tt.env, tt.gomaxprocs); got != tt.want {
				t.Fatalf("pollersFor(%q, %d) = %d, want %d", tt.env, tt.gomaxprocs, got, tt.want)
			}
		})
	}
}

func TestPollerNumConfigured(t *testing.T) {
	if PollerNum() < 1 {
		t.Fatalf("PollerNum() = %d, want at least 1", PollerNum())
	}
}
