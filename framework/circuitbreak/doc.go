// Package circuitbreak stops calls to a callee that is failing, so that it gets room to recover and
// callers fail fast instead of waiting on timeouts.
//
// A Set holds one breaker per key. The client uses two kinds of key: MethodKey(caller, callee, method)
// for a service-method breaker, and an instance's address for an instance breaker. Each breaker measures
// the error rate over a sliding window (Config.Window, in Config.Buckets time buckets). Once the window
// holds at least Config.MinSamples calls and their error rate reaches Config.ErrorRate, the breaker opens:
// Allow refuses calls with rpcerr.CodeCircuitOpen for Config.OpenFor. Then it is half-open: it lets
// Config.HalfOpenProbes trial calls through, however many goroutines ask; if all succeed it closes, if
// one fails it opens again.
//
//	set := circuitbreak.NewSet(nil)
//	key := circuitbreak.MethodKey("cart", "stock", "Reserve") // once per method
//	if err := set.Allow(key); err != nil {
//		return err // rpcerr.CodeCircuitOpen
//	}
//	err := call()
//	set.Record(key, err)
//
// Which errors count as failures is the Classifier's decision (DefaultClassifier unless WithClassifier
// says otherwise). Allow and Record do not allocate for a key the Set has seen.
package circuitbreak
