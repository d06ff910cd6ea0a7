package check

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	ternotel "github.com/ternhq/tern/framework/contrib/otel"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/rpcinfo"
	"github.com/ternhq/tern/framework/stats"
	"github.com/ternhq/tern/framework/transport"
)

// prometheusConfig is the part of deploy/prometheus/prometheus.yaml the checks read.
type prometheusConfig struct {
	ScrapeConfigs []struct {
		JobName       string `yaml:"job_name"`
		MetricsPath   string `yaml:"metrics_path"`
		StaticConfigs []struct {
			Targets []string          `yaml:"targets"`
			Labels  map[string]string `yaml:"labels"`
		} `yaml:"static_configs"`
	} `yaml:"scrape_configs"`
}

// prometheusTargets returns the targets of job tern by their label service.
func prometheusTargets(t *testing.T) map[string][]string {
	t.Helper()
	var cfg prometheusConfig
	if err := yaml.Unmarshal(mustRead(t, "deploy", "prometheus", "prometheus.yaml"), &cfg); err != nil {
		t.Fatalf("prometheus.yaml: %v", err)
	}
	out := map[string][]string{}
	for _, sc := range cfg.ScrapeConfigs {
		if sc.JobName != "tern" {
			continue
		}
		if sc.MetricsPath != "/metrics" {
			t.Errorf("prometheus.yaml: job tern scrapes %q, want /metrics", sc.MetricsPath)
		}
		for _, st := range sc.StaticConfigs {
			out[st.Labels["service"]] = append(out[st.Labels["service"]], st.Targets...)
		}
	}
	return out
}

// exportedSeries runs contrib/otel's RPC metrics through its Prometheus handler, as a service does,
// with one successful and one failed call on each side, and returns every metric name on the page with
// its label names.
func exportedSeries(t *testing.T) map[string][]string {
	t.Helper()
	mp, handler, err := ternotel.NewPrometheus("check")
	if err != nil {
		t.Fatal(err)
	}
	defer mp.Shutdown(context.Background())
	m, err := ternotel.NewMetrics(ternotel.WithMeterProvider(mp))
	if err != nil {
		t.Fatal(err)
	}
	ctl := stats.NewController(stats.LevelBase, m)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	info := rpcinfo.New(rpcinfo.Data{Callee: rpcinfo.Peer{Service: "item.Item", Method: "GetItem"}, Protocol: transport.GRPC})
	for _, side := range []stats.Side{stats.Client, stats.Server} {
		for _, callErr := range []error{nil, rpcerr.New(rpcerr.CodeInternal, "boom")} {
			cctx, call := ctl.Start(rpcinfo.NewContext(ctx, info), side, nil)
			ctl.Finish(cctx, call, callErr)
		}
	}
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequestWithContext(ctx, "GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Result().Body)
	series := map[string][]string{}
	line := regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? `)
	label := regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="`)
	for _, l := range strings.Split(string(body), "\n") {
		sm := line.FindStringSubmatch(l)
		if sm == nil {
			continue
		}
		for _, lm := range label.FindAllStringSubmatch(sm[3], -1) {
			if !slices.Contains(series[sm[1]], lm[1]) {
				series[sm[1]] = append(series[sm[1]], lm[1])
			}
		}
		if _, ok := series[sm[1]]; !ok {
			series[sm[1]] = nil
		}
	}
	if len(series) == 0 {
		t.Fatalf("contrib/otel exported nothing:\n%s", body)
	}
	return series
}

// scrapeLabels are the labels Prometheus adds to every series of the shop (prometheus.yaml).
var scrapeLabels = []string{"job", "instance", "service"}

// dashboard is the part of a Grafana dashboard the checks read.
type dashboard struct {
	UID        string  `json:"uid"`
	Title      string  `json:"title"`
	Panels     []panel `json:"panels"`
	Templating struct {
		List []struct {
			Name       string          `json:"name"`
			Definition string          `json:"definition"`
			Datasource json.RawMessage `json:"datasource"`
		} `json:"list"`
	} `json:"templating"`
}

type panel struct {
	Title      string          `json:"title"`
	Type       string          `json:"type"`
	Datasource json.RawMessage `json:"datasource"`
	Targets    []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
}

func TestDashboardQueriesExportedMetrics(t *testing.T) {
	series := exportedSeries(t)
	var d dashboard
	if err := json.Unmarshal(mustRead(t, "deploy", "grafana", "dashboards", "tern-rpc.json"), &d); err != nil {
		t.Fatalf("tern-rpc.json: %v", err)
	}
	uids := datasourceUIDs(t)
	var exprs []string
	titles := map[string]bool{}
	for _, p := range d.Panels {
		if p.Type == "row" {
			continue
		}
		titles[p.Title] = true
		checkDatasource(t, "panel "+p.Title, p.Datasource, uids)
		if len(p.Targets) == 0 {
			t.Errorf("panel %q queries nothing", p.Title)
		}
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	for _, v := range d.Templating.List {
		checkDatasource(t, "variable "+v.Name, v.Datasource, uids)
		exprs = append(exprs, v.Definition)
	}
	for _, want := range []string{"QPS", "p99 latency", "Error rate"} {
		if !titles[want] {
			t.Errorf("no panel %q", want)
		}
	}
	metric := regexp.MustCompile(`\b(rpc_[a-z_]+|up)\s*\{`)
	series["up"] = nil // made by Prometheus for every target
	nameRegexp := regexp.MustCompile(`__name__=~"([^"]+)"`)
	grouping := regexp.MustCompile(`by \(([^)]*)\)`)
	matcher := regexp.MustCompile(`([a-z_]+)\s*(=~|!=|=)\s*"`)
	used := map[string]bool{}
	for _, e := range exprs {
		if err := balanced(e); err != nil {
			t.Errorf("query %q: %v", e, err)
		}
		var known []string // the labels of the metrics of this query
		ms := metric.FindAllStringSubmatch(e, -1)
		for _, m := range ms {
			labels, ok := series[m[1]]
			if !ok {
				t.Errorf("query %q: contrib/otel exports no %s", e, m[1])
			}
			used[m[1]] = true
			known = append(known, labels...)
		}
		nrs := nameRegexp.FindAllStringSubmatch(e, -1)
		for _, m := range nrs {
			re := regexp.MustCompile("^(?:" + m[1] + ")$")
			matched := false
			for name, labels := range series {
				if re.MatchString(name) {
					matched = true
					known = append(known, labels...)
				}
			}
			if !matched {
				t.Errorf("query %q: contrib/otel exports no metric matching %s", e, m[1])
			}
		}
		if len(ms)+len(nrs) == 0 {
			t.Errorf("query %q names no metric", e)
		}
		known = append(known, scrapeLabels...)
		var labelsUsed []string
		for _, g := range grouping.FindAllStringSubmatch(e, -1) {
			for _, l := range strings.Split(g[1], ",") {
				labelsUsed = append(labelsUsed, strings.TrimSpace(l))
			}
		}
		for _, m := range matcher.FindAllStringSubmatch(e, -1) {
			labelsUsed = append(labelsUsed, m[1])
		}
		for _, l := range labelsUsed {
			if l != "__name__" && !slices.Contains(known, l) {
				t.Errorf("query %q: label %s is on none of its metrics (%v)", e, l, known)
			}
		}
	}
	for _, want := range []string{"rpc_server_calls_total", "rpc_server_call_duration_seconds_bucket", "rpc_client_calls_total",
		"rpc_client_call_duration_seconds_bucket", "rpc_server_active_calls"} {
		if !used[want] {
			t.Errorf("the dashboard does not query %s", want)
		}
	}
}

// datasourceUIDs reads the provisioned data sources.
func datasourceUIDs(t *testing.T) map[string]string {
	t.Helper()
	var prov struct {
		Datasources []struct {
			UID  string `yaml:"uid"`
			Type string `yaml:"type"`
			URL  string `yaml:"url"`
		} `yaml:"datasources"`
	}
	if err := yaml.Unmarshal(mustRead(t, "deploy", "grafana", "provisioning", "datasources", "datasources.yaml"), &prov); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, ds := range prov.Datasources {
		out[ds.UID] = ds.Type
	}
	for _, want := range []string{"prometheus", "jaeger"} {
		if out[want] != want {
			t.Errorf("datasources.yaml: no %s data source with uid %s", want, want)
		}
	}
	return out
}

func checkDatasource(t *testing.T, what string, raw json.RawMessage, uids map[string]string) {
	t.Helper()
	var ds struct{ Type, UID string }
	if err := json.Unmarshal(raw, &ds); err != nil {
		t.Errorf("%s: datasource %s: %v", what, raw, err)
		return
	}
	if uids[ds.UID] != ds.Type {
		t.Errorf("%s: datasource %+v is not provisioned", what, ds)
	}
}

func TestGrafanaDashboardProvider(t *testing.T) {
	var prov struct {
		Providers []struct {
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	if err := yaml.Unmarshal(mustRead(t, "deploy", "grafana", "provisioning", "dashboards", "dashboards.yaml"), &prov); err != nil {
		t.Fatal(err)
	}
	p := loadCompose(t)
	mounted := map[string]bool{}
	for _, v := range p.Services["grafana"].Volumes {
		mounted[v.Target] = true
	}
	if len(prov.Providers) == 0 {
		t.Fatal("no dashboard provider")
	}
	for _, pr := range prov.Providers {
		if !mounted[pr.Options.Path] {
			t.Errorf("dashboards path %s is not mounted in the grafana container", pr.Options.Path)
		}
	}
}

// balanced reports unbalanced brackets or quotes in a query.
func balanced(q string) error {
	var stack []rune
	pairs := map[rune]rune{')': '(', '}': '{', ']': '['}
	inQuote := false
	for _, r := range q {
		switch {
		case r == '"':
			inQuote = !inQuote
		case inQuote:
		case r == '(' || r == '{' || r == '[':
			stack = append(stack, r)
		case pairs[r] != 0:
			if len(stack) == 0 || stack[len(stack)-1] != pairs[r] {
				return fmt.Errorf("unbalanced %q", r)
			}
			stack = stack[:len(stack)-1]
		}
	}
	if inQuote || len(stack) > 0 {
		return fmt.Errorf("unclosed brackets or quotes")
	}
	return nil
}
