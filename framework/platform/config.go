package platform

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"gopkg.in/yaml.v3"
)

// Environment variables that select the configuration file.
const (
	// EnvName selects the environment, and so the file conf/<env>.yaml (default dev).
	EnvName = "TERN_ENV"
	// EnvConfDir is the directory holding the files (default conf, relative to the working directory).
	EnvConfDir = "TERN_CONF_DIR"
	// EnvPrefix starts every override variable: key db.dsn is overridden by TERN_DB_DSN.
	EnvPrefix = "TERN_"
)

// Config is the part of a service's configuration the platform reads. A service embeds it in its own
// configuration type with `yaml:",inline"` and adds its own sections next to it.
type Config struct {
	// Service is the service's name: its registry name, its client name, its logs' "service" attribute.
	Service string `yaml:"service"`
	// Env is the environment the configuration was loaded for (set by Load, not read from the file).
	Env       string                  `yaml:"-"`
	Server    ServerConfig            `yaml:"server"`
	Log       LogConfig               `yaml:"log"`
	DB        DBConfig                `yaml:"db"`
	Redis     RedisConfig             `yaml:"redis"`
	Registry  RegistryConfig          `yaml:"registry"`
	Clients   map[string]ClientConfig `yaml:"clients"`
	Telemetry TelemetryConfig         `yaml:"telemetry"`
}

// ServerConfig configures the service's RPC server.
type ServerConfig struct {
	// Addr is the address to listen on, host:port.
	Addr string `yaml:"addr"`
	// Advertise is the address registered in the registry; empty means the listening address (an
	// unspecified host replaced by this machine's first non-loopback address).
	Advertise string `yaml:"advertise"`
	// ExitWait bounds how long a graceful stop waits for calls in flight (default 5s).
	ExitWait time.Duration `yaml:"exit_wait"`
}

// LogConfig configures logging.
type LogConfig struct {
	// Level is debug, info, warn or error (default info).
	Level string `yaml:"level"`
	// Format is text or json (default text).
	Format string `yaml:"format"`
}

// Platform returns c itself: through embedding, every service configuration type has this method, which
// is how Load and New find the platform's part of it.
func (c *Config) Platform() *Config { return c }

// Base is implemented by every configuration type that embeds Config.
type Base interface{ Platform() *Config }

// Load reads the configuration of the environment $TERN_ENV (default dev) from $TERN_CONF_DIR/<env>.yaml
// (default conf/<env>.yaml) into cfg, then applies the environment overrides (see ApplyEnv) and checks
// the result. Keys the file has but cfg does not are errors, so typos do not go unnoticed.
func Load(cfg Base) error {
	env := getenv(EnvName, "dev")
	path := filepath.Join(getenv(EnvConfDir, "conf"), env+".yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("configuration: %w (run from the service's directory or set %s)", err, EnvConfDir)
	}
	if err := Decode(data, cfg); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := ApplyEnv(cfg, os.LookupEnv); err != nil {
		return err
	}
	cfg.Platform().Env = env
	return cfg.Platform().Validate()
}

// Decode decodes YAML data into cfg over the platform's defaults, rejecting unknown keys.
func Decode(data []byte, cfg Base) error {
	cfg.Platform().setDefaults()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// setDefaults fills the values a file may leave out.
func (c *Config) setDefaults() {
	c.Server.ExitWait = 5 * time.Second
	c.Log = LogConfig{Level: "info", Format: "text"}
	c.Registry.Kind = RegistryDirect
	c.Telemetry.Exporter = ExporterNone
}

// Validate reports the first setting that cannot work.
func (c *Config) Validate() error {
	switch {
	case c.Service == "":
		return errors.New("service: empty (set it in the file or TERN_SERVICE)")
	case c.Server.Addr == "":
		return errors.New("server.addr: empty (set it in the file or TERN_SERVER_ADDR)")
	}
	if _, err := parseLevel(c.Log.Level); err != nil {
		return fmt.Errorf("log.level: %w", err)
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		return fmt.Errorf("log.format: %q is neither text nor json", c.Log.Format)
	}
	if err := c.DB.validate(); err != nil {
		return fmt.Errorf("db: %w", err)
	}
	if err := c.Registry.validate(); err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	for name, cc := range c.Clients {
		if c.Registry.Kind == RegistryDirect && cc.Addrs == "" {
			return fmt.Errorf("clients.%s.addrs: empty, and the registry is %q", name, RegistryDirect)
		}
	}
	return c.Telemetry.validate()
}

func getenv(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
