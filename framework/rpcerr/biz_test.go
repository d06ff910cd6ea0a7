package rpcerr_test

import (
	"fmt"
	"testing"

	"github.com/ternhq/tern/framework/rpcerr"
)

func TestBizStatus(t *testing.T) {
	base := rpcerr.BizStatus(404, "no such item")
	withExtra := base.WithBizExtra(map[string]string{"sku": "42"})
	if _, ok := base.BizStatus(); !ok || base.BizExtra() != nil {
		t.Fatalf("WithBizExtra changed the original: %v", base.BizExtra())
	}
	tests := []struct {
		name   string
		err    error
		status int32
		ok     bool
		text   string
	}{
		{"plain", base, 404, true, "biz status 404: no such item"},
		{"extra", withExtra, 404, true, "biz status 404: no such item"},
		{"wrapped", fmt.Errorf("checkout: %w", withExtra), 404, true, "checkout: biz status 404: no such item"},
		{"not biz", rpcerr.New(rpcerr.CodeNotFound, "x"), 0, false, "not_found: x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			be, ok := rpcerr.BizStatusOf(tt.err)
			if ok != tt.ok {
				t.Fatalf("BizStatusOf ok = %v, want %v", ok, tt.ok)
			}
			if ok {
				if st, _ := be.BizStatus(); st != tt.status {
					t.Errorf("status %d, want %d", st, tt.status)
				}
				if rpcerr.CodeOf(tt.err) != rpcerr.CodeUnknown {
					t.Errorf("code %v, want unknown", rpcerr.CodeOf(tt.err))
				}
			}
			if tt.err.Error() != tt.text {
				t.Errorf("Error() = %q, want %q", tt.err.Error(), tt.text)
			}
		})
	}
	if withExtra.BizExtra()["sku"] != "42" {
		t.Errorf("extra = %v", withExtra.BizExtra())
	}
}
