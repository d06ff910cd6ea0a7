package apachecompat_test

// The benchmark struct as Apache Thrift's Go generator (v0.25.0, t_go_generator.cc) would emit it for
// everything.Order and the types it uses — same Go field types, same Read/Write methods: recursion
// depth tracking, TProtocol calls field by field, the same error wrapping — written by hand, since
// these tests use no Apache-generated code. Only the parts Read and Write need are here (no getters,
// Equals or String).

import (
	"context"
	"fmt"

	athrift "github.com/apache/thrift/lib/go/thrift"
)

type apachePoint struct {
	X     int32   `thrift:"x,1" db:"x" json:"x"`
	Y     int32   `thrift:"y,2" db:"y" json:"y"`
	Label *string `thrift:"label,3" db:"label" json:"label,omitempty"`
}

func (p *apachePoint) IsSetLabel() bool { return p.Label != nil }

func (p *apachePoint) Read(ctx context.Context, iprot athrift.TProtocol) error {
	ctx, err := athrift.CheckRecursionDepth(ctx)
	if err != nil {
		return err
	}
	defer athrift.DecrementRecursionDepth(ctx)
	if _, err := iprot.ReadStructBegin(ctx); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T read error: ", p), err)
	}
	for {
		_, fieldTypeId, fieldId, err := iprot.ReadFieldBegin(ctx)
		if err != nil {
			return athrift.PrependError(fmt.Sprintf("%T field %d read error: ", p, fieldId), err)
		}
		if fieldTypeId == athrift.STOP {
			break
		}
		switch fieldId {
		case 1:
			if fieldTypeId == athrift.I32 {
				if err := p.ReadField1(ctx, iprot); err != nil {
					return err
				}
			} else {
				if err := iprot.Skip(ctx, fieldTypeId); err != nil {
					return err
				}
			}
		case 2:
			if fieldTypeId == athrift.I32 {
				if err := p.ReadField2(ctx, iprot); err != nil {
					return err
				}
			} else {
				if err := iprot.Skip(ctx, fieldTypeId); err != nil {
					return err
				}
			}
		case 3:
			if fieldTypeId == athrift.STRING {
				if err := p.ReadField3(ctx, iprot); err != nil {
					return err
				}
			} else {
				if err := iprot.Skip(ctx, fieldTypeId); err != nil {
					return err
				}
			}
		default:
			if err := iprot.Skip(ctx, fieldTypeId); err != nil {
				return err
			}
		}
		if err := iprot.ReadFieldEnd(ctx); err != nil {
			return err
		}
	}
	if err := iprot.ReadStructEnd(ctx); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T read struct end error: ", p), err)
	}
	return nil
}

func (p *apachePoint) ReadField1(ctx context.Context, iprot athrift.TProtocol) error {
	if v, err := iprot.ReadI32(ctx); err != nil {
		return athrift.PrependError("error reading field 1: ", err)
	} else {
		p.X = v
	}
	return nil
}

func (p *apachePoint) ReadField2(ctx context.Context, iprot athrift.TProtocol) error {
	if v, err := iprot.ReadI32(ctx); err != nil {
		return athrift.PrependError("error reading field 2: ", err)
	} else {
		p.Y = v
	}
	return nil
}

func (p *apachePoint) ReadField3(ctx context.Context, iprot athrift.TProtocol) error {
	if v, err := iprot.ReadString(ctx); err != nil {
		return athrift.PrependError("error reading field 3: ", err)
	} else {
		p.Label = &v
	}
	return nil
}

func (p *apachePoint) Write(ctx context.Context, oprot athrift.TProtocol) error {
	ctx, err := athrift.CheckRecursionDepth(ctx)
	if err != nil {
		return err
	}
	defer athrift.DecrementRecursionDepth(ctx)
	if err := oprot.WriteStructBegin(ctx, "Point"); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write struct begin error: ", p), err)
	}
	if p != nil {
		if err := p.writeField1(ctx, oprot); err != nil {
			return err
		}
		if err := p.writeField2(ctx, oprot); err != nil {
			return err
		}
		if err := p.writeField3(ctx, oprot); err != nil {
			return err
		}
	}
	if err := oprot.WriteFieldStop(ctx); err != nil {
		return athrift.PrependError("write field stop error: ", err)
	}
	if err := oprot.WriteStructEnd(ctx); err != nil {
		return athrift.PrependError("write struct stop error: ", err)
	}
	return nil
}

func (p *apachePoint) writeField1(ctx context.Context, oprot athrift.TProtocol) (err error) {
	if err := oprot.WriteFieldBegin(ctx, "x", athrift.I32, 1); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field begin error 1:x: ", p), err)
	}
	if err := oprot.WriteI32(ctx, int32(p.X)); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T.x (1) field write error: ", p), err)
	}
	if err := oprot.WriteFieldEnd(ctx); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field end error 1:x: ", p), err)
	}
	return err
}

func (p *apachePoint) writeField2(ctx context.Context, oprot athrift.TProtocol) (err error) {
	if err := oprot.WriteFieldBegin(ctx, "y", athrift.I32, 2); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field begin error 2:y: ", p), err)
	}
	if err := oprot.WriteI32(ctx, int32(p.Y)); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T.y (2) field write error: ", p), err)
	}
	if err := oprot.WriteFieldEnd(ctx); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field end error 2:y: ", p), err)
	}
	return err
}

func (p *apachePoint) writeField3(ctx context.Context, oprot athrift.TProtocol) (err error) {
	if p.IsSetLabel() {
		if err := oprot.WriteFieldBegin(ctx, "label", athrift.STRING, 3); err != nil {
			return athrift.PrependError(fmt.Sprintf("%T write field begin error 3:label: ", p), err)
		}
		if err := oprot.WriteString(ctx, string(*p.Label)); err != nil {
			return athrift.PrependError(fmt.Sprintf("%T.label (3) field write error: ", p), err)
		}
		if err := oprot.WriteFieldEnd(ctx); err != nil {
			return athrift.PrependError(fmt.Sprintf("%T write field end error 3:label: ", p), err)
		}
	}
	return err
}

type apacheMoney struct {
	Units    int64  `thrift:"units,1,required" db:"units" json:"units"`
	Currency string `thrift:"currency,2" db:"currency" json:"currency"`
}

func (p *apacheMoney) Read(ctx context.Context, iprot athrift.TProtocol) error {
	ctx, err := athrift.CheckRecursionDepth(ctx)
	if err != nil {
		return err
	}
	defer athrift.DecrementRecursionDepth(ctx)
	if _, err := iprot.ReadStructBegin(ctx); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T read error: ", p), err)
	}
	var issetUnits bool = false
	for {
		_, fieldTypeId, fieldId, err := iprot.ReadFieldBegin(ctx)
		if err != nil {
			return athrift.PrependError(fmt.Sprintf("%T field %d read error: ", p, fieldId), err)
		}
		if fieldTypeId == athrift.STOP {
			break
		}
		switch fieldId {
		case 1:
			if fieldTypeId == athrift.I64 {
				if err := p.ReadField1(ctx, iprot); err != nil {
					return err
				}
				issetUnits = true
			} else {
				if err := iprot.Skip(ctx, fieldTypeId); err != nil {
					return err
				}
			}
		case 2:
			if fieldTypeId == athrift.STRING {
				if err := p.ReadField2(ctx, iprot); err != nil {
					return err
				}
			} else {
				if err := iprot.Skip(ctx, fieldTypeId); err != nil {
					return err
				}
			}
		default:
			if err := iprot.Skip(ctx, fieldTypeId); err != nil {
				return err
			}
		}
		if err := iprot.ReadFieldEnd(ctx); err != nil {
			return err
		}
	}
	if err := iprot.ReadStructEnd(ctx); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T read struct end error: ", p), err)
	}
	if !issetUnits {
		return athrift.NewTProtocolExceptionWithType(athrift.INVALID_DATA, fmt.Errorf("Required field Units is not set"))
	}
	return nil
}

func (p *apacheMoney) ReadField1(ctx context.Context, iprot athrift.TProtocol) error {
	if v, err := iprot.ReadI64(ctx); err != nil {
		return athrift.PrependError("error reading field 1: ", err)
	} else {
		p.Units = v
	}
	return nil
}

func (p *apacheMoney) ReadField2(ctx context.Context, iprot athrift.TProtocol) error {
	if v, err := iprot.ReadString(ctx); err != nil {
		return athrift.PrependError("error reading field 2: ", err)
	} else {
		p.Currency = v
	}
	return nil
}

func (p *apacheMoney) Write(ctx context.Context, oprot athrift.TProtocol) error {
	ctx, err := athrift.CheckRecursionDepth(ctx)
	if err != nil {
		return err
	}
	defer athrift.DecrementRecursionDepth(ctx)
	if err := oprot.WriteStructBegin(ctx, "Money"); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write struct begin error: ", p), err)
	}
	if p != nil {
		if err := p.writeField1(ctx, oprot); err != nil {
			return err
		}
		if err := p.writeField2(ctx, oprot); err != nil {
			return err
		}
	}
	if err := oprot.WriteFieldStop(ctx); err != nil {
		return athrift.PrependError("write field stop error: ", err)
	}
	if err := oprot.WriteStructEnd(ctx); err != nil {
		return athrift.PrependError("write struct stop error: ", err)
	}
	return nil
}

func (p *apacheMoney) writeField1(ctx context.Context, oprot athrift.TProtocol) (err error) {
	if err := oprot.WriteFieldBegin(ctx, "units", athrift.I64, 1); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field begin error 1:units: ", p), err)
	}
	if err := oprot.WriteI64(ctx, int64(p.Units)); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T.units (1) field write error: ", p), err)
	}
	if err := oprot.WriteFieldEnd(ctx); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field end error 1:units: ", p), err)
	}
	return err
}

func (p *apacheMoney) writeField2(ctx context.Context, oprot athrift.TProtocol) (err error) {
	if err := oprot.WriteFieldBegin(ctx, "currency", athrift.STRING, 2); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field begin error 2:currency: ", p), err)
	}
	if err := oprot.WriteString(ctx, string(p.Currency)); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T.currency (2) field write error: ", p), err)
	}
	if err := oprot.WriteFieldEnd(ctx); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field end error 2:currency: ", p), err)
	}
	return err
}

// The Apache-style types implement Apache's TStruct. apacheLineItem and apacheOrder are in
// apachestyle_lineitem_test.go and apachestyle_order_test.go.
var (
	_ athrift.TStruct = (*apachePoint)(nil)
	_ athrift.TStruct = (*apacheMoney)(nil)
	_ athrift.TStruct = (*apacheLineItem)(nil)
	_ athrift.TStruct = (*apacheOrder)(nil)
)
