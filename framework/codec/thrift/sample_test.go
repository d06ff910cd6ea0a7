package thrift_test

import (
	"errors"

	"github.com/ternhq/tern/framework/codec/thrift"
)

// errMismatch reports a container whose element types differ from the IDL's; the field is then
// skipped like a field of the wrong type. Generated code must check container element types: the
// codec returns them but cannot know what the IDL declared.
var errMismatch = errors.New("container element type mismatch")

// This file holds hand-written structs with the fast codec that generated code will have, for the
// IDL:
//
//	struct Inner { 1: i64 id, 2: string name }
//	struct Sample {
//	  1: bool flag, 2: byte small, 3: i16 short, 4: i32 count, 5: i64 big, 6: double ratio,
//	  7: string name, 8: binary blob, 9: optional i32 opt, 10: optional Inner child,
//	  11: list<map<string, list<i32>>> deep, 12: set<i64> ids, 13: map<i32, string> attrs,
//	}

type Inner struct {
	ID   int64
	Name string
}

func (s *Inner) BLength() int {
	return 3 + thrift.I64Length + 3 + thrift.StringLength(s.Name) + thrift.FieldStopLength
}

func (s *Inner) FastWrite(b []byte) int {
	n := thrift.WriteFieldBegin(b, thrift.I64, 1)
	n += thrift.WriteI64(b[n:], s.ID)
	n += thrift.WriteFieldBegin(b[n:], thrift.STRING, 2)
	n += thrift.WriteString(b[n:], s.Name)
	return n + thrift.WriteFieldStop(b[n:])
}

func (s *Inner) FastRead(b []byte) (int, error) {
	pos := 0
	for {
		t, id, n, err := thrift.ReadFieldBegin(b[pos:])
		if err != nil {
			return 0, err
		}
		pos += n
		if t == thrift.STOP {
			return pos, nil
		}
		switch {
		case id == 1 && t == thrift.I64:
			s.ID, n, err = thrift.ReadI64(b[pos:])
		case id == 2 && t == thrift.STRING:
			s.Name, n, err = thrift.ReadString(b[pos:])
		default:
			n, err = thrift.Skip(b[pos:], t)
		}
		if err != nil {
			return 0, err
		}
		pos += n
	}
}

type Sample struct {
	Flag  bool
	Small int8
	Short int16
	Count int32
	Big   int64
	Ratio float64
	Name  string
	Blob  []byte
	Opt   *int32
	Child *Inner
	Deep  []map[string][]int32
	IDs   []int64
	Attrs map[int32]string
}

// sampleTypes is the declared type of each field id of Sample.
var sampleTypes = [...]thrift.TType{
	1: thrift.BOOL, 2: thrift.BYTE, 3: thrift.I16, 4: thrift.I32, 5: thrift.I64, 6: thrift.DOUBLE,
	7: thrift.STRING, 8: thrift.STRING, 9: thrift.I32, 10: thrift.STRUCT, 11: thrift.LIST,
	12: thrift.SET, 13: thrift.MAP,
}

func (s *Sample) BLength() int {
	n := 8*3 + thrift.BoolLength + thrift.ByteLength + thrift.I16Length + thrift.I32Length +
		thrift.I64Length + thrift.DoubleLength + thrift.StringLength(s.Name) + thrift.BinaryLength(s.Blob)
	if s.Opt != nil {
		n += 3 + thrift.I32Length
	}
	if s.Child != nil {
		n += 3 + s.Child.BLength()
	}
	n += 3 + thrift.ListBeginLength
	for _, m := range s.Deep {
		n += thrift.MapBeginLength
		for k, v := range m {
			n += thrift.StringLength(k) + thrift.ListBeginLength + len(v)*thrift.I32Length
		}
	}
	n += 3 + thrift.SetBeginLength + len(s.IDs)*thrift.I64Length
	n += 3 + thrift.MapBeginLength
	for _, v := range s.Attrs {
		n += thrift.I32Length + thrift.StringLength(v)
	}
	return n + thrift.FieldStopLength
}

func (s *Sample) FastWrite(b []byte) int {
	n := thrift.WriteFieldBegin(b, thrift.BOOL, 1)
	n += thrift.WriteBool(b[n:], s.Flag)
	n += thrift.WriteFieldBegin(b[n:], thrift.BYTE, 2)
	n += thrift.WriteByte(b[n:], s.Small)
	n += thrift.WriteFieldBegin(b[n:], thrift.I16, 3)
	n += thrift.WriteI16(b[n:], s.Short)
	n += thrift.WriteFieldBegin(b[n:], thrift.I32, 4)
	n += thrift.WriteI32(b[n:], s.Count)
	n += thrift.WriteFieldBegin(b[n:], thrift.I64, 5)
	n += thrift.WriteI64(b[n:], s.Big)
	n += thrift.WriteFieldBegin(b[n:], thrift.DOUBLE, 6)
	n += thrift.WriteDouble(b[n:], s.Ratio)
	n += thrift.WriteFieldBegin(b[n:], thrift.STRING, 7)
	n += thrift.WriteString(b[n:], s.Name)
	n += thrift.WriteFieldBegin(b[n:], thrift.STRING, 8)
	n += thrift.WriteBinary(b[n:], s.Blob)
	if s.Opt != nil {
		n += thrift.WriteFieldBegin(b[n:], thrift.I32, 9)
		n += thrift.WriteI32(b[n:], *s.Opt)
	}
	if s.Child != nil {
		n += thrift.WriteFieldBegin(b[n:], thrift.STRUCT, 10)
		n += s.Child.FastWrite(b[n:])
	}
	n += thrift.WriteFieldBegin(b[n:], thrift.LIST, 11)
	n += thrift.WriteListBegin(b[n:], thrift.MAP, len(s.Deep))
	for _, m := range s.Deep {
		n += thrift.WriteMapBegin(b[n:], thrift.STRING, thrift.LIST, len(m))
		for k, v := range m {
			n += thrift.WriteString(b[n:], k)
			n += thrift.WriteListBegin(b[n:], thrift.I32, len(v))
			for _, x := range v {
				n += thrift.WriteI32(b[n:], x)
			}
		}
	}
	n += thrift.WriteFieldBegin(b[n:], thrift.SET, 12)
	n += thrift.WriteSetBegin(b[n:], thrift.I64, len(s.IDs))
	for _, x := range s.IDs {
		n += thrift.WriteI64(b[n:], x)
	}
	n += thrift.WriteFieldBegin(b[n:], thrift.MAP, 13)
	n += thrift.WriteMapBegin(b[n:], thrift.I32, thrift.STRING, len(s.Attrs))
	for k, v := range s.Attrs {
		n += thrift.WriteI32(b[n:], k)
		n += thrift.WriteString(b[n:], v)
	}
	return n + thrift.WriteFieldStop(b[n:])
}

func (s *Sample) FastRead(b []byte) (int, error) {
	pos := 0
	for {
		t, id, n, err := thrift.ReadFieldBegin(b[pos:])
		if err != nil {
			return 0, err
		}
		pos += n
		if t == thrift.STOP {
			return pos, nil
		}
		known := id > 0 && int(id) < len(sampleTypes) && sampleTypes[id] == t
		if known {
			n, err = s.readField(b[pos:], id)
		}
		if !known || err == errMismatch {
			n, err = thrift.Skip(b[pos:], t)
		}
		if err != nil {
			return 0, err
		}
		pos += n
	}
}

func (s *Sample) readField(b []byte, id int16) (n int, err error) {
	switch id {
	case 1:
		s.Flag, n, err = thrift.ReadBool(b)
	case 2:
		s.Small, n, err = thrift.ReadByte(b)
	case 3:
		s.Short, n, err = thrift.ReadI16(b)
	case 4:
		s.Count, n, err = thrift.ReadI32(b)
	case 5:
		s.Big, n, err = thrift.ReadI64(b)
	case 6:
		s.Ratio, n, err = thrift.ReadDouble(b)
	case 7:
		s.Name, n, err = thrift.ReadString(b)
	case 8:
		s.Blob, n, err = thrift.ReadBinary(b)
	case 9:
		var v int32
		if v, n, err = thrift.ReadI32(b); err == nil {
			s.Opt = &v
		}
	case 10:
		c := new(Inner)
		if n, err = c.FastRead(b); err == nil {
			s.Child = c
		}
	case 11:
		s.Deep, n, err = readDeep(b)
	case 12:
		s.IDs, n, err = readIDs(b)
	case 13:
		s.Attrs, n, err = readAttrs(b)
	}
	return n, err
}

// readDeep reads list<map<string, list<i32>>>.
func readDeep(b []byte) ([]map[string][]int32, int, error) {
	et, size, pos, err := thrift.ReadListBegin(b)
	if err != nil {
		return nil, 0, err
	}
	if size > 0 && et != thrift.MAP {
		return nil, 0, errMismatch
	}
	out := make([]map[string][]int32, size)
	for i := range out {
		kt, vt, msize, n, err := thrift.ReadMapBegin(b[pos:])
		if err != nil {
			return nil, 0, err
		}
		if msize > 0 && (kt != thrift.STRING || vt != thrift.LIST) {
			return nil, 0, errMismatch
		}
		pos += n
		m := make(map[string][]int32, msize)
		for range msize {
			k, n, err := thrift.ReadString(b[pos:])
			if err != nil {
				return nil, 0, err
			}
			pos += n
			et, lsize, n, err := thrift.ReadListBegin(b[pos:])
			if err != nil {
				return nil, 0, err
			}
			if lsize > 0 && et != thrift.I32 {
				return nil, 0, errMismatch
			}
			pos += n
			v := make([]int32, lsize)
			for j := range v {
				if v[j], n, err = thrift.ReadI32(b[pos:]); err != nil {
					return nil, 0, err
				}
				pos += n
			}
			m[k] = v
		}
		out[i] = m
	}
	return out, pos, nil
}

func readIDs(b []byte) ([]int64, int, error) {
	et, size, pos, err := thrift.ReadSetBegin(b)
	if err != nil {
		return nil, 0, err
	}
	if size > 0 && et != thrift.I64 {
		return nil, 0, errMismatch
	}
	out := make([]int64, size)
	for i := range out {
		var n int
		if out[i], n, err = thrift.ReadI64(b[pos:]); err != nil {
			return nil, 0, err
		}
		pos += n
	}
	return out, pos, nil
}

func readAttrs(b []byte) (map[int32]string, int, error) {
	kt, vt, size, pos, err := thrift.ReadMapBegin(b)
	if err != nil {
		return nil, 0, err
	}
	if size > 0 && (kt != thrift.I32 || vt != thrift.STRING) {
		return nil, 0, errMismatch
	}
	out := make(map[int32]string, size)
	for range size {
		k, n, err := thrift.ReadI32(b[pos:])
		if err != nil {
			return nil, 0, err
		}
		pos += n
		v, n, err := thrift.ReadString(b[pos:])
		if err != nil {
			return nil, 0, err
		}
		pos += n
		out[k] = v
	}
	return out, pos, nil
}

// newSample returns a Sample with every field set, including the optional ones.
func newSample() *Sample {
	opt := int32(-7)
	return &Sample{
		Flag: true, Small: -128, Short: 32767, Count: -2147483648, Big: 1 << 62, Ratio: 3.25,
		Name: "héllo", Blob: []byte{0, 1, 2, 0xff}, Opt: &opt,
		Child: &Inner{ID: 42, Name: "child"},
		Deep: []map[string][]int32{
			{"a": {1, 2, 3}, "b": {}},
			{},
			{"c": {-1}},
		},
		IDs:   []int64{1, -1, 1 << 40},
		Attrs: map[int32]string{7: "seven"},
	}
}
