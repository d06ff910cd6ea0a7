package otel

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/metric"

	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/stats"
)

// latencyBuckets are the duration histogram's bucket bounds in seconds, from 100µs to 10s: RPC
// latencies over loopback and across a data centre both fall inside.
var latencyBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
	0.25, 0.5, 1, 2.5, 5, 10}

// Metrics is a stats.Tracer that records RPC metrics per side, service and method:
//
//   - rpc.{client,server}.calls: calls finished, by rpc.response.status_code ("OK", "INTERNAL"...);
//     errors are the calls whose code is not OK;
//   - rpc.{client,server}.call.duration: latency in seconds, by status code;
//   - rpc.{client,server}.active_calls: calls in flight.
//
// Every series also carries rpc.system, rpc.service and rpc.method. Recording allocates nothing once a
// method has been seen.
type Metrics struct {
	sides [3]sideInstruments // indexed by stats.Side
	attrs attrCache
}

type sideInstruments struct {
	calls    metric.Int64Counter
	duration metric.Float64Histogram
	active   metric.Int64UpDownCounter
}

var _ stats.Tracer = (*Metrics)(nil)

// NewMetrics returns a Metrics recording through the meter provider of opts (default: the global one).
func NewMetrics(opts ...Option) (*Metrics, error) {
	cfg := newConfig(opts)
	meter := cfg.meterProvider.Meter(ScopeName)
	m := &Metrics{}
	for _, side := range []stats.Side{stats.Client, stats.Server} {
		ins, err := newSideInstruments(meter, side.String())
		if err != nil {
			return nil, err
		}
		m.sides[side] = ins
	}
	return m, nil
}

func newSideInstruments(meter metric.Meter, side string) (sideInstruments, error) {
	var ins sideInstruments
	var err error
	prefix := "rpc." + side + "."
	if ins.calls, err = meter.Int64Counter(prefix+"calls", metric.WithUnit("{call}"),
		metric.WithDescription("RPC calls finished, by status code")); err != nil {
		return ins, fmt.Errorf("otel: %s calls counter: %w", side, err)
	}
	if ins.duration, err = meter.Float64Histogram(prefix+"call.duration", metric.WithUnit("s"),
		metric.WithDescription("RPC call latency"), metric.WithExplicitBucketBoundaries(latencyBuckets...)); err != nil {
		return ins, fmt.Errorf("otel: %s duration histogram: %w", side, err)
	}
	if ins.active, err = meter.Int64UpDownCounter(prefix+"active_calls", metric.WithUnit("{call}"),
		metric.WithDescription("RPC calls in flight")); err != nil {
		return ins, fmt.Errorf("otel: %s active calls: %w", side, err)
	}
	return ins, nil
}

// Start implements stats.Tracer: the call is in flight.
func (m *Metrics) Start(ctx context.Context, c *stats.Call) context.Context {
	m.sides[c.Side()].active.Add(ctx, 1, m.attrs.get(c).active...)
	return ctx
}

// Finish implements stats.Tracer: the call is counted and timed, and no longer in flight.
func (m *Metrics) Finish(ctx context.Context, c *stats.Call) {
	ins := &m.sides[c.Side()]
	attrs := m.attrs.get(c)
	ins.active.Add(ctx, -1, attrs.active...)
	byCode := attrs.code(rpcerr.CodeOf(c.Err()))
	ins.calls.Add(ctx, 1, byCode.add...)
	ins.duration.Record(ctx, c.Duration().Seconds(), byCode.record...)
}
