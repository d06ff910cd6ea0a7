package stats_test

import (
	"context"
	"testing"

	"github.com/ternhq/tern/framework/stats"
)

type nopTracer struct{}

func (nopTracer) Start(ctx context.Context, _ *stats.Call) context.Context { return ctx }
func (nopTracer) Finish(context.Context, *stats.Call)                      {}

func TestSettings(t *testing.T) {
	var s stats.Settings
	if s.Controller() != nil {
		t.Fatal("settings without a tracer have a controller")
	}
	s.AddTracer(nopTracer{})
	if c := s.Controller(); c == nil || c.Level() != stats.LevelDetailed || c.Tracers() != 1 {
		t.Fatalf("one tracer, default level: %+v", c)
	}
	s.SetLevel(stats.LevelBase)
	if c := s.Controller(); c == nil || c.Level() != stats.LevelBase {
		t.Fatalf("base level: %+v", c)
	}
	s.SetLevel(stats.LevelDisabled)
	if s.Controller() != nil {
		t.Fatal("a disabled level keeps a controller")
	}
}
