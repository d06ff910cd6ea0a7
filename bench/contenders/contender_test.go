package contenders

import (
	"slices"
	"testing"
)

func TestEveryContenderIsInTheDefaultOrder(t *testing.T) {
	if len(order) != len(registry) {
		t.Fatalf("%d contenders registered, %d in the default order", len(registry), len(order))
	}
	for _, name := range order {
		if _, ok := registry[name]; !ok {
			t.Errorf("%s is in the default order but not registered", name)
		}
	}
}

func TestParse(t *testing.T) {
	all, err := Parse("all")
	if err != nil || len(all) != len(order) {
		t.Fatalf("Parse(all) = %d contenders, %v", len(all), err)
	}
	two, err := Parse("grpc-go, tern-grpc")
	if err != nil || len(two) != 2 || two[0].Name != "grpc-go" || two[1].Name != "tern-grpc" {
		t.Fatalf("Parse = %v, %v", two, err)
	}
	if _, err := Parse("tern,nope"); err == nil {
		t.Fatal("Parse accepted unknown names")
	}
	if !slices.IsSorted(Names()) {
		t.Fatal("Names is not sorted")
	}
}

func TestNetpollFrameLayout(t *testing.T) {
	f := ttheaderEchoFrame("hello", 7)
	if got := int(f[0])<<24 | int(f[1])<<16 | int(f[2])<<8 | int(f[3]); got != len(f)-4 {
		t.Fatalf("length field %d, frame has %d bytes after it", got, len(f)-4)
	}
	body := f[4:]
	if f[4] != 0x10 || f[5] != 0x00 {
		t.Fatalf("no TTHeader magic at bytes 4–5: % x", f[:6])
	}
	at := thriftTypeOffset(body)
	if body[at-3] != 0x80 || body[at-2] != 0x01 || body[at] != 1 {
		t.Fatalf("Thrift call header not at %d: % x", at-3, body[at-3:at+1])
	}
}
