package platform

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
)

// LookupFunc looks up an environment variable, as os.LookupEnv does.
type LookupFunc func(name string) (string, bool)

// EnvVar returns the variable that overrides a configuration key: TERN_ and the key's path upper-cased,
// its parts joined by '_' ('.' and '-' become '_' too): db.dsn → TERN_DB_DSN, clients.item.addrs →
// TERN_CLIENTS_ITEM_ADDRS.
func EnvVar(key string) string {
	return EnvPrefix + strings.NewReplacer(".", "_", "-", "_").Replace(strings.ToUpper(key))
}

// ApplyEnv overrides every value of cfg (a pointer to a struct with yaml tags) for which lookup finds a
// variable EnvVar(key); an empty variable counts as set. Struct fields, inline structs and the entries
// already present in maps of structs are covered; values are strings, integers, booleans and durations
// ("1.5s"). A value that does not parse is an error naming the variable.
func ApplyEnv(cfg any, lookup LookupFunc) error {
	v := reflect.ValueOf(cfg)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("platform.ApplyEnv: want a pointer to a struct, got %T", cfg)
	}
	return applyStruct(v.Elem(), "", lookup)
}

// applyStruct applies overrides to the fields of struct v whose keys start with prefix.
func applyStruct(v reflect.Value, prefix string, lookup LookupFunc) error {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, inline, skip := yamlName(f)
		if skip || !f.IsExported() {
			continue
		}
		if inline {
			if err := applyStruct(v.Field(i), prefix, lookup); err != nil {
				return err
			}
			continue
		}
		if err := applyValue(v.Field(i), prefix+name, lookup); err != nil {
			return err
		}
	}
	return nil
}

// applyValue applies the override of key to v, recursing into structs and maps of structs.
func applyValue(v reflect.Value, key string, lookup LookupFunc) error {
	switch {
	case v.Kind() == reflect.Struct:
		return applyStruct(v, key+".", lookup)
	case v.Kind() == reflect.Map && v.Type().Key().Kind() == reflect.String && v.Type().Elem().Kind() == reflect.Struct:
		return applyMap(v, key, lookup)
	}
	s, ok := lookup(EnvVar(key))
	if !ok {
		return nil
	}
	if err := setScalar(v, s); err != nil {
		return fmt.Errorf("%s: %w", EnvVar(key), err)
	}
	return nil
}

// applyMap applies overrides to each entry of a map of structs, in key order.
func applyMap(v reflect.Value, key string, lookup LookupFunc) error {
	keys := make([]string, 0, v.Len())
	for _, k := range v.MapKeys() {
		keys = append(keys, k.String())
	}
	sort.Strings(keys)
	for _, k := range keys {
		entry := reflect.New(v.Type().Elem()).Elem()
		entry.Set(v.MapIndex(reflect.ValueOf(k)))
		if err := applyStruct(entry, key+"."+k+".", lookup); err != nil {
			return err
		}
		v.SetMapIndex(reflect.ValueOf(k), entry)
	}
	return nil
}

// yamlName returns a field's key, and whether it is inlined or skipped.
func yamlName(f reflect.StructField) (name string, inline, skip bool) {
	tag := f.Tag.Get("yaml")
	name, opts, _ := strings.Cut(tag, ",")
	if name == "-" {
		return "", false, true
	}
	if strings.Contains(opts, "inline") {
		return "", true, false
	}
	if name == "" {
		name = strings.ToLower(f.Name)
	}
	return name, false, false
}

var durationType = reflect.TypeFor[time.Duration]()

// setScalar parses s into v.
func setScalar(v reflect.Value, s string) error {
	if v.Type() == durationType {
		d, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		v.SetInt(int64(d))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return err
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetFloat(f)
	default:
		return fmt.Errorf("values of type %s cannot be set from the environment", v.Type())
	}
	return nil
}
