namespace go errs

include "nope.thrift"
