package main

import (
	"context"
	"sync"

	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/rpc_gen/item"
	"github.com/ternhq/tern/rpc_gen/stock"
)

// itemPeer is a small in-memory item service for the cart's wire tests: it answers BatchGetItems.
type itemPeer struct {
	item.Item // the methods the cart does not call are not implemented
	items     map[int64]*item.ItemInfo
}

func (p *itemPeer) BatchGetItems(_ context.Context, req *item.BatchGetItemsReq) (*item.BatchGetItemsResp, error) {
	resp := &item.BatchGetItemsResp{}
	for _, id := range req.GetIds() {
		if it, ok := p.items[id]; ok {
			resp.Items = append(resp.Items, it)
		}
	}
	return resp, nil
}

// stockPeer is a small in-memory stock service with the real one's contract for Deduct and Release.
type stockPeer struct {
	stock.Stock // GetStock and SetStock are not implemented
	mu          sync.Mutex
	levels      map[int64]int64
	orders      map[string][]*stock.Line
	released    map[string]bool
	// fail, when set, is returned by Deduct after it deducted.
	fail error
}

func (p *stockPeer) Deduct(_ context.Context, req *stock.DeductReq) (*stock.DeductResp, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.released[req.GetOrderId()] {
		return &stock.DeductResp{Released: true}, nil
	}
	resp := &stock.DeductResp{}
	for _, l := range req.GetLines() {
		if p.levels[l.GetItemId()] < l.GetQuantity() {
			resp.Shortages = append(resp.Shortages, &stock.Shortage{ItemId: l.GetItemId(), Requested: l.GetQuantity(), Available: p.levels[l.GetItemId()]})
		}
	}
	if len(resp.Shortages) > 0 {
		return resp, nil
	}
	for _, l := range req.GetLines() {
		p.levels[l.GetItemId()] -= l.GetQuantity()
	}
	p.orders[req.GetOrderId()] = req.GetLines()
	if p.fail != nil {
		return nil, p.fail
	}
	return &stock.DeductResp{Ok: true}, nil
}

func (p *stockPeer) Release(_ context.Context, req *stock.ReleaseReq) (*stock.ReleaseResp, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.released[req.GetOrderId()] {
		return &stock.ReleaseResp{}, nil
	}
	p.released[req.GetOrderId()] = true
	for _, l := range p.orders[req.GetOrderId()] {
		p.levels[l.GetItemId()] += l.GetQuantity()
	}
	return &stock.ReleaseResp{Released: len(p.orders[req.GetOrderId()]) > 0}, nil
}

func (p *stockPeer) level(id int64) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.levels[id]
}

func (p *stockPeer) setFail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fail = err
}

var errInternal = rpcerr.New(rpcerr.CodeInternal, "disk on fire")
