package apachecompat_test

// apacheLineItem continues apachestyle_test.go: Apache-generator-style code of the benchmark struct.

import (
	"context"
	"fmt"

	athrift "github.com/apache/thrift/lib/go/thrift"
)

type apacheLineItem struct {
	Sku      string       `thrift:"sku,1" db:"sku" json:"sku"`
	Quantity int32        `thrift:"quantity,2" db:"quantity" json:"quantity"`
	Price    *apacheMoney `thrift:"price,3" db:"price" json:"price"`
	Weight   float64      `thrift:"weight,4" db:"weight" json:"weight"`
}

func (p *apacheLineItem) Read(ctx context.Context, iprot athrift.TProtocol) error {
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
			if fieldTypeId == athrift.STRING {
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
			if fieldTypeId == athrift.DOUBLE {
				if err := p.ReadField4(ctx, iprot); err != nil {
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

func (p *apacheLineItem) ReadField1(ctx context.Context, iprot athrift.TProtocol) error {
	if v, err := iprot.ReadString(ctx); err != nil {
		return athrift.PrependError("error reading field 1: ", err)
	} else {
		p.Sku = v
	}
	return nil
}

func (p *apacheLineItem) ReadField2(ctx context.Context, iprot athrift.TProtocol) error {
	if v, err := iprot.ReadI32(ctx); err != nil {
		return athrift.PrependError("error reading field 2: ", err)
	} else {
		p.Quantity = v
	}
	return nil
}

func (p *apacheLineItem) ReadField3(ctx context.Context, iprot athrift.TProtocol) error {
	p.Price = &apacheMoney{
		Currency: "EUR",
	}
	if err := p.Price.Read(ctx, iprot); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T error reading struct: ", p.Price), err)
	}
	return nil
}

func (p *apacheLineItem) ReadField4(ctx context.Context, iprot athrift.TProtocol) error {
	if v, err := iprot.ReadDouble(ctx); err != nil {
		return athrift.PrependError("error reading field 4: ", err)
	} else {
		p.Weight = v
	}
	return nil
}

func (p *apacheLineItem) Write(ctx context.Context, oprot athrift.TProtocol) error {
	ctx, err := athrift.CheckRecursionDepth(ctx)
	if err != nil {
		return err
	}
	defer athrift.DecrementRecursionDepth(ctx)
	if err := oprot.WriteStructBegin(ctx, "LineItem"); err != nil {
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
	}
	if err := oprot.WriteFieldStop(ctx); err != nil {
		return athrift.PrependError("write field stop error: ", err)
	}
	if err := oprot.WriteStructEnd(ctx); err != nil {
		return athrift.PrependError("write struct stop error: ", err)
	}
	return nil
}

func (p *apacheLineItem) writeField1(ctx context.Context, oprot athrift.TProtocol) (err error) {
	if err := oprot.WriteFieldBegin(ctx, "sku", athrift.STRING, 1); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field begin error 1:sku: ", p), err)
	}
	if err := oprot.WriteString(ctx, string(p.Sku)); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T.sku (1) field write error: ", p), err)
	}
	if err := oprot.WriteFieldEnd(ctx); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field end error 1:sku: ", p), err)
	}
	return err
}

func (p *apacheLineItem) writeField2(ctx context.Context, oprot athrift.TProtocol) (err error) {
	if err := oprot.WriteFieldBegin(ctx, "quantity", athrift.I32, 2); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field begin error 2:quantity: ", p), err)
	}
	if err := oprot.WriteI32(ctx, int32(p.Quantity)); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T.quantity (2) field write error: ", p), err)
	}
	if err := oprot.WriteFieldEnd(ctx); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field end error 2:quantity: ", p), err)
	}
	return err
}

func (p *apacheLineItem) writeField3(ctx context.Context, oprot athrift.TProtocol) (err error) {
	if err := oprot.WriteFieldBegin(ctx, "price", athrift.STRUCT, 3); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field begin error 3:price: ", p), err)
	}
	if err := p.Price.Write(ctx, oprot); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T error writing struct: ", p.Price), err)
	}
	if err := oprot.WriteFieldEnd(ctx); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field end error 3:price: ", p), err)
	}
	return err
}

func (p *apacheLineItem) writeField4(ctx context.Context, oprot athrift.TProtocol) (err error) {
	if err := oprot.WriteFieldBegin(ctx, "weight", athrift.DOUBLE, 4); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field begin error 4:weight: ", p), err)
	}
	if err := oprot.WriteDouble(ctx, float64(p.Weight)); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T.weight (4) field write error: ", p), err)
	}
	if err := oprot.WriteFieldEnd(ctx); err != nil {
		return athrift.PrependError(fmt.Sprintf("%T write field end error 4:weight: ", p), err)
	}
	return err
}
