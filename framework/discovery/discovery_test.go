package discovery_test

import (
	"context"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/discovery"
)

func TestInstance(t *testing.T) {
	tests := []struct {
		name       string
		in         discovery.Instance
		wantWeight int
		wantString string
	}{
		{"zero weight", discovery.Instance{Address: "a:1"}, discovery.DefaultWeight, "a:1"},
		{"negative weight", discovery.Instance{Address: "a:1", Weight: -3}, discovery.DefaultWeight, "a:1"},
		{"default weight", discovery.Instance{Address: "a:1", Weight: 10}, 10, "a:1"},
		{"own weight", discovery.Instance{Address: "a:1", Weight: 70}, 70, "a:1(70)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.EffectiveWeight(); got != tt.wantWeight {
				t.Errorf("EffectiveWeight() = %d, want %d", got, tt.wantWeight)
			}
			if got := tt.in.String(); got != tt.wantString {
				t.Errorf("String() = %q, want %q", got, tt.wantString)
			}
		})
	}
}

func TestInstanceTag(t *testing.T) {
	in := discovery.Instance{Address: "a:1", Tags: map[string]string{"zone": "eu", "empty": ""}}
	tests := []struct {
		key    string
		want   string
		wantOK bool
	}{
		{"zone", "eu", true},
		{"empty", "", true},
		{"missing", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			got, ok := in.Tag(tt.key)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("Tag(%q) = %q, %v; want %q, %v", tt.key, got, ok, tt.want, tt.wantOK)
			}
		})
	}
	if _, ok := (discovery.Instance{}).Tag("zone"); ok {
		t.Error("Tag on an instance without tags reported a tag")
	}
}

func TestSameInstances(t *testing.T) {
	a := discovery.Instance{Address: "a:1", Weight: 10, Tags: map[string]string{"zone": "eu"}}
	b := discovery.Instance{Address: "b:1"}
	tests := []struct {
		name string
		x, y []discovery.Instance
		want bool
	}{
		{"both empty", nil, []discovery.Instance{}, true},
		{"same order", []discovery.Instance{a, b}, []discovery.Instance{a, b}, true},
		{"other order", []discovery.Instance{a, b}, []discovery.Instance{b, a}, true},
		{"default weight spelled out", []discovery.Instance{b}, []discovery.Instance{{Address: "b:1", Weight: 10}}, true},
		{"nil and empty tags", []discovery.Instance{b}, []discovery.Instance{{Address: "b:1", Tags: map[string]string{}}}, true},
		{"added", []discovery.Instance{a}, []discovery.Instance{a, b}, false},
		{"other weight", []discovery.Instance{b}, []discovery.Instance{{Address: "b:1", Weight: 20}}, false},
		{"other tag", []discovery.Instance{a}, []discovery.Instance{{Address: "a:1", Tags: map[string]string{"zone": "us"}}}, false},
		{"duplicates counted", []discovery.Instance{a, a, b}, []discovery.Instance{a, b, b}, false},
		{"same address, tags swapped", []discovery.Instance{a, {Address: "a:1"}}, []discovery.Instance{{Address: "a:1"}, a}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := discovery.SameInstances(tt.x, tt.y); got != tt.want {
				t.Errorf("SameInstances = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSortedCopies(t *testing.T) {
	in := []discovery.Instance{{Address: "b:1", Tags: map[string]string{"k": "v"}}, {Address: "a:1"}}
	out := discovery.Sorted(in)
	if out[0].Address != "a:1" || out[1].Address != "b:1" {
		t.Fatalf("Sorted = %v", out)
	}
	out[1].Tags["k"] = "changed"
	if in[0].Tags["k"] != "v" {
		t.Error("Sorted shares Tags maps with its input")
	}
}

func TestNewVersion(t *testing.T) {
	seen := map[uint64]bool{}
	for range 1000 {
		v := discovery.NewVersion()
		if v == 0 || seen[v] {
			t.Fatalf("NewVersion returned %d twice or zero", v)
		}
		seen[v] = true
	}
}

func TestStatic(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	r := discovery.NewStatic("10.0.0.1:8888", "10.0.0.2:8888")
	if r.Name() != "static" {
		t.Errorf("Name() = %q", r.Name())
	}
	res, err := r.Resolve(ctx, "echo")
	if err != nil {
		t.Fatal(err)
	}
	want := []discovery.Instance{{Address: "10.0.0.1:8888", Weight: 10}, {Address: "10.0.0.2:8888", Weight: 10}}
	if res.Service != "echo" || res.Version == 0 || !discovery.SameInstances(res.Instances, want) {
		t.Errorf("Resolve = %+v", res)
	}
	other, _ := r.Resolve(ctx, "other")
	if other.Service != "other" || other.Version != res.Version {
		t.Errorf("second Resolve = %+v, want the same version under service other", other)
	}
}

func TestStaticInstancesCopies(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	tags := map[string]string{"zone": "eu"}
	r := discovery.NewStaticInstances(discovery.Instance{Address: "a:1", Weight: 30, Tags: tags})
	tags["zone"] = "us"
	res, err := r.Resolve(ctx, "echo")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Instances) != 1 || res.Instances[0].Weight != 30 || res.Instances[0].Tags["zone"] != "eu" {
		t.Errorf("Resolve = %+v", res)
	}
}
