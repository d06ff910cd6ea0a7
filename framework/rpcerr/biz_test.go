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

func TestBizStatusWire(t *testing.T) {
	status, extra, ok := rpcerr.BizStatus(404, "gone").WithBizExtra(map[string]string{"sku": "42"}).BizStatusWire()
	if !ok || status != "404" || extra != `{"sku":"42"}` {
		t.Fatalf("BizStatusWire = %q, %q, %v", status, extra, ok)
	}
	be := rpcerr.BizStatusFromWire(status, "gone", extra)
	if st, _ := be.BizStatus(); st != 404 || be.Message() != "gone" || be.BizExtra()["sku"] != "42" {
		t.Fatalf("round trip = %v %v", be, be.BizExtra())
	}
	if _, _, ok := rpcerr.New(rpcerr.CodeNotFound, "x").BizStatusWire(); ok {
		t.Error("a plain error has a business status on the wire")
	}
	for _, bad := range []string{"", "0", "x", "99999999999"} {
		if be := rpcerr.BizStatusFromWire(bad, "m", ""); be != nil {
			t.Errorf("status %q parsed as %v", bad, be)
		}
	}
	if be := rpcerr.BizStatusFromWire("7", "m", "not json"); be == nil || be.BizExtra() != nil {
		t.Errorf("malformed extra: %v, %v", be, be.BizExtra())
	}
}
