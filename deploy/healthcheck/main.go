// Command healthcheck is the health probe inside the shop's images, which have no shell, curl or nc.
// It exits 0 when every target answers within the timeout, and 1 otherwise, printing the first failure.
//
// A target is tcp://host:port (a connection is accepted) or http://host:port/path (the answer is 2xx):
//
//	healthcheck tcp://127.0.0.1:8881 http://127.0.0.1:9464/metrics
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"
)

func main() {
	timeout := flag.Duration("timeout", 3*time.Second, "how long all the targets may take together")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: healthcheck [-timeout 3s] tcp://host:port|http://host:port/path ...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := checkAll(ctx, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck:", err)
		os.Exit(1)
	}
}

// checkAll checks the targets in order and returns the first failure.
func checkAll(ctx context.Context, targets []string) error {
	for _, t := range targets {
		if err := check(ctx, t); err != nil {
			return fmt.Errorf("%s: %w", t, err)
		}
	}
	return nil
}

// check probes one target.
func check(ctx context.Context, target string) error {
	u, err := url.Parse(target)
	if err != nil {
		return err
	}
	switch u.Scheme {
	case "tcp":
		if u.Host == "" {
			return errors.New("no host:port")
		}
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", u.Host)
		if err != nil {
			return err
		}
		return conn.Close()
	case "http":
		return checkHTTP(ctx, target)
	}
	return fmt.Errorf("scheme %q is neither tcp nor http", u.Scheme)
}

// checkHTTP wants a 2xx answer to a GET.
func checkHTTP(ctx context.Context, target string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("status %s", resp.Status)
	}
	return nil
}
