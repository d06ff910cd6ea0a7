package testgen

import (
	"testing"

	"github.com/ternhq/tern/framework/tool/internal/testgen/everything/storeservice"
)

// TestIdempotentAnnotation: a method annotated tern.idempotent = "true" is marked so in the service
// info, which lets clients retry it after its request may have reached the server; others are not.
func TestIdempotentAnnotation(t *testing.T) {
	methods := storeservice.NewServiceInfo().Methods
	if !methods["Count"].Idempotent {
		t.Fatal("Count is annotated idempotent but its MethodInfo says not")
	}
	if methods["Put"].Idempotent || methods["Echo"].Idempotent {
		t.Fatal("methods without the annotation are marked idempotent")
	}
}
