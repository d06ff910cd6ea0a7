package harness

import (
	"math"
	"testing"
	"time"
)

func TestBucketRoundTrip(t *testing.T) {
	for _, v := range []uint64{0, 1, 63, 64, 65, 127, 128, 1000, 12345, 1e6, 987654321, 1e11} {
		got := bucketValue(bucketOf(v))
		if rel := math.Abs(float64(got)-float64(v)) / math.Max(float64(v), 1); rel > 1.0/subBuckets {
			t.Errorf("value %d lands in a bucket worth %d (%.2f%% off)", v, got, rel*100)
		}
	}
}

func TestQuantiles(t *testing.T) {
	var h Histogram
	for i := 1; i <= 10000; i++ {
		h.Record(time.Duration(i) * time.Microsecond)
	}
	tests := []struct {
		q    float64
		want time.Duration
	}{
		{0.5, 5 * time.Millisecond},
		{0.99, 9900 * time.Microsecond},
		{0.999, 9990 * time.Microsecond},
		{1, 10 * time.Millisecond},
	}
	for _, tc := range tests {
		got := h.Quantile(tc.q)
		if rel := math.Abs(float64(got-tc.want)) / float64(tc.want); rel > 0.02 {
			t.Errorf("Quantile(%v) = %v, want about %v", tc.q, got, tc.want)
		}
	}
	var merged Histogram
	merged.Merge(&h)
	merged.Merge(&h)
	if merged.Count() != 20000 || merged.Quantile(0.5) != h.Quantile(0.5) {
		t.Errorf("merged: count %d, p50 %v; want 20000, %v", merged.Count(), merged.Quantile(0.5), h.Quantile(0.5))
	}
}

func TestRecordAllocatesNothing(t *testing.T) {
	var h Histogram
	if n := testing.AllocsPerRun(100, func() { h.Record(time.Millisecond) }); n != 0 {
		t.Fatalf("Record allocates %v times", n)
	}
}
