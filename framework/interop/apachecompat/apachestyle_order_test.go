package apachecompat_test

// apacheOrder continues apachestyle_test.go: Apache-generator-style code of the benchmark struct.

import (
	"context"
	"fmt"

	athrift "github.com/apache/thrift/lib/go/thrift"

	"github.com/ternhq/tern/framework/interop/gen/everything"
)

type apacheOrder struct {
	ID         int64             `thrift:"id,1" db:"id" json:"id"`
	Customer   string            `thrift:"customer,2" db:"customer" json:"customer"`
	ShipTo     *apachePoint      `thrift:"ship_to,3" db:"ship_to" json:"ship_to"`
	Items      []*apacheLineItem `thrift:"items,4" db:"items" json:"items"`
	Attributes map[string]string `thrift:"attributes,5" db:"attributes" json:"attributes"`
	Signature  []byte            `thrift:"signature,6" db:"signature" json:"signature"`
	Note       *string           `thrift:"note,7" db:"note" json:"note,omitempty"`
	Color      everything.Color  `thrift:"color,8" db:"color" json:"color"`
}

func (p *apacheOrder) IsSetNote() bool { return p.Note != nil }

func (p *apacheOrder) Read(ctx context.Context, iprot athrift.TProtocol) error {
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
			if fieldTypeId == athrift.I64 {
				if err := p.ReadField1(ctx, iprot); err != nil {
					return err
				}
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
		case 3:
			if fieldTypeId == athrift.STRUCT {
				if err := p.ReadField3(ctx, iprot); err != nil {
					return err
				}
			} else {
				if err := iprot.Skip(ctx, fieldTypeId); err != nil {
					return err
				}
			}
		case 4:
			if fieldTypeId == athrift.LIST {
				if err := p.ReadField4(ctx, iprot); err != nil {
					return err
				}
			} else {
				if err := iprot.Skip(ctx, fieldTypeId); err != nil {
					return err
				}
			}
		case 5:
			if fieldTypeId == athrift.MAP {
				if err := p.ReadField5(ctx, iprot); err != nil {
					return err
				}
			} else {
				if err := iprot.Skip(ctx, fieldTypeId); err != nil {
					return err
				}
			}
		case 6:
			if fieldTypeId == athrift.STRING {
				if err := p.ReadField6(ctx, iprot); err != nil {
					return err
				}
			} else {
				if err := iprot.Skip(ctx, fieldTypeId); err != nil {
					return err
				}
			}
		case 7:
			if fieldTypeId == athrift.STRING {
				if err := p.ReadField7(ctx, iprot); err != nil {
					return err
				}
			} else {
				if err := iprot.Skip(ctx, fieldTypeId); err != nil {
					return err
				}
			}
		case 8:
			if fieldTypeId == athrift.I32 {
				if err := p.ReadField8(ctx, iprot); err != nil {
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

func (p *apacheOrder) ReadField1(ctx context.Context, iprot athrift.TProtocol) error {
	if v, err := iprot.ReadI64(ctx); err != nil {
		return athrift.PrependError("error reading field 1: ", err)
	} else {
		p.ID = v
	}
	return nil
}

func (p *apacheOrder) ReadField2(ctx context.Context, iprot athrift.TProtocol) error {
	if v, err := iprot.ReadString(ctx); err != nil {
		return athrift.PrependError("error reading field 2: ", err)
	} else {
		p.Customer = v
	}
	return nil
}

func (p *apacheOrder) ReadField3(ctx context.Context, iprot athrift.TProtocol) error {
	p.ShipTo = &apachePoint{}
	if err := p.ShipTo.Read(ctx, iprot); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T error reading struct: ", p.ShipTo), err)
	}
	return nil
}

func (p *apacheOrder) ReadField4(ctx context.Context, iprot athrift.TProtocol) error {
	_, size, err := iprot.ReadListBegin(ctx)
	if err != nil {
		return athrift.PrependError("error reading list begin: ", err)
	}
	tSlice := make([]*apacheLineItem, 0, size)
	p.Items = tSlice
	for i := 0; i < size; i++ {
		_elem0 := &apacheLineItem{}
		if err := _elem0.Read(ctx, iprot); err != nil {
			return athrift.PrependError(fmt.Sprintf("%T error reading struct: ", _elem0), err)
		}
		p.Items = append(p.Items, _elem0)
	}
	if err := iprot.ReadListEnd(ctx); err != nil {
		return athrift.PrependError("error reading list end: ", err)
	}
	return nil
}

func (p *apacheOrder) ReadField5(ctx context.Context, iprot athrift.TProtocol) error {
	_, _, size, err := iprot.ReadMapBegin(ctx)
	if err != nil {
		return athrift.PrependError("error reading map begin: ", err)
	}
	tMap := make(map[string]string, size)
	p.Attributes = tMap
	for i := 0; i < size; i++ {
		var _key1 string
		if v, err := iprot.ReadString(ctx); err != nil {
			return athrift.PrependError("error reading field 0: ", err)
		} else {
			_key1 = v
		}
		var _val2 string
		if v, err := iprot.ReadString(ctx); err != nil {
			return athrift.PrependError("error reading field 0: ", err)
		} else {
			_val2 = v
		}
		p.Attributes[_key1] = _val2
	}
	if err := iprot.ReadMapEnd(ctx); err != nil {
		return athrift.PrependError("error reading map end: ", err)
	}
	return nil
}

func (p *apacheOrder) ReadField6(ctx context.Context, iprot athrift.TProtocol) error {
	if v, err := iprot.ReadBinary(ctx); err != nil {
		return athrift.PrependError("error reading field 6: ", err)
	} else {
		p.Signature = v
	}
	return nil
}

func (p *apacheOrder) ReadField7(ctx context.Context, iprot athrift.TProtocol) error {
	if v, err := iprot.ReadString(ctx); err != nil {
		return athrift.PrependError("error reading field 7: ", err)
	} else {
		p.Note = &v
	}
	return nil
}

func (p *apacheOrder) ReadField8(ctx context.Context, iprot athrift.TProtocol) error {
	if v, err := iprot.ReadI32(ctx); err != nil {
		return athrift.PrependError("error reading field 8: ", err)
	} else {
		temp := everything.Color(v)
		p.Color = temp
	}
	return nil
}

func (p *apacheOrder) Write(ctx context.Context, oprot athrift.TProtocol) error {
	ctx, err := athrift.CheckRecursionDepth(ctx)
	if err != nil {
		return err
	}
	defer athrift.DecrementRecursionDepth(ctx)
	if err := oprot.WriteStructBegin(ctx, "Order"); err != nil {
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
		if err := p.writeField4(ctx, oprot); err != nil {
			return err
		}
		if err := p.writeField5(ctx, oprot); err != nil {
			return err
		}
		if err := p.writeField6(ctx, oprot); err != nil {
			return err
		}
		if err := p.writeField7(ctx, oprot); err != nil {
			return err
		}
		if err := p.writeField8(ctx, oprot); err != nil {
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

func (p *apacheOrder) writeField1(ctx context.Context, oprot athrift.TProtocol) (err error) {
	if err := oprot.WriteFieldBegin(ctx, "id", athrift.I64, 1); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field begin error 1:id: ", p), err)
	}
	if err := oprot.WriteI64(ctx, int64(p.ID)); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T.id (1) field write error: ", p), err)
	}
	if err := oprot.WriteFieldEnd(ctx); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field end error 1:id: ", p), err)
	}
	return err
}

func (p *apacheOrder) writeField2(ctx context.Context, oprot athrift.TProtocol) (err error) {
	if err := oprot.WriteFieldBegin(ctx, "customer", athrift.STRING, 2); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field begin error 2:customer: ", p), err)
	}
	if err := oprot.WriteString(ctx, string(p.Customer)); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T.customer (2) field write error: ", p), err)
	}
	if err := oprot.WriteFieldEnd(ctx); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field end error 2:customer: ", p), err)
	}
	return err
}

func (p *apacheOrder) writeField3(ctx context.Context, oprot athrift.TProtocol) (err error) {
	if err := oprot.WriteFieldBegin(ctx, "ship_to", athrift.STRUCT, 3); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field begin error 3:ship_to: ", p), err)
	}
	if err := p.ShipTo.Write(ctx, oprot); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T error writing struct: ", p.ShipTo), err)
	}
	if err := oprot.WriteFieldEnd(ctx); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field end error 3:ship_to: ", p), err)
	}
	return err
}

func (p *apacheOrder) writeField4(ctx context.Context, oprot athrift.TProtocol) (err error) {
	if err := oprot.WriteFieldBegin(ctx, "items", athrift.LIST, 4); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field begin error 4:items: ", p), err)
	}
	if err := oprot.WriteListBegin(ctx, athrift.STRUCT, len(p.Items)); err != nil {
		return athrift.PrependError("error writing list begin: ", err)
	}
	for _, v := range p.Items {
		if err := v.Write(ctx, oprot); err != nil {
			return athrift.PrependError(fmt.Sprintf("%T error writing struct: ", v), err)
		}
	}
	if err := oprot.WriteListEnd(ctx); err != nil {
		return athrift.PrependError("error writing list end: ", err)
	}
	if err := oprot.WriteFieldEnd(ctx); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field end error 4:items: ", p), err)
	}
	return err
}

func (p *apacheOrder) writeField5(ctx context.Context, oprot athrift.TProtocol) (err error) {
	if err := oprot.WriteFieldBegin(ctx, "attributes", athrift.MAP, 5); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field begin error 5:attributes: ", p), err)
	}
	if err := oprot.WriteMapBegin(ctx, athrift.STRING, athrift.STRING, len(p.Attributes)); err != nil {
		return athrift.PrependError("error writing map begin: ", err)
	}
	for k, v := range p.Attributes {
		if err := oprot.WriteString(ctx, string(k)); err != nil {
			return athrift.PrependError(fmt.Sprintf("%T. (0) field write error: ", p), err)
		}
		if err := oprot.WriteString(ctx, string(v)); err != nil {
			return athrift.PrependError(fmt.Sprintf("%T. (0) field write error: ", p), err)
		}
	}
	if err := oprot.WriteMapEnd(ctx); err != nil {
		return athrift.PrependError("error writing map end: ", err)
	}
	if err := oprot.WriteFieldEnd(ctx); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field end error 5:attributes: ", p), err)
	}
	return err
}

func (p *apacheOrder) writeField6(ctx context.Context, oprot athrift.TProtocol) (err error) {
	if err := oprot.WriteFieldBegin(ctx, "signature", athrift.STRING, 6); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field begin error 6:signature: ", p), err)
	}
	if err := oprot.WriteBinary(ctx, p.Signature); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T.signature (6) field write error: ", p), err)
	}
	if err := oprot.WriteFieldEnd(ctx); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field end error 6:signature: ", p), err)
	}
	return err
}

func (p *apacheOrder) writeField7(ctx context.Context, oprot athrift.TProtocol) (err error) {
	if p.IsSetNote() {
		if err := oprot.WriteFieldBegin(ctx, "note", athrift.STRING, 7); err != nil {
			return athrift.PrependError(fmt.Sprintf("%T write field begin error 7:note: ", p), err)
		}
		if err := oprot.WriteString(ctx, string(*p.Note)); err != nil {
			return athrift.PrependError(fmt.Sprintf("%T.note (7) field write error: ", p), err)
		}
		if err := oprot.WriteFieldEnd(ctx); err != nil {
			return athrift.PrependError(fmt.Sprintf("%T write field end error 7:note: ", p), err)
		}
	}
	return err
}

func (p *apacheOrder) writeField8(ctx context.Context, oprot athrift.TProtocol) (err error) {
	if err := oprot.WriteFieldBegin(ctx, "color", athrift.I32, 8); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field begin error 8:color: ", p), err)
	}
	if err := oprot.WriteI32(ctx, int32(p.Color)); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T.color (8) field write error: ", p), err)
	}
	if err := oprot.WriteFieldEnd(ctx); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field end error 8:color: ", p), err)
	}
	return err
}
