// Package thriftidl loads Thrift IDL into a model the tern code generators share: thriftgo's parser
// reads the files, its semantic package resolves the names, and Load turns the result into Programs,
// Packages, Files and definitions whose types are resolved (typedefs followed), whose constant
// values are checked against their types, and whose Go names are chosen the way Kitex chooses them
// and made unique.
//
// Mistakes in the IDL come back as *Error with the file and line: thriftgo's syntax errors carry a
// position, and the semantic mistakes it would report without one (unknown types, duplicate
// definitions or field ids, bad throws, oneway misuse, include cycles) are found first here by
// searching the source text.
package thriftidl
