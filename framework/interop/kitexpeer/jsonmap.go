package kitexpeer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// requestFields lists Request's field names in field-id order. Kitex's JSON
// generic codec (dynamicgo) writes the Thrift fields present in the JSON text in that text's order, then
// every missing (default-requiredness) field with its zero value in id order. Encoding maps with these
// keys first makes every payload deterministic.
var requestFields = []string{"message", "delay_ms", "fail", "meta_keys", "panic"}

// orderedJSON encodes m as a JSON object whose keys come in the order given by first, then the rest
// sorted. Nested values use encoding/json (maps sorted by key).
func orderedJSON(m map[string]any, first []string) (string, error) {
	keys := make([]string, 0, len(m))
	for _, k := range first {
		if _, ok := m[k]; ok {
			keys = append(keys, k)
		}
	}
	var rest []string
	for k := range m {
		if !slices.Contains(first, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	keys = append(keys, rest...)

	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(m[k])
		if err != nil {
			return "", fmt.Errorf("kitexpeer: encode field %q: %w", k, err)
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.String(), nil
}

// decodeJSONMap decodes a JSON object the generic codec produced. Numbers stay json.Number so i32/i64
// values survive exactly.
func decodeJSONMap(s string) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("kitexpeer: decode %q: %w", s, err)
	}
	return m, nil
}
