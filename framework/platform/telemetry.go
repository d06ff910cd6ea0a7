package platform

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/server"
	"gorm.io/gorm"
)

// Telemetry exporters a configuration may name.
const (
	ExporterNone    = "none"    // spans are made and propagated (trace ids in logs) but not exported
	ExporterConsole = "console" // spans written to stderr as JSON
	ExporterOTLP    = "otlp"    // spans sent over OTLP/gRPC to telemetry.endpoint (Jaeger, a collector)
)

// TelemetryConfig configures tracing and metrics.
type TelemetryConfig struct {
	// Exporter is none (the default), console or otlp.
	Exporter string `yaml:"exporter"`
	// Endpoint is the OTLP endpoint, host:port.
	Endpoint string `yaml:"endpoint"`
	// SampleRatio is the share of new traces sampled, 0..1 (0 means 1: sample everything); calls
	// follow their caller's decision.
	SampleRatio float64 `yaml:"sample_ratio"`
	// MetricsAddr is where RPC metrics are served for Prometheus, at /metrics (empty: not served).
	MetricsAddr string `yaml:"metrics_addr"`
}

func (c TelemetryConfig) validate() error {
	switch c.Exporter {
	case ExporterNone, ExporterConsole:
	case ExporterOTLP:
		if c.Endpoint == "" {
			return fmt.Errorf("telemetry.endpoint: empty, and the exporter is %s", ExporterOTLP)
		}
	default:
		return fmt.Errorf("telemetry.exporter: %q is not %s, %s or %s", c.Exporter, ExporterNone, ExporterConsole, ExporterOTLP)
	}
	if c.SampleRatio < 0 || c.SampleRatio > 1 {
		return fmt.Errorf("telemetry.sample_ratio: %v is not within 0..1", c.SampleRatio)
	}
	return nil
}

// Telemetry is what a tracing and metrics implementation plugs into the platform: the options that
// instrument servers and clients, and a shutdown that flushes what is buffered. It may also implement
// DBInstrumenter and RedisInstrumenter, found by type assertion.
type Telemetry interface {
	// ServerOptions instrument a server (middleware, tracers).
	ServerOptions() []server.Option
	// ClientOptions instrument a client.
	ClientOptions() []client.Option
	// Shutdown flushes and stops the exporters.
	Shutdown(ctx context.Context) error
}

// DBInstrumenter is a Telemetry that also traces database statements.
type DBInstrumenter interface {
	InstrumentDB(db *gorm.DB) error
}

// RedisInstrumenter is a Telemetry that also traces Redis commands.
type RedisInstrumenter interface {
	InstrumentRedis(rdb *redis.Client) error
}

// TelemetryFunc builds the telemetry of a service from its configuration (its telemetry section, its
// name and environment). New uses NewOTel unless WithTelemetry gives another.
type TelemetryFunc func(ctx context.Context, cfg *Config) (Telemetry, error)
