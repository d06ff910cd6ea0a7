// Package apachecompat holds the compatibility tests and benchmarks between code the tern generator
// writes and the Apache Thrift Go library (github.com/apache/thrift v0.25.0, TBinaryProtocol over a
// TMemoryBuffer). Apart from this documentation, everything is in its tests.
//
// The types under test are generated from framework/tool/testdata/everything.thrift into ../gen by
// `make gen`. No Apache-generated code is involved. A reflection bridge in the tests walks a Tern
// value by its struct tags — the thrift tag gives the IDL name, id and requiredness, the frugal tag's
// type expression tells a set from a list inside nested containers — and
//
//   - writes it with Apache's TProtocol calls, field by field in ascending id order, with the presence
//     rules of Apache's Go generator: default and required fields always, optional fields when their
//     IsSet method says so, a union only with exactly one field set, a set only with unique elements;
//   - turns it into a generic tree (the same rules), which is compared with the tree Apache's
//     TBinaryProtocol reads (ReadStructBegin, ReadFieldBegin, ...) from Tern's bytes.
//
// Bytes written by Apache decode with Tern's FastRead to a value equal to the original, where equal is
// reflect.DeepEqual with three documented exceptions (see equivalent in equal_test.go):
//
//  1. a nil list, set, map or binary in a default or required field — and a nil binary inside a
//     container — equals an empty one: the wire has an empty container either way. In optional fields
//     nil (unset) and empty (set) stay distinct and must survive the round trip;
//  2. a nil struct in a default or required field equals what its generated constructor returns:
//     the wire has an empty struct, which the reader decodes into New<T>(), defaults included;
//  3. maps keyed by struct pointers match keys by content, since decoded keys are new pointers.
//
// Doubles are compared bit for bit (so -0 is not 0); NaN is not generated.
//
// Byte for byte, Tern's encoding equals Apache's for every value whose maps have at most one entry.
// With more entries both sides write a Go map in its random iteration order, so those values are
// compared as trees, in which map entries are sorted.
//
// No wire incompatibility was found: Apache reads what Tern writes and the other way round. Where the
// two differ (TestApacheDifferences): Tern writes values Apache's generated Write refuses — a union
// with zero or several fields set (Tern writes the first set field in IDL order, or an empty struct),
// a nil union in a default field (Apache's Write dereferences it), a set with duplicate elements; on
// non-canonical input a bool byte of 2 is true to Tern and false to Apache; and Tern's generated
// FastRead has no nesting limit for recursive types, where Apache stops at 64 levels.
//
// The benchmarks compare Tern's generated codec with Apache-style code for the same mid-size struct
// (everything.Order): Write and Read methods hand-written exactly as Apache's Go generator emits them,
// run through TSerializer / TDeserializer.
package apachecompat
