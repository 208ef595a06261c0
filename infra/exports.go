package infra

// What tools that reproduce the deployed stack (cmd/local) read from the one definition here,
// instead of keeping copies that could drift.

// AccessLogFormat is the stage's access-log format: a JSON object of $context variables.
func AccessLogFormat() string { return accessLogFormat }

// Params lists the route's path parameters in order ("/a/{b}/{c}" -> ["b", "c"]): the request
// parameters its method requires.
func (r Route) Params() []string { return r.params() }

// Throttle is one method's rate (requests per second) and burst limits.
type Throttle struct {
	Rate  float64
	Burst int
}

// MethodThrottles are the method-level limits the stage gets when every function reserves
// reserved concurrent executions, by route; none when reserved is 0.
func MethodThrottles(routes []Route, reserved int, stageRate float64, stageBurst int) map[Route]Throttle {
	if reserved == 0 {
		return nil
	}
	out := map[Route]Throttle{}
	for _, r := range routes {
		rate, burst := methodThrottle(reserved, routesOf(routes, r.Function), stageRate, stageBurst)
		out[r] = Throttle{Rate: rate, Burst: burst}
	}
	return out
}
