// Package check holds the tests of the deployment files, which run in make test on machines without a
// Docker engine: docker-compose.yaml loads and validates with the compose-spec loader; every service's
// environment and configuration files, in compose and in the Kubernetes ConfigMaps, name only keys the
// service's code reads; the manifests parse into their Kubernetes API types; the Grafana dashboard
// queries only metrics framework/contrib/otel exports; and the Dockerfile's go build lines build every
// service into a static binary.
package check
