package localgateway

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/example/private-api/infra"
)

// route is an infra.Route split for matching.
type route struct {
	infra.Route
	segments []string // "members", "{memberId}", ...
	bucket   *bucket  // the method's own throttling, when the stage sets one
}

func newRoute(r infra.Route) route {
	return route{Route: r, segments: strings.Split(strings.Trim(r.Path, "/"), "/")}
}

// match finds the route of a request to /<stage>/<path> and its path parameters (decoded). An
// empty segment still matches a parameter, so that the validator, not the router, answers it,
// as API Gateway's parameter validation does for a required parameter with no value.
func (g *Gateway) match(r *http.Request) (route, map[string]string, bool) {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/"+g.cfg.Stage+"/")
	if !ok {
		return route{}, nil, false
	}
	parts := strings.Split(rest, "/")
	for _, rt := range g.routes {
		if rt.Method != r.Method || len(rt.segments) != len(parts) {
			continue
		}
		params := map[string]string{}
		matched := true
		for i, seg := range rt.segments {
			value, err := url.PathUnescape(parts[i])
			if err != nil {
				matched = false
				break
			}
			if name, ok := paramName(seg); ok {
				params[name] = value
			} else if seg != value {
				matched = false
				break
			}
		}
		if matched {
			return rt, params, true
		}
	}
	return route{}, nil, false
}

func paramName(segment string) (string, bool) {
	if strings.HasPrefix(segment, "{") && strings.HasSuffix(segment, "}") {
		return segment[1 : len(segment)-1], true
	}
	return "", false
}

// validateParams is the stage's request validator for the method's required parameters
// (method.request.path.<name>, from the route table). API Gateway answers a missing one with
// BAD_REQUEST_PARAMETERS, 400, "Missing required request parameters: [<names>]"
// (supported-gateway-response-types.html; api-gateway-request-validation.html).
func validateParams(rt route, params map[string]string) *gatewayError {
	var missing []string
	for _, name := range rt.Params() {
		if params[name] == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return &gatewayError{http.StatusBadRequest, "BadRequestException", "Missing required request parameters: [" + strings.Join(missing, ", ") + "]"}
}
