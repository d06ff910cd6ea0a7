// Package platform is the bootstrap every shop service shares, so that no service copies it:
// configuration (per-environment YAML overridable by environment variables), slog logging, the database
// (gorm on MySQL/MariaDB, or pure-Go SQLite for local runs), Redis (or an embedded Redis-protocol server
// for local runs), the registry chosen by configuration (direct addresses, Nacos or etcd), telemetry
// (OpenTelemetry through framework/contrib/otel: a span for every call, database statement and Redis
// command, one trace per request across services; RPC metrics for Prometheus; trace ids in logs), and
// the server and client options that follow from all of it.
//
// A service's main function is wiring only:
//
//	var cfg Config // embeds platform.Config `yaml:",inline"`, plus the service's own keys
//	if err := platform.Load(&cfg); err != nil { ... }
//	p, err := platform.New(&cfg)
//	defer p.Close()
//	db, err := p.DB(ctx)
//	opts, err := p.ServerOptions()
//	svr := itemservice.NewServer(handler, opts...)
//	return svr.Run()
//
// Clients of other services come from ClientOptions, which turns the "clients" section of the
// configuration into a destination service name and options (addresses or a resolver, timeouts).
//
// Every key of the configuration files can be overridden by an environment variable: TERN_ and the key's
// path in capitals, e.g. TERN_DB_DSN, TERN_CLIENTS_ITEM_ADDRS, TERN_TELEMETRY_EXPORTER=console.
package platform
