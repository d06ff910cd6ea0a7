package serviceinfo_test

import (
	"testing"

	"github.com/ternhq/tern/framework/serviceinfo"
)

func TestGRPCPrefix(t *testing.T) {
	tests := []struct {
		pkg, svc, want string
	}{
		{"shop.item", "Item", "/shop.item.Item/"},
		{"", "Echo", "/Echo/"},
	}
	for _, tt := range tests {
		info := &serviceinfo.ServiceInfo{PackageName: tt.pkg, ServiceName: tt.svc}
		if got := info.GRPCPrefix(); got != tt.want {
			t.Errorf("GRPCPrefix(%q, %q) = %q, want %q", tt.pkg, tt.svc, got, tt.want)
		}
	}
}
