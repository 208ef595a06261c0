package infra

import (
	"regexp"
	"strings"

	"github.com/example/private-api/internal/catalogue"
)

// Route is one method on one path, served by one function. The route table drives the API's
// resources, methods, integrations, Lambda permissions, validators, the client policy and the
// deployment hash, so none of them can disagree.
type Route struct {
	Method   string
	Path     string
	Function string
}

// Routes is the API contract of DESIGN.md, read from the one catalogue of functions.
var Routes = func() []Route {
	var out []Route
	for _, f := range catalogue.Functions {
		for _, r := range f.Routes {
			out = append(out, Route{Method: r.Method, Path: r.Path, Function: f.Name})
		}
	}
	return out
}()

// TestClientRoutes are the routes the smoke test calls from the test client, the only ones its role
// may invoke (cmd/smoke also proves a route outside them is refused).
var TestClientRoutes = []string{"GET /whoami"}

// String is the route key as config names it: "GET /employees/{employeeId}".
func (r Route) String() string { return r.Method + " " + r.Path }

// RouteKeys lists every route's key, in route-table order.
func RouteKeys() []string {
	keys := make([]string, len(Routes))
	for i, r := range Routes {
		keys[i] = r.String()
	}
	return keys
}

// RoutesNamed resolves route keys (validated against RouteKeys) to routes; "*" is every route.
func RoutesNamed(keys []string) []Route {
	var out []Route
	for _, r := range Routes {
		for _, k := range keys {
			if k == "*" || k == r.String() {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

var pathParam = regexp.MustCompile(`^\{([A-Za-z][A-Za-z0-9]*)\}$`)

// segments splits a path into its parts ("/a/{b}" -> ["a", "{b}"]).
func segments(path string) []string {
	return strings.Split(strings.Trim(path, "/"), "/")
}

// params lists a path's parameters in order.
func (r Route) params() []string {
	var out []string
	for _, s := range segments(r.Path) {
		if m := pathParam.FindStringSubmatch(s); m != nil {
			out = append(out, m[1])
		}
	}
	return out
}

// arnPath is the route as it appears in an execute-api ARN: parameters become "*".
func (r Route) ARNPath() string {
	parts := segments(r.Path)
	for i, s := range parts {
		if pathParam.MatchString(s) {
			parts[i] = "*"
		}
	}
	return "/" + strings.Join(parts, "/")
}

// methodPath names the route in a stage's method settings: the resource path without its leading
// slash, then the method ("members/{memberId}/claims/GET").
func (r Route) MethodPath() string {
	return strings.TrimPrefix(r.Path, "/") + "/" + r.Method
}

// InvokeArn is the ARN a caller needs execute-api:Invoke on for this route of one stage.
func (r Route) InvokeArn(executionArn, stage string) string {
	return executionArn + "/" + stage + "/" + r.Method + r.ARNPath()
}

// SourceArn is what API Gateway presents to Lambda for this route from any stage.
func (r Route) SourceArn(executionArn string) string {
	return executionArn + "/*/" + r.Method + r.ARNPath()
}

// key names the route in resource names: "GET-members-memberId-claims".
func (r Route) Key() string {
	return r.Method + "-" + pathKey(r.Path)
}

func pathKey(path string) string {
	return strings.NewReplacer("/", "-", "{", "", "}", "").Replace(strings.Trim(path, "/"))
}
