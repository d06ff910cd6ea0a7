package catalog

import "context"

// demo is the catalogue a first start seeds: ids 1..12 in this order on an empty table, the ids the
// stock service's demo levels are seeded for.
var demo = []Item{
	{Title: "Walnut desk organiser", Description: "Three trays and a pen slot, oiled walnut.", PriceCents: 3450},
	{Title: "Enamel camping mug", Description: "350 ml, white with a blue rim; survives the campfire.", PriceCents: 1299},
	{Title: "Linen tea towel", Description: "Stonewashed linen, 50 x 70 cm.", PriceCents: 899},
	{Title: "Pocket notebook, dotted", Description: "A6, 96 pages, lies flat.", PriceCents: 650},
	{Title: "Brass bottle opener", Description: "Solid brass, gets better with age.", PriceCents: 1575},
	{Title: "Wool beanie", Description: "Merino rib knit, one size.", PriceCents: 2400},
	{Title: "Ceramic pour-over dripper", Description: "Fits most mugs; size 02 filters.", PriceCents: 2850},
	{Title: "Canvas tote bag", Description: "Heavy cotton canvas with an inside pocket.", PriceCents: 1800},
	{Title: "Beeswax candle", Description: "Hand-dipped, burns for about 8 hours.", PriceCents: 750},
	{Title: "Stainless water bottle", Description: "750 ml, double-walled, keeps cold for a day.", PriceCents: 2999},
	{Title: "Bamboo cutting board", Description: "38 x 25 cm with a juice groove.", PriceCents: 2250},
	{Title: "Mechanical pencil, 0.5 mm", Description: "Aluminium body, knurled grip.", PriceCents: 1150},
}

// DemoSize is how many items SeedDemo adds.
var DemoSize = len(demo)

// SeedDemo adds the demo catalogue when the table is empty, in one transaction; it reports whether it
// did.
func (s *Store) SeedDemo(ctx context.Context) (bool, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&Item{}).Count(&n).Error; err != nil || n > 0 {
		return false, err
	}
	items := make([]Item, len(demo))
	copy(items, demo)
	return true, s.db.WithContext(ctx).Create(&items).Error
}
