// Package bootstraps holds the tests of the built function binaries: each bootstrap, built with the
// deployment flags for this machine, answers API Gateway events under a Lambda Runtime API against
// dynalite (artifact tests), and BenchmarkColdStart times process start to first answer against
// bare baselines built in the same run (bench/functions.sh gates it).
package bootstraps
