package checks

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/policydoc"
)

var apiGatewayChecks = []Check{
	forType(mockengine.TypeRestAPI, Check{
		IDs:  []string{"apigateway_restapi_public", "api-gw-endpoint-type-check"},
		Rule: "REST API endpoint types are exactly [PRIVATE] and the API is associated with this stack's execute-api endpoint",
	}, func(e *mockengine.Engine, r mockengine.Resource) (bool, string) {
		if types := strs(r, "endpointConfiguration.types"); len(types) != 1 || types[0] != "PRIVATE" {
			return false, fmt.Sprintf("endpoint types %v, want exactly [PRIVATE]", types)
		}
		ids := strs(r, "endpointConfiguration.vpcEndpointIds")
		if len(ids) == 0 {
			return false, "PRIVATE but associated with no VPC endpoint (endpointConfiguration.vpcEndpointIds empty)"
		}
		for _, id := range ids {
			if ep, ok := e.Resolve(id); !ok || !isExecuteAPIEndpoint(ep) {
				return false, fmt.Sprintf("vpcEndpointIds %s is not an execute-api endpoint of this stack", id)
			}
		}
		return true, "PRIVATE, associated with " + strings.Join(ids, ", ")
	}),
	forType(mockengine.TypeMethod, Check{
		IDs:  []string{"apigateway_restapi_authorizers_enabled", "CKV_AWS_59", "CKV2_AWS_70", "AWS-0004"},
		Rule: "every method other than OPTIONS has authorization AWS_IAM",
	}, func(e *mockengine.Engine, r mockengine.Resource) (bool, string) {
		route := route(e, r)
		if str(r, "httpMethod") == "OPTIONS" {
			return true, route + ": OPTIONS (CORS preflight) is exempt"
		}
		auth := str(r, "authorization")
		return auth == "AWS_IAM", fmt.Sprintf("%s: authorization %q", route, auth)
	}),
	forType(mockengine.TypeMethod, Check{
		IDs:  []string{"CKV2_AWS_53"},
		Rule: "every method has a request validator of this stack",
	}, func(e *mockengine.Engine, r mockengine.Resource) (bool, string) {
		route := route(e, r)
		id := str(r, "requestValidatorId")
		if id == "" {
			return false, route + ": no requestValidatorId"
		}
		if v, ok := e.Resolve(id); !ok || v.Type != mockengine.TypeRequestValidator {
			return false, fmt.Sprintf("%s: requestValidatorId %s is not a request validator of this stack", route, id)
		}
		return true, route + ": validator " + id
	}),
	forType(mockengine.TypeStage, Check{
		IDs:  []string{"APIGateway.1", "CKV2_AWS_4"},
		Rule: "every stage has method settings for */* with execution logging ERROR or INFO and metrics on",
	}, func(e *mockengine.Engine, r mockengine.Resource) (bool, string) {
		for _, ms := range methodSettingsOf(e, r) {
			if str(ms, "methodPath") != "*/*" {
				continue
			}
			level := str(ms, "settings.loggingLevel")
			if level != "ERROR" && level != "INFO" {
				return false, fmt.Sprintf("%s: loggingLevel %q, want ERROR or INFO", ms.Name, level)
			}
			if !flag(ms, "settings.metricsEnabled") {
				return false, ms.Name + ": metricsEnabled is not true"
			}
			return true, fmt.Sprintf("%s: */* logging %s, metrics on", ms.Name, level)
		}
		return false, "no method settings for */* on this stage"
	}),
	forType(mockengine.TypeStage, Check{
		IDs:  []string{"CKV_AWS_76", "AWS-0001"},
		Rule: "every stage writes JSON access logs (with $context.requestId) to a log group of this stack",
	}, func(e *mockengine.Engine, r mockengine.Resource) (bool, string) {
		dest := str(r, "accessLogSettings.destinationArn")
		groups := e.RefsOfType(dest, mockengine.TypeLogGroup)
		if len(groups) == 0 {
			return false, fmt.Sprintf("access log destination %q is not a log group of this stack", dest)
		}
		var fields map[string]any
		if err := json.Unmarshal([]byte(str(r, "accessLogSettings.format")), &fields); err != nil {
			return false, "access log format is not a JSON object: " + err.Error()
		}
		for _, v := range fields {
			if v == "$context.requestId" {
				return true, fmt.Sprintf("JSON access logs (%d fields) to %s", len(fields), names(groups))
			}
		}
		return false, "access log format has no $context.requestId field, so a log line cannot be tied to a request"
	}),
	forType(mockengine.TypeMethodSettings, Check{
		IDs:  []string{"CKV_AWS_276"},
		Rule: "data trace (full request and response logging) is off in every method settings",
	}, func(_ *mockengine.Engine, r mockengine.Resource) (bool, string) {
		on := flag(r, "settings.dataTraceEnabled")
		return !on, fmt.Sprintf("%s dataTraceEnabled=%t", str(r, "methodPath"), on)
	}),
	forType(mockengine.TypeStage, Check{
		IDs:  []string{"APIGateway.3", "CKV_AWS_73", "AWS-0003"},
		Rule: "X-Ray tracing is on for every stage",
	}, func(_ *mockengine.Engine, r mockengine.Resource) (bool, string) {
		on := flag(r, "xrayTracingEnabled")
		return on, fmt.Sprintf("xrayTracingEnabled=%t", on)
	}),
	forType(mockengine.TypeStage, Check{
		IDs:  []string{"apigateway_restapi_no_secrets_in_stage_variables"},
		Rule: "no stage variable holds or names a secret (stage variables are readable by anyone who can read the stage)",
	}, func(_ *mockengine.Engine, r mockengine.Resource) (bool, string) {
		return noSecrets(r, "variables")
	}),
	forType(mockengine.TypeRestAPI, Check{
		IDs: []string{"seed:resource-policy"},
		Rule: "the API's resource policy denies execute-api:Invoke unless aws:SourceVpce is this stack's endpoint, " +
			"denies every principal it does not name (aws:PrincipalArn), allows each named principal only its route ARNs, and allows \"*\" only under the endpoint condition",
	}, func(e *mockengine.Engine, r mockengine.Resource) (bool, string) {
		doc, source := resourcePolicyOf(e, r)
		if doc == "" {
			return false, "no resource policy: a PRIVATE API without one rejects every call and its first deployment fails"
		}
		return judgeResourcePolicy(doc, r.ID, strs(r, "endpointConfiguration.vpcEndpointIds"), source)
	}),
}

func isExecuteAPIEndpoint(r mockengine.Resource) bool {
	return r.Type == mockengine.TypeVpcEndpoint && strings.HasSuffix(str(r, "serviceName"), ".execute-api")
}

// route names a method as "GET /employees/{employeeId}" for findings.
func route(e *mockengine.Engine, method mockengine.Resource) string {
	return str(method, "httpMethod") + " " + e.APIPath(str(method, "resourceId"))
}

// methodSettingsOf returns the method settings of a stage: same API, and the stage's name or a
// reference to the stage itself.
func methodSettingsOf(e *mockengine.Engine, stage mockengine.Resource) []mockengine.Resource {
	var out []mockengine.Resource
	for _, ms := range e.OfType(mockengine.TypeMethodSettings) {
		if str(ms, "restApi") != str(stage, "restApi") {
			continue
		}
		name := str(ms, "stageName")
		if name == str(stage, "stageName") || containsString(mockengine.PlaceholderNames(name), stage.Name) {
			out = append(out, ms)
		}
	}
	return out
}

// resourcePolicyOf returns the API's policy document, inline or from a RestApiPolicy, and its source.
func resourcePolicyOf(e *mockengine.Engine, api mockengine.Resource) (doc, source string) {
	if p := str(api, "policy"); p != "" {
		return p, api.Name + ".policy"
	}
	for _, p := range e.OfType(mockengine.TypeRestAPIPolicy) {
		for _, target := range e.RefsOfType(str(p, "restApiId"), mockengine.TypeRestAPI) {
			if target.Name == api.Name {
				return str(p, "policy"), p.Name
			}
		}
	}
	return "", ""
}

// judgeResourcePolicy applies the seed control to one policy document: first the private-API
// control that the live audit applies too (policydoc.PrivateAPI: a Deny guard by the network path,
// no condition that only looks like one), then what this stack's design adds: the guard names this
// stack's endpoints only, every principal not named is denied, each named principal is allowed
// only its routes, and "*" only under the endpoint condition.
func judgeResourcePolicy(doc, apiID string, endpoints []string, source string) (bool, string) {
	p, err := parsePolicy(doc)
	if err != nil {
		return false, source + ": " + err.Error()
	}
	control := policydoc.PrivateAPI(p, apiID)
	if !control.Pass() {
		return false, source + ": " + strings.Join(control.Reasons(), "; ")
	}
	denyAll := false
	var notes, named, allowed []string
	for _, s := range p.Statement {
		switch {
		case s.Effect == "Deny" && s.Allows("execute-api:Invoke") && s.Principal != nil && s.Principal.All:
			named = append(named, s.Condition.Values("aws:PrincipalArn", "ArnNotEquals", "StringNotEquals")...)
			if len(s.Condition) == 0 {
				denyAll = true
			}
		case s.Effect == "Allow" && s.Principal != nil && !s.Principal.All:
			allowed = append(allowed, s.Principal.AWS...)
			for _, r := range s.Resource {
				if !routeArn(r) {
					return false, fmt.Sprintf("%s: statement %q allows %s, wider than the caller's route ARNs", source, s.Sid, r)
				}
			}
		case s.Effect == "Allow" && s.Principal != nil && s.Principal.All:
			if vpce := s.Condition.Values("aws:SourceVpce", "StringEquals"); len(vpce) == 0 || !subset(vpce, endpoints) {
				return false, fmt.Sprintf("%s: statement %q allows \"*\" without aws:SourceVpce = this stack's endpoint", source, s.Sid)
			}
		}
		if cidrs := s.Condition.Values("aws:VpcSourceIp", "IpAddress", "NotIpAddress"); len(cidrs) > 0 {
			notes = append(notes, "source IP allow-list "+strings.Join(cidrs, ", "))
		}
	}
	if !control.GuardedOnlyBy("aws:SourceVpce", endpoints) {
		return false, fmt.Sprintf("%s: no Deny of execute-api:Invoke to \"*\" unless aws:SourceVpce is %s (the policy names endpoints %q)",
			source, strings.Join(endpoints, " or "), control.Endpoints)
	}
	// For an AWS_IAM API, a same-account caller whose identity policy allows Invoke gets in when the
	// resource policy is silent about it: only a Deny of every other principal makes the list exact
	// (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html).
	if denyAll && len(allowed) == 0 {
		return true, fmt.Sprintf("%s: Deny unless aws:SourceVpce = %s; no caller is configured, so every principal is denied", source, strings.Join(endpoints, ", "))
	}
	if len(named) == 0 || slices.Contains(named, "*") {
		return false, fmt.Sprintf("%s: no Deny of execute-api:Invoke to every principal but the named clients (aws:PrincipalArn): a caller of this account whose own policy allows Invoke gets in", source)
	}
	if !subset(allowed, named) {
		return false, fmt.Sprintf("%s: the principal Deny exempts %v but the policy allows %v", source, named, allowed)
	}
	detail := fmt.Sprintf("%s: Deny unless aws:SourceVpce = %s", source, strings.Join(endpoints, ", "))
	if len(notes) > 0 {
		detail += "; " + strings.Join(notes, "; ")
	}
	return true, detail
}

// routeArn reports whether r names one route of one stage: <api>/<stage>/<METHOD>/<path> in a full
// execute-api ARN, or <stage>/<METHOD>/<path> after API Gateway's "execute-api:/" shorthand, with no
// wildcard for the stage, the method or the whole path. A path parameter is a "*" segment
// (.../GET/employees/*), so a trailing "/*" alone does not make an ARN wider than a route.
func routeArn(r string) bool {
	var route string
	if rest, ok := strings.CutPrefix(r, "execute-api:/"); ok {
		route = rest
	} else if fields := strings.SplitN(r, ":", 6); len(fields) == 6 && fields[0] == "arn" {
		_, route, _ = strings.Cut(fields[5], "/") // after the API id
	}
	parts := strings.SplitN(route, "/", 3) // stage, method, path
	return len(parts) == 3 && parts[0] != "*" && parts[0] != "" && parts[1] != "*" && parts[1] != "" &&
		parts[2] != "*" && parts[2] != "*/*"
}

// subset reports whether every value is one of allowed.
func subset(values, allowed []string) bool {
	for _, v := range values {
		if !containsString(allowed, v) {
			return false
		}
	}
	return true
}

// noSecrets judges a map input (stage variables, environment variables) for values or names that
// look like credentials, and for values the program marked secret: both end up in plain text.
func noSecrets(r mockengine.Resource, p string) (bool, string) {
	if containsString(r.Secrets, strings.Split(p, ".")[0]) {
		return false, p + " holds a Pulumi secret, which AWS stores and shows in plain text"
	}
	v, _ := mockengine.Get(r.Inputs, p)
	vars, _ := v.(map[string]any)
	keys := sortedKeys(vars)
	for _, k := range keys {
		val, _ := vars[k].(string)
		if why := secretLike(k, val); why != "" {
			return false, fmt.Sprintf("%s.%s %s", p, k, why)
		}
	}
	if len(keys) == 0 {
		return true, "no " + p
	}
	return true, fmt.Sprintf("%s %v hold no secrets", p, keys)
}
